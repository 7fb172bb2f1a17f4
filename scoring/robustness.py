"""How robust a ranking and its recommended actions are to the weights and to missing data.

This module owns:

- `sample_weights`: Dirichlet weight vectors around the scenario's weights.
- `smaa`: SMAA-style simulation (stochastic multicriteria acceptability analysis, Lahdelma &
  Salminen 2001): thousands of weight vectors, and every missing score drawn uniformly over
  its criterion's bounds in each sample, so the uncertainty caused by gaps in the evidence is
  part of the result. Reports rank acceptability, top-k probability, expected rank, the
  probability that each network's action stays the same (`ActionRule`) and central weights.
  Everything is vectorised over samples, in chunks (scored on two threads) to bound memory,
  and seeded.
- `weight_stability`: for each criterion, how far its weight can move (the others rescaled
  proportionally) before the top network, a network's place or a network's action changes.
  Exact for the weighted sum (scores are linear in the weight); grid search plus bisection
  for the other methods.
- `describe_interval`: that interval in plain words for a councillor.

Ties inside a sample (for instance two networks with identical scores) share the ranks they
occupy equally: two networks tied for first each get half of rank 1 and half of rank 2, so
every row *and* every column of the acceptability matrix sums to 1. "Ranks first" for the
central weights means "no network strictly above".
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from criteria.errors import CriteriaError
from scoring.matrix import DecisionMatrix, utilities
from scoring.methods import (
    RANK_DECIMALS,
    Method,
    Scratch,
    _method,
    batch_scores,
    evaluate,
    sampled_scores,
)
from scoring.weights import weight_vector

__all__ = [
    "ZERO_WEIGHT_FLOOR",
    "ActionRule",
    "RobustnessResult",
    "StabilityInterval",
    "describe_interval",
    "sample_weights",
    "smaa",
    "weight_stability",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Weights = Mapping[str, float] | NDArray[np.floating] | Sequence[float]

#: A zero weight is sampled as if it were this fraction of the total (Dirichlet parameters must
#: be positive): a criterion the user switched off gets tiny weights (about 0.1% on average),
#: so it can only break near-ties.
ZERO_WEIGHT_FLOOR = 1e-3


def sample_weights(
    weights: NDArray[np.floating], n: int, concentration: float, rng: np.random.Generator
) -> FloatArray:
    """``n`` weight vectors from a Dirichlet centred on ``weights``, shape ``(n, m)``.

    ``alpha = concentration * max(w, ZERO_WEIGHT_FLOOR)`` with ``w`` normalised. The mean of
    each weight is (about) the given weight; a higher concentration keeps samples closer
    (50 gives a standard deviation of about 0.04 around a weight of 0.1).

    >>> s = sample_weights(np.array([0.5, 0.5]), 4, 50.0, np.random.default_rng(0))
    >>> s.shape, bool(np.allclose(s.sum(axis=1), 1.0))
    ((4, 2), True)
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1 or not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        raise CriteriaError("Weights to sample around must be non-negative and not all zero.")
    if not (math.isfinite(concentration) and concentration > 0):
        raise CriteriaError(f"The concentration must be a positive number, got {concentration!r}.")
    if n < 1:
        raise CriteriaError("Ask for at least one weight sample.")
    w = w / w.sum()
    alpha = concentration * np.maximum(w, ZERO_WEIGHT_FLOOR)
    return np.asarray(rng.dirichlet(alpha, size=n), dtype=np.float64)


