"""Family links (implies / requires) and the catalogue's eligibility rules, three-valued."""

from __future__ import annotations

import pytest

from criteria import (
    CityFacts,
    CriteriaError,
    EligibilityGate,
    FamilyLink,
    GateRule,
    MembershipRule,
    NetworkFacts,
    Relation,
    RuleKind,
    check_requirements,
    evaluate_gates,
    evaluate_rules,
    family_link,
    implied_memberships,
    is_eligible,
    parse_family_link,
    parse_rule,
    relatives,
    required_memberships,
    same_family,
)

IMPLIES, REQUIRES, UNSTATED = (
    MembershipRule.IMPLIES,
    MembershipRule.REQUIRES,
    MembershipRule.UNSTATED,
)
LINKS = (
    FamilyLink("uclg", "uclg-africa", Relation.SECTION, IMPLIES, "s", "r"),
    FamilyLink("uclg", "metropolis", Relation.SECTION, UNSTATED, "s"),
    FamilyLink("eurocities", "integrating-cities", Relation.INITIATIVE, REQUIRES, "s", "r"),
    FamilyLink("iccar", "eccar", Relation.BRANCH, IMPLIES, "s", "r"),
    FamilyLink("uclg-africa", "sub-section", Relation.SECTION, IMPLIES, "s", "r"),
    FamilyLink("uclg", "committee", Relation.COMMITTEE, REQUIRES, "s", "r"),
)


# ---- families -------------------------------------------------------------------------------


def test_implied_memberships_follow_chains_and_only_implies_links() -> None:
    assert set(implied_memberships(LINKS, {"sub-section"})) == {"uclg-africa", "uclg"}
    assert implied_memberships(LINKS, {"metropolis"}) == {}
    assert implied_memberships(LINKS, {"integrating-cities"}) == {}
    assert implied_memberships(LINKS, {"uclg-africa", "uclg"}) == {}


def test_requirements_pass_fail_or_stay_unknown() -> None:
    met = check_requirements(LINKS, "integrating-cities", {"eurocities"})
    unmet = check_requirements(LINKS, "integrating-cities", {"uclg"})
    unknown = check_requirements(LINKS, "integrating-cities", None)

    assert [(r.gate_key, r.passed) for r in met] == [("family:eurocities", True)]
    assert [r.passed for r in unmet] == [False]
    assert [r.passed for r in unknown] == [None]
    assert "memberships are not known" in unknown[0].reason
    assert check_requirements(LINKS, "metropolis", set()) == []  # unstated: no rule at all


def test_a_requirement_is_met_through_an_implied_membership() -> None:
    # a member of UCLG Africa is a member of UCLG, so it meets the committee's requirement
    results = check_requirements(LINKS, "committee", {"uclg-africa"}, names={"uclg": "UCLG"})
    assert [r.passed for r in results] == [True]
    assert results[0].title == "Member of UCLG"


def test_relatives_and_same_family() -> None:
    assert [link.other("uclg") for link in relatives(LINKS, "uclg")] == [
        "committee",
        "metropolis",
        "uclg-africa",
    ]
    assert [link.parent for link in relatives(LINKS, "uclg-africa")] == ["uclg", "uclg-africa"]
    assert family_link(LINKS, "metropolis", "uclg") is LINKS[1]
    assert family_link(LINKS, "metropolis", "uclg-africa") is None
    assert same_family(LINKS, "metropolis", "sub-section")
    assert not same_family(LINKS, "eccar", "metropolis")
    assert not same_family(LINKS, "uclg", "uclg")
    assert [link.parent for link in required_memberships(LINKS, "committee")] == ["uclg"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"parent_id": "a", "child_id": "", "relation": "section"}, "both parent_id and child_id"),
        ({"parent_id": "a", "child_id": "b", "relation": "cousin", "rule": "implies"}, "relation"),
        ({"parent_id": "a", "child_id": "b", "relation": "section", "rule": "unstated"}, "source"),
        (
            {"parent_id": "a", "child_id": "b", "relation": "section", "rule": "unstated",
             "source": "s", "rule_source": "r"},
            "an 'unstated' rule cites no rule_source",
        ),
    ],
)  # fmt: skip
def test_parse_family_link_names_the_problem(row: dict[str, str], message: str) -> None:
    with pytest.raises(CriteriaError, match=message):
        parse_family_link(row)


# ---- eligibility rules ----------------------------------------------------------------------

EUROCITIES = NetworkFacts(id="eurocities", scope="regional (Europe)", name="Eurocities")
METROPOLIS = NetworkFacts(id="metropolis", scope="global", name="Metropolis")
P4HC = NetworkFacts(id="p4hc", scope="global", name="Partnership for Healthy Cities")
OWHC = NetworkFacts(id="owhc", scope="global", name="OWHC")
CLIP = NetworkFacts(id="clip", scope="regional (Europe)", name="CLIP")

SIZE = parse_rule(
    {"network": "eurocities", "kind": "min_population", "minimum": 250_000, "source": "seed:x"}
)
METRO = parse_rule(
    {"network": "metropolis", "kind": "min_population", "minimum": 1_000_000,
     "capital_exempt": True, "source": "https://www.metropolis.org/about-us"}
)  # fmt: skip
INVITED = parse_rule({"network": "p4hc", "kind": "invitation_only", "source": "s"})
HERITAGE = parse_rule({"network": "owhc", "kind": "world_heritage_site", "source": "s"})
UNCERTAIN = parse_rule(
    {"network": "clip", "kind": "not_active", "status": "uncertain", "source": "s"}
)
CLOSED = parse_rule({"network": "clip", "kind": "not_active", "status": "closed", "source": "s"})
LATAM = parse_rule(
    {
        "network": "eurocities",
        "kind": "region",
        "regions": ["Latin America", "Europe"],
        "source": "s",
    }
)


