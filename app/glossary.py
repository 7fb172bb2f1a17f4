"""The glossary: every technical term the pages use, in plain words, in one place.

Each entry has a one-line definition (shown by the inline help next to the term, an accessible
disclosure that needs no JavaScript) and a longer explanation on the glossary page. The texts
are translatable; the keys are stable anchors (``/glossary#value``).
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.support import LazyProxy

from app.i18n import lazy_gettext as _l

__all__ = ["TERMS", "Term"]


@dataclass(frozen=True)
class Term:
    key: str
    term: LazyProxy
    short: LazyProxy
    long: LazyProxy


def _term(key: str, term: LazyProxy, short: LazyProxy, long: LazyProxy) -> Term:
    return Term(key, term, short, long)


TERMS: tuple[Term, ...] = (
    _term(
        "value",
        _l("Value"),
        _l("A network's overall worth to the city, from 0 to 1."),
        _l(
            "Each criterion is turned into a value from 0 (its worst level) to 1 (its best level), "
            "then multiplied by its weight; the value is the sum. Because every criterion has a "
            "fixed scale, a network's value never changes when other networks are added or removed."
        ),
    ),
    _term(
        "join-bar",
        _l("Join bar and leave bar"),
        _l("The values a candidate must reach to be joined, and a member to be kept."),
        _l(
            "A candidate is only recommended when its value reaches the join bar (0.60 by default) "
            "by more than the cost of joining; a member is only advised to leave below the lower "
            "leave bar (0.45). The gap keeps small changes of priorities from churning memberships."
        ),
    ),
    _term(
        "switching-costs",
        _l("Costs of joining and leaving"),
        _l("What changing the portfolio costs, in value points."),
        _l(
            "Joining takes effort and leaving loses relations. Both are counted in value points out "
            "of 1, so a member is only traded away for something clearly better."
        ),
    ),
    _term(
        "overlap",
        _l("Overlap"),
        _l("How far two networks work on the same themes."),
        _l(
            "The share of themes two networks have in common, made larger by the services they both "
            "offer on those themes. Networks with no theme in common do not overlap. When the city "
            "keeps two networks that overlap by 0.5 or more, the weaker one is charged a penalty."
        ),
    ),
    _term(
        "evidence",
        _l("Evidence threshold"),
        _l("How much of the assessed weight needs scores before a network gets advice."),
        _l(
            "A network whose scored criteria carry less than this share (70% by default) of the "
            "weight of the assessed criteria is not ranked: a candidate is marked “assess first”, "
            "a member is kept and flagged until it is scored."
        ),
    ),
    _term(
        "assess-first",
        _l("Assess first"),
        _l("Too few scores to judge: score the network before deciding."),
        _l(
            "The network's value is only provisional, because most of its criteria have no score "
            "yet. It is never recommended to join until enough of it is assessed."
        ),
    ),
    _term(
        "at-risk",
        _l("At risk"),
        _l("A member that no longer meets a condition of the network."),
        _l(
            "A condition of the network (a size rule, a yearly review, an invitation, a section it "
            "depends on) is not met. Unless that changes, the city should plan to leave: the row "
            "gives the last day to give notice."
        ),
    ),
    _term(
        "robustness",
        _l("Robustness"),
        _l("How much the advice depends on the exact priorities."),
        _l(
            "Thousands of plausible weightings are drawn around the scenario's weights, and missing "
            "or disputed scores over their plausible range. The advice is stable when it holds in "
            "90% of them or more, fairly stable from 70%, and uncertain below."
        ),
    ),
    _term(
        "weights",
        _l("Weights"),
        _l("How much each criterion counts, as points out of the total."),
        _l(
            "Only each criterion's share of the total points matters. A weight says how much the "
            "swing from the worst to the best level of a criterion matters to the city."
        ),
    ),
    _term(
        "swing",
        _l("Swing weighting"),
        _l("Weights from how much each improvement from worst to best matters."),
        _l(
            "Imagine a network at its worst on every criterion; the improvement you want most gets "
            "100, and every other improvement is rated against it."
        ),
    ),
    _term(
        "roc",
        _l("Ranking the criteria"),
        _l("Weights from the order of importance alone (rank-order centroid)."),
        _l(
            "When the city can say which criteria matter more but not by how much, the order is "
            "turned into weights by a standard rule (the rank-order centroid of Barron and Barrett)."
        ),
    ),
    _term(
        "ahp",
        _l("Pairwise comparison (AHP)"),
        _l("Weights from comparing criteria two at a time, with a consistency check."),
        _l(
            "Each pair of criteria is compared on a scale from equal to extremely more important; "
            "the weights follow, and the consistency ratio warns when the answers contradict each "
            "other (above 0.10)."
        ),
    ),
    _term(
        "methods",
        _l("Ranking methods"),
        _l("Other ways of combining criteria, shown as a cross-check."),
        _l(
            "The advice always follows the additive value. TOPSIS (closeness to the ideal), VIKOR "
            "(compromise), ELECTRE and PROMETHEE (outranking) and the weighted product rank the "
            "same data differently; when they disagree, the ranking depends on the method, not "
            "only on the priorities."
        ),
    ),
    _term(
        "kendall",
        _l("Agreement between methods"),
        _l("How alike two rankings are, from -1 (reversed) to 1 (identical)."),
        _l("Kendall's tau counts the pairs of networks that two rankings put in the same order."),
    ),
    _term(
        "thematic-fit",
        _l("Thematic fit"),
        _l("How much of the city's priority themes a network works on, computed from its tags."),
        _l(
            "The share of the city's priority-theme weight the network's themes cover, on the 1-5 "
            "scale. It is computed, unlike “Relevant agenda”, which people judge.",
        ),
    ),
    _term(
        "function-fit",
        _l("Function fit"),
        _l("How much of what the city needs from networks this one provides."),
        _l(
            "The share of the weight of the functions the city needs (information sharing, "
            "advocacy, funding access...) that sources show the network serves, on the 1-5 scale."
        ),
    ),
    _term(
        "cost-per-point",
        _l("Cost per value point"),
        _l("The yearly cash cost divided by the value in points out of 100."),
        _l(
            "A way to compare what networks cost for what they give; a free network costs nothing "
            "per point."
        ),
    ),
    _term(
        "reference-level",
        _l("Cost reference level"),
        _l("The yearly cost that counts as worst on the cost criteria."),
        _l(
            "Zero is best; the reference level (a quarter of the budget by default) is as bad as it "
            "gets, and anything dearer counts the same."
        ),
    ),
    _term(
        "notice",
        _l("Notice period and earliest exit"),
        _l("When the city must give notice to leave at a renewal."),
        _l(
            "Memberships renew yearly. Written notice must reach the network a set number of days "
            "before the renewal; if that day has passed, the next year's fee is committed and the "
            "earliest exit moves a year on."
        ),
    ),
    _term(
        "fee-estimate",
        _l("Fee estimate"),
        _l("A fee worked out from the network's published rule, until the real figure is known."),
        _l(
            "Some networks publish a fee formula (by population or national income); the estimate "
            "is marked as such everywhere it is used, and replaced when the real fee is entered."
        ),
    ),
    _term(
        "family",
        _l("Network family"),
        _l("A network that is a section or branch of another."),
        _l(
            "Some networks belong to others (UCLG's regional sections, for example); being in both "
            "counts as overlap, and some sections are open only to members of their parent."
        ),
    ),
)
