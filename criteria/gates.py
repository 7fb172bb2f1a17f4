"""Eligibility gates: conditions a network must meet before the city may JOIN it.

This module owns the evaluation of `EligibilityGate`s for one network and one city. Gates are
constraints, not scores: a network the city is not eligible for is shown as such and never
recommended to JOIN. Each result is three-valued:

- ``True``: the condition holds;
- ``False``: it does not, with a reason a person can read ("Eurocities admits only cities in
  Europe; the city is in Asia");
- ``None``: nobody knows yet (a manual gate not answered, a scope that cannot be read). An
  unknown result is reported as such and never silently treated as a pass or a fail.

Rules: ``active_network`` reads `NetworkFacts.active`; ``region_match`` compares the network's
scope text (``global``, ``regional (Europe)``, ``national (Spain)``) with the city's region and
country using a small table of region names and synonyms; ``manual`` reads the city's recorded
answer. A recorded answer also settles an automatic gate that could not be decided from data.

The catalogue's structured entry conditions (`EligibilityRule`: population threshold, region,
invitation only, World Heritage site, network no longer active) are evaluated the same way by
`evaluate_rules` against the `CityFacts` of the city profile (population, capital city, World
Heritage site...). Each reason names the rule and cites its source; a fact the profile does not
record gives ``None`` and says which fact is missing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from criteria.citations import describe_source
from criteria.model import EligibilityGate, EligibilityRule, GateRule, RuleKind

__all__ = [
    "CITY_REGIONS",
    "INCOME_GROUPS",
    "CityFacts",
    "GateResult",
    "IncomeGroup",
    "NetworkFacts",
    "evaluate_gates",
    "evaluate_rules",
    "is_eligible",
    "region_admits",
]


@dataclass(frozen=True, slots=True)
class NetworkFacts:
    """What the gates need to know about a network.

    ``scope`` is the text of the shared network records: ``global``, ``regional (Europe)``,
    ``national (Spain)``, possibly with a qualifier (``global (Commonwealth)``).
    """

    id: str
    scope: str
    active: bool = True
    name: str = ""

    @property
    def label(self) -> str:
        """The name to use in messages (falls back to the id)."""
        return self.name or self.id


class IncomeGroup(StrEnum):
    """The World Bank's four country income groups (by gross national income per capita)."""

    LOW = "low"
    LOWER_MIDDLE = "lower_middle"
    UPPER_MIDDLE = "upper_middle"
    HIGH = "high"


INCOME_GROUPS: Final[Mapping[IncomeGroup, str]] = {
    IncomeGroup.LOW: "Low income",
    IncomeGroup.LOWER_MIDDLE: "Lower-middle income",
    IncomeGroup.UPPER_MIDDLE: "Upper-middle income",
    IncomeGroup.HIGH: "High income",
}
"""Labels of the World Bank income groups, in ascending order."""


@dataclass(frozen=True, slots=True)
class CityFacts:
    """What the gates and eligibility rules need to know about the city.

    ``region`` and ``country`` may be empty. Every other fact is ``None`` when the profile does
    not record it: a rule that needs it is then unknown, never passed or failed.
    ``population`` counts inhabitants; ``capital_city`` says whether the city is its country's
    capital; ``world_heritage_site`` whether a UNESCO World Heritage site lies in it.
    """

    region: str = ""
    country: str = ""
    population: int | None = None
    income_group: IncomeGroup | None = None
    world_heritage_site: bool | None = None
    capital_city: bool | None = None


@dataclass(frozen=True, slots=True)
class GateResult:
    """The outcome of one gate for one network: ``passed`` is True, False or None (unknown)."""

    gate_key: str
    title: str
    passed: bool | None
    reason: str


# ---- Regions -----------------------------------------------------------------------------
# A region name stands for a set of "atoms" (parts of the world). A scope admits a city when
# the city's region lies entirely inside the scope, refuses it when they do not meet, and asks
# the city's country when they only partly overlap ("Africa" against a Mediterranean scope).

CITY_REGIONS: Final = (
    "Africa",
    "Asia",
    "Europe",
    "Latin America and the Caribbean",
    "Middle East and West Asia",
    "North America",
    "Oceania",
)
"""Region names offered for a city profile (any synonym in the table below is also accepted)."""

