"""Every catalogue fact beyond the reference columns cites a source that supports it.

Checks `seed_data/network_functions.csv`, `network_families.csv` and `eligibility_rules.yaml`
against `networks.csv` with `csv` and `yaml` and the pure core only (no app imports):

- each citation has one of the three forms of `criteria.citations`;
- a `catalogue:<id>/<column>` citation names a real row and column, and that cell says what the
  fact claims (the service behind a function tag, the other network of a family link, the
  threshold of a population rule...);
- a URL citation is one of the sources of the network concerned;
- a `seed:` citation names one of the five seed documents.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from criteria import (
    CATALOGUE_SOURCE,
    FUNCTION_KEYS,
    SEED_SOURCE,
    SERVICE_FUNCTIONS,
    URL_SOURCE,
    IncomeGroup,
    MembershipRule,
    RuleKind,
    is_source,
    parse_family_link,
    parse_function_needs,
    parse_rule,
)
from scoring.fees import FeeStatus, estimate_fee

SEED_DIR = Path(__file__).resolve().parents[2] / "seed_data"
SEED_FILES = {
    "000_171eac752c2adbfc.txt",
    "001_2e7c0428eac2611c.txt",
    "002_c3e4e63d17843677.txt",
    "003_786770c18b96cccf.txt",
    "004_da95ca42d7112c7f.txt",
}  # the seed documents listed in the reference table's README


def read_csv(name: str) -> list[dict[str, str]]:
    with (SEED_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


NETWORKS = {row["id"]: row for row in read_csv("networks.csv")}
FUNCTIONS = read_csv("network_functions.csv")
FAMILIES = read_csv("network_families.csv")
RULES: list[dict[str, Any]] = yaml.safe_load(
    (SEED_DIR / "eligibility_rules.yaml").read_text(encoding="utf-8")
)["rules"]
DEMO = yaml.safe_load((SEED_DIR / "demo" / "example-city.yaml").read_text(encoding="utf-8"))


def sources_of(network: str) -> set[str]:
    return {s for s in NETWORKS[network]["sources"].split(";") if s}


def cited_cell(source: str) -> tuple[str, str]:
    """(network id, cell text) of a catalogue citation; fails on an unknown row or column."""
    match = CATALOGUE_SOURCE.match(source)
    assert match, source
    network, column = match.group("network"), match.group("column")
    assert network in NETWORKS, source
    assert column in NETWORKS[network], source
    return network, NETWORKS[network][column]


def names(network: str) -> list[str]:
    row = NETWORKS[network]
    short = row["name"].split(" (")[0]  # "Cities for Adequate Housing (Municipalist ...)"
    return [n for n in (row["acronym"], row["name"], short, network) if n]


def check_citation(source: str, networks: set[str]) -> None:
    """A valid citation; URLs must be sources of one of ``networks``."""
    assert is_source(source), source
    if URL_SOURCE.match(source):
        assert any(source in sources_of(n) for n in networks), source
    elif SEED_SOURCE.match(source):
        assert source.removeprefix("seed:") in SEED_FILES, source
    else:
        network, _ = cited_cell(source)
        assert network in networks, source


# ---- function tags -------------------------------------------------------------------------


def test_function_file_header_and_unique_tags() -> None:
    with (SEED_DIR / "network_functions.csv").open(encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == ["network_id", "function", "source", "note"]
    pairs = Counter((row["network_id"], row["function"]) for row in FUNCTIONS)
    assert max(pairs.values()) == 1


def test_every_function_tag_has_a_source_that_supports_it() -> None:
    for row in FUNCTIONS:
        where = f"{row['network_id']}/{row['function']}"
        assert row["network_id"] in NETWORKS, where
        assert row["function"] in FUNCTION_KEYS, where
        assert row["source"].strip(), where
        assert row["note"].strip(), where
        check_citation(row["source"], {row["network_id"]})
        if row["source"].startswith("catalogue:"):
            network, cell = cited_cell(row["source"])
            assert row["source"] == f"catalogue:{network}/main_services", where
            services = {SERVICE_FUNCTIONS[s] for s in cell.split(";") if s}
            assert row["function"] in services, where


def test_every_catalogue_service_is_carried_over_as_a_function() -> None:
    tags = {(row["network_id"], row["function"]) for row in FUNCTIONS}
    for network, row in NETWORKS.items():
        for service in filter(None, row["main_services"].split(";")):
            assert (network, SERVICE_FUNCTIONS[service]) in tags, (network, service)


def test_the_six_functions_of_the_migration_brief_are_tagged_from_sources() -> None:
    used = {row["function"] for row in FUNCTIONS}
    assert {"story_telling", "shaming", "seeking_support", "training"} <= used
    from_seeds = [row for row in FUNCTIONS if row["source"].startswith("seed:")]
    assert len(from_seeds) >= 10


# ---- family links ----------------------------------------------------------------------------


def test_every_family_link_has_sources_that_name_the_other_network() -> None:
    assert FAMILIES
    for row in FAMILIES:
        link = parse_family_link(row)
        where = f"{link.parent} -> {link.child}"
        assert {link.parent, link.child} <= set(NETWORKS), where
        for source in link.sources:
            check_citation(source, {link.parent, link.child})
        if link.source.startswith("catalogue:"):  # the relation's source names the other end
            network, cell = cited_cell(link.source)
            other = link.child if network == link.parent else link.parent
            assert any(n.lower() in cell.lower() for n in names(other)), where
        if link.rule is MembershipRule.REQUIRES:  # "members of X only" names X
            _, cell = cited_cell(link.rule_source)
            assert any(n.lower() in cell.lower() for n in names(link.parent)), where
        assert link.note, where


def test_family_links_cover_uclg_sections_and_metropolis() -> None:
    links = {(r["parent_id"], r["child_id"]): r for r in FAMILIES}
    for section in ("uclg-africa", "uclg-mewa", "uclg-aspac", "flacma"):
        assert links[("uclg", section)]["rule"] == MembershipRule.IMPLIES
    assert links[("uclg", "metropolis")]["rule"] == MembershipRule.UNSTATED
    assert links[("eurocities", "integrating-cities")]["rule"] == MembershipRule.REQUIRES


# ---- eligibility rules ----------------------------------------------------------------------

INVITATION = re.compile(r"invitation|selected|partners only", re.IGNORECASE)


def _number_in(cell: str, minimum: int) -> bool:
    million = f"{minimum / 1_000_000:g} million"
    return f"{minimum:,}" in cell or million in cell


def test_every_eligibility_rule_cites_a_source_that_states_it() -> None:
    keys = Counter((r["network"], r["kind"]) for r in RULES)
    assert max(keys.values()) == 1
    for item in RULES:
        rule = parse_rule(item)
        where = f"{rule.network}/{rule.kind}"
        assert rule.network in NETWORKS, where
        assert rule.note, where
        check_citation(rule.source, {rule.network})
        if not rule.source.startswith("catalogue:"):
            continue
        _, cell = cited_cell(rule.source)
        if rule.kind is RuleKind.MIN_POPULATION:
            assert rule.minimum is not None
            assert _number_in(cell, rule.minimum), where
            assert rule.capital_exempt == ("capital" in cell.lower()), where
        elif rule.kind is RuleKind.WORLD_HERITAGE_SITE:
            assert "World Heritage" in cell, where
        elif rule.kind is RuleKind.INVITATION_ONLY:
            assert INVITATION.search(cell), where
        elif rule.kind is RuleKind.NOT_ACTIVE:
            assert rule.source.endswith("/active"), where
            assert cell == {"uncertain": "uncertain", "closed": "no"}[rule.status or ""], where


def test_every_network_marked_uncertain_has_a_not_active_rule() -> None:
    uncertain = {n for n, row in NETWORKS.items() if row["active"] == "uncertain"}
    flagged = {r["network"] for r in RULES if r["kind"] == "not_active"}
    assert uncertain == flagged


# ---- the demo uses the new fields -------------------------------------------------------------


def test_demo_profile_records_the_new_city_facts() -> None:
    profile = DEMO["profile"]
    assert isinstance(profile["population"], int)
    assert profile["income_group"] in {g.value for g in IncomeGroup}
    assert profile["world_heritage_site"] in {True, False, None}
    needs = parse_function_needs(profile["function_needs"])
    assert len(needs) >= 5
    assert set(needs) <= set(FUNCTION_KEYS)
    assert Decimal(profile["travel_budget"]) > 0


def test_demo_counts_travel_costs_on_several_memberships() -> None:
    money = re.compile(r"^\d+\.\d{2}$")
    memberships = DEMO["memberships"]
    assert all(money.match(m["travel_cost"]) for m in memberships)
    members = [m for m in memberships if m["status"] == "member"]
    assert sum(Decimal(m["travel_cost"]) > 0 for m in members) >= 8
    travel = sum(Decimal(m["travel_cost"]) for m in members)
    budget = Decimal(DEMO["profile"]["travel_budget"])
    assert budget < travel <= budget * Decimal("1.25"), "travel exceeds its budget a little"


def test_demo_estimated_fees_are_what_the_estimator_gives() -> None:
    profile = DEMO["profile"]
    estimated = [m for m in DEMO["memberships"] if m.get("fee_is_estimate")]
    assert {m["network"] for m in estimated} == {"iclei", "climate-alliance"}
    for m in estimated:
        estimate = estimate_fee(
            m["network"],
            population=profile["population"],
            income_group=IncomeGroup(profile["income_group"]),
            gni_per_capita_usd=profile["gni_per_capita_usd"],
        )
        assert estimate is not None
        assert estimate.status is FeeStatus.ESTIMATE
        assert estimate.currency == profile["currency"]
        assert Decimal(m["annual_fee"]) * 100 == estimate.amount_minor, m["network"]


def test_demo_exercises_a_family_link() -> None:
    members = {m["network"] for m in DEMO["memberships"] if m["status"] == "member"}
    linked = [(r["parent_id"], r["child_id"]) for r in FAMILIES]
    assert ("uclg", "metropolis") in linked
    assert {"uclg", "metropolis"} <= members


@pytest.mark.parametrize("source", ["catalogue:nope/notes", "catalogue:uclg/nope"])
def test_a_citation_of_an_unknown_row_or_column_fails_the_check(source: str) -> None:
    with pytest.raises(AssertionError):
        cited_cell(source)
