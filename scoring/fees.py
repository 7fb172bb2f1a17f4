"""Fee estimates from the fee rules networks publish, with the source of each rule.

This module owns the published fee rules of the catalogue's networks and `estimate_fee`, which
applies them to a city's population and its country's World Bank income group (and, for the
OWHC formula, the country's gross national income per head). Money is returned in minor units
(cents) of the network's own currency; amounts are rounded half-up to the cent.

What is published (see ``seed_data/README.md``):

- ICLEI: an archived, undated table of yearly dues by population band for "Group IV" countries
  (gross national income per head above USD 11,456), taken here as the World Bank's high-income
  group. No amounts are published for the other groups, so their estimate stays unknown.
  Bands include their upper bound ("1,000,001 to 2,000,000"). The page's own worked example is
  a Group IV city of 3,000,000 inhabitants paying EUR 5,240.
- Climate Alliance: EUR 0.0085 per resident per year, at least EUR 250 and at most EUR 15,000
  per municipality; a reduction for Eastern European municipalities is not applied here.
- OWHC: ``GNI per head (USD) x population / 1,000,000`` plus a fixed part by World Bank income
  category: USD 500 (low), 750 (lower-middle), 1,000 (upper-middle), 2,000 (high).
- UCLG (and its section UCLG-MEWA) and CityNet publish only the basis of their fee (population
  and national income), not the amounts: the estimate says so and gives no figure.
- C40, the Partnership for Healthy Cities, the Milan Urban Food Policy Pact and the Mayors
  Migration Council state that they charge no fee: the "estimate" is that published zero.

Every other network has no published rule and `estimate_fee` returns ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Final

from criteria.gates import INCOME_GROUPS, IncomeGroup

__all__ = [
    "BASIS_ONLY",
    "CLIMATE_ALLIANCE",
    "FEE_RULE_SOURCES",
    "ICLEI_GROUP_IV",
    "NO_FEE",
    "OWHC_FIXED",
    "FeeEstimate",
    "FeeStatus",
    "estimate_fee",
]


class FeeStatus(StrEnum):
    """How far the published rule settles the city's fee."""

    ESTIMATE = "estimate"  # computed from a published formula or table
    NO_FEE = "no_fee"  # the network states it charges nothing
    BASIS_ONLY = "basis_only"  # only the basis is published, no amounts
    UNKNOWN = "unknown"  # a rule exists but the profile lacks a figure it needs, or it
    # publishes no amount for the city's income group


@dataclass(frozen=True, slots=True)
class FeeEstimate:
    """The estimator's answer for one network.

    ``amount_minor`` (minor units per year, in ``currency``) is set for ``ESTIMATE`` and
    ``NO_FEE`` only. ``explanation`` is one plain sentence with the figures; ``caveats`` list
    what the estimate leaves out.
    """

    network: str
    status: FeeStatus
    amount_minor: int | None
    currency: str | None
    source: str
    explanation: str
    caveats: tuple[str, ...] = ()

    @property
    def is_figure(self) -> bool:
        """True when the estimate gives an amount (possibly zero)."""
        return self.amount_minor is not None


ICLEI_SOURCE: Final = "http://archive.iclei.org/index.php?id=13121"
ICLEI_GROUP_IV: Final[tuple[tuple[int | None, int], ...]] = (
    (50_000, 450),
    (100_000, 900),
    (200_000, 1_310),
    (300_000, 1_680),
    (500_000, 2_060),
    (750_000, 2_620),
    (1_000_000, 3_370),
    (2_000_000, 4_300),
    (4_000_000, 5_240),
    (None, 5_985),
)
"""``(largest population of the band, EUR per year)`` for Group IV; ``None`` = no upper bound."""

CLIMATE_ALLIANCE_SOURCE: Final = "https://www.climatealliance.org/municipalities/join-us.html"
CLIMATE_ALLIANCE: Final = (Decimal("0.0085"), Decimal("250"), Decimal("15000"))
"""EUR per resident per year, minimum, maximum."""

