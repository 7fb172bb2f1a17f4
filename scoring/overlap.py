"""Overlap between networks: Jaccard similarity, the overlap matrix and two data-driven hints.

This module owns everything computed from the *themes* and *services* of networks:

- `jaccard`: the Jaccard similarity of two sets.
- `overlap_matrix`: the pairwise overlap of a set of networks (the Jaccard similarity of
  their themes, scaled by the similarity of their services: no shared theme, no overlap),
  used by the portfolio optimiser to penalise paying twice for the same thing, and by the
  overlap page; `shared_items` names what a pair shares.
- `complementarity_hint`: a suggested 1-5 score for the ``complementarity`` criterion, shown
  to the assessor next to the anchored scale (a hint, never an automatic score).
- `thematic_fit`: the computed ``thematic_fit`` criterion, from the city's weighted priority
  themes and a network's themes.

Everything here is pure: sets and mappings in, frozen dataclasses and NumPy arrays out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from criteria.errors import CriteriaError

__all__ = [
    "COMPLEMENTARITY_ANCHORS",
    "GENERAL_THEME",
    "ComplementarityHint",
    "SharedItems",
    "ThematicFit",
    "complementarity_hint",
    "jaccard",
    "overlap_matrix",
    "pair_overlap",
    "shared_items",
    "thematic_fit",
]

GENERAL_THEME = "general/multi-issue"
"""The theme tag of networks that work on many issues at once (UCLG, Eurocities...)."""

COMPLEMENTARITY_ANCHORS: tuple[tuple[float, int], ...] = (
    (0.10, 5),
    (0.25, 4),
    (0.45, 3),
    (0.70, 2),
)
"""``(upper bound of the largest overlap, suggested score)``, read top to bottom.

