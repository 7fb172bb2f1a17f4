"""Sentences of the assessment editor in the reader's language.

The core words its checks in English (`scoring.functions.function_overlap`,
`scoring.correlation.correlated_criteria`); these functions say the same from the checks'
fields, with the same numbers, in the current locale, naming networks and criteria by name.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.i18n import gettext as _
from app.i18n import ngettext
from app.views.advice import number
from app.views.overlap import shared_functions_sentence
from scoring.correlation import MIN_NETWORKS, THRESHOLD, CorrelatedPair, CorrelationCheck
from scoring.functions import FunctionOverlap


def function_overlap_text(overlap: FunctionOverlap, names: Mapping[str, str]) -> str:
    """Two networks serving the same needed functions, in words (always by name: the core's
    English sentence names them by id)."""
    a, b = names.get(overlap.a, overlap.a), names.get(overlap.b, overlap.b)
    if not overlap.shared:
        return _("%(a)s and %(b)s serve none of the functions the city needs in common.", a=a, b=b)
    return shared_functions_sentence(overlap, a, b)


def correlation_summary(check: CorrelationCheck) -> str:
    """The double-counting check in one sentence."""
    threshold = number(f"{THRESHOLD:.2f}")
    if check.checked == 0:
        return _(
            "Too few networks are scored on the same two criteria to tell whether any criteria "
            "count the same thing twice: the check needs at least %(min)s networks with "
            "different scores on both.",
            min=MIN_NETWORKS,
        )
    if not check.pairs:
        return _(
            "No two criteria move together closely enough to suggest double counting "
            "(%(checked)s pairs checked; a warning needs a correlation of %(threshold)s or more).",
            checked=check.checked,
            threshold=threshold,
        )
    return ngettext(
        "Pairs of criteria that move together closely (correlation %(threshold)s or more) and "
        "may count the same thing twice: %(found)s of the %(num)s checked.",
        "Pairs of criteria that move together closely (correlation %(threshold)s or more) and "
        "may count the same thing twice: %(found)s of the %(num)s checked.",
        check.checked,
        threshold=threshold,
        found=len(check.pairs),
    )


def correlated_pair_text(pair: CorrelatedPair, titles: Mapping[str, str]) -> str:
    """One pair of criteria that may count the same quality twice."""
    return _(
        "%(a)s and %(b)s rise and fall together across the %(networks)s networks scored on "
        "both (correlation %(r)s): they may be counting the same quality twice. Check that "
        "assessors keep to each criterion's own guidance, or give the two less weight between "
        "them.",
        a=titles.get(pair.a, pair.a),
        b=titles.get(pair.b, pair.b),
        networks=pair.networks,
        r=number(f"{pair.r:.2f}"),
    )