OWHC_SOURCE: Final = "https://www.ovpm.org/members/rights-and-privileges/"
OWHC_FIXED: Final[dict[IncomeGroup, int]] = {
    IncomeGroup.LOW: 500,
    IncomeGroup.LOWER_MIDDLE: 750,
    IncomeGroup.UPPER_MIDDLE: 1_000,
    IncomeGroup.HIGH: 2_000,
}
"""USD per year: the fixed part of the OWHC fee by World Bank income category."""

BASIS_ONLY: Final[dict[str, tuple[str, str]]] = {
    "uclg": ("United Cities and Local Governments", "https://www.old.uclg.org/en/join-uclg/how-to-join"),
    "uclg-mewa": ("UCLG Middle East and West Asia", "http://arsiv.uclg-mewa.org/membership-fees.html"),
    "citynet": ("CityNet", "http://citynet-ap.org/faq/"),
}  # fmt: skip
"""Networks that publish the basis of their fee (population, national income) but no amounts."""

NO_FEE: Final[dict[str, str]] = {
    "c40": "catalogue:c40/membership_fee",
    "p4hc": "catalogue:p4hc/membership_fee",
    "mufpp": "catalogue:mufpp/membership_fee",
    "mmc": "catalogue:mmc/membership_fee",
}
"""Networks whose sources state that they charge no fee."""

FEE_RULE_SOURCES: Final[dict[str, str]] = {
    "iclei": ICLEI_SOURCE,
    "climate-alliance": CLIMATE_ALLIANCE_SOURCE,
    "owhc": OWHC_SOURCE,
    **{network: source for network, (_, source) in BASIS_ONLY.items()},
    **NO_FEE,
}
"""Every network with a published fee rule, and the source of that rule."""

_CENT: Final = Decimal("0.01")


def _minor(amount: Decimal) -> int:
    return int((amount.quantize(_CENT, rounding=ROUND_HALF_UP) * 100).to_integral_value())


def _money(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount.quantize(_CENT, rounding=ROUND_HALF_UP):,.2f}"


def _unknown(network: str, currency: str | None, source: str, why: str) -> FeeEstimate:
    return FeeEstimate(network, FeeStatus.UNKNOWN, None, currency, source, why)


def _iclei(population: int | None, income_group: IncomeGroup | None) -> FeeEstimate:
    if income_group is None:
        return _unknown(
            "iclei", "EUR", ICLEI_SOURCE,
            "ICLEI's archived dues table depends on the country's income group, which the city "
            "profile does not record.",
        )  # fmt: skip
    if income_group is not IncomeGroup.HIGH:
        return _unknown(
            "iclei", "EUR", ICLEI_SOURCE,
            f"ICLEI's archived dues table gives amounts only for high-income countries (its "
            f"Group IV); none are published for the {INCOME_GROUPS[income_group].lower()} group.",
        )  # fmt: skip
    if population is None:
        return _unknown(
            "iclei", "EUR", ICLEI_SOURCE,
            "ICLEI's archived dues table depends on the population, which the city profile "
            "does not record.",
        )  # fmt: skip
    lower = 0
    for upper, euros in ICLEI_GROUP_IV:
        if upper is None or population <= upper:
            band = (
                f"more than {lower:,} inhabitants"
                if upper is None
                else f"{lower + 1 if lower else 0:,} to {upper:,} inhabitants"
            )
            amount = Decimal(euros)
            return FeeEstimate(
                "iclei",
                FeeStatus.ESTIMATE,
                _minor(amount),
                "EUR",
                ICLEI_SOURCE,
                f"ICLEI's archived dues table charges a high-income (Group IV) city of {band} "
                f"{_money(amount, 'EUR')} a year; the city has {population:,} inhabitants.",
                (
                    "The table is archived and undated: check ICLEI's current schedule.",
                    "Group IV means a national income per head above USD 11,456, taken here "
                    "as the World Bank's high-income group.",
                ),
            )
        lower = upper
    raise AssertionError("the last band has no upper bound")  # pragma: no cover


