"""Function fit and function overlap: what networks *do* for the city, against what it needs.

This module owns two computations over the function vocabulary of `criteria.functions`:

- `function_fit(needs, functions)`: the computed ``function_fit`` criterion. ``needs`` maps
  function keys to the city's weights (as the profile's priority themes do); ``functions`` is
  the set of functions the catalogue records for one network, each tag backed by a source.
  ``share`` = weight of the needed functions the network serves / total needed weight, and
  ``score = 1 + 4 * share`` (the 1-5 scale of the other scored criteria). A function with no
  source for the network counts as not served; a network with no recorded function at all has
  an unknown fit (``None``), never a silent 1.
- `function_overlap(needs, a, b)`: how far two networks serve the *same needed* functions.
  ``share`` is a weighted Jaccard similarity restricted to the needs:
  ``sum(w[f] for f in A & B & N) / sum(w[f] for f in (A | B) & N)``; functions the city does
  not need never count. `function_overlap_matrix` gives all pairs at once for the portfolio.

Everything here is pure: mappings and sets in, frozen dataclasses and NumPy arrays out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from criteria.errors import CriteriaError
from criteria.functions import FUNCTION_KEYS, function_of

__all__ = [
    "MAINLY",
    "FunctionFit",
    "FunctionOverlap",
    "function_fit",
    "function_overlap",
    "function_overlap_matrix",
    "phrase_list",
]

MAINLY: Final = 0.5
"""Overlap share from which two networks "mainly" serve the same needed functions."""


@dataclass(frozen=True, slots=True)
class FunctionFit:
    """How much of the city's needed function weight a network serves.

    ``matched`` and ``missing`` list needed function keys, heaviest need first.
    """

    score: float
    share: float
    matched: tuple[str, ...]
    missing: tuple[str, ...]
    explanation: str


@dataclass(frozen=True, slots=True)
class FunctionOverlap:
    """The needed functions two networks both serve, and the weighted share they make up."""

    a: str
    b: str
    share: float
    shared: tuple[str, ...]
    explanation: str


def phrase_list(keys: Sequence[str]) -> str:
    """Function keys as a readable list of their phrases.

    >>> phrase_list(["sharing_information", "advocacy", "training"])
    'information sharing, advocacy and training'
    >>> phrase_list(["showcasing"])
    'showcasing'
    """
    phrases = [function_of(k).phrase for k in keys]
    if len(phrases) <= 1:
        return "".join(phrases)
    return f"{', '.join(phrases[:-1])} and {phrases[-1]}"


def _check_needs(needs: Mapping[str, float]) -> dict[str, float]:
    """Positive needs in vocabulary order; CriteriaError for unknown keys or bad weights."""
    for key, weight in needs.items():
        function_of(key)  # raises for an unknown key
        if not weight >= 0:  # also catches NaN
            raise CriteriaError("Function weights must not be negative.")
    positive = {k: float(needs[k]) for k in FUNCTION_KEYS if needs.get(k, 0) > 0}
    if not positive:
        raise CriteriaError(
            "The city has not said which functions it needs from networks (no function with a "
            "positive weight), so function fit cannot be computed."
        )
    return positive


def _heaviest_first(keys: AbstractSet[str], needs: Mapping[str, float]) -> tuple[str, ...]:
    order = {k: i for i, k in enumerate(FUNCTION_KEYS)}
    return tuple(sorted(keys, key=lambda k: (-needs[k], order[k])))


def function_fit(needs: Mapping[str, float], functions: AbstractSet[str]) -> FunctionFit | None:
    """Share of the city's needed function weight that a network serves, on the 1-5 scale.

    Returns ``None`` when the network has no recorded function at all: its fit is unknown and
    the criterion stays missing. Raises `CriteriaError` for an unknown function key, a negative
    weight, or needs without any positive weight. Recorded functions the city does not need are
    ignored.

    >>> needs = {"sharing_information": 30, "funding_access": 20, "showcasing": 10}
    >>> fit = function_fit(needs, {"sharing_information", "showcasing", "advocacy"})
    >>> fit.score, round(fit.share, 4), fit.matched, fit.missing
    (3.6666666666666665, 0.6667, ('sharing_information', 'showcasing'), ('funding_access',))
    >>> print(fit.explanation)
    Serves 67% of the function weight the city needs (information sharing and showcasing); \