@dataclass(frozen=True)
class ActionRule:
    """How a network's action follows from its score, per network.

    Network ``i`` gets ``action_at_or_above[i]`` when its score (rounded to 12 decimals) is at
    least ``thresholds[i]`` and ``action_below[i]`` otherwise. A member uses its
    leave-threshold (STAY at or above, LEAVE below), a candidate its join-threshold (JOIN at
    or above, NOT_RECOMMENDED below): asymmetric thresholds are simply different numbers per
    network. ``baseline_actions`` are the actions recommended now (they may come from the
    portfolio rather than the thresholds); stability is the share of samples whose action
    equals the baseline.

    >>> rule = ActionRule.for_memberships([True, False], np.array([0.4, 0.7]),
    ...                                   leave_below=0.5, join_above=0.6)
    >>> rule.baseline_actions
    ('LEAVE', 'JOIN')
    >>> rule.decide(np.array([[0.55, 0.55]])).tolist() == [[rule.code("STAY"),
    ...                                                     rule.code("NOT_RECOMMENDED")]]
    True
    """

    thresholds: tuple[float, ...]
    action_at_or_above: tuple[str, ...]
    action_below: tuple[str, ...]
    baseline_actions: tuple[str, ...]
    action_names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        n = len(self.thresholds)
        lengths = {len(self.action_at_or_above), len(self.action_below), len(self.baseline_actions)}
        if lengths != {n}:
            raise CriteriaError("An action rule needs one threshold and actions per network.")
        thresholds = tuple(float(t) for t in self.thresholds)
        if not all(math.isfinite(t) for t in thresholds):
            raise CriteriaError("Action thresholds must be finite numbers.")
        for i, action in enumerate(self.baseline_actions):
            if action not in (self.action_at_or_above[i], self.action_below[i]):
                raise CriteriaError(
                    f"Network {i + 1}'s current action '{action}' is neither of its possible "
                    f"actions ('{self.action_at_or_above[i]}', '{self.action_below[i]}')."
                )
        names = sorted({*self.action_at_or_above, *self.action_below})
        object.__setattr__(self, "thresholds", thresholds)
        object.__setattr__(self, "action_at_or_above", tuple(self.action_at_or_above))
        object.__setattr__(self, "action_below", tuple(self.action_below))
        object.__setattr__(self, "baseline_actions", tuple(self.baseline_actions))
        object.__setattr__(self, "action_names", tuple(names))

    @classmethod
    def for_memberships(
        cls,
        is_member: Sequence[bool],
        baseline_scores: NDArray[np.floating],
        *,
        leave_below: float | Sequence[float],
        join_above: float | Sequence[float],
        stay: str = "STAY",
        leave: str = "LEAVE",
        join: str = "JOIN",
        skip: str = "NOT_RECOMMENDED",
    ) -> ActionRule:
        """Members stay at or above ``leave_below``; candidates join at or above ``join_above``.

        Thresholds may be one number or one per network; the baseline actions are the
        decisions at ``baseline_scores``.
        """
        n = len(is_member)
        leave_t = np.broadcast_to(np.asarray(leave_below, dtype=np.float64), (n,))
        join_t = np.broadcast_to(np.asarray(join_above, dtype=np.float64), (n,))
        members = np.asarray(is_member, dtype=bool)
        thresholds = np.where(members, leave_t, join_t)
        above = tuple(stay if m else join for m in members)
        below = tuple(leave if m else skip for m in members)
        scores = np.round(np.asarray(baseline_scores, dtype=np.float64), RANK_DECIMALS)
        if scores.shape != (n,):
            raise CriteriaError("Give one baseline score per network.")
        baseline = tuple(
            above[i] if scores[i] >= round(float(thresholds[i]), RANK_DECIMALS) else below[i]
            for i in range(n)
        )
        return cls(tuple(float(t) for t in thresholds), above, below, baseline)

    def code(self, action: str) -> int:
        """Integer code of an action name (its index in ``action_names``)."""
        return self.action_names.index(action)

    @property
    def baseline_codes(self) -> IntArray:
        """Codes of the baseline actions, one per network."""
        return np.array([self.code(a) for a in self.baseline_actions], dtype=np.int64)

    def decide(self, scores: NDArray[np.floating]) -> IntArray:
        """Action codes for scores of shape ``(S, n)`` (or ``(n,)``), vectorised."""
        above = np.array([self.code(a) for a in self.action_at_or_above], dtype=np.int64)
        below = np.array([self.code(a) for a in self.action_below], dtype=np.int64)
        thresholds = np.round(np.array(self.thresholds), RANK_DECIMALS)
        rounded = np.round(np.asarray(scores, dtype=np.float64), RANK_DECIMALS)
        return np.where(rounded >= thresholds, above, below)


@dataclass(frozen=True)
class RobustnessResult:
    """Outcome of `smaa`; arrays are indexed by network (and rank, or criterion).

    ``rank_acceptability[i, r]``: probability that network ``i`` takes rank ``r + 1`` (rows and
    columns sum to 1). ``top_k_probability``: probability of a rank <= ``top_k``.
    ``expected_rank``: mean rank. ``action_stability``: probability that the action stays the
    baseline action (None without an `ActionRule`). ``central_weights[i]``: mean weight vector
    of the samples where network ``i`` ranks first, NaN if it never does (shape ``(n, m)``).
    """

    alternatives: tuple[str, ...]
    criteria: tuple[str, ...]
    samples: int
    seed: int
    concentration: float
    method: Method
    rank_acceptability: FloatArray = field(repr=False)
    top_k: int
    top_k_probability: FloatArray = field(repr=False)
    expected_rank: FloatArray = field(repr=False)
    action_stability: FloatArray | None = field(repr=False)
    central_weights: FloatArray = field(repr=False)
    first_rank_probability: FloatArray = field(repr=False)


