"""ELECTRE I (Roy 1968; Benayoun, Roy & Sussmann 1966): concordance, discordance, the
outranking graph and its kernel.

This module owns ELECTRE I. It is a *choice* method: it says which networks are not beaten,
not how all of them rank, so it stands beside the registry's ELECTRE II rather than in it.

Inputs: values ``g`` (networks x criteria) on scales that can be compared with each other
(the app passes the bounds utilities, every criterion maximised, so a fee in euros does not
swamp 1-5 scores), the direction of each criterion, weights summing to 1, a concordance
threshold ``c^`` and a discordance threshold ``d^`` (defaults 0.65 and 0.35, as
scikit-criteria's ``ELECTRE1``).

- Concordance ``C(a, b) = sum of w_j over the criteria where a is at least as good as b``.
- Discordance ``D(a, b) = max over the criteria where b is better than a of
  |g_j(b) - g_j(a)| / delta``, with ``delta`` the largest range of any criterion (0 when b is
  nowhere better, or when every criterion is constant).
- ``a`` outranks ``b`` when ``C(a, b) >= c^`` and ``D(a, b) <= d^``.
- The kernel is the set of networks that no other network outranks. When the outranking graph
  has no cycle it is the graph's unique kernel (independent and absorbing); with a cycle it
  may not absorb every network, and ``has_cycle`` says so.

The diagonals of ``C`` and ``D`` are NaN (a network is not compared with itself).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from criteria.errors import CriteriaError

__all__ = ["ElectreOneResult", "electre_one"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class ElectreOneResult:
    """ELECTRE I's intermediate results, indexed by network (rows outrank columns)."""

    concordance: FloatArray
    discordance: FloatArray
    outranks: NDArray[np.bool_]
    kernel: tuple[int, ...]
    has_cycle: bool
    concordance_threshold: float
    discordance_threshold: float
    delta: float


def _has_cycle(graph: NDArray[np.bool_]) -> bool:
    """True when the directed graph (adjacency matrix) has a cycle."""
    remaining = np.ones(graph.shape[0], dtype=bool)
    while remaining.any():
        sub = graph[np.ix_(remaining, remaining)]
        sinks = ~sub.any(axis=1)
        if not sinks.any():
            return True
        idx = np.flatnonzero(remaining)
        remaining[idx[sinks]] = False
    return False


def electre_one(
    values: NDArray[np.floating],
    is_benefit: Sequence[bool] | NDArray[np.bool_],
    weights: NDArray[np.floating] | Sequence[float],
    *,
    concordance_threshold: float = 0.65,
    discordance_threshold: float = 0.35,
) -> ElectreOneResult:
    """ELECTRE I on complete ``values`` ``(n, m)``; weights are normalised to sum to 1.

    >>> r = electre_one(np.array([[1.0, 1.0], [0.5, 0.0], [0.0, 0.5]]), [True, True], [0.5, 0.5])
    >>> r.kernel, r.outranks.astype(int).tolist()
    ((0,), [[0, 1, 1], [0, 0, 0], [0, 0, 0]])
    """
    g = np.asarray(values, dtype=np.float64)
    if g.ndim != 2 or not np.isfinite(g).all():
        raise CriteriaError("ELECTRE I needs a complete table of finite values.")
    n, m = g.shape
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (m,) or (w < 0).any() or not np.isfinite(w).all() or w.sum() <= 0:
        raise CriteriaError(f"ELECTRE I needs {m} non-negative weights, not all zero.")
    w = w / w.sum()
    for name, value in (
        ("concordance threshold", concordance_threshold),
        ("discordance threshold", discordance_threshold),
    ):
        if not (math.isfinite(value) and 0.0 <= value <= 1.0):
            raise CriteriaError(f"The {name} must be between 0 and 1, got {value!r}.")
    benefit = np.asarray(is_benefit, dtype=bool)
    advantage = g[:, None, :] - g[None, :, :]  # a over b, per criterion
    advantage = np.where(benefit, advantage, -advantage)
    concordance = ((advantage >= 0) * w).sum(axis=2)
    ranges = g.max(axis=0) - g.min(axis=0) if n else np.zeros(m)
    delta = float(ranges.max()) if m else 0.0
    shortfall = np.maximum(-advantage, 0.0).max(axis=2)
    discordance = shortfall / delta if delta > 0 else np.zeros((n, n))
    # Rounded so that a threshold equal to a printed concordance (0.65 = 0.25 + 0.2 + 0.2) holds.
    outranks = (np.round(concordance, 12) >= round(concordance_threshold, 12)) & (
        np.round(discordance, 12) <= round(discordance_threshold, 12)
    )
    np.fill_diagonal(outranks, False)
    concordance = concordance.astype(np.float64)
    discordance = np.asarray(discordance, dtype=np.float64)
    np.fill_diagonal(concordance, np.nan)
    np.fill_diagonal(discordance, np.nan)
    kernel = tuple(int(i) for i in np.flatnonzero(~outranks.any(axis=0)))
    return ElectreOneResult(
        concordance=concordance,
        discordance=discordance,
        outranks=outranks,
        kernel=kernel,
        has_cycle=_has_cycle(outranks),
        concordance_threshold=float(concordance_threshold),
        discordance_threshold=float(discordance_threshold),
        delta=delta,
    )
