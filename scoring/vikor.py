"""VIKOR in full (Opricovic 1998; Opricovic & Tzeng 2004): S, R, Q, the two conditions and the
compromise set.

This module owns VIKOR's intermediate results; the registry's ``vikor`` method scores
``1 - Q`` with the same formulas (`scoring.methods`).

Inputs: raw values ``f`` (networks x criteria), the direction of each criterion, weights
summing to 1 and the strategy weight ``v`` in [0, 1].

- Per criterion the best value ``f*_j`` (the largest for a benefit, the smallest for a cost)
  and the worst ``f-_j``; the normalised regret ``d_ij = (f*_j - f_ij) / (f*_j - f-_j)``, in
  [0, 1] (0 on a constant column: it cannot separate networks).
- Group utility ``S_i = sum_j w_j d_ij``; individual regret ``R_i = max_j w_j d_ij``.
- ``Q_i = v (S_i - S*) / (S- - S*) + (1 - v) (R_i - R*) / (R- - R*)`` with ``S*``/``S-`` the
  smallest/largest ``S`` (likewise ``R``); a term whose spread is 0 counts 0. Lower is better.
- With ``a'`` first and ``a''`` second by ``Q`` and ``DQ = 1 / (n - 1)``:
  C1 *acceptable advantage*: ``Q(a'') - Q(a') >= DQ``;
  C2 *acceptable stability*: ``a'`` is also best by ``S`` or by ``R``.
- Compromise set: ``{a'}`` when both hold; ``{a', a''}`` when only C2 fails; when C1 fails,
  ``a'`` and every network with ``Q(a) - Q(a') < DQ``.

Ties in ``Q`` are broken by the order of the networks (as the paper lists them).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from criteria.errors import CriteriaError

__all__ = ["VikorResult", "vikor"]

FloatArray = NDArray[np.float64]
_DECIMALS = 12


@dataclass(frozen=True)
class VikorResult:
    """VIKOR's intermediate results; arrays indexed by network (``regret`` also by criterion).

    ``order`` lists the networks by ``Q`` (best first). ``first``/``second`` are ``a'`` and
    ``a''`` (``second`` is None with one network).
    """

    best: FloatArray
    worst: FloatArray
    regret: FloatArray
    s: FloatArray
    r: FloatArray
    q: FloatArray
    v: float
    order: tuple[int, ...]
    first: int
    second: int | None
    dq: float
    acceptable_advantage: bool
    acceptable_stability: bool
    compromise: tuple[int, ...]


def _spread(x: FloatArray) -> FloatArray:
    low, high = x.min(), x.max()
    if high - low <= 0:
        return np.zeros_like(x)
    return np.asarray((x - low) / (high - low), dtype=np.float64)


def vikor(
    values: NDArray[np.floating],
    is_benefit: Sequence[bool] | NDArray[np.bool_],
    weights: NDArray[np.floating] | Sequence[float],
    *,
    v: float = 0.5,
) -> VikorResult:
    """VIKOR on complete raw ``values`` ``(n, m)``; weights are normalised to sum to 1.

    >>> r = vikor(np.array([[1.0, 3000.0], [2.0, 3750.0], [5.0, 4500.0]]), [False, True],
    ...           [0.5, 0.5])
    >>> r.q.tolist(), r.compromise
    ([1.0, 0.0, 1.0], (1,))
    """
    f = np.asarray(values, dtype=np.float64)
    if f.ndim != 2 or not np.isfinite(f).all():
        raise CriteriaError("VIKOR needs a complete table of finite values.")
    n, m = f.shape
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (m,) or (w < 0).any() or not np.isfinite(w).all() or w.sum() <= 0:
        raise CriteriaError(f"VIKOR needs {m} non-negative weights, not all zero.")
    w = w / w.sum()
    if not (math.isfinite(v) and 0.0 <= v <= 1.0):
        raise CriteriaError(f"VIKOR's strategy weight v must be between 0 and 1, got {v!r}.")
    benefit = np.asarray(is_benefit, dtype=bool)
    best = np.where(benefit, f.max(axis=0), f.min(axis=0))
    worst = np.where(benefit, f.min(axis=0), f.max(axis=0))
    span = best - worst
    safe = np.where(span != 0, span, 1.0)
    regret = np.where(span != 0, (best - f) / safe, 0.0)
    weighted = regret * w
    s = weighted.sum(axis=1)
    r = weighted.max(axis=1)
    q = v * _spread(s) + (1.0 - v) * _spread(r)
    rounded_q = np.round(q, _DECIMALS)
    order = tuple(int(i) for i in np.lexsort((np.arange(n), rounded_q)))
    first = order[0]
    second = order[1] if n > 1 else None
    dq = 1.0 / (n - 1) if n > 1 else 1.0
    if second is None:
        return VikorResult(
            best, worst, regret, s, r, q, v, order, first, None, dq, True, True, (first,)
        )
    gap = round(float(q[second] - q[first]), _DECIMALS)
    advantage = gap >= round(dq, _DECIMALS)
    rs, rr = np.round(s, _DECIMALS), np.round(r, _DECIMALS)
    stability = bool(rs[first] == rs.min() or rr[first] == rr.min())
    if advantage and stability:
        compromise: tuple[int, ...] = (first,)
    elif advantage:
        compromise = (first, second)
    else:
        compromise = tuple(
            i for i in order if round(float(q[i] - q[first]), _DECIMALS) < round(dq, _DECIMALS)
        )
    return VikorResult(
        best=best,
        worst=worst,
        regret=regret,
        s=s,
        r=r,
        q=q,
        v=float(v),
        order=order,
        first=first,
        second=second,
        dq=dq,
        acceptable_advantage=bool(advantage),
        acceptable_stability=stability,
        compromise=compromise,
    )
