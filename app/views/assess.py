"""Sentences of the assessment editor in the reader's language.

The core words its checks in English (`scoring.functions.function_overlap`,
`scoring.correlation.correlated_criteria`); these functions say the same from the checks'
fields, with the same numbers, in the current locale, naming networks and criteria by name.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.i18n import format_share, ngettext
from app.i18n import gettext as _
from app.views.advice import join_list, number
from scoring.correlation import MIN_NETWORKS, THRESHOLD, CorrelatedPair, CorrelationCheck
from scoring.functions import MAINLY, FunctionOverlap


def function_phrases() -> dict[str, str]:
    """Each network function as a phrase inside a sentence (current locale)."""
    return {
        "sharing_information": _("information sharing"),
        "showcasing": _("showcasing"),
        "story_telling": _("story-telling"),
        "shaming": _("shaming governments"),
        "seeking_support": _("seeking international support"),
        "standard_setting": _("standard-setting"),
        "advocacy": _("advocacy"),
        "funding_access": _("access to funding"),
        "technical_assistance": _("technical assistance"),
        "data_reporting": _("data and reporting"),
        "training": _("training"),
    }


def function_overlap_text(overlap: FunctionOverlap, names: Mapping[str, str]) -> str:
    """Two networks serving the same needed functions, in words."""
    phrases = function_phrases()
    a, b = names.get(overlap.a, overlap.a), names.get(overlap.b, overlap.b)
    shared = join_list([phrases.get(k, k.replace("_", " ")) for k in overlap.shared])
    if not overlap.shared:
        return _("%(a)s and %(b)s serve none of the functions the city needs in common.", a=a, b=b)
    if overlap.share >= MAINLY:
        return _(
            "%(a)s and %(b)s both mainly serve %(functions)s for the city (%(share)s of the "
            "needed function weight either one serves).",
            a=a,
            b=b,
            functions=shared,
            share=format_share(overlap.share),
        )
    return _(
        "%(a)s and %(b)s both serve %(functions)s for the city, but each also serves needed "
        "functions the other does not (%(share)s in common).",
        a=a,
        b=b,
        functions=shared,
        share=format_share(overlap.share),
    )


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
