"""The catalogue's display words in the reader's language.

The catalogue's facts are quoted from their sources (names, scopes, fees, notes) and stay as
published. What the app itself says about them is translated here: the kinds of
participation, whether a network operates, the confidence in the facts, the functions networks
serve, family relations and membership rules as sentences, entry conditions' titles, region
names and how a source is cited. The core (`criteria`) keeps its English texts; pages call
these with the core's keys.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from app.i18n import format_number, gettext, lazy_gettext
from criteria import SEED_SOURCE, function_of
from criteria.citations import CATALOGUE_SOURCE, SEED_DOCUMENTS

__all__ = [
    "active_label",
    "confidence_label",
    "function_definition",
    "function_title",
    "kind_label",
    "localize_extras",
    "region_label",
    "relation_sentence",
    "rule_sentence",
    "rule_title",
    "source_text",
]

_KINDS: Mapping[str, Any] = {
    "membership": lazy_gettext("membership"),
    "commitment": lazy_gettext("commitment"),
    "programme": lazy_gettext("programme"),
}
_ACTIVE: Mapping[str, Any] = {
    "yes": lazy_gettext("yes"),
    "no": lazy_gettext("no"),
    "uncertain": lazy_gettext("uncertain"),
}
_CONFIDENCE: Mapping[str, Any] = {
    "low": lazy_gettext("low"),
    "medium": lazy_gettext("medium"),
    "high": lazy_gettext("high"),
}
_FUNCTION_TITLES: Mapping[str, Any] = {
    "sharing_information": lazy_gettext("Sharing information"),
    "showcasing": lazy_gettext("Showcasing"),
    "story_telling": lazy_gettext("Story-telling"),
    "shaming": lazy_gettext("Shaming governments"),
    "seeking_support": lazy_gettext("Seeking support"),
    "standard_setting": lazy_gettext("Standard-setting"),
    "advocacy": lazy_gettext("Advocacy"),
    "funding_access": lazy_gettext("Funding access"),
    "technical_assistance": lazy_gettext("Technical assistance"),
    "data_reporting": lazy_gettext("Data and reporting"),
    "training": lazy_gettext("Training"),
}
_FUNCTION_DEFINITIONS: Mapping[str, Any] = {
    "sharing_information": lazy_gettext(
        "The network gathers members' practices, policies and lessons and passes them on, so "
        "that each city can learn from what the others tried."
    ),
    "showcasing": lazy_gettext(
        "The network gives mayors and their cities a stage on which to present achievements "
        "and positions to peers and to influential outsiders."
    ),
    "story_telling": lazy_gettext(
        "The network offers narratives (human rights, sustainable development, economic gain, "
        "a city's own history) that local leaders can use to win over sceptical audiences at "
        "home."
    ),
    "shaming": lazy_gettext(
        "The network publicly holds national governments, and at times European or "
        "international bodies, to account for not acting or for leaving cities without the "
        "means to act."
    ),
    "seeking_support": lazy_gettext(
        "The network asks European and international institutions to recognise the part cities "
        "play and to direct political backing and money towards them."
    ),
    "standard_setting": lazy_gettext(
        "The network agrees charters, declarations or common standards that members commit to, "
        "often with monitoring, and feeds cities' views into international norms."
    ),
    "advocacy": lazy_gettext(
        "The network speaks for local governments in international negotiations and policy "
        "processes, carrying their shared positions to governments and international bodies."
    ),
    "funding_access": lazy_gettext(
        "The network helps a member find money for its own projects: grants, funded "
        "programmes or partners willing to pay for the work."
    ),
    "technical_assistance": lazy_gettext(
        "Experts of the network, or experts it brings in, help a member city design or carry "
        "out a particular policy or project."
    ),
    "data_reporting": lazy_gettext(
        "The network collects, standardises or publishes data on what members do and achieve, "
        "or runs a reporting framework that members fill in."
    ),
    "training": lazy_gettext(
        "The network runs courses, workshops or study programmes that build the skills of "
        "members' staff and elected officials."
    ),
}
Who = Callable[[str, str], str]
_RELATIONS: Mapping[str, Who] = {
    "section": lambda c, p: gettext("%(child)s is a section of %(parent)s.", child=c, parent=p),
    "branch": lambda c, p: gettext(
        "%(child)s is a regional branch of %(parent)s.", child=c, parent=p
    ),
    "chapter": lambda c, p: gettext(
        "%(child)s is a regional chapter of %(parent)s.", child=c, parent=p
    ),
    "committee": lambda c, p: gettext("%(child)s is a committee of %(parent)s.", child=c, parent=p),
    "initiative": lambda c, p: gettext(
        "%(child)s is an initiative of %(parent)s.", child=c, parent=p
    ),
    "hosted": lambda c, p: gettext("%(child)s is hosted by %(parent)s.", child=c, parent=p),
}
_RULES: Mapping[str, Who] = {
    "implies": lambda c, p: gettext(
        "Membership of %(child)s makes the city a member of %(parent)s as well.",
        child=c,
        parent=p,
    ),
    "requires": lambda c, p: gettext(
        "Only members of %(parent)s may join %(child)s.", child=c, parent=p
    ),
    "unstated": lambda _c, _p: gettext(
        "No source says whether membership of one of them brings or needs the other."
    ),
}
_RULE_TITLES: Mapping[str, Any] = {
    "region": lazy_gettext("Open to the city's region"),
    "invitation_only": lazy_gettext("By invitation or selection only"),
    "world_heritage_site": lazy_gettext("A World Heritage site in the city"),
    "not_active": lazy_gettext("Network still active"),
}
_REGIONS: Mapping[str, Any] = {
    "Africa": lazy_gettext("Africa"),
    "Asia-Pacific": lazy_gettext("Asia-Pacific"),
    "Europe": lazy_gettext("Europe"),
    "Latin America": lazy_gettext("Latin America"),
    "Middle East and West Asia": lazy_gettext("Middle East and West Asia"),
    "North America": lazy_gettext("North America"),
}
_SEED_DOCUMENTS: Mapping[str, Any] = {
    "002_c3e4e63d17843677.txt": lazy_gettext(
        "an essay on city networks drawing on UCL City Leadership Laboratory and WHO Healthy "
        "Cities Network research (abstract and summary)"
    ),
    "004_da95ca42d7112c7f.txt": lazy_gettext(
        "a policy brief on 27 European city networks working on migration and their six functions"
    ),
}
"""Seed documents described in words (those cited by author and title keep their title)."""


def _pick(table: Mapping[str, Any], key: str) -> str:
    found = table.get(key)
    return str(found) if found is not None else key


def kind_label(kind: str) -> str:
    """A network's kind of participation (membership, commitment, programme)."""
    return _pick(_KINDS, kind)


