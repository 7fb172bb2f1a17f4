"""How networks are judged: pure functions over NumPy arrays, no I/O.

- `scoring.matrix`: the decision matrix, criteria bounds and utilities.
- `scoring.methods`: weighted sum (default), weighted product, TOPSIS, VIKOR, ELECTRE II, and
  rank agreement between methods; the only importer of scikit-criteria.
- `scoring.weights`: direct points, swing, rank-order centroid, AHP, group aggregation.
- `scoring.robustness`: SMAA-style sampling and weight stability intervals.
- `scoring.portfolio`, `scoring.overlap`, `scoring.recommend`, `scoring.analysis`: portfolio
  choice, overlaps between networks, recommended actions and the app's single entry point.
"""
