"""The city profile page's new fields: city facts, needed functions and membership costs.

This module owns the parsing of the fields the framework issue added to the profile page, in
the style of `app.services.ui` (values out, `ui.FormErrors` with a message per field):

- the profile form: travel budget, population, World Bank income group, GNI per head, World
  Heritage site and capital city (yes / no / not known), and a weight from 0 to 100 for each
  function the city needs from networks (``need_<function key>``, like ``theme_<theme>``);
- the membership row form: annual fee and travel costs per year, and the "use the estimate"
  button (``use_estimate``), which stores the fee estimator's figure marked as an estimate.

`parse_profile_form` and `parse_membership_form` wrap the existing parsers so that every
field's message is reported at once; `facts_context` gives the page what it prints for them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from app.forms import normalise_number, parse_whole
from app.i18n import gettext as _
from app.i18n import lazy_gettext
from app.models import CityProfile
from app.services import facts, ui
from app.services import workspaces as ws
from criteria import FUNCTION_KEYS, FUNCTIONS, INCOME_GROUPS

TRI_STATE: Final[Mapping[str, bool | None]] = {"": None, "yes": True, "no": False}
TRI_STATE_LABELS: Final = (
    ("", lazy_gettext("Not known")),
    ("yes", lazy_gettext("Yes")),
    ("no", lazy_gettext("No")),
)
INCOME_GROUP_LABELS: Final[Mapping[str, Any]] = {
    "low": lazy_gettext("Low income"),
    "lower_middle": lazy_gettext("Lower-middle income"),
    "upper_middle": lazy_gettext("Upper-middle income"),
    "high": lazy_gettext("High income"),
}
INCOME_GROUP_OPTIONS: Final = (
    ("", lazy_gettext("Not known")),
    *tuple(
        (str(group), INCOME_GROUP_LABELS.get(str(group), label))
        for group, label in INCOME_GROUPS.items()
    ),
)
MAX_MONEY: Final = Decimal("1e12")
MAX_POPULATION: Final = 100_000_000
MAX_GNI: Final = 1_000_000


def need_field(function: str) -> str:
    """The form field of a function's weight: ``need_<key>``."""
    return f"need_{function}"


def tri_state(value: bool | None) -> str:
    """A yes / no / unknown value as the select option it is shown as."""
    return "" if value is None else ("yes" if value else "no")


def _money(raw: object, name: str, errors: dict[str, str], *, blank: Decimal | None) -> Any:
    text = str(raw or "").strip()
    if not text:
        return blank
    try:
        plain = normalise_number(text)
        if plain is None:
            raise InvalidOperation
        amount = Decimal(plain)
        if not amount.is_finite() or amount < 0 or amount > MAX_MONEY:
            raise InvalidOperation
        if amount != amount.quantize(Decimal("0.01")):
            errors[name] = _("Use at most two decimals.")
            return None
        return amount
    except InvalidOperation:
        errors[name] = _("Enter an amount of 0 or more.")
        return None


def _whole(raw: object, name: str, high: int, errors: dict[str, str], message: str) -> int | None:
    text = str(raw or "").strip()
    if not text:
        return None
    value = parse_whole(normalise_number(text) or "", 0, high)
    if value is None:
        errors[name] = message
    return value


FACT_FIELDS: Final = (
    "travel_budget",
    "population",
    "income_group",
    "gni_per_capita_usd",
    "world_heritage_site",
    "capital_city",
)


def facts_context(
    row: CityProfile, form: Mapping[str, Any] | None, network_ids: Sequence[str]
) -> dict[str, Any]:
    """What the profile page prints for these fields: the values to show (the posted form
    after an error, else the profile), the options, and each membership's fee estimate."""
    profile = ws.profile_dict(row)
    shown: dict[str, Any] = {}
    for name in FACT_FIELDS:
        if form is not None:
            shown[name] = form.get(name, "")
        elif name in ("world_heritage_site", "capital_city"):
            shown[name] = tri_state(profile[name])
        else:
            shown[name] = "" if profile[name] is None else profile[name]
    return {
        "functions": FUNCTIONS,
        "function_values": {
            f.key: form.get(need_field(f.key), "")
            if form is not None
            else profile["function_needs"].get(f.key, "")
            for f in FUNCTIONS
        },
        "facts_values": shown,
        "income_options": INCOME_GROUP_OPTIONS,
        "tri_state_options": TRI_STATE_LABELS,
        "estimates": {n: facts.fee_estimate_dict(row, n) for n in network_ids},
    }


