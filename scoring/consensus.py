"""Agreement in a room: how alike people's weights are, where they differ, and which advice
holds under everyone's weights.

This module owns the group measures of a live workshop (`scoring.weights.aggregate_group`
owns the group's weights and the spread of each criterion's weight):

- `consensus`: the *consensus indicator* of AHP-OS (Goepel), from the partition of Shannon
  entropy into alpha (within participants) and beta (between participants) components
  (Jost 2007). For K participants with weight vectors w_k over n criteria (each summing to 1;
  0 ln 0 = 0)::

      H_alpha = (1/K) sum_k ( -sum_j w_kj ln w_kj )        mean entropy of each person's weights
      H_gamma = -sum_j wbar_j ln wbar_j,  wbar = (1/K) sum_k w_k    entropy of the pooled weights
      H_beta  = H_gamma - H_alpha  (>= 0)                   what the weights differ by
      S       = 1 / exp(H_beta)                              relative homogeneity, 1/n.. 1
      S*      = (S - 1/n) / (1 - 1/n)                        consensus, 0 .. 1

  S* is 1 when everybody gives the same weights and 0 when they are as different as n
  criteria allow (each person all on a different criterion, with K >= n). The rescaling uses
  the general bounds D_alpha,min = 1 and D_gamma,max = n (points may be 0 here, unlike the
  1-9 AHP scale). Goepel's word scale reads S*: below 0.5 very low, 0.5-0.625 low,
  0.625-0.75 moderate, 0.75-0.875 high, above 0.875 very high.

  Sources: K. D. Goepel (2013), "Implementing the Analytic Hierarchy Process as a Standard
  Method for Multi-Criteria Decision Making in Corporate Enterprises - A New AHP Excel
  Template with Multiple Inputs", Proceedings of the International Symposium on the AHP,
  Kuala Lumpur; K. D. Goepel (2018), "Implementation of an Online Software Tool for the
  Analytic Hierarchy Process (AHP-OS)", International Journal of the Analytic Hierarchy
  Process 10(3); the formulas and word scale as published on https://bpmsg.com (posts "AHP
  consensus indicator" and "AHP consensus word scale"); L. Jost (2007), "Partitioning
  diversity into independent alpha and beta components", Ecology 88(10).

- `disagreement`: each criterion's spread (the standard deviation of the shares people give
  it, from `aggregate_group`) as a level for the room's disagreement map.

- `robust_core`: given each voter's advice (an action per network, from running the analysis
  with that voter's own weights on the same data), the networks whose advice is the same for
  every voter, and how the others split the room.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from criteria.errors import CriteriaError
from scoring.weights import GroupWeights, group_table

__all__ = [
    "WORD_SCALE",
    "Consensus",
    "Level",
    "RobustCore",
    "consensus",
    "consensus_table",
    "disagreement",
    "robust_core",
]

Word = Literal["very low", "low", "moderate", "high", "very high"]
WORD_SCALE: tuple[tuple[float, Word], ...] = (
    (0.5, "very low"),
    (0.625, "low"),
    (0.75, "moderate"),
    (0.875, "high"),
    (math.inf, "very high"),
)
"""Goepel's word scale: the first upper bound (exclusive) above S* names it."""

Level = Literal["low", "medium", "high"]
DISAGREEMENT_LEVELS: tuple[tuple[float, Level], ...] = (
    (0.05, "low"),
    (0.10, "medium"),
    (math.inf, "high"),
)
"""A criterion's spread (standard deviation of its share, 0-1) below 5 points is low,
below 10 points medium, above that high: a share of 10% +- 10 points means people range from
ignoring it to doubling it."""


@dataclass(frozen=True, slots=True)
class Consensus:
    """Goepel's consensus S* (``index``) with the entropies it comes from."""

    index: float  # S*, 0-1
    homogeneity: float  # S, 1/n-1
    alpha: float  # H_alpha, nats
    gamma: float  # H_gamma, nats
    beta: float  # H_beta, nats
    participants: int
    criteria: int

    @property
    def word(self) -> Word:
        """Goepel's word for the index.

        >>> Consensus(0.8, 0.9, 1.0, 1.1, 0.1, 3, 4).word
        'high'
        """
        return next(word for bound, word in WORD_SCALE if self.index < bound)