def verdict(rule: object, network: NetworkFacts, city: CityFacts, **answers: bool) -> bool | None:
    recorded = {f"rule:{k}": v for k, v in answers.items()}
    results = evaluate_rules([rule], network, city, recorded)  # type: ignore[list-item]
    assert len(results) == 1
    return results[0].passed


@pytest.mark.parametrize(
    ("population", "expected"), [(None, None), (249_999, False), (250_000, True), (3_000_000, True)]
)
def test_population_threshold(population: int | None, expected: bool | None) -> None:
    assert verdict(SIZE, EUROCITIES, CityFacts(population=population)) is expected


@pytest.mark.parametrize(
    ("population", "capital", "expected"),
    [
        (1_500_000, None, True),
        (400_000, True, True),
        (400_000, False, False),
        (400_000, None, None),
        (None, True, True),
        (None, False, None),
        (None, None, None),
    ],
)
def test_population_threshold_with_capitals_exempt(
    population: int | None, capital: bool | None, expected: bool | None
) -> None:
    city = CityFacts(population=population, capital_city=capital)
    assert verdict(METRO, METROPOLIS, city) is expected


def test_invitation_world_heritage_and_status() -> None:
    assert verdict(INVITED, P4HC, CityFacts()) is None
    assert verdict(INVITED, P4HC, CityFacts(), invitation_only=True) is True
    assert verdict(INVITED, P4HC, CityFacts(), invitation_only=False) is False
    assert verdict(HERITAGE, OWHC, CityFacts()) is None
    assert verdict(HERITAGE, OWHC, CityFacts(world_heritage_site=True)) is True
    assert verdict(HERITAGE, OWHC, CityFacts(world_heritage_site=False)) is False
    assert verdict(UNCERTAIN, CLIP, CityFacts()) is None
    assert verdict(CLOSED, CLIP, CityFacts()) is False


def test_region_rule() -> None:
    assert verdict(LATAM, EUROCITIES, CityFacts(region="Europe")) is True
    assert verdict(LATAM, EUROCITIES, CityFacts(region="Africa", country="Kenya")) is False
    assert verdict(LATAM, EUROCITIES, CityFacts()) is None


def test_every_reason_names_the_rule_and_cites_its_source() -> None:
    result = evaluate_rules([METRO], METROPOLIS, CityFacts(population=400_000, capital_city=False))
    assert result[0].reason == (
        "Metropolis admits cities of at least 1,000,000 inhabitants, and capitals; the city has "
        "400,000 and is not a capital (source: https://www.metropolis.org/about-us)."
    )
    assert result[0].gate_key == "rule:min_population"
    assert result[0].title == "At least 1,000,000 inhabitants"
    unknown = evaluate_rules([HERITAGE], OWHC, CityFacts())[0]
    assert "does not say whether the city has one" in unknown.reason


def test_rules_of_other_networks_are_skipped_and_gates_keep_their_api() -> None:
    gate = EligibilityGate(
        key="active_network", title="Active", description="d", rule=GateRule.ACTIVE_NETWORK
    )
    city = CityFacts(region="Europe", population=100_000)

    without = evaluate_gates([gate], EUROCITIES, city, {})
    with_rules = evaluate_gates([gate], EUROCITIES, city, {}, rules=[SIZE, INVITED, HERITAGE])

    assert [r.gate_key for r in without] == ["active_network"]
    assert [r.gate_key for r in with_rules] == ["active_network", "rule:min_population"]
    assert is_eligible(with_rules) is False
    assert is_eligible(evaluate_gates([gate], EUROCITIES, CityFacts(), {}, rules=[SIZE])) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"network": "x", "kind": "min_population", "source": "s"}, "needs minimum"),
        ({"network": "x", "kind": "region", "source": "s"}, "needs regions"),
        ({"network": "x", "kind": "not_active", "source": "s"}, "needs status"),
        ({"network": "x", "kind": "invitation_only", "status": "closed", "source": "s"}, "takes no status"),
        ({"network": "x", "kind": "world_heritage_site", "capital_exempt": True, "source": "s"},
         "takes no capital_exempt"),
        ({"network": "x", "kind": "min_population", "minimum": 0, "source": "s"}, "minimum"),
        ({"network": "x", "kind": "moon_base", "source": "s"}, "kind"),
        ({"network": "X!", "kind": "invitation_only", "source": "s"}, "network"),
        ({"network": "x", "kind": "invitation_only"}, "source"),
    ],
)  # fmt: skip
def test_rule_validation_names_the_problem(data: dict[str, object], message: str) -> None:
    with pytest.raises(CriteriaError, match=message):
        parse_rule(data)


def test_rule_kinds_all_have_titles() -> None:
    for kind in RuleKind:
        data: dict[str, object] = {"network": "x", "kind": str(kind), "source": "s"}
        data |= {
            RuleKind.MIN_POPULATION: {"minimum": 5},
            RuleKind.REGION: {"regions": ["Europe"]},
            RuleKind.NOT_ACTIVE: {"status": "closed"},
        }.get(kind, {})
        assert parse_rule(data).title