_AFRICA = frozenset({"north_africa", "sub_saharan_africa"})
_ASIA = frozenset({"east_asia", "southeast_asia", "south_asia", "central_asia"})
_LATAM = frozenset({"mexico_central_america_caribbean", "south_america"})
_EUROPE = frozenset({"europe"})
_MIDDLE_EAST = frozenset({"middle_east"})
_OCEANIA = frozenset({"oceania"})
_NORTH_AMERICA = frozenset({"north_america"})
_MEDITERRANEAN = _EUROPE | _MIDDLE_EAST | {"north_africa"}

_REGION_ATOMS: Final[dict[str, frozenset[str]]] = {
    "africa": _AFRICA,
    "north africa": frozenset({"north_africa"}),
    "sub-saharan africa": frozenset({"sub_saharan_africa"}),
    "asia": _ASIA,
    "east asia": frozenset({"east_asia"}),
    "southeast asia": frozenset({"southeast_asia"}),
    "south-east asia": frozenset({"southeast_asia"}),
    "south asia": frozenset({"south_asia"}),
    "central asia": frozenset({"central_asia"}),
    "asia-pacific": _ASIA | _OCEANIA,
    "asia pacific": _ASIA | _OCEANIA,
    "asia and pacific": _ASIA | _OCEANIA,
    "oceania": _OCEANIA,
    "pacific": _OCEANIA,
    "europe": _EUROPE,
    "middle east": _MIDDLE_EAST,
    "west asia": _MIDDLE_EAST,
    "western asia": _MIDDLE_EAST,
    "middle east and west asia": _MIDDLE_EAST,
    "mewa": _MIDDLE_EAST,
    "middle east and north africa": _MIDDLE_EAST | {"north_africa"},
    "mena": _MIDDLE_EAST | {"north_africa"},
    "mediterranean": _MEDITERRANEAN,
    "euro-mediterranean": _MEDITERRANEAN,
    "europe/mediterranean": _MEDITERRANEAN,
    "europe and mediterranean": _MEDITERRANEAN,
    "latin america": _LATAM,
    "latin america and caribbean": _LATAM,
    "lac": _LATAM,
    "south america": frozenset({"south_america"}),
    "central america": frozenset({"mexico_central_america_caribbean"}),
    "caribbean": frozenset({"mexico_central_america_caribbean"}),
    "central america and caribbean": frozenset({"mexico_central_america_caribbean"}),
    "ibero-america": _LATAM,
    "iberoamerica": _LATAM,
    "europe-latin america": _EUROPE | _LATAM,
    "north america": _NORTH_AMERICA,
    "americas": _LATAM | _NORTH_AMERICA,
    "who european region": _EUROPE | {"central_asia"},
    "europe and beyond": _EUROPE,
}

# Countries that make up the part of a region a scope covers only partly, and countries a
# scope admits outside its regions (Spain and Portugal in Ibero-America).
_NORTH_AFRICA_COUNTRIES = frozenset(
    {"morocco", "algeria", "tunisia", "libya", "egypt", "mauritania", "western sahara"}
)
_EU_COUNTRIES = frozenset(
    {
        "austria", "belgium", "bulgaria", "croatia", "cyprus", "czechia", "denmark", "estonia",
        "finland", "france", "germany", "greece", "hungary", "ireland", "italy", "latvia",
        "lithuania", "luxembourg", "malta", "netherlands", "poland", "portugal", "romania",
        "slovakia", "slovenia", "spain", "sweden",
    }
)  # fmt: skip
_SOUTH_AMERICA_COUNTRIES = frozenset(
    {
        "argentina", "bolivia", "brazil", "chile", "colombia", "ecuador", "guyana", "paraguay",
        "peru", "suriname", "uruguay", "venezuela",
    }
)  # fmt: skip
_SCOPE_COUNTRIES: Final[dict[str, frozenset[str]]] = {
    "mediterranean": _NORTH_AFRICA_COUNTRIES,
    "euro-mediterranean": _NORTH_AFRICA_COUNTRIES,
    "europe/mediterranean": _NORTH_AFRICA_COUNTRIES,
    "europe and mediterranean": _NORTH_AFRICA_COUNTRIES,
    "middle east and north africa": _NORTH_AFRICA_COUNTRIES,
    "mena": _NORTH_AFRICA_COUNTRIES,
    "north africa": _NORTH_AFRICA_COUNTRIES,
    "south america": _SOUTH_AMERICA_COUNTRIES,
    "ibero-america": frozenset({"spain", "portugal", "andorra"}),
    "iberoamerica": frozenset({"spain", "portugal", "andorra"}),
    "eu": _EU_COUNTRIES,
    "european union": _EU_COUNTRIES,
    "who european region": frozenset({"israel", "turkey"}),
}
# Scopes that cover part of a region only through their country list.
_PARTIAL_ATOMS: Final[dict[str, frozenset[str]]] = {
    "eu": _EUROPE,
    "european union": _EUROPE,
    "ibero-america": _EUROPE,
    "iberoamerica": _EUROPE,
    "who european region": _MIDDLE_EAST,
}