def _entropy(p: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Shannon entropy (nats) of each row; 0 ln 0 = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, -p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    return terms.sum(axis=-1)  # type: ignore[no-any-return]


def consensus(weight_sets: Sequence[Mapping[str, float]]) -> Consensus:
    """Goepel's consensus indicator S* of several people's weights (see the module docstring).

    Each set is normalised to sum to 1 first; every set must name the same criteria.

    >>> c = consensus([{"a": 1, "b": 0}, {"a": 0, "b": 1}])  # opposite: no consensus
    >>> round(c.index, 6), round(c.homogeneity, 6), c.word
    (0.0, 0.5, 'very low')
    >>> consensus([{"a": 2, "b": 1}, {"a": 4, "b": 2}]).index  # the same shares
    1.0
    """
    _names, table = group_table(weight_sets)
    return consensus_table(table)


def consensus_table(table: npt.NDArray[np.float64]) -> Consensus:
    """`consensus` of a table from `scoring.weights.group_table` (one row per person,
    each summing to 1).

    >>> import numpy as np
    >>> round(consensus_table(np.array([[0.6, 0.4], [0.2, 0.8]])).index, 6)
    0.83463
    """
    if table.ndim != 2 or table.shape[0] == 0:
        raise CriteriaError("Nobody has submitted weights yet.")
    n = table.shape[1]
    alpha = float(_entropy(table).mean())
    gamma = float(_entropy(table.mean(axis=0)))
    beta = max(gamma - alpha, 0.0)  # >= 0 by concavity; clip rounding noise
    homogeneity = math.exp(-beta)
    index = 1.0 if n == 1 else (homogeneity - 1 / n) / (1 - 1 / n)
    index = min(max(index, 0.0), 1.0)
    if beta < 1e-12:
        index, homogeneity = 1.0, 1.0
    return Consensus(index, homogeneity, alpha, gamma, beta, table.shape[0], n)


def disagreement(group: GroupWeights) -> dict[str, Level]:
    """The disagreement level of each criterion, from the spread of its share.

    >>> from scoring.weights import aggregate_group
    >>> disagreement(aggregate_group([{"a": 1, "b": 1}, {"a": 3, "b": 1}]))
    {'a': 'high', 'b': 'high'}
    """
    return {
        key: next(level for bound, level in DISAGREEMENT_LEVELS if spread.std < bound)
        for key, spread in group.dispersion.items()
    }


@dataclass(frozen=True, slots=True)
class RobustCore:
    """Which networks get the same advice from every voter, and how the others split.

    ``unanimous`` maps a network to the action every voter's weights give it; ``split``
    maps a network to the number of voters per action, most voters first (ties by action).
    Both keep the order of the networks given to `robust_core`.
    """

    voters: int
    unanimous: dict[str, str]
    split: dict[str, tuple[tuple[str, int], ...]]


def robust_core(advice: Mapping[str, Mapping[str, str]], networks: Sequence[str]) -> RobustCore:
    """The robust core of the advice of several voters (participants or stakeholder groups).

    ``advice[voter][network]`` is the action the analysis gives ``network`` under that
    voter's own weights; every voter must cover every network of ``networks``.

    >>> core = robust_core(
    ...     {"Ana": {"c40": "stay", "uclg": "join"}, "Ben": {"c40": "stay", "uclg": "not_recommended"}},
    ...     ["c40", "uclg"],
    ... )
    >>> core.unanimous, core.split
    ({'c40': 'stay'}, {'uclg': (('join', 1), ('not_recommended', 1))})
    """
    if not advice:
        raise CriteriaError("Nobody has submitted weights yet.")
    for voter, actions in advice.items():
        missing = [n for n in networks if n not in actions]
        if missing:
            raise CriteriaError(
                f"The advice under {voter}'s weights has no action for {missing[0]}."
            )
    unanimous: dict[str, str] = {}
    split: dict[str, tuple[tuple[str, int], ...]] = {}
    for network in networks:
        counts = Counter(actions[network] for actions in advice.values())
        if len(counts) == 1:
            unanimous[network] = next(iter(counts))
        else:
            split[network] = tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    return RobustCore(len(advice), unanimous, split)
