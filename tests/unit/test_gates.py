"""Unit tests for eligibility gates: active network, region match and manual answers."""

from __future__ import annotations

import pytest

from criteria import (
    CITY_REGIONS,
    CityFacts,
    EligibilityGate,
    GateResult,
    GateRule,
    NetworkFacts,
    default_framework,
    evaluate_gates,
    is_eligible,
    region_admits,
)

ACTIVE = EligibilityGate(
    key="active_network", title="Still operating", description="d", rule=GateRule.ACTIVE_NETWORK
)
REGION = EligibilityGate(
    key="region_match", title="Open to the region", description="d", rule=GateRule.REGION_MATCH
)
SIZE = EligibilityGate(
    key="eurocities_size",
    title="European city over 250,000 inhabitants",
    description="Eurocities admits only European cities over 250,000 inhabitants.",
    applies_to=("eurocities",),
)
EUROCITIES = NetworkFacts(id="eurocities", scope="regional (Europe)", name="Eurocities")
MADRID = CityFacts(region="Europe", country="Spain")
DURBAN = CityFacts(region="Africa", country="South Africa")


def passed(scope: str, city: CityFacts) -> bool | None:
    return region_admits(scope, city)[0]


# ---- region_match -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scope", "region", "expected"),
    [
        ("regional (Asia-Pacific)", "Asia", True),
        ("regional (Asia-Pacific)", "Oceania", True),
        ("regional (Asia-Pacific)", "South-East Asia", True),
        ("regional (Asia-Pacific)", "Europe", False),
        ("regional (Asia-Pacific)", "Middle East and West Asia", False),
        ("regional (Latin America and Caribbean)", "Latin America and the Caribbean", True),
        ("regional (Latin America and the Caribbean)", "Latin America", True),
        ("regional (Latin America & Caribbean)", "South America", True),
        ("regional (Middle East and West Asia)", "Middle East", True),
        ("regional (Middle East and West Asia)", "West Asia", True),
        ("regional (Middle East and West Asia)", "Asia", False),
        ("regional (Africa)", "Africa", True),
        ("regional (Africa)", "Sub-Saharan Africa", True),
        ("regional (Africa)", "Europe", False),
        ("regional (Europe)", "europe", True),
        ("regional (Europe)", "Latin America and the Caribbean", False),
        ("regional (Euro-Mediterranean)", "Europe", True),
        ("regional (Europe/Mediterranean)", "Middle East and West Asia", True),
        ("regional (Euro-Mediterranean)", "North Africa", True),
        ("regional (Euro-Mediterranean)", "Asia", False),
        ("regional (Europe, Council of Europe countries)", "Europe", True),
        ("regional (Europe-Latin America)", "Latin America and the Caribbean", True),
        ("regional (Ibero-America)", "Latin America and the Caribbean", True),
        ("regional (Ibero-America)", "North America", False),
    ],
)
def test_region_synonyms(scope: str, region: str, expected: bool) -> None:
    assert passed(scope, CityFacts(region=region)) is expected


def test_a_global_network_admits_every_region() -> None:
    for region in [*CITY_REGIONS, ""]:
        assert passed("global", CityFacts(region=region)) is True
    verdict, reason = region_admits("global (French-speaking cities)", DURBAN)
    assert verdict is True
    assert "French-speaking cities" in reason


def test_every_offered_city_region_is_understood() -> None:
    for region in CITY_REGIONS:
        assert passed("regional (Europe)", CityFacts(region=region)) is (region == "Europe")


def test_partial_overlap_is_decided_by_the_country() -> None:
    # A Mediterranean scope covers North Africa only: "Africa" alone cannot be decided.
    scope = "regional (Euro-Mediterranean)"

    assert passed(scope, CityFacts(region="Africa", country="Morocco")) is True
    assert passed(scope, DURBAN) is False
    verdict, reason = region_admits(scope, CityFacts(region="Africa"))
    assert verdict is None
    assert "record the city's country" in reason


def test_scopes_defined_by_countries() -> None:
    assert passed("regional (Ibero-America)", MADRID) is True
    assert passed("regional (Ibero-America)", CityFacts("Europe", "France")) is False
    assert passed("regional (EU)", CityFacts("Europe", "Germany")) is True
    assert passed("regional (EU)", CityFacts("Europe", "Norway")) is False
    assert passed("regional (EU)", CityFacts("Asia", "Japan")) is False
    listed = "regional (Europe and beyond: Australia, Canada, Israel, Japan, Mexico, Morocco, US)"
    assert passed(listed, CityFacts("Asia", "Japan")) is True
    assert passed(listed, CityFacts("North America", "USA")) is True
    assert passed(listed, CityFacts("Asia", "India")) is False


