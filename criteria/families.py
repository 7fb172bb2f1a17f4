"""Network families: sections, branches, committees and initiatives of other networks.

This module owns the links between catalogue networks (``seed_data/network_families.csv``)
and what they mean for membership. A link joins a *child* to its *parent* with a relation
(UCLG Africa is a regional section of UCLG; ECCAR is the European branch of ICCAR), citing the
source of the relation (``source``), and a membership rule citing its own (``rule_source``):

- ``implies``: being a member of the child makes the city a member of the parent as well
  (joining UCLG through its regional section makes the city a member of the world organisation);
- ``requires``: the child admits only members of the parent (the Integrating Cities Charter is
  for Eurocities members);
- ``unstated``: the source says the two are linked but says nothing about membership; no rule
  is inferred from the relation alone.

The helpers answer the questions the analysis asks: which memberships the city holds through
implication (`implied_memberships`), whether the city meets a ``requires`` link
(`required_memberships` and `check_requirements`, three-valued like the gates), and whether two
networks are relatives (`family_link`, `same_family`), which the overlap of a portfolio uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from criteria.citations import describe_source
from criteria.errors import CriteriaError
from criteria.gates import GateResult

__all__ = [
    "RELATION_SENTENCES",
    "RULE_SENTENCES",
    "FamilyLink",
    "MembershipRule",
    "Relation",
    "check_requirements",
    "family_link",
    "implied_memberships",
    "parse_family_link",
    "relatives",
    "required_memberships",
    "same_family",
]


class Relation(StrEnum):
    """How the child stands to the parent."""

    SECTION = "section"  # a regional or metropolitan section (UCLG Africa, Metropolis)
    BRANCH = "branch"  # a regional branch of a global coalition (ECCAR of ICCAR)
    CHAPTER = "chapter"  # a regional chapter of a global campaign (EU Covenant of GCoM)
    COMMITTEE = "committee"  # a committee of the parent's governing structure
    INITIATIVE = "initiative"  # an initiative or sub-network launched by the parent
    HOSTED = "hosted"  # a coalition hosted by the parent


class MembershipRule(StrEnum):
    """What membership of the child means for the parent, as the source states it."""

    IMPLIES = "implies"
    REQUIRES = "requires"
    UNSTATED = "unstated"


RELATION_SENTENCES: Final[Mapping[Relation, str]] = {
    Relation.SECTION: "{child} is a section of {parent}.",
    Relation.BRANCH: "{child} is a regional branch of {parent}.",
    Relation.CHAPTER: "{child} is a regional chapter of {parent}.",
    Relation.COMMITTEE: "{child} is a committee of {parent}.",
    Relation.INITIATIVE: "{child} is an initiative of {parent}.",
    Relation.HOSTED: "{child} is hosted by {parent}.",
}
"""The relation as a whole sentence, with ``{child}`` and ``{parent}`` to fill in."""

RULE_SENTENCES: Final[Mapping[MembershipRule, str]] = {
    MembershipRule.IMPLIES: "Membership of {child} makes the city a member of {parent} as well.",
    MembershipRule.REQUIRES: "Only members of {parent} may join {child}.",
    MembershipRule.UNSTATED: (
        "No source says whether membership of one of them brings or needs the other."
    ),
}
"""The membership rule as a whole sentence, with ``{child}`` and ``{parent}`` to fill in."""


@dataclass(frozen=True, slots=True)
class FamilyLink:
    """One parent/child link: the relation and its source, the membership rule and its source.

    ``rule_source`` is empty exactly when the rule is ``unstated``.
    """

    parent: str
    child: str
    relation: Relation
    rule: MembershipRule
    source: str
    rule_source: str = ""
    note: str = ""

    @property
    def sources(self) -> tuple[str, ...]:
        """Every source the link cites: the relation's, then the rule's when there is one."""
        return (self.source, self.rule_source) if self.rule_source else (self.source,)

    def involves(self, network_id: str) -> bool:
        """True when ``network_id`` is the parent or the child of this link."""
        return network_id in (self.parent, self.child)

    def other(self, network_id: str) -> str:
        """The network at the other end of the link from ``network_id``."""
        return self.child if network_id == self.parent else self.parent


def parse_family_link(row: Mapping[str, str]) -> FamilyLink:
    """A link from a CSV row (``parent_id, child_id, relation, source, rule, rule_source, note``).

    >>> parse_family_link({"parent_id": "uclg", "child_id": "metropolis",
    ...                    "relation": "section", "rule": "unstated", "source": "seed:x"}).rule
    <MembershipRule.UNSTATED: 'unstated'>
    >>> parse_family_link({"parent_id": "uclg", "child_id": "flacma", "relation": "section",
    ...                    "rule": "implies", "source": "seed:x"})
    Traceback (most recent call last):
    ...
    criteria.errors.CriteriaError: family link uclg -> flacma: an 'implies' rule needs its own rule_source
    >>> parse_family_link({"parent_id": "uclg", "child_id": "uclg", "relation": "section",
    ...                    "rule": "implies", "source": "seed:x"})
    Traceback (most recent call last):
    ...
    criteria.errors.CriteriaError: family link uclg -> uclg: a network cannot be its own parent
    """
    parent = (row.get("parent_id") or "").strip()
    child = (row.get("child_id") or "").strip()
    where = f"family link {parent or '?'} -> {child or '?'}"
    if not parent or not child:
        raise CriteriaError(f"{where}: both parent_id and child_id are required")
    if parent == child:
        raise CriteriaError(f"{where}: a network cannot be its own parent")
    try:
        relation = Relation((row.get("relation") or "").strip())
        rule = MembershipRule((row.get("rule") or "").strip())
    except ValueError:
        raise CriteriaError(
            f"{where}: relation must be one of {', '.join(Relation)} and rule one of "
            f"{', '.join(MembershipRule)}"
        ) from None
    source = (row.get("source") or "").strip()
    if not source:
        raise CriteriaError(f"{where}: every link needs a source")
    rule_source = (row.get("rule_source") or "").strip()
    if rule is MembershipRule.UNSTATED and rule_source:
        raise CriteriaError(f"{where}: an 'unstated' rule cites no rule_source")
    if rule is not MembershipRule.UNSTATED and not rule_source:
        raise CriteriaError(f"{where}: an '{rule}' rule needs its own rule_source")
    note = (row.get("note") or "").strip()
    return FamilyLink(parent, child, relation, rule, source, rule_source, note)


def relatives(links: Iterable[FamilyLink], network_id: str) -> tuple[FamilyLink, ...]:
    """The links a network takes part in: its parents first, then its children, by id."""
    mine = [link for link in links if link.involves(network_id)]
    return tuple(sorted(mine, key=lambda link: (link.child != network_id, link.other(network_id))))


def implied_memberships(
    links: Iterable[FamilyLink], member_of: AbstractSet[str]
) -> dict[str, FamilyLink]:
    """Networks the city belongs to through an ``implies`` link, and the link that says so.

    Follows chains (a section of a section). Networks already in ``member_of`` are left out.

    >>> links = [FamilyLink("uclg", "uclg-africa", Relation.SECTION, MembershipRule.IMPLIES, "s", "r"),
    ...          FamilyLink("uclg", "metropolis", Relation.SECTION, MembershipRule.UNSTATED, "s")]
    >>> sorted(implied_memberships(links, {"uclg-africa"}))
    ['uclg']
    >>> implied_memberships(links, {"metropolis"})
    {}
    """
    implying = [link for link in links if link.rule is MembershipRule.IMPLIES]
    held = set(member_of)
    found: dict[str, FamilyLink] = {}
    changed = True
    while changed:
        changed = False
        for link in implying:
            if link.child in held and link.parent not in held:
                held.add(link.parent)
                found[link.parent] = link
                changed = True
    return found


def required_memberships(links: Iterable[FamilyLink], network_id: str) -> tuple[FamilyLink, ...]:
    """The ``requires`` links of a network: parents the city must belong to first."""
    return tuple(
        sorted(
            (
                link
                for link in links
                if link.child == network_id and link.rule is MembershipRule.REQUIRES
            ),
            key=lambda link: link.parent,
        )
    )


def check_requirements(
    links: Sequence[FamilyLink],
    network_id: str,
    member_of: AbstractSet[str] | None,
    *,
    names: Mapping[str, str] | None = None,
) -> list[GateResult]:
    """One three-valued result per ``requires`` link of ``network_id``, like a gate.

    ``member_of`` holds the networks the city is a member of; memberships implied by
    ``implies`` links count too. ``None`` means the city's memberships are not known: every
    requirement is then unknown (``passed=None``), never silently passed or failed. The gate key
    is ``family:<parent id>`` and the reason names the link and its source.

    >>> links = [FamilyLink("eurocities", "integrating-cities", Relation.INITIATIVE,
    ...                     MembershipRule.REQUIRES, "s", "https://integratingcities.eu/charter")]
    >>> [r.passed for r in check_requirements(links, "integrating-cities", {"eurocities"})]
    [True]
    >>> r = check_requirements(links, "integrating-cities", set())[0]
    >>> r.passed, r.reason
    (False, 'integrating-cities admits only members of eurocities, and the city is not one \
(source: https://integratingcities.eu/charter).')
    >>> check_requirements(links, "integrating-cities", None)[0].passed is None
    True
    """
    label = dict(names or {})
    results: list[GateResult] = []
    held = None
    if member_of is not None:
        held = set(member_of) | set(implied_memberships(links, member_of))
    for link in required_memberships(links, network_id):
        child = label.get(link.child, link.child)
        parent = label.get(link.parent, link.parent)
        title = f"Member of {parent}"
        cite = f"(source: {describe_source(link.rule_source)})"
        if held is None:
            passed: bool | None = None
            reason = (
                f"{child} admits only members of {parent}; the city's memberships are not "
                f"known {cite}."
            )
        elif link.parent in held:
            passed = True
            reason = f"{child} admits only members of {parent}, and the city is one {cite}."
        else:
            passed = False
            reason = f"{child} admits only members of {parent}, and the city is not one {cite}."
        results.append(GateResult(f"family:{link.parent}", title, passed, reason))
    return results


def family_link(links: Iterable[FamilyLink], a: str, b: str) -> FamilyLink | None:
    """The direct link between two networks, in either direction, or None."""
    for link in links:
        if {link.parent, link.child} == {a, b}:
            return link
    return None


def same_family(links: Iterable[FamilyLink], a: str, b: str) -> bool:
    """True when ``a`` and ``b`` share an ancestor or one descends from the other.

    >>> links = [FamilyLink("uclg", "uclg-africa", Relation.SECTION, MembershipRule.IMPLIES, "s"),
    ...          FamilyLink("uclg", "metropolis", Relation.SECTION, MembershipRule.UNSTATED, "s")]
    >>> same_family(links, "uclg-africa", "metropolis"), same_family(links, "uclg", "c40")
    (True, False)
    """
    if a == b:
        return False
    parents: dict[str, set[str]] = {}
    for link in links:
        parents.setdefault(link.child, set()).add(link.parent)

    def lineage(network_id: str) -> set[str]:
        seen = {network_id}
        stack = [network_id]
        while stack:
            for parent in parents.get(stack.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        return seen

    return bool(lineage(a) & lineage(b))