def active_label(active: str) -> str:
    """Whether a network operates (yes, no, uncertain)."""
    return _pick(_ACTIVE, active)


def confidence_label(confidence: str) -> str:
    """The catalogue's confidence in a network's facts (low, medium, high)."""
    return _pick(_CONFIDENCE, confidence)


def region_label(region: str) -> str:
    """A region name of the catalogue's filters."""
    return _pick(_REGIONS, region)


def function_title(key: str) -> str:
    """The title of a network function (``criteria.FUNCTIONS``)."""
    found = _FUNCTION_TITLES.get(key)
    return str(found) if found is not None else function_of(key).title


def function_definition(key: str) -> str:
    """What a network function means, in a sentence."""
    found = _FUNCTION_DEFINITIONS.get(key)
    return str(found) if found is not None else function_of(key).definition


def relation_sentence(relation: str, child: str, parent: str) -> str:
    """A family relation as a sentence ("X is a section of Y."); "" for an unknown one."""
    found = _RELATIONS.get(relation)
    return found(child, parent) if found is not None else ""


def rule_sentence(rule: str, child: str, parent: str) -> str:
    """A family's membership rule as a sentence; "" for an unknown one."""
    found = _RULES.get(rule)
    return found(child, parent) if found is not None else ""


def rule_title(kind: str, minimum: int | None = None) -> str:
    """The title of an entry condition, as on a gate."""
    if kind == "min_population":
        return gettext("At least %(n)s inhabitants", n=format_number(minimum or 0))
    return _pick(_RULE_TITLES, kind)


def source_text(source: str) -> str:
    """How a source is cited on a page (URLs and unknown forms unchanged)."""
    seed = SEED_SOURCE.match(source)
    if seed:
        file = seed.group("file")
        number = file.split("_", 1)[0]
        what = _SEED_DOCUMENTS.get(file) or SEED_DOCUMENTS.get(file)
        if what is None:
            return gettext("seed document %(file)s", file=file)
        return gettext("%(what)s (seed document %(number)s)", what=str(what), number=number)
    catalogue = CATALOGUE_SOURCE.match(source)
    if catalogue:
        return gettext(
            "the '%(column)s' entry for %(network)s in the network catalogue",
            column=catalogue.group("column"),
            network=catalogue.group("network"),
        )
    return source


def localize_extras(extras: dict[str, Any]) -> dict[str, Any]:
    """`guidance.network_extras` with the catalogue's words in the current locale."""
    functions = [
        f | {"title": function_title(f["function"]), "source_text": source_text(f["source"])}
        for f in extras.get("functions", [])
    ]
    family = [
        link
        | {
            "sentence": relation_sentence(link["relation"], link["child_name"], link["parent_name"])
            or link["sentence"],
            "rule_sentence": rule_sentence(link["rule"], link["child_name"], link["parent_name"])
            or link["rule_sentence"],
            "source_text": source_text(link["source"]),
            "rule_source_text": source_text(link["rule_source"]) if link["rule_source"] else "",
        }
        for link in extras.get("family", [])
    ]
    rules = [
        r | {"title": rule_title(r["kind"], r["minimum"]), "source_text": source_text(r["source"])}
        for r in extras.get("rules", [])
    ]
    return extras | {"functions": functions, "family": family, "rules": rules}