def _climate_alliance(population: int | None) -> FeeEstimate:
    rate, low, high = CLIMATE_ALLIANCE
    if population is None:
        return _unknown(
            "climate-alliance", "EUR", CLIMATE_ALLIANCE_SOURCE,
            "Climate Alliance charges per resident, and the city profile does not record the "
            "population.",
        )  # fmt: skip
    raw = rate * population
    amount = min(max(raw, low), high)
    if amount == raw:
        how = f"{population:,} residents x EUR {rate} = {_money(amount, 'EUR')} a year"
    elif amount == low:
        how = (
            f"{population:,} residents x EUR {rate} = {_money(raw, 'EUR')}, raised to the "
            f"minimum of {_money(low, 'EUR')} a year"
        )
    else:
        how = (
            f"{population:,} residents x EUR {rate} = {_money(raw, 'EUR')}, capped at the "
            f"maximum of {_money(high, 'EUR')} a year"
        )
    return FeeEstimate(
        "climate-alliance",
        FeeStatus.ESTIMATE,
        _minor(amount),
        "EUR",
        CLIMATE_ALLIANCE_SOURCE,
        f"Climate Alliance's published rate gives {how}.",
        (
            "Municipalities in Eastern Europe receive a reduction that this estimate does not apply.",
        ),
    )


def _owhc(
    population: int | None, income_group: IncomeGroup | None, gni_per_capita_usd: int | None
) -> FeeEstimate:
    if population is None or income_group is None or gni_per_capita_usd is None:
        missing = [
            name
            for name, value in (
                ("the population", population),
                ("the country's income group", income_group),
                ("the country's gross national income per head", gni_per_capita_usd),
            )
            if value is None
        ]
        return _unknown(
            "owhc", "USD", OWHC_SOURCE,
            f"The OWHC fee formula needs {' and '.join(missing)}, which the city profile does "
            "not record.",
        )  # fmt: skip
    variable = Decimal(gni_per_capita_usd) * population / Decimal(1_000_000)
    fixed = Decimal(OWHC_FIXED[income_group])
    amount = variable + fixed
    return FeeEstimate(
        "owhc",
        FeeStatus.ESTIMATE,
        _minor(amount),
        "USD",
        OWHC_SOURCE,
        f"The OWHC formula gives USD {gni_per_capita_usd:,} x {population:,} / 1,000,000 = "
        f"{_money(variable, 'USD')} plus the fixed part of {_money(fixed, 'USD')} for the "
        f"{INCOME_GROUPS[income_group].lower()} group: {_money(amount, 'USD')} a year.",
        ("OWHC takes its population figures from its own statistics database.",),
    )


def estimate_fee(
    network_id: str,
    *,
    population: int | None,
    income_group: IncomeGroup | None,
    gni_per_capita_usd: int | None = None,
) -> FeeEstimate | None:
    """The city's yearly fee under a network's published rule, or None when none is published.

    Worked examples printed by the sources (see tests/unit/test_fees.py for the others):

    >>> e = estimate_fee("iclei", population=3_000_000, income_group=IncomeGroup.HIGH)
    >>> e.status, e.amount_minor, e.currency      # ICLEI archive page: Group IV, 3,000,000
    (<FeeStatus.ESTIMATE: 'estimate'>, 524000, 'EUR')
    >>> estimate_fee("uclg", population=1_600_000, income_group=IncomeGroup.HIGH).status
    <FeeStatus.BASIS_ONLY: 'basis_only'>
    >>> estimate_fee("eurocities", population=1_600_000, income_group=IncomeGroup.HIGH) is None
    True
    """
    if population is not None and population < 0:
        raise ValueError("a population cannot be negative")
    if gni_per_capita_usd is not None and gni_per_capita_usd < 0:
        raise ValueError("a national income per head cannot be negative")
    if network_id == "iclei":
        return _iclei(population, income_group)
    if network_id == "climate-alliance":
        return _climate_alliance(population)
    if network_id == "owhc":
        return _owhc(population, income_group, gni_per_capita_usd)
    if network_id in BASIS_ONLY:
        name, source = BASIS_ONLY[network_id]
        return FeeEstimate(
            network_id,
            FeeStatus.BASIS_ONLY,
            None,
            None,
            source,
            f"{name} sets its fee from the population a member represents and its country's "
            "national income, but publishes no amounts: ask for a quote.",
        )
    if network_id in NO_FEE:
        return FeeEstimate(
            network_id,
            FeeStatus.NO_FEE,
            0,
            None,
            NO_FEE[network_id],
            "The network states that it charges no membership fee.",
        )
    return None
