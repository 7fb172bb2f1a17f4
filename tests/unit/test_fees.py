"""Fee estimates against the published rules.

Sources and what they print:
- ICLEI, archived membership fees page (http://archive.iclei.org/index.php?id=13121): a table
  for Group IV countries (GNI per head above USD 11,456) by population band, and one worked
  example: "population of 3,000,000 ... the yearly dues payment would be EUR 5,240".
- Climate Alliance, join-us page (https://www.climatealliance.org/municipalities/join-us.html):
  EUR 0.0085 per resident a year, at least EUR 250, at most EUR 15,000. The page gives no worked
  example; the cases below apply the published formula by hand.
- OWHC, rights and privileges page (https://www.ovpm.org/members/rights-and-privileges/):
  GNI per head x population / 1,000,000 plus a fixed part of USD 500 / 750 / 1,000 / 2,000 by
  World Bank income category. The page gives no worked example; the cases below apply the
  formula by hand.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from criteria import IncomeGroup
from scoring.fees import FEE_RULE_SOURCES, ICLEI_GROUP_IV, FeeStatus, estimate_fee

HIGH = IncomeGroup.HIGH
NETWORKS = Path(__file__).resolve().parents[2] / "seed_data" / "networks.csv"


def iclei(population: int, group: IncomeGroup = HIGH) -> int | None:
    estimate = estimate_fee("iclei", population=population, income_group=group)
    assert estimate is not None
    return estimate.amount_minor


def test_iclei_worked_example_printed_by_the_source() -> None:
    estimate = estimate_fee("iclei", population=3_000_000, income_group=HIGH)

    assert estimate is not None
    assert (estimate.status, estimate.amount_minor, estimate.currency) == (
        FeeStatus.ESTIMATE,
        524_000,  # EUR 5,240
        "EUR",
    )
    assert estimate.source == "http://archive.iclei.org/index.php?id=13121"
    assert "archived" in " ".join(estimate.caveats)


@pytest.mark.parametrize(
    ("population", "euros"),
    [  # the printed table: "0 to 50,000 EUR 450", "50,001 to 100,000 EUR 900", ...
        (1, 450),
        (50_000, 450),
        (50_001, 900),
        (100_000, 900),
        (100_001, 1_310),
        (250_000, 1_680),
        (300_001, 2_060),
        (750_000, 2_620),
        (1_000_000, 3_370),
        (1_600_000, 4_300),  # the demo's Example City
        (2_000_000, 4_300),
        (4_000_000, 5_240),
        (4_000_001, 5_985),
        (12_000_000, 5_985),
    ],
)
def test_iclei_table_rows(population: int, euros: int) -> None:
    assert iclei(population) == euros * 100


@pytest.mark.parametrize(
    "group", [IncomeGroup.LOW, IncomeGroup.LOWER_MIDDLE, IncomeGroup.UPPER_MIDDLE]
)
def test_iclei_publishes_no_amount_outside_group_iv(group: IncomeGroup) -> None:
    estimate = estimate_fee("iclei", population=500_000, income_group=group)

    assert estimate is not None
    assert (estimate.status, estimate.amount_minor) == (FeeStatus.UNKNOWN, None)
    assert "only for high-income countries" in estimate.explanation


def test_missing_profile_facts_leave_the_estimate_unknown() -> None:
    for network in ("iclei", "climate-alliance", "owhc"):
        estimate = estimate_fee(network, population=None, income_group=None)
        assert estimate is not None
        assert (estimate.status, estimate.amount_minor) == (FeeStatus.UNKNOWN, None), network
        assert "does not record" in estimate.explanation or "not record" in estimate.explanation


@pytest.mark.parametrize(
    ("population", "cents", "how"),
    [
        (1_600_000, 1_360_000, "= EUR 13,600.00 a year"),  # 1,600,000 x 0.0085 = 13,600
        (20_000, 25_000, "raised to the minimum of EUR 250.00"),  # 170 -> 250
        (29_412, 25_000, "= EUR 250.00 a year"),  # 250.002: just above the minimum, to cents
        (29_500, 25_075, "= EUR 250.75 a year"),  # 29,500 x 0.0085 = 250.75
        (2_000_000, 1_500_000, "capped at the maximum of EUR 15,000.00"),  # 17,000 -> 15,000
        (1_764_706, 1_500_000, "capped at the maximum"),  # 15,000.001 -> 15,000
    ],
)
def test_climate_alliance_formula(population: int, cents: int, how: str) -> None:
    estimate = estimate_fee("climate-alliance", population=population, income_group=None)

    assert estimate is not None
    assert estimate.amount_minor == cents
    assert how in estimate.explanation
    assert "Eastern Europe" in estimate.caveats[0]


@pytest.mark.parametrize(
    ("group", "gni", "population", "cents"),
    [
        (IncomeGroup.HIGH, 50_000, 150_000, 950_000),  # 50,000 x 0.15 = 7,500 + 2,000
        (IncomeGroup.UPPER_MIDDLE, 10_000, 800_000, 900_000),  # 8,000 + 1,000
        (IncomeGroup.LOWER_MIDDLE, 2_500, 1_200_000, 375_000),  # 3,000 + 750
        (IncomeGroup.LOW, 900, 333_333, 80_000),  # 299.9997 + 500 = 799.9997 -> 800.00
    ],
)
def test_owhc_formula(group: IncomeGroup, gni: int, population: int, cents: int) -> None:
    estimate = estimate_fee(
        "owhc", population=population, income_group=group, gni_per_capita_usd=gni
    )

    assert estimate is not None
    assert (estimate.status, estimate.currency) == (FeeStatus.ESTIMATE, "USD")
    assert estimate.amount_minor == cents


def test_owhc_names_every_missing_input() -> None:
    estimate = estimate_fee("owhc", population=150_000, income_group=HIGH)

    assert estimate is not None
    assert estimate.status is FeeStatus.UNKNOWN
    assert "gross national income per head" in estimate.explanation
    assert "the population" not in estimate.explanation


def test_basis_only_no_fee_and_unpublished() -> None:
    for network in ("uclg", "uclg-mewa", "citynet"):
        estimate = estimate_fee(network, population=1_000_000, income_group=HIGH)
        assert estimate is not None
        assert (estimate.status, estimate.amount_minor) == (FeeStatus.BASIS_ONLY, None)
        assert "publishes no amounts" in estimate.explanation
    for network in ("c40", "p4hc", "mufpp", "mmc"):
        estimate = estimate_fee(network, population=None, income_group=None)
        assert estimate is not None
        assert (estimate.status, estimate.amount_minor) == (FeeStatus.NO_FEE, 0)
    assert estimate_fee("eurocities", population=1_000_000, income_group=HIGH) is None


def test_every_fee_rule_cites_a_source_of_its_network() -> None:
    with NETWORKS.open(encoding="utf-8", newline="") as fh:
        rows = {r["id"]: r for r in csv.DictReader(fh)}
    for network, source in FEE_RULE_SOURCES.items():
        if source.startswith("catalogue:"):
            assert source == f"catalogue:{network}/membership_fee"
            assert "no" in rows[network]["membership_fee"].lower()  # "No fees", "none"
        else:
            assert source in rows[network]["sources"].split(";"), network


def test_iclei_bands_ascend() -> None:
    uppers = [u for u, _ in ICLEI_GROUP_IV if u is not None]
    amounts = [a for _, a in ICLEI_GROUP_IV]
    assert uppers == sorted(uppers)
    assert amounts == sorted(amounts)
    assert ICLEI_GROUP_IV[-1][0] is None


@given(
    st.integers(min_value=1, max_value=50_000_000), st.integers(min_value=1, max_value=50_000_000)
)
def test_estimates_never_fall_as_the_population_grows(a: int, b: int) -> None:
    small, large = sorted((a, b))
    for network in ("iclei", "climate-alliance"):
        low = estimate_fee(network, population=small, income_group=HIGH)
        high = estimate_fee(network, population=large, income_group=HIGH)
        assert low is not None
        assert high is not None
        assert low.amount_minor is not None
        assert high.amount_minor is not None
        assert low.amount_minor <= high.amount_minor


def test_negative_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="population"):
        estimate_fee("iclei", population=-1, income_group=HIGH)
    with pytest.raises(ValueError, match="income per head"):
        estimate_fee("owhc", population=1, income_group=HIGH, gni_per_capita_usd=-5)