_SCALE = 10.0**RANK_DECIMALS
_KEY_BITS = 41  # 10**12 < 2**41: a rounded score in [0, 2) needs 41 bits
#: Adding 2**52 to a float in [0, 2**52) rounds it to an integer (ties to even, as
#: ``np.rint``) and leaves that integer in the low mantissa bits: viewed as int64 the sum is
#: ``_MAGIC_BITS + rint(y)``. One addition instead of ``rint`` plus a conversion.
_MAGIC = 2.0**52
_MAGIC_BITS = 0x4330000000000000
_DEFAULT_CHUNK = 1_024
#: Chunks are scored on at most this many threads (NumPy's sort and BLAS release the GIL).
_MAX_WORKERS = 2


@functools.cache
def _blas_controller() -> Any:
    """``threadpoolctl``'s controller, built once (it scans the loaded libraries), or None."""
    try:
        from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - installed with scikit-criteria
        return None
    return ThreadpoolController()


_BLAS_LOCK = threading.Lock()
_blas_users = 0
_blas_restore: Any = None


@contextlib.contextmanager
def _single_threaded_blas() -> Iterator[None]:
    """Keep BLAS on one thread while our own threads score chunks.

    OpenBLAS spinning up its own threads for every small ``(chunk, m) @ (m, n)`` product on
    top of our workers oversubscribes the cores (measured 5-10x slower on two busy cores).
    The limit is process-wide, so concurrent `smaa` calls share it: the first one in sets
    it, the last one out restores it. ``threadpoolctl`` comes with scikit-criteria (through
    scikit-learn); without it BLAS keeps its default.
    """
    global _blas_users, _blas_restore
    controller = _blas_controller()
    if controller is None:  # pragma: no cover - threadpoolctl comes with scikit-criteria
        yield
        return
    with _BLAS_LOCK:
        if _blas_users == 0:
            _blas_restore = controller.limit(limits=1, user_api="blas")
        _blas_users += 1
    try:
        yield
    finally:
        with _BLAS_LOCK:
            _blas_users -= 1
            if _blas_users == 0:
                _blas_restore.restore_original_limits()
                _blas_restore = None


def _descending_order(scores: FloatArray) -> tuple[IntArray, IntArray]:
    """Per row: networks best first, and their scores as integers (rounded to 12 decimals).

    The general path (``argsort``), used when `_Tally` cannot pack keys (scores outside
    [0, 2) or NaN).
    """
    quanta = np.rint(scores * _SCALE)
    order = np.argsort(-quanta, axis=1, kind="stable")
    return order, np.take_along_axis(quanta, order, axis=1).astype(np.int64)