no source records access to funding.
    >>> function_fit(needs, set()) is None
    True
    """
    wanted = _check_needs(needs)
    for key in functions:
        function_of(key)
    if not functions:
        return None
    total = sum(wanted.values())
    matched = _heaviest_first({k for k in wanted if k in functions}, wanted)
    missing = _heaviest_first({k for k in wanted if k not in functions}, wanted)
    share = sum(wanted[k] for k in matched) / total
    score = 1.0 + 4.0 * share
    if matched and missing:
        explanation = (
            f"Serves {share:.0%} of the function weight the city needs ({phrase_list(matched)}); "
            f"no source records {phrase_list(missing)}."
        )
    elif matched:
        explanation = (
            f"Serves every function the city needs ({phrase_list(matched)}), 100% of the weight."
        )
    else:
        explanation = (
            f"Serves none of the functions the city needs, as far as its sources show "
            f"(no source records {phrase_list(missing)})."
        )
    return FunctionFit(score, share, matched, missing, explanation)


def function_overlap(
    needs: Mapping[str, float],
    a: tuple[str, AbstractSet[str]],
    b: tuple[str, AbstractSet[str]],
    *,
    names: Mapping[str, str] | None = None,
) -> FunctionOverlap:
    """How far two networks serve the same functions *that the city needs*.

    ``a`` and ``b`` are ``(network id, recorded functions)``; ``names`` gives the names to print
    (default: the ids). ``share`` is the weighted Jaccard similarity over the needed functions
    (0 when neither serves a needed function). From `MAINLY` (0.5) the explanation says both
    *mainly* serve the shared functions for the city.

    >>> needs = {"sharing_information": 30, "advocacy": 20, "technical_assistance": 10}
    >>> o = function_overlap(needs, ("c40", {"sharing_information", "technical_assistance"}),
    ...                      ("uclg", {"sharing_information", "standard_setting"}))
    >>> round(o.share, 4), o.shared
    (0.75, ('sharing_information',))
    >>> print(o.explanation)
    c40 and uclg both mainly serve information sharing for the city \
(75% of the needed function weight either one serves).
    """
    wanted = _check_needs(needs)
    name = dict(names or {})
    a_id, a_functions = a
    b_id, b_functions = b
    either = {k for k in wanted if k in a_functions or k in b_functions}
    both = {k for k in either if k in a_functions and k in b_functions}
    union = sum(wanted[k] for k in either)
    share = sum(wanted[k] for k in both) / union if union > 0 else 0.0
    shared = _heaviest_first(both, wanted)
    label_a, label_b = name.get(a_id, a_id), name.get(b_id, b_id)
    if not shared:
        explanation = (
            f"{label_a} and {label_b} serve none of the functions the city needs in common."
        )
    elif share >= MAINLY:
        explanation = (
            f"{label_a} and {label_b} both mainly serve {phrase_list(shared)} for the city "
            f"({share:.0%} of the needed function weight either one serves)."
        )
    else:
        explanation = (
            f"{label_a} and {label_b} both serve {phrase_list(shared)} for the city, but each "
            f"also serves needed functions the other does not ({share:.0%} in common)."
        )
    return FunctionOverlap(a_id, b_id, share, shared, explanation)


def function_overlap_matrix(
    needs: Mapping[str, float], functions: Mapping[str, AbstractSet[str]]
) -> tuple[tuple[str, ...], npt.NDArray[np.float64]]:
    """Pairwise `function_overlap` shares of networks, ids in the order of ``functions``.

    Symmetric, values in [0, 1], zero diagonal (as `scoring.overlap.overlap_matrix`).

    >>> ids, m = function_overlap_matrix(
    ...     {"advocacy": 1, "training": 1},
    ...     {"a": {"advocacy"}, "b": {"advocacy", "training"}, "c": set()})
    >>> ids, m.tolist()
    (('a', 'b', 'c'), [[0.0, 0.5, 0.0], [0.5, 0.0, 0.0], [0.0, 0.0, 0.0]])
    """
    wanted = _check_needs(needs)
    ids = tuple(functions)
    keys = tuple(wanted)
    weights = np.array([wanted[k] for k in keys], dtype=np.float64)
    incidence = np.array(
        [[1.0 if k in functions[i] else 0.0 for k in keys] for i in ids], dtype=np.float64
    ).reshape(len(ids), len(keys))
    weighted = incidence * weights
    both = weighted @ incidence.T
    served = weighted.sum(axis=1)
    union = served[:, None] + served[None, :] - both
    with np.errstate(invalid="ignore", divide="ignore"):
        matrix = np.where(union > 0, both / np.where(union > 0, union, 1.0), 0.0)
    np.fill_diagonal(matrix, 0.0)
    return ids, matrix
