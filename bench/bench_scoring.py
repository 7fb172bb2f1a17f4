"""Benchmark of the scoring core: point evaluation, SMAA robustness, scikit-criteria loop.

Run from the project root: ``.venv/bin/python bench/bench_scoring.py``. Exits non-zero when
the vectorised rankings disagree with scikit-criteria's. Data: 300 networks x 14 criteria
(12 scores on 1-5, fee and staff time as costs), a few missing scores, seeded.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from scoring.matrix import DecisionMatrix, Objective, utilities
from scoring.methods import Method, batch_scores, evaluate, rank_from_scores
from scoring.robustness import smaa

N, M, SAMPLES, LOOP_SAMPLES = 300, 14, 10_000, 1_000


def problem() -> tuple[DecisionMatrix, np.ndarray]:
    rng = np.random.default_rng(2024)
    values = rng.integers(1, 6, (N, M)).astype(float) + rng.uniform(-0.4, 0.4, (N, M))
    values[:, :12] = np.clip(values[:, :12], 1, 5)
    values[:, 12] = rng.uniform(0, 60_000, N)
    values[:, 13] = rng.uniform(0, 400, N)
    values[rng.integers(0, N, 6), rng.integers(0, 12, 6)] = np.nan
    matrix = DecisionMatrix(
        tuple(f"net{i:03d}" for i in range(N)),
        tuple(f"crit{j:02d}" for j in range(M)),
        values,
        (Objective.MAX,) * 12 + (Objective.MIN,) * 2,
        ((1.0, 5.0),) * 12 + ((0.0, 60_000.0), (0.0, 400.0)),
    )
    return matrix, rng.dirichlet(np.ones(M) * 2)


def measure(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, float, Any]:
    """Best wall time of ``repeat`` runs (s) and peak traced memory of one run (MB)."""
    result = fn()  # warm-up (imports, caches)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return best, peak, result


def skcriteria_loop(matrix: DecisionMatrix, samples: np.ndarray) -> np.ndarray:
    """A plain scikit-criteria weighted-sum pipeline, once per weight sample."""
    import skcriteria as skc
    from skcriteria.agg.simple import WeightedSumModel
    from skcriteria.pipelines import mkpipe
    from skcriteria.preprocessing.scalers import SumScaler

    u = utilities(matrix)
    pipe = mkpipe(SumScaler(target="weights"), WeightedSumModel())
    scores = np.empty((samples.shape[0], matrix.shape[0]))
    for k, w in enumerate(samples):
        dm = skc.mkdm(matrix=u, objectives=[max] * u.shape[1], weights=w)
        scores[k] = pipe.evaluate(dm).e_.score
    return scores


def bench_portfolio() -> list[tuple[str, float, float]]:
    """HOOK for the portfolio benchmark (filled in by the portfolio module's owner)."""
    try:
        import scoring.portfolio  # noqa: F401
    except ImportError:
        print("portfolio: not available")
        return []
    print("portfolio: module present; no benchmark registered yet")
    return []


def main() -> int:
    matrix, weights = problem()
    rows: list[tuple[str, float, float]] = []

    t, mem, _ = measure(lambda: evaluate(matrix, weights))
    rows.append(("evaluate (weighted sum, skcriteria pipeline)", t, mem))
    t_ws, mem_ws, _ = measure(lambda: smaa(matrix, weights, samples=SAMPLES))
    rows.append((f"smaa weighted sum, {SAMPLES:,} samples", t_ws, mem_ws))
    t_tp, mem_tp, _ = measure(lambda: smaa(matrix, weights, method=Method.TOPSIS, samples=SAMPLES))
    rows.append((f"smaa TOPSIS, {SAMPLES:,} samples", t_tp, mem_tp))

    rng = np.random.default_rng(7)
    loop_weights = rng.dirichlet(weights * 50, LOOP_SAMPLES)
    t_loop, mem_loop, reference = measure(lambda: skcriteria_loop(matrix, loop_weights), repeat=1)
    rows.append((f"skcriteria loop, {LOOP_SAMPLES:,} samples", t_loop, mem_loop))
    t_vec, mem_vec, ours = measure(lambda: batch_scores(matrix, loop_weights))
    rows.append((f"batch_scores, same {LOOP_SAMPLES:,} samples", t_vec, mem_vec))
    rows.extend(bench_portfolio())

    print(f"\n{N} networks x {M} criteria, {int(matrix.mask.sum())} missing scores")
    print(f"{'operation':<48} {'time (s)':>10} {'peak MB':>9}")
    for name, seconds, peak in rows:
        print(f"{name:<48} {seconds:>10.4f} {peak:>9.1f}")

    same = all(
        np.array_equal(rank_from_scores(a), rank_from_scores(b))
        for a, b in zip(ours, reference, strict=True)
    )
    max_diff = float(np.abs(ours - reference).max())
    ratio = (t_loop / LOOP_SAMPLES) / (t_vec / LOOP_SAMPLES)
    print(
        f"\nrankings identical to scikit-criteria for {LOOP_SAMPLES:,} samples: {same} "
        f"(max score difference {max_diff:.1e})"
    )
    print(f"per-sample speed-up vs scikit-criteria loop: {ratio:,.0f}x")
    print("\ntargets:")
    checks = [
        ("10k-sample robustness, weighted sum < 0.05 s", t_ws < 0.05),
        ("10k-sample robustness, TOPSIS < 0.25 s", t_tp < 0.25),
        ("peak memory < 500 MB", max(mem_ws, mem_tp) < 500),
        (">= 100x faster per sample than the skcriteria loop", ratio >= 100),
        ("rankings agree with scikit-criteria", same),
    ]
    for label, ok in checks:
        print(f"  [{'ok' if ok else 'MISSED'}] {label}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
