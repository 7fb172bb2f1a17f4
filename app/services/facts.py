"""The city profile as the core's facts, and fee estimates for a workspace's memberships.

This module owns the translation of a `CityProfile` row into what the core's pure functions take:
`criteria.CityFacts` for eligibility rules, the needed functions for `scoring.functions`, and
the inputs of `scoring.fees.estimate_fee`. It also says whether an estimate can become a
membership's fee (an amount in the workspace's currency) and applies it, marking the fee as an
estimate; a fee entered later replaces it and clears the mark (`workspaces.update_membership`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlmodel import Session

from app.errors import InvalidInput
from app.models import CityProfile, Membership, Workspace
from app.services import workspaces as ws
from app.services.common import from_minor
from criteria import CityFacts, IncomeGroup
from scoring.fees import FeeEstimate, FeeStatus, estimate_fee


def income_group(profile: CityProfile) -> IncomeGroup | None:
    """The profile's World Bank income group, or None when not recorded."""
    return None if profile.income_group is None else IncomeGroup(profile.income_group)


def city_facts(profile: CityProfile) -> CityFacts:
    """Everything the eligibility gates and rules need from the profile; unknown stays None."""
    return CityFacts(
        region=profile.region or "",
        country=profile.country or "",
        population=profile.population,
        income_group=income_group(profile),
        world_heritage_site=profile.world_heritage_site,
        capital_city=profile.capital_city,
    )


def current_members(memberships: Iterable[Membership]) -> frozenset[str]:
    """Ids of the networks the city is a member of (for `criteria.check_requirements`)."""
    return frozenset(m.network_id for m in memberships if m.status == "member")


def fee_estimate(profile: CityProfile, network_id: str) -> FeeEstimate | None:
    """`scoring.fees.estimate_fee` for this city; None when the network publishes no rule."""
    return estimate_fee(
        network_id,
        population=profile.population,
        income_group=income_group(profile),
        gni_per_capita_usd=profile.gni_per_capita_usd,
    )


def applicable(estimate: FeeEstimate | None, currency: str) -> bool:
    """True when the estimate is an amount that can be stored as a fee in ``currency``."""
    if estimate is None or estimate.amount_minor is None:
        return False
    if estimate.status is FeeStatus.NO_FEE:
        return True  # zero in any currency
    return estimate.currency == currency


def fee_estimate_dict(profile: CityProfile, network_id: str) -> dict[str, Any]:
    """The estimate as the API and the pages print it (``none_published`` when there is none)."""
    estimate = fee_estimate(profile, network_id)
    if estimate is None:
        return {
            "network_id": network_id,
            "status": "none_published",
            "amount": None,
            "currency": None,
            "applies": False,
            "source": None,
            "explanation": "The network publishes no fee rule, so no estimate can be made.",
            "caveats": [],
        }
    caveats = list(estimate.caveats)
    usable = applicable(estimate, profile.currency)
    if estimate.amount_minor is not None and not usable:
        caveats.append(
            f"The estimate is in {estimate.currency}, not in the workspace's currency "
            f"({profile.currency}): convert it before entering it as the fee."
        )
    return {
        "network_id": network_id,
        "status": str(estimate.status),
        "amount": None if estimate.amount_minor is None else from_minor(estimate.amount_minor),
        "currency": estimate.currency or (profile.currency if estimate.is_figure else None),
        "applies": usable,
        "source": estimate.source,
        "explanation": estimate.explanation,
        "caveats": caveats,
    }


def apply_fee_estimate(
    session: Session,
    workspace: Workspace,
    membership: Membership,
    *,
    actor: str,
    version: int | None = None,
) -> Membership:
    """Store the estimate as the membership's fee, marked as an estimate (audited, versioned).

    Raises `app.errors.InvalidInput` on ``annual_fee`` when there is no estimate in the
    workspace's currency; ``version`` (when given) is checked like any update (409 if stale).
    """
    profile = ws.get_profile(session, workspace)
    estimate = fee_estimate(profile, membership.network_id)
    amount = None
    if estimate is not None and applicable(estimate, profile.currency):
        amount = estimate.amount_minor
    if estimate is None or amount is None:
        reason = (
            fee_estimate_dict(profile, membership.network_id)["explanation"]
            if estimate is None or estimate.amount_minor is None
            else f"The estimate is in {estimate.currency}, not in {profile.currency}."
        )
        raise InvalidInput("annual_fee", f"No fee estimate can be used here. {reason}")
    changes: dict[str, Any] = {"annual_fee": from_minor(amount), "fee_is_estimate": True}
    if version is not None:
        changes["version"] = version
    return ws.update_membership(session, workspace, membership, changes, actor=actor)