def parse_profile_facts(form: Mapping[str, Any]) -> dict[str, Any]:
    """The profile's city facts, travel budget and needed functions; raises `ui.FormErrors`.

    >>> parse_profile_facts({"population": "1,600,000", "income_group": "high",
    ...                      "world_heritage_site": "", "capital_city": "no",
    ...                      "need_advocacy": "20", "travel_budget": ""})["function_needs"]
    {'advocacy': 20.0}
    >>> try:
    ...     parse_profile_facts({"population": "lots", "income_group": "rich"})
    ... except ui.FormErrors as exc:
    ...     sorted(exc.errors)
    ['income_group', 'population']
    """
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {
        "travel_budget": _money(
            form.get("travel_budget"), "travel_budget", errors, blank=None
        ),
        "population": _whole(
            form.get("population"), "population", MAX_POPULATION, errors,
            _("Enter the number of inhabitants as a whole number, or leave it empty."),
        ),
        "gni_per_capita_usd": _whole(
            form.get("gni_per_capita_usd"), "gni_per_capita_usd", MAX_GNI, errors,
            _("Enter whole US dollars per head, or leave it empty."),
        ),
    }  # fmt: skip
    if changes["population"] == 0:
        errors["population"] = _("A city has at least one inhabitant; leave it empty if unknown.")
    group = str(form.get("income_group", "")).strip()
    if group and group not in {value for value, _ in INCOME_GROUP_OPTIONS}:
        errors["income_group"] = _("Choose one of the World Bank income groups, or not known.")
    changes["income_group"] = group or None
    for name in ("world_heritage_site", "capital_city"):
        raw = str(form.get(name, "")).strip()
        if raw not in TRI_STATE:
            errors[name] = _("Choose yes, no or not known.")
        changes[name] = TRI_STATE.get(raw)
    needs: dict[str, float] = {}
    for key in FUNCTION_KEYS:
        name = need_field(key)
        raw = str(form.get(name, "")).strip()
        if not raw:
            continue
        try:
            value = float(normalise_number(raw) or "nan")
        except ValueError:
            value = -1.0
        if not math.isfinite(value) or not 0 <= value <= 100:
            errors[name] = _("Give the function a weight from 0 to 100.")
        elif value > 0:
            needs[key] = value
    changes["function_needs"] = needs
    if errors:
        raise ui.FormErrors(errors)
    return changes


def parse_profile_form(form: Mapping[str, Any], themes: Sequence[str]) -> dict[str, Any]:
    """`ui.parse_profile` and `parse_profile_facts` together; every field's error at once."""
    changes: dict[str, Any] = {}
    errors: dict[str, str] = {}
    try:
        changes |= ui.parse_profile(form, themes)
    except ui.FormErrors as exc:
        errors |= exc.errors
    try:
        changes |= parse_profile_facts(form)
    except ui.FormErrors as exc:
        errors |= exc.errors
    if errors:
        raise ui.FormErrors(errors)
    return changes


def parse_membership_form(form: Mapping[str, Any], current_fee: Decimal) -> dict[str, Any]:
    """Status, lock, fee and travel costs of a membership row; raises `ui.FormErrors`.

    The fee is a change only when it differs from ``current_fee``, so saving a row whose fee
    is an estimate keeps the estimate mark; typing another figure replaces it.

    >>> parse_membership_form({"annual_fee": "4300.00", "travel_cost": "2,500"}, Decimal("4300"))
    {'travel_cost': Decimal('2500')}
    """
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    try:
        changes = ui.parse_membership_change(form)
    except ui.FormErrors as exc:
        errors |= exc.errors
    if "annual_fee" in form:
        fee = _money(form["annual_fee"], "annual_fee", errors, blank=Decimal("0"))
        if fee is not None and fee != current_fee:
            changes["annual_fee"] = fee
    if "travel_cost" in form:
        travel = _money(form["travel_cost"], "travel_cost", errors, blank=Decimal("0"))
        if travel is not None:
            changes["travel_cost"] = travel
    if errors:
        raise ui.FormErrors(errors)
    return changes