A largest overlap below 0.10 suggests 5, below 0.25 suggests 4, below 0.45 suggests 3, below
0.70 suggests 2, and 0.70 or more suggests 1.
"""


@dataclass(frozen=True, slots=True)
class ComplementarityHint:
    """A suggested ``complementarity`` score and the evidence behind it."""

    suggested_score: int
    max_overlap: float
    most_similar: str | None
    explanation: str


@dataclass(frozen=True, slots=True)
class ThematicFit:
    """How well a network's themes cover the city's priority themes.

    ``share`` is the covered share of the city's priority weight (0-1) and
    ``score = 1 + 4 * share`` puts it on the 1-5 scale of the other criteria.
    """

    score: float
    share: float
    matched: tuple[str, ...]
    explanation: str


def jaccard(a: AbstractSet[str], b: AbstractSet[str]) -> float:
    """Jaccard similarity ``|a & b| / |a | b|`` of two sets.

    Two empty sets share nothing that can be compared, so their similarity is defined as
    ``0.0`` (not 1.0): a network with no recorded themes must not look like a duplicate of
    another one with no recorded themes.

    >>> jaccard({"climate", "mobility"}, {"climate", "health", "housing"})
    0.25
    >>> jaccard(set(), set())
    0.0
    >>> jaccard({"climate"}, {"climate"})
    1.0
    """
    union = len(a | b)
    if union == 0:
        return 0.0
    return len(a & b) / union


def _pairwise_jaccard(sets: Sequence[AbstractSet[str]]) -> npt.NDArray[np.float64]:
    """All pairwise Jaccard similarities at once, through a 0/1 incidence matrix."""
    vocabulary = sorted(set().union(*sets)) if sets else []
    index = {item: k for k, item in enumerate(vocabulary)}
    incidence = np.zeros((len(sets), len(vocabulary)), dtype=np.float64)
    for row, members in enumerate(sets):
        for item in members:
            incidence[row, index[item]] = 1.0
    intersection = incidence @ incidence.T
    sizes = incidence.sum(axis=1)
    union = sizes[:, None] + sizes[None, :] - intersection
    with np.errstate(invalid="ignore", divide="ignore"):
        similarity = np.where(union > 0, intersection / np.where(union > 0, union, 1.0), 0.0)
    return similarity


def overlap_matrix(
    themes: Mapping[str, frozenset[str]],
    services: Mapping[str, frozenset[str]],
    *,
    service_weight: float = 0.5,
) -> tuple[tuple[str, ...], npt.NDArray[np.float64]]:
    """Pairwise overlap of networks: ``J(themes) * (1 - s + s * J(services))``.

    Two networks duplicate each other only when they work on the same *themes*: networks
    that both offer "knowledge exchange" on unrelated subjects (climate and culture, say) do
    not. So the Jaccard similarity of the themes is the base, and the similarity of the
    services (advocacy, knowledge exchange...) scales it between ``1 - s`` (same themes,
    nothing done alike) and 1 (same themes, same services); ``s`` is ``service_weight``.
    No theme in common means no overlap at all.

    The ids are the keys of ``themes`` in their order, followed by any key found only in
    ``services``; a network missing from one mapping counts as having an empty set there.
    The matrix is symmetric, with values in [0, 1] and a zero diagonal (a network does not
    overlap with itself for portfolio purposes).

    >>> ids, o = overlap_matrix(
    ...     {"c40": frozenset({"climate"}), "iclei": frozenset({"climate", "resilience"}),
    ...      "icc": frozenset({"culture"})},
    ...     {"c40": frozenset({"advocacy"}), "iclei": frozenset({"advocacy"}),
    ...      "icc": frozenset({"advocacy"})},
    ... )
    >>> ids
    ('c40', 'iclei', 'icc')
    >>> o.tolist()
    [[0.0, 0.5, 0.0], [0.5, 0.0, 0.0], [0.0, 0.0, 0.0]]
    """
    if not 0.0 <= service_weight <= 1.0:
        raise CriteriaError(f"The service weight must be between 0 and 1, not {service_weight}.")
    ids = tuple(themes) + tuple(key for key in services if key not in themes)
    empty: frozenset[str] = frozenset()
    theme_sets = [themes.get(key, empty) for key in ids]
    service_sets = [services.get(key, empty) for key in ids]
    matrix = _pairwise_jaccard(theme_sets) * (
        1.0 - service_weight + service_weight * _pairwise_jaccard(service_sets)
    )
    np.fill_diagonal(matrix, 0.0)
    return ids, matrix


def pair_overlap(
    a_themes: AbstractSet[str],
    b_themes: AbstractSet[str],
    a_services: AbstractSet[str],
    b_services: AbstractSet[str],
    service_weight: float = 0.5,
) -> float:
    """The overlap of one pair, as in `overlap_matrix`.

    >>> pair_overlap({"climate"}, {"climate"}, {"advocacy"}, set())
    0.5
    """
    return jaccard(a_themes, b_themes) * (
        1.0 - service_weight + service_weight * jaccard(a_services, b_services)
    )


@dataclass(frozen=True, slots=True)
class SharedItems:
    """What two networks have in common: the shared themes and services, sorted."""

    themes: tuple[str, ...]
    services: tuple[str, ...]

    def describe(self) -> str:
        """Plain words, e.g. ``"themes climate, energy; services advocacy"``.

        >>> SharedItems(("climate",), ()).describe()
        'themes climate'
        """
        parts = []
        if self.themes:
            parts.append("themes " + ", ".join(self.themes))
        if self.services:
            parts.append("services " + ", ".join(self.services))
        return "; ".join(parts) if parts else "nothing"


def shared_items(
    a_themes: AbstractSet[str],
    b_themes: AbstractSet[str],
    a_services: AbstractSet[str],
    b_services: AbstractSet[str],
) -> SharedItems:
    """The themes and services two networks share (services only count with a shared theme).

    >>> shared_items({"climate", "energy"}, {"climate"}, {"advocacy"}, {"advocacy"})
    SharedItems(themes=('climate',), services=('advocacy',))
    >>> shared_items({"culture"}, {"climate"}, {"advocacy"}, {"advocacy"})
    SharedItems(themes=(), services=())
    """
    themes = tuple(sorted(set(a_themes) & set(b_themes)))
    services = tuple(sorted(set(a_services) & set(b_services))) if themes else ()
    return SharedItems(themes, services)


def _overlap(
    a: str,
    b: str,
    themes: Mapping[str, frozenset[str]],
    services: Mapping[str, frozenset[str]],
    service_weight: float,
) -> float:
    empty: frozenset[str] = frozenset()
    return pair_overlap(
        themes.get(a, empty),
        themes.get(b, empty),
        services.get(a, empty),
        services.get(b, empty),
        service_weight,
    )


def complementarity_hint(
    network_id: str,
    others: Sequence[str],
    themes: Mapping[str, frozenset[str]],
    services: Mapping[str, frozenset[str]],
    *,
    service_weight: float = 0.5,
) -> ComplementarityHint:
    """Suggest a ``complementarity`` score from the overlap with the city's other memberships.

    The largest overlap (see `overlap_matrix`) between the network and any of ``others``
    (the city's other memberships; the network itself is skipped) is mapped to the 1-5 scale
    with `COMPLEMENTARITY_ANCHORS`:

    ==========================  ===============  ==========================================
    largest overlap             suggested score  reading
    ==========================  ===============  ==========================================
    below 0.10                  5                adds themes and services the city lacks
    0.10 to below 0.25          4                mostly new ground
    0.25 to below 0.45          3                partly duplicates another membership
    0.45 to below 0.70          2                largely duplicates another membership
    0.70 or more                1                near duplicate of another membership
    ==========================  ===============  ==========================================

    With no other memberships there is nothing to duplicate: the hint is 5.

    >>> themes = {"a": frozenset({"climate"}), "b": frozenset({"climate"}), "c": frozenset({"culture"})}
    >>> services = {"a": frozenset({"advocacy"}), "b": frozenset({"advocacy"}), "c": frozenset()}
    >>> hint = complementarity_hint("a", ["b", "c"], themes, services)
    >>> (hint.suggested_score, hint.max_overlap, hint.most_similar)
    (1, 1.0, 'b')
    >>> complementarity_hint("c", ["a", "b"], themes, services).suggested_score
    5
    """
    compared = [other for other in others if other != network_id]
    if not compared:
        return ComplementarityHint(
            suggested_score=5,
            max_overlap=0.0,
            most_similar=None,
            explanation=(
                "The city has no other memberships to compare with, so nothing is duplicated."
            ),
        )
    overlaps = [(_overlap(network_id, o, themes, services, service_weight), o) for o in compared]
    best_value, best_other = max(overlaps, key=lambda pair: pair[0])
    score = 1
    for upper, anchor in COMPLEMENTARITY_ANCHORS:
        if best_value < upper - 1e-9:  # float noise (0.1 computed as 0.0999...) must not flip
            score = anchor
            break
    if best_value == 0.0:
        explanation = (
            f"Shares no themes or services with the city's {len(compared)} other "
            "membership(s): suggested 5."
        )
        return ComplementarityHint(5, 0.0, None, explanation)
    explanation = (
        f"Overlaps most with {best_other} (overlap {best_value:.0%}, from the themes they share "
        f"and the services they both offer on them, among {len(compared)} other "
        f"membership(s)): suggested {score}."
    )
    return ComplementarityHint(score, best_value, best_other, explanation)


def thematic_fit(priorities: Mapping[str, float], network_themes: frozenset[str]) -> ThematicFit:
    """Share of the city's priority weight covered by a network's themes, on the 1-5 scale.

    Each priority theme the network works on counts with its full weight. A network tagged
    `GENERAL_THEME` (``general/multi-issue``) works on many issues without focusing on any,
    so it covers every priority it does not name explicitly at *half* its weight.
    ``share`` is the covered weight divided by the total priority weight and
    ``score = 1 + 4 * share``. Priorities with zero weight are ignored; a negative weight,
    or no positive weight at all, raises `CriteriaError` (there is nothing to fit against:
    leave the criterion missing instead of inventing a value).

    >>> fit = thematic_fit({"climate": 3, "mobility": 1}, frozenset({"climate", "health"}))
    >>> (fit.score, fit.share, fit.matched)
    (4.0, 0.75, ('climate',))
    >>> thematic_fit({"climate": 1, "housing": 1}, frozenset({"general/multi-issue"})).score
    3.0
    """
    if any(weight < 0 for weight in priorities.values()):
        raise CriteriaError("Priority theme weights must not be negative.")
    total = float(sum(priorities.values()))
    if total <= 0.0:
        raise CriteriaError(
            "The city has no priority themes with a positive weight, so thematic fit "
            "cannot be computed."
        )
    general = GENERAL_THEME in network_themes
    covered = 0.0
    matched: list[str] = []
    for theme, weight in priorities.items():
        if weight == 0:
            continue
        if theme in network_themes:
            covered += weight
            matched.append(theme)
        elif general:
            covered += 0.5 * weight
    share = covered / total
    score = 1.0 + 4.0 * share
    if matched:
        listed = ", ".join(matched)
        explanation = f"Covers {share:.0%} of the city's priority weight ({listed})"
    else:
        explanation = f"Covers {share:.0%} of the city's priority weight"
    if general:
        explanation += "; as a multi-issue network it counts half for the other priorities"
    return ThematicFit(
        score=score, share=share, matched=tuple(matched), explanation=explanation + "."
    )