def _tie_ranks(order: IntArray, ordered: IntArray) -> tuple[IntArray, IntArray]:
    """Lowest and highest rank (1-based) of each network's tie group, row by row."""
    c, n = order.shape
    positions = np.broadcast_to(np.arange(1, n + 1, dtype=np.int64), (c, n))
    starts = np.ones((c, n), dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    ends = np.ones((c, n), dtype=bool)
    ends[:, :-1] = starts[:, 1:]
    first = np.maximum.accumulate(np.where(starts, positions, 0), axis=1)
    last = np.minimum.accumulate(np.where(ends, positions, n + 1)[:, ::-1], axis=1)[:, ::-1]
    low = np.empty((c, n), dtype=np.int64)
    high = np.empty((c, n), dtype=np.int64)
    np.put_along_axis(low, order, first, axis=1)
    np.put_along_axis(high, order, last, axis=1)
    return low, high


@dataclass
class _Tally:
    """What one chunk of samples contributes; chunks are combined in chunk order.

    ``counts[i * n + r]``: samples (without ties) where network ``i`` takes rank ``r + 1``.
    ``diff``: shares of tied ranks as one difference array over ranks 1..n+1 per network
    (None when the chunk has no ties). ``first_weights[i * m + j]``: sum of weight ``j`` over
    the samples where ``i`` ranks first. ``same_action``: samples keeping the baseline action.
    """

    counts: IntArray
    diff: FloatArray | None
    first_counts: IntArray
    first_weights: FloatArray
    same_action: IntArray | None


@dataclass(frozen=True)
class _Chunker:
    """Scores and tallies one chunk of samples (read-only, shared by the worker threads)."""

    matrix: DecisionMatrix
    method: Method
    weights: FloatArray
    fills: FloatArray | None
    rule: ActionRule | None
    local: threading.local = field(default_factory=threading.local)

    def scratch(self) -> Scratch:
        """This thread's reusable buffers (fresh arrays cost page faults, see `Scratch`)."""
        scratch: Scratch | None = getattr(self.local, "scratch", None)
        if scratch is None:
            scratch = self.local.scratch = Scratch()
        return scratch

    def tally(self, start: int, stop: int) -> _Tally:
        w = self.weights[start:stop]
        fills = None if self.fills is None else self.fills[start:stop]
        scores = sampled_scores(self.matrix, w, self.method, fills, scratch=self.scratch())
        n = scores.shape[1]
        bits = max(1, (n - 1).bit_length())
        lowest, highest = float(scores.min()), float(scores.max())  # NaN fails both tests
        if lowest >= 0.0 and highest < 2.0 and bits + _KEY_BITS < 63:
            return self._packed(w, scores, bits)
        return self._general(w, scores)

    def _packed(self, w: FloatArray, scores: FloatArray, bits: int) -> _Tally:
        """Fast path: one int64 key per cell, ``(~rounded score) << bits | network``.

        A plain (SIMD) sort of the keys is about twice as fast as ``argsort``. Works in place
        on ``scores``.
        """
        c, n = scores.shape
        scores *= _SCALE
        scores += _MAGIC
        keys = scores.view(np.int64)  # _MAGIC_BITS + score rounded to 12 decimals, times 1e12
        same = self._same_action_packed(keys)
        top = (1 << _KEY_BITS) - 1
        np.subtract(_MAGIC_BITS + top, keys, out=keys)  # top - quanta: best first once sorted
        keys <<= bits
        keys |= np.arange(n, dtype=np.int64)
        keys.sort(axis=1)
        low_bits = (1 << bits) - 1
        # Sorted keys with equal scores differ only in the low bits: a tie exists iff some
        # key is at most its predecessor with all low bits set.
        scratch = self.scratch()
        probe = np.bitwise_or(keys[:, :-1], low_bits, out=scratch.get("probe", c, n - 1, np.int64))
        tied = bool(
            np.greater_equal(probe, keys[:, 1:], out=scratch.get("tied", c, n - 1, bool)).any()
        )
        if tied:
            quanta = keys >> bits
            keys &= low_bits
            return self._ties(w, keys, quanta, same)
        keys &= low_bits
        keys += np.arange(0, n * n, n, dtype=np.int64)  # rank * n + network
        counts = np.bincount(keys.ravel(), minlength=n * n).reshape(n, n).T.ravel()
        leaders = keys[:, 0]
        return self._finish(w, counts, None, np.arange(c), leaders, same)

    def _same_action_packed(self, keys: IntArray) -> IntArray | None:
        """Samples keeping each network's baseline action, compared on the integer keys.

        Exact: ``round(s, 12) >= round(t, 12)`` iff ``rint(s * 1e12) >= rint(t * 1e12)``.
        """
        rule = self.rule
        if rule is None:
            return None
        limit = float(1 << (_KEY_BITS + 1))
        thresholds = np.clip(np.rint(np.array(rule.thresholds) * _SCALE), -1.0, limit)
        at_or_above = (keys >= thresholds.astype(np.int64) + _MAGIC_BITS).sum(axis=0)
        keeps_above, keeps_below = _baseline_sides(rule)
        c = keys.shape[0]
        return np.asarray(keeps_above * at_or_above + keeps_below * (c - at_or_above))

    def _general(self, w: FloatArray, scores: FloatArray) -> _Tally:
        """Any finite scores: ``argsort`` on the rounded scores."""
        c, n = scores.shape
        same = None
        if self.rule is not None:
            same = np.asarray(
                (self.rule.decide(scores) == self.rule.baseline_codes).sum(axis=0), np.int64
            )
        order, ordered = _descending_order(scores)
        if np.any(ordered[:, 1:] == ordered[:, :-1]):
            return self._ties(w, order, -ordered, same)
        cells = order * n + np.arange(n, dtype=np.int64)
        counts = np.bincount(cells.ravel(), minlength=n * n)
        return self._finish(w, counts, None, np.arange(c), order[:, 0], same)

    def _ties(
        self, w: FloatArray, order: IntArray, ordered: IntArray, same: IntArray | None
    ) -> _Tally:
        """Each member of a tie group gets an equal share of the group's ranks.

        ``ordered`` is any per-row key that is equal exactly within tie groups.
        """
        n = order.shape[1]
        low, high = _tie_ranks(order, ordered)
        share = (1.0 / (high - low + 1)).ravel()
        rank_index = np.arange(n) * (n + 1)
        diff = np.asarray(np.bincount((rank_index + low - 1).ravel(), share, n * (n + 1)), float)
        diff -= np.bincount((rank_index + high).ravel(), share, n * (n + 1))
        sample_idx, leaders = np.nonzero(low == 1)
        return self._finish(w, np.zeros(n * n, np.int64), diff, sample_idx, leaders, same)

    def _finish(
        self,
        w: FloatArray,
        counts: IntArray,
        diff: FloatArray | None,
        sample_idx: IntArray,
        leaders: IntArray,
        same: IntArray | None,
    ) -> _Tally:
        n, m = self.matrix.shape
        cells = (leaders[:, None] * m + np.arange(m)).ravel()
        return _Tally(
            counts=counts,
            diff=diff,
            first_counts=np.bincount(leaders, minlength=n),
            first_weights=np.asarray(np.bincount(cells, w[sample_idx].ravel(), n * m), float),
            same_action=same,
        )


def _baseline_sides(rule: ActionRule) -> tuple[IntArray, IntArray]:
    """Per network, 1 where the baseline action is the action at/above (below) the threshold."""
    above = [
        int(b == a) for a, b in zip(rule.action_at_or_above, rule.baseline_actions, strict=True)
    ]
    below = [int(b == a) for a, b in zip(rule.action_below, rule.baseline_actions, strict=True)]
    return np.array(above, dtype=np.int64), np.array(below, dtype=np.int64)


def smaa(
    matrix: DecisionMatrix,
    weights: Weights,
    *,
    method: Method | str = Method.WEIGHTED_SUM,
    samples: int = 10_000,
    concentration: float = 50.0,
    seed: int = 0,
    top_k: int = 3,
    action_threshold: ActionRule | None = None,
    chunk_size: int = _DEFAULT_CHUNK,
    ranges: tuple[NDArray[np.floating], NDArray[np.floating]] | None = None,
) -> RobustnessResult:
    """SMAA-style robustness of the ranking and of the actions.

    Weights are drawn with `sample_weights`; each missing score is drawn uniformly over its
    criterion's bounds, independently in every sample. ``ranges`` (two ``(n, m)`` arrays,
    lowest and highest plausible raw value per cell) widens that to known scores: a cell whose
    range is wider than a point (assessors who disagree, a low-confidence score; see
    `scoring.evidence`) is drawn uniformly over its own range, and a missing cell over its
    range instead of the bounds. All random numbers are drawn up front
    in a fixed order (all weights, then the missing scores sample after sample), so the result
    depends only on the arguments, not on ``chunk_size`` nor on the threads.

    Chunks of ``chunk_size`` samples are scored on up to two threads (NumPy's sort and matrix
    products release the GIL; BLAS itself is kept to one thread meanwhile) and their counts
    are added up in chunk order. Each thread reuses its ``(chunk_size, n)`` buffers from chunk
    to chunk: memory is about ``chunk_size * n * 8`` bytes per buffer and thread (a few per
    method; ``(chunk, n, m)`` for VIKOR and ELECTRE with missing scores), plus the
    ``(samples, m)`` weights. Rankings use the scores rounded to 12 decimals, packed with
    the network index into one int64 key per cell when the scores lie in [0, 2) (every
    method's do), which sorts about twice as fast as ``argsort``.

    >>> from scoring.matrix import Objective
    >>> m = DecisionMatrix(("A", "B"), ("x", "y"), np.array([[5.0, 1.0], [1.0, 4.0]]),
    ...                    (Objective.MAX, Objective.MAX), ((1.0, 5.0), (1.0, 5.0)))
    >>> r = smaa(m, {"x": 0.8, "y": 0.2}, samples=500, seed=1)
    >>> r.rank_acceptability.round(2).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    method = _method(method)
    n, m = matrix.shape
    w0 = weight_vector(matrix.criteria, weights)
    if samples < 1:
        raise CriteriaError("Ask for at least one sample.")
    if top_k < 1:
        raise CriteriaError("top_k must be at least 1.")
    if chunk_size < 1:
        raise CriteriaError("chunk_size must be at least 1.")
    if action_threshold is not None and len(action_threshold.thresholds) != n:
        raise CriteriaError(
            f"The action rule covers {len(action_threshold.thresholds)} networks, the matrix {n}."
        )
    rng = np.random.default_rng(seed)
    all_weights = sample_weights(w0, samples, concentration, rng)
    sampled, low, high = _sampled_cells(matrix, ranges)
    mi, mj = np.nonzero(sampled.mask)
    all_fills = None
    if mi.size:
        lower, span = low[mi, mj], high[mi, mj] - low[mi, mj]
        all_fills = lower + rng.random((samples, mi.size)) * span
    chunker = _Chunker(sampled, method, all_weights, all_fills, action_threshold)
    bounds = [(s, min(s + chunk_size, samples)) for s in range(0, samples, chunk_size)]
    workers = min(_MAX_WORKERS, os.cpu_count() or 1, len(bounds))

    counts = np.zeros(n * n, dtype=np.int64)
    diff = np.zeros(n * (n + 1))  # per network, a difference array over ranks 1..n+1
    first_counts = np.zeros(n, dtype=np.int64)
    first_weight_sums = np.zeros(n * m)
    same_action = np.zeros(n, dtype=np.int64)
    with _single_threaded_blas(), ThreadPoolExecutor(max_workers=workers) as pool:
        # map() yields in submission order, so the sums below do not depend on timing.
        for part in pool.map(lambda b: chunker.tally(*b), bounds):
            counts += part.counts
            if part.diff is not None:
                diff += part.diff
            first_counts += part.first_counts
            first_weight_sums += part.first_weights
            if part.same_action is not None:
                same_action += part.same_action

    shared = np.cumsum(diff.reshape(n, n + 1), axis=1)[:, :n]
    acceptability = (shared + counts.reshape(n, n)) / samples
    acceptability = np.clip(acceptability, 0.0, 1.0)
    ranks = np.arange(1, n + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        central = first_weight_sums.reshape(n, m) / first_counts[:, None]
    central[first_counts == 0] = np.nan
    k = min(top_k, n)
    return RobustnessResult(
        alternatives=matrix.alternatives,
        criteria=matrix.criteria,
        samples=samples,
        seed=seed,
        concentration=float(concentration),
        method=method,
        rank_acceptability=acceptability,
        top_k=top_k,
        top_k_probability=acceptability[:, :k].sum(axis=1),
        expected_rank=acceptability @ ranks,
        action_stability=same_action / samples if action_threshold is not None else None,
        central_weights=central,
        first_rank_probability=first_counts / samples,
    )


def _sampled_cells(
    matrix: DecisionMatrix,
    ranges: tuple[NDArray[np.floating], NDArray[np.floating]] | None,
) -> tuple[DecisionMatrix, FloatArray, FloatArray]:
    """The matrix with every sampled cell blanked, and each cell's sampling range.

    Without ``ranges`` the missing cells are sampled over their criterion's bounds.
    """
    n, m = matrix.shape
    low = np.broadcast_to(matrix.lower, (n, m)).copy()
    high = np.broadcast_to(matrix.upper, (n, m)).copy()
    if ranges is None:
        return matrix, low, high
    given_low = np.asarray(ranges[0], dtype=np.float64)
    given_high = np.asarray(ranges[1], dtype=np.float64)
    if given_low.shape != (n, m) or given_high.shape != (n, m):
        raise CriteriaError(f"Sampling ranges must have the matrix's shape ({n}, {m}).")
    if not (np.isfinite(given_low).all() and np.isfinite(given_high).all()):
        raise CriteriaError("Sampling ranges must be finite numbers.")
    if np.any(given_low > given_high):
        raise CriteriaError("A sampling range has its lowest value above its highest.")
    uncertain = matrix.mask | (given_high > given_low)
    if not uncertain.any():
        return matrix, low, high
    values = np.array(matrix.values, dtype=np.float64)
    values[uncertain] = np.nan
    blanked = DecisionMatrix(
        matrix.alternatives,
        matrix.criteria,
        values,
        matrix.objectives,
        matrix.bounds,
        matrix.saturating,
    )
    return blanked, given_low, given_high


# ---------------------------------------------------------------------------------------------
# Weight stability intervals
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StabilityInterval:
    """The weight range of one criterion over which a conclusion holds.

    ``target`` is the network concerned and ``holds`` what holds: ``"top"`` (it stays ranked
    first), ``"rank"`` (no network crosses it) or an action name ("LEAVE"). Moving the weight
    below ``low`` or above ``high`` (the other weights rescaled proportionally) changes it
    into ``changes_to_low`` / ``changes_to_high`` (a network name, or an action); an empty
    string means the conclusion holds all the way to 0 % / 100 %. ``changes_to`` is the
    change at the nearer end ("" if none).
    """

    criterion: str
    current: float
    low: float
    high: float
    changes_to: str
    target: str = ""
    holds: str = "top"
    changes_to_low: str = ""
    changes_to_high: str = ""


def _path_weights(w0: FloatArray, j: int, t: FloatArray) -> FloatArray:
    """Weight vectors with criterion ``j`` at ``t`` and the others rescaled: ``(len(t), m)``."""
    m = w0.size
    others = np.delete(np.arange(m), j)
    rest = w0[others]
    share = rest / rest.sum() if rest.sum() > 0 else np.full(m - 1, 1.0 / (m - 1))
    out = np.empty((t.size, m))
    out[:, j] = t
    out[:, others] = (1.0 - t)[:, None] * share
    return out


def weight_stability(
    matrix: DecisionMatrix,
    weights: Weights,
    *,
    method: Method | str = Method.WEIGHTED_SUM,
    target: str | None = None,
    action_rule: ActionRule | None = None,
    grid: int = 51,
) -> list[StabilityInterval]:
    """For each criterion, the weight range keeping a conclusion (others rescaled).

    - ``target=None``: the top network (first in matrix order among the best) stays on top.
    - ``target`` given, no ``action_rule``: no other network crosses the target.
    - ``target`` and ``action_rule``: the target's action (as decided by the rule at the
      current weights) stays the same.

    Weighted sum: exact, since every score is linear in the moved weight ``t``:
    ``s_i(t) = t * u_ij + (1 - t) * b_i``. Other methods: a grid of ``grid`` points on [0, 1]
    finds the first change on each side, refined by bisection to 1e-4.

    >>> from scoring.matrix import Objective
    >>> m = DecisionMatrix(("A", "B"), ("x", "y"), np.array([[5.0, 1.0], [1.0, 5.0]]),
    ...                    (Objective.MAX, Objective.MAX), ((1.0, 5.0), (1.0, 5.0)))
    >>> [(s.criterion, s.low, s.high, s.changes_to) for s in weight_stability(m, [0.7, 0.3])]
    [('x', 0.5, 1.0, 'B'), ('y', 0.0, 0.5, 'B')]
    """
    method = _method(method)
    n, m = matrix.shape
    w0 = weight_vector(matrix.criteria, weights)
    current = evaluate(matrix, w0, method)
    if action_rule is not None and target is None:
        raise CriteriaError("Name the network whose action should be checked.")
    if target is None:
        t_index = int(np.flatnonzero(current.ranks == 1)[0])
        holds = "top"
    else:
        if target not in matrix.alternatives:
            raise CriteriaError(f"'{target}' is not one of the networks compared.")
        t_index = matrix.alternatives.index(target)
        holds = "rank"
    base_action = -1
    if action_rule is not None:
        if len(action_rule.thresholds) != n:
            raise CriteriaError("The action rule must cover every network of the matrix.")
        base_action = int(action_rule.decide(current.scores)[t_index])
        holds = action_rule.action_names[base_action]
    name = matrix.alternatives[t_index]
    base_above = np.round(current.scores, RANK_DECIMALS) > round(
        float(current.scores[t_index]), RANK_DECIMALS
    )

    def state_of(scores: FloatArray) -> list[bytes]:
        """Per row, a key that changes exactly when the conclusion changes."""
        if action_rule is not None:
            return [bytes([int(c)]) for c in action_rule.decide(scores)[:, t_index]]
        rounded = np.round(scores, RANK_DECIMALS)
        above = rounded > rounded[:, t_index : t_index + 1]
        return [row.tobytes() for row in above]

    def describe_change(scores: FloatArray) -> str:
        if action_rule is not None:
            return action_rule.action_names[int(action_rule.decide(scores[None])[0, t_index])]
        rounded = np.round(scores, RANK_DECIMALS)
        crossed = (rounded > rounded[t_index]) != base_above
        crossed[t_index] = False
        if not crossed.any():
            return ""
        candidates = np.flatnonzero(crossed)
        return matrix.alternatives[int(candidates[np.argmax(scores[candidates])])]

    results: list[StabilityInterval] = []
    for j, criterion in enumerate(matrix.criteria):
        wj = float(w0[j])
        if m == 1:
            results.append(StabilityInterval(criterion, wj, 1.0, 1.0, "", name, holds))
            continue
        if method is Method.WEIGHTED_SUM:
            low, high, to_low, to_high = _linear_bounds(
                matrix, w0, j, t_index, action_rule, base_above
            )
        else:
            low, high, probe_low, probe_high = _searched_bounds(
                matrix, w0, j, method, state_of, grid
            )
            probes = batch_scores(
                matrix, _path_weights(w0, j, np.array([probe_low, probe_high])), method
            )
            to_low = describe_change(probes[0]) if probe_low < wj else ""
            to_high = describe_change(probes[1]) if probe_high > wj else ""
        nearer = to_low if (to_low and (not to_high or wj - low <= high - wj)) else to_high
        results.append(
            StabilityInterval(criterion, wj, low, high, nearer, name, holds, to_low, to_high)
        )
    return results


def _linear_bounds(
    matrix: DecisionMatrix,
    w0: FloatArray,
    j: int,
    t_index: int,
    action_rule: ActionRule | None,
    base_above: NDArray[np.bool_],
) -> tuple[float, float, str, str]:
    """Exact interval for the weighted sum: every score is ``b + t (a - b)``.

    Returns ``(low, high, what changes below low, what changes above high)``.
    """
    u = utilities(matrix)
    ends = _path_weights(w0, j, np.array([0.0, 1.0]))
    at0, at1 = ends[0] @ u.T, ends[1] @ u.T  # scores with weight 0 and weight 1
    wj = float(w0[j])
    if action_rule is not None:
        tau = action_rule.thresholds[t_index]
        now = at0[t_index] + wj * (at1[t_index] - at0[t_index])
        above_now = bool(round(float(now), RANK_DECIMALS) >= round(tau, RANK_DECIMALS))
        d0, d1 = np.array([at0[t_index] - tau]), np.array([at1[t_index] - tau])
        keep_positive = np.array([above_now])
        other = (
            action_rule.action_below[t_index]
            if above_now
            else action_rule.action_at_or_above[t_index]
        )
        labels = [other]
    else:
        d0 = at0[t_index] - at0
        d1 = at1[t_index] - at1
        keep_positive = ~base_above
        keep_positive[t_index] = True
        labels = list(matrix.alternatives)
    low, high, to_low, to_high = 0.0, 1.0, "", ""
    low_slope = high_slope = 0.0
    for i, (d_start, d_end, positive) in enumerate(zip(d0, d1, keep_positive, strict=True)):
        if action_rule is None and i == t_index:
            continue
        slope = float(d_end - d_start)
        if abs(slope) < 1e-15:
            continue
        root = float(-d_start / slope)
        # positive: need d(t) >= 0; otherwise need d(t) <= 0. Where several networks cross at
        # the same weight, the one named is the one that leads past it: the steepest crossing
        # (largest slope of d below the interval, smallest above it).
        gives_lower_bound = slope > 0 if positive else slope < 0
        if gives_lower_bound:
            root = min(root, wj)
            tie = bool(to_low) and abs(root - low) <= _TIE and slope > low_slope
            if root > low + _TIE or tie:
                low, to_low, low_slope = root, labels[i], slope
        else:
            root = max(root, wj)
            tie = bool(to_high) and abs(root - high) <= _TIE and slope < high_slope
            if root < high - _TIE or tie:
                high, to_high, high_slope = root, labels[i], slope
    return low, high, to_low, to_high


_TIE = 1e-12
"""Crossings closer than this are the same weight (exact ties of the weighted sum)."""


def _searched_bounds(
    matrix: DecisionMatrix,
    w0: FloatArray,
    j: int,
    method: Method,
    state_of: Callable[[FloatArray], list[bytes]],
    grid: int,
) -> tuple[float, float, float, float]:
    """First change of state on each side of the current weight: grid, then bisection.

    Returns ``(low, high, probe_low, probe_high)``; the probes are weights just outside the
    interval where the state has changed (equal to the current weight when it never does).
    """
    wj = float(w0[j])

    def states(t: FloatArray) -> list[bytes]:
        return state_of(batch_scores(matrix, _path_weights(w0, j, t), method))

    base = states(np.array([wj]))[0]
    points = np.linspace(0.0, 1.0, max(grid, 3))
    grid_states = states(points)

    def refine(inside: float, outside: float) -> tuple[float, float]:
        while abs(outside - inside) > 1e-4:
            mid = (inside + outside) / 2.0
            if states(np.array([mid]))[0] == base:
                inside = mid
            else:
                outside = mid
        return (inside + outside) / 2.0, outside

    low, probe_low, previous = 0.0, wj, wj
    for t, state in sorted(
        ((float(t), st) for t, st in zip(points, grid_states, strict=True) if t < wj),
        reverse=True,
    ):
        if state != base:
            low, probe_low = refine(previous, t)
            break
        previous = t
    high, probe_high, previous = 1.0, wj, wj
    for t, state in ((float(t), st) for t, st in zip(points, grid_states, strict=True)):
        if t <= wj:
            continue
        if state != base:
            high, probe_high = refine(previous, t)
            break
        previous = t
    return low, high, probe_low, probe_high


def _pct(value: float) -> str:
    if 0 < value < 0.01:
        return f"{value:.1%}"
    return f"{value:.0%}"


def describe_interval(
    interval: StabilityInterval, criterion_title: str, names: Mapping[str, str] | None = None
) -> str:
    """One plain sentence about a `StabilityInterval`; ``names`` maps network ids to the
    names a reader knows (ids are used where a name is missing).

    >>> describe_interval(StabilityInterval("political_leadership", 0.09, 0.0, 0.32, "UCLG",
    ...                   "C40", "top", "", "UCLG"), "political leadership")
    'The top network stays C40 unless political leadership weighs more than 32% (now 9%); then UCLG would lead.'
    """
    names = names or {}
    target = names.get(interval.target, interval.target)
    changes_to = names.get(interval.changes_to, interval.changes_to)
    if interval.holds == "top":
        subject = f"The top network stays {target}"
    elif interval.holds == "rank":
        subject = f"{target} keeps its place in the ranking"
    else:
        subject = f"{interval.holds} {target} holds"
    now = f"(now {_pct(interval.current)})"
    changes_low = interval.low > 0 and bool(interval.changes_to_low)
    changes_high = interval.high < 1 and bool(interval.changes_to_high)
    if not (changes_low or changes_high):
        return f"{subject} whatever weight {criterion_title} gets {now}."
    parts = []
    if changes_low:
        parts.append(f"less than {_pct(interval.low)}")
    if changes_high:
        parts.append(f"more than {_pct(interval.high)}")
    sentence = f"{subject} unless {criterion_title} weighs {' or '.join(parts)} {now}"
    if interval.changes_to:
        if interval.holds == "top":
            sentence += f"; then {changes_to} would lead"
        elif interval.holds == "rank":
            sentence += f"; then {changes_to} would overtake or fall behind it"
        else:
            sentence += f"; then the action would become {changes_to}"
    return sentence + "."