_COUNTRY_SYNONYMS: Final[dict[str, str]] = {
    "usa": "united states",
    "us": "united states",
    "u.s.": "united states",
    "u.s.a.": "united states",
    "united states of america": "united states",
    "uk": "united kingdom",
    "u.k.": "united kingdom",
    "great britain": "united kingdom",
    "britain": "united kingdom",
    "czech republic": "czechia",
    "turkiye": "turkey",
    "the netherlands": "netherlands",
    "holland": "netherlands",
    "state of palestine": "palestine",
    "russian federation": "russia",
    "republic of korea": "south korea",
    "korea": "south korea",
    "viet nam": "vietnam",
}

_SCOPE_RE = re.compile(r"^\s*(global|regional|national)\b\s*(?:\((?P<inner>[^)]*)\))?", re.I)


def _norm(text: str) -> str:
    """Lower case, accents and "the" removed, "&" read as "and", spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    plain = plain.replace("&", " and ").replace("\u2013", "-").replace("\u2014", "-")
    words = [w for w in plain.split() if w != "the"]
    return " ".join(words).strip(" .,;")


def _norm_country(text: str) -> str:
    name = _norm(text)
    return _COUNTRY_SYNONYMS.get(name, name)


def _city_atoms(region: str) -> frozenset[str]:
    return _REGION_ATOMS.get(_norm(region), frozenset())


@dataclass(frozen=True, slots=True)
class _RegionScope:
    text: str
    atoms: frozenset[str]
    partial: frozenset[str] = frozenset()
    countries: frozenset[str] = field(default_factory=frozenset)


def _read_region(inner: str) -> _RegionScope | None:
    """Read ``Europe``, ``Europe, Council of Europe countries`` or ``Europe and beyond: Japan``."""
    head, _, tail = inner.partition(":")
    listed = frozenset(_norm_country(c) for c in re.split(r",|\band\b", tail) if c.strip())
    candidates = [head, head.split(",")[0], head.split("(")[0]]
    for candidate in candidates:
        name = _norm(candidate)
        if name in _REGION_ATOMS or name in _SCOPE_COUNTRIES:
            return _RegionScope(
                text=candidate.strip(),
                atoms=_REGION_ATOMS.get(name, frozenset()),
                partial=_PARTIAL_ATOMS.get(name, frozenset()),
                countries=_SCOPE_COUNTRIES.get(name, frozenset()) | listed,
            )
    return None


def region_admits(scope: str, city: CityFacts) -> tuple[bool | None, str]:
    """Whether a network of this scope admits a city of this region and country, and why.

    >>> region_admits("regional (Asia-Pacific)", CityFacts(region="Asia"))
    (True, 'regional network (Asia-Pacific); the city is in Asia')
    >>> region_admits("regional (Europe)", CityFacts(region="Africa", country="Kenya"))
    (False, 'regional network (Europe), open only to cities of that region; the city is in Africa')
    >>> region_admits("regional (Euro-Mediterranean)", CityFacts(region="Africa"))[0] is None
    True
    >>> region_admits("national (Spain)", CityFacts(region="Europe", country="Spain"))[0]
    True
    """
    match = _SCOPE_RE.match(scope or "")
    if match is None:
        return None, f"scope {scope!r} cannot be read; record the answer by hand"
    level = match.group(1).lower()
    inner = (match.group("inner") or "").strip()
    if level == "global":
        if inner:
            return True, f"global network ({inner}), open to every region; check that qualifier"
        return True, "global network, open to every region"
    if level == "national":
        return _national(inner, city)
    return _regional(inner, city)


def _national(inner: str, city: CityFacts) -> tuple[bool | None, str]:
    if not inner:
        return None, "national network whose country is not recorded; record the answer by hand"
    where = f"national network ({inner})"
    if not city.country.strip():
        return None, f"{where}; the city's country is not recorded"
    if _norm_country(inner) == _norm_country(city.country):
        return True, f"{where}; the city is in {city.country}"
    return False, f"{where}, open only to cities of that country; the city is in {city.country}"


def _regional(inner: str, city: CityFacts) -> tuple[bool | None, str]:
    where = f"regional network ({inner})"
    scope = _read_region(inner)
    if scope is None:
        return None, f"{where} whose region the app does not know; record the answer by hand"
    country = _norm_country(city.country) if city.country.strip() else ""
    if country and country in scope.countries:
        return True, f"{where} that admits cities in {city.country}"
    atoms = _city_atoms(city.region)
    if not atoms:
        if not city.region.strip():
            return None, f"{where}; the city's region is not recorded"
        return None, f"{where}; the city's region {city.region!r} is not one the app knows"
    if atoms <= scope.atoms:
        return True, f"{where}; the city is in {city.region}"
    if not atoms & (scope.atoms | scope.partial):
        return False, f"{where}, open only to cities of that region; the city is in {city.region}"
    if country:
        return False, f"{where} that does not cover {city.country}"
    return None, f"{where} that covers only part of {city.region}; record the city's country"


# ---- Evaluation --------------------------------------------------------------------------


def _automatic(
    gate: EligibilityGate, network: NetworkFacts, city: CityFacts
) -> tuple[bool | None, str]:
    if gate.rule is GateRule.ACTIVE_NETWORK:
        if network.active:
            return True, f"{network.label} is operating"
        return False, f"{network.label} is no longer operating (closed, merged or inactive)"
    if gate.rule is GateRule.REGION_MATCH:
        passed, reason = region_admits(network.scope, city)
        return passed, f"{network.label}: {reason}"
    return None, "not answered yet"


def evaluate_gates(
    gates: Iterable[EligibilityGate],
    network: NetworkFacts,
    city: CityFacts,
    answers: Mapping[str, bool | None] | None = None,
    *,
    rules: Iterable[EligibilityRule] = (),
) -> list[GateResult]:
    """Evaluate every gate that applies to ``network``, in the order given, then its rules.

    ``answers`` holds the city's recorded yes/no per gate key for this network. It decides
    ``manual`` gates and fills in automatic gates that the data cannot decide; it does not
    overrule an automatic decision. Gates whose ``applies_to`` excludes the network are left
    out of the result. ``rules`` are the catalogue's entry conditions; those of other networks
    are skipped (see `evaluate_rules`).

    >>> from criteria.model import EligibilityGate
    >>> gates = [
    ...     EligibilityGate(key="region_match", title="Region", description="d",
    ...                     rule="region_match"),
    ...     EligibilityGate(key="size_rule", title="Over 250,000 inhabitants", description="d",
    ...                     applies_to=("eurocities",)),
    ... ]
    >>> net = NetworkFacts(id="eurocities", scope="regional (Europe)", name="Eurocities")
    >>> for r in evaluate_gates(gates, net, CityFacts(region="Europe", country="Spain"), {}):
    ...     print(r.gate_key, r.passed, "-", r.reason)
    region_match True - Eurocities: regional network (Europe); the city is in Europe
    size_rule None - not answered yet
    """
    recorded = answers or {}
    results: list[GateResult] = []
    for gate in gates:
        if not gate.applies(network.id):
            continue
        passed, reason = _automatic(gate, network, city)
        answer = recorded.get(gate.key)
        if passed is None and answer is not None:
            passed = bool(answer)
            verb = "meets" if passed else "does not meet"
            reason = f"the city recorded that it {verb} this condition for {network.label}"
        results.append(GateResult(gate.key, gate.title, passed, reason))
    return results + evaluate_rules(rules, network, city, recorded)


def _fact(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _rule_verdict(
    rule: EligibilityRule,
    network: NetworkFacts,
    city: CityFacts,
    answer: bool | None,
) -> tuple[bool | None, str]:
    name = network.label
    if rule.kind is RuleKind.MIN_POPULATION:
        minimum = _fact(rule.minimum)
        if rule.capital_exempt:
            condition = f"{name} admits cities of at least {minimum} inhabitants, and capitals"
        else:
            condition = f"{name} admits cities of at least {minimum} inhabitants"
        if city.population is None:
            if rule.capital_exempt and city.capital_city:
                return True, f"{condition}; the city is a capital"
            return None, f"{condition}; the city's population is not recorded"
        if city.population >= (rule.minimum or 0):
            return True, f"{condition}; the city has {_fact(city.population)}"
        if not rule.capital_exempt:
            return False, f"{condition}; the city has {_fact(city.population)}"
        if city.capital_city is None:
            return None, (
                f"{condition}; the city has {_fact(city.population)} and whether it is a "
                "capital is not recorded"
            )
        if city.capital_city:
            return True, f"{condition}; the city is a capital"
        return False, f"{condition}; the city has {_fact(city.population)} and is not a capital"
    if rule.kind is RuleKind.REGION:
        listed = ", ".join(rule.regions)
        verdicts = [region_admits(f"regional ({region})", city) for region in rule.regions]
        condition = f"{name} admits only cities of {listed}"
        if any(v is True for v, _ in verdicts):
            return True, f"{condition}; the city is in {city.region or city.country}"
        if all(v is False for v, _ in verdicts):
            return False, f"{condition}; the city is in {city.region or city.country}"
        return None, f"{condition}; the city's region or country does not settle it"
    if rule.kind is RuleKind.INVITATION_ONLY:
        condition = f"{name} takes members only by invitation or selection"
        if answer is None:
            return None, f"{condition}; whether the city has been invited is not recorded"
        if answer:
            return True, f"{condition}; the city recorded that it has been invited"
        return False, f"{condition}; the city recorded that it has not been invited"
    if rule.kind is RuleKind.WORLD_HERITAGE_SITE:
        condition = f"{name} admits only cities with a UNESCO World Heritage site"
        if city.world_heritage_site is None:
            return None, f"{condition}; the profile does not say whether the city has one"
        if city.world_heritage_site:
            return True, f"{condition}; the city has one"
        return False, f"{condition}; the city has none"
    if rule.status == "closed":
        return False, f"{name} has closed and takes no members"
    return None, f"{name} may no longer be active; check its status before deciding"


def evaluate_rules(
    rules: Iterable[EligibilityRule],
    network: NetworkFacts,
    city: CityFacts,
    answers: Mapping[str, bool | None] | None = None,
) -> list[GateResult]:
    """Evaluate the catalogue's entry conditions of ``network`` against the city's facts.

    Rules of other networks are skipped. ``answers`` may record, under the rule's key
    (``rule:invitation_only``), whether the city has been invited; it settles only that kind.
    Every reason cites the rule's source.

    >>> from criteria.model import EligibilityRule
    >>> rules = [EligibilityRule(network="eurocities", kind="min_population", minimum=250_000,
    ...                          source="catalogue:eurocities/eligibility")]
    >>> net = NetworkFacts(id="eurocities", scope="regional (Europe)", name="Eurocities")
    >>> r = evaluate_rules(rules, net, CityFacts(population=180_000))[0]
    >>> r.passed, r.reason
    (False, "Eurocities admits cities of at least 250,000 inhabitants; the city has 180,000 \
(source: the 'eligibility' entry for eurocities in the network catalogue).")
    >>> evaluate_rules(rules, net, CityFacts())[0].passed is None
    True
    """
    recorded = answers or {}
    results: list[GateResult] = []
    for rule in rules:
        if rule.network != network.id:
            continue
        passed, reason = _rule_verdict(rule, network, city, recorded.get(rule.key))
        cited = f"{reason} (source: {describe_source(rule.source)})."
        results.append(GateResult(rule.key, rule.title, passed, cited))
    return results


def is_eligible(results: Sequence[GateResult]) -> bool | None:
    """False if any gate failed, None if none failed but some are unknown, else True.

    >>> ok = GateResult("a", "A", True, "")
    >>> is_eligible([ok, GateResult("b", "B", None, "")]), is_eligible([ok]), is_eligible([])
    (None, True, True)
    >>> is_eligible([GateResult("b", "B", None, ""), GateResult("c", "C", False, "")])
    False
    """
    if any(r.passed is False for r in results):
        return False
    if any(r.passed is None for r in results):
        return None
    return True