@pytest.mark.parametrize(
    ("scope", "country", "expected"),
    [
        ("national (Spain)", "Spain", True),
        ("national (Spain)", "spain", True),
        ("national (Spain)", "Portugal", False),
        ("national (USA) with partnerships in 145 countries", "United States of America", True),
        ("national (USA) with partnerships in 145 countries", "Canada", False),
        ("national (Palestine)", "State of Palestine", True),
        ("national (Spain)", "", None),
    ],
)
def test_national_scope_compares_countries(scope: str, country: str, expected: bool | None) -> None:
    assert passed(scope, CityFacts(region="Europe", country=country)) is expected


@pytest.mark.parametrize(
    ("scope", "city"),
    [
        ("regional (Europe)", CityFacts()),
        ("regional (Europe)", CityFacts(region="Atlantis")),
        ("regional (Israel-Palestine with international partners)", MADRID),
        ("unknown", MADRID),
        ("", MADRID),
    ],
)
def test_what_cannot_be_read_stays_unknown(scope: str, city: CityFacts) -> None:
    assert passed(scope, city) is None


def test_region_mismatch_reason_names_both_regions() -> None:
    assert region_admits("regional (Europe)", DURBAN) == (
        False,
        "regional network (Europe), open only to cities of that region; the city is in Africa",
    )


# ---- evaluate_gates -----------------------------------------------------------------------


def test_default_gates_pass_an_active_network_of_the_citys_region() -> None:
    results = evaluate_gates(default_framework().gates, EUROCITIES, MADRID, {})

    assert [(r.gate_key, r.passed) for r in results] == [
        ("active_network", True),
        ("region_match", True),
    ]
    assert is_eligible(results) is True


def test_inactive_network_fails_with_a_reason() -> None:
    closed = NetworkFacts(id="arrival-cities", scope="regional (Europe)", active=False)

    [result] = evaluate_gates([ACTIVE], closed, MADRID, {})

    assert result == GateResult(
        "active_network",
        "Still operating",
        False,
        "arrival-cities is no longer operating (closed, merged or inactive)",
    )


def test_regional_network_outside_the_citys_region_is_excluded() -> None:
    results = evaluate_gates([ACTIVE, REGION], EUROCITIES, DURBAN, {})

    assert [r.passed for r in results] == [True, False]
    assert results[1].reason.startswith("Eurocities: regional network (Europe)")
    assert is_eligible(results) is False


@pytest.mark.parametrize(
    ("answers", "expected", "eligible", "words"),
    [
        ({"eurocities_size": True}, True, True, "meets this condition"),
        ({"eurocities_size": False}, False, False, "does not meet this condition"),
        ({"eurocities_size": None}, None, None, "not answered yet"),
        ({}, None, None, "not answered yet"),
    ],
)
def test_manual_gate_reads_the_recorded_answer(
    answers: dict[str, bool | None], expected: bool | None, eligible: bool | None, words: str
) -> None:
    results = evaluate_gates([REGION, SIZE], EUROCITIES, MADRID, answers)

    assert [r.gate_key for r in results] == ["region_match", "eurocities_size"]
    assert results[1].passed is expected
    assert words in results[1].reason
    assert is_eligible(results) is eligible


def test_gate_limited_to_other_networks_is_left_out() -> None:
    c40 = NetworkFacts(id="c40", scope="global", name="C40")

    results = evaluate_gates([ACTIVE, SIZE], c40, MADRID, {"eurocities_size": False})

    assert [r.gate_key for r in results] == ["active_network"]
    assert is_eligible(results) is True


def test_an_answer_settles_an_unknown_region_but_does_not_overrule_data() -> None:
    odd = NetworkFacts(id="map", scope="regional (Israel-Palestine with international partners)")

    [unknown] = evaluate_gates([REGION], odd, MADRID, {})
    [answered] = evaluate_gates([REGION], odd, MADRID, {"region_match": True})
    [kept] = evaluate_gates([REGION], EUROCITIES, DURBAN, {"region_match": True})

    assert unknown.passed is None
    assert answered.passed is True
    assert "the city recorded" in answered.reason
    assert kept.passed is False


def test_is_eligible_false_wins_over_unknown() -> None:
    unknown = GateResult("a", "A", None, "not answered yet")
    failed = GateResult("b", "B", False, "closed")
    ok = GateResult("c", "C", True, "fine")

    assert is_eligible([ok, unknown, failed]) is False
    assert is_eligible([ok, unknown]) is None
    assert is_eligible([ok]) is True
    assert is_eligible([]) is True
