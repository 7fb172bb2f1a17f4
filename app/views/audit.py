"""The audit log as a ledger: who did what to which thing, field by field, in words.

Everything the page prints is built here: the time as the reader's locale writes it, the
person's name instead of their email, the action and the entity in words, the subject named
(network names, scenario names, criterion titles) instead of ids, every changed field with a
translatable label and its old and new values formatted (money by locale with Babel, yes/no,
dates, weights by criterion). The CSV export stays raw (`app.services.audit.to_csv`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.dates import format_datetime
from sqlmodel import Session, col, select

from app import framework_text
from app.i18n import current_locale, format_day, format_money, format_number
from app.i18n import gettext as _
from app.models import AuditEntry, Network, Scenario, User, Workspace
from app.services import revert as reverting
from app.services import workspaces as ws
from app.services.common import as_utc
from app.views.advice import action_label

HIDDEN = frozenset({"workspace_id", "version", "id"})
MAX_TEXT = 300
NONE = "\u2013"  # an en dash: no value
IN_SUBJECT: dict[str, frozenset[str]] = {
    "assessment": frozenset({"network_id", "criterion", "assessor"}),
    "membership": frozenset({"network_id"}),
    "scenario": frozenset({"name"}),
    "decision": frozenset({"network_id"}),
}
"""Fields the entry's subject already names (not repeated for a created or deleted row)."""


def field_labels() -> dict[str, str]:
    """Field names of the audited rows in words (current locale)."""
    return {
        "network_id": _("Network"),
        "status": _("Status"),
        "since": _("Member since"),
        "annual_fee_minor": _("Annual fee"),
        "annual_fee": _("Annual fee"),
        "fee_is_estimate": _("Fee is an estimate"),
        "travel_cost_minor": _("Travel and events"),
        "travel_cost": _("Travel and events"),
        "staff_hours": _("Staff hours a year"),
        "engagement": _("Engagement"),
        "roles": _("Roles of the city"),
        "renewal_date": _("Renewal date"),
        "notice_days": _("Notice period (days)"),
        "lock": _("Lock"),
        "notes": _("Notes"),
        "outcomes": _("Outcomes"),
        "criterion": _("Criterion"),
        "assessor": _("Assessor"),
        "score": _("Score"),
        "evidence": _("Evidence"),
        "source_url": _("Source link"),
        "confidence": _("Confidence"),
        "name": _("Name"),
        "description": _("Description"),
        "method": _("Method"),
        "weights": _("Weights"),
        "options": _("Options"),
        "region": _("Region"),
        "country": _("Country"),
        "population_band": _("Population band"),
        "currency": _("Currency"),
        "fee_budget": _("Fee budget"),
        "fee_budget_minor": _("Fee budget"),
        "travel_budget": _("Travel budget"),
        "travel_budget_minor": _("Travel budget"),
        "staff_hours_budget": _("Staff hours budget"),
        "priority_themes": _("Priority themes"),
        "population": _("Population"),
        "income_group": _("Income group"),
        "gni_per_capita_usd": _("Gross national income per person (USD)"),
        "world_heritage_site": _("World Heritage site"),
        "capital_city": _("Capital city"),
        "function_needs": _("Functions the city needs"),
        "role": _("Role"),
        "default_scenario_id": _("Default scenario"),
        "slug": _("Short name"),
        "fictional": _("Fictional"),
        "notice": _("Notice"),
        "framework": _("Framework"),
        "action": _("Action"),
        "decided_on": _("Decided on"),
        "body": _("Decided by"),
        "reference": _("Reference"),
        "effective_on": _("Effective on"),
        "next_review_on": _("Next review on"),
        "snapshot": _("Analysis at the time"),
        "created_by": _("Recorded by"),
        "answer": _("Answer"),
        "note": _("Note"),
        "feed": _("Calendar feed"),
        "title": _("Title"),
        "rejected": _("Rejected"),
        "join_bar": _("Join bar"),
        "leave_bar": _("Leave bar"),
        "join_cost": _("Cost of joining"),
        "leave_cost": _("Cost of leaving"),
        "overlap_penalty": _("Overlap penalty"),
        "evidence_threshold": _("Evidence threshold"),
        "fee_reference": _("Fee reference"),
        "hours_reference": _("Hours reference"),
        "samples": _("Weight samples"),
        "concentration": _("Concentration"),
        "seed": _("Random seed"),
        "top_k": _("Top places counted"),
        "fee_budget_factor": _("Budget factor"),
        "settings": _("Decision settings"),
        "problems": _("Problems"),
    }


def action_words() -> dict[str, str]:
    return {
        "create": _("Created"),
        "update": _("Changed"),
        "delete": _("Deleted"),
        "import": _("Imported"),
        "export": _("Exported"),
        "revert": _("Undone"),
    }


def entity_words() -> dict[str, str]:
    return {
        "membership": _("Membership"),
        "assessment": _("Assessment"),
        "scenario": _("Scenario"),
        "profile": _("City profile"),
        "member": _("Workspace member"),
        "workspace": _("Workspace"),
        "settings": _("Decision settings"),
        "calendar_feed": _("Calendar feed"),
        "criterion": _("Own criterion"),
        "gate": _("Own eligibility rule"),
        "gate_answer": _("Eligibility answer"),
        "decision": _("Decision"),
        "network": _("Catalogue network"),
        "spreadsheet": _("Spreadsheet"),
        "workshop": _("Workshop"),
    }


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class LedgerRow:
    id: int
    at: str
    who: str
    who_email: str
    action: str
    entity: str
    subject: str
    changes: list[FieldChange] = field(default_factory=list)
    revertible: bool = False


@dataclass
class Names:
    """Everything an id can be turned into on this page."""

    networks: dict[str, str]
    scenarios: dict[int, str]
    people: dict[str, str]
    criteria: dict[str, str]
    currency: str

    def network(self, network_id: Any) -> str:
        return self.networks.get(str(network_id), str(network_id))


def load_names(session: Session, workspace: Workspace, entries: Iterable[AuditEntry]) -> Names:
    """Names for the ids the entries mention, in a few queries."""
    entries = list(entries)
    network_ids: set[str] = set()
    emails: set[str] = set()
    for e in entries:
        emails.add(e.actor)
        if e.entity == "member":
            emails.add(e.entity_key)
        for data in (e.before, e.after):
            if data and isinstance(data.get("network_id"), str):
                network_ids.add(data["network_id"])
        if e.entity in {"membership", "network"}:
            network_ids.add(e.entity_key)
        elif e.entity in {"assessment", "gate_answer", "decision"}:
            network_ids.add(e.entity_key.split("/", 1)[0])
    networks = {
        n.id: n.acronym or n.name
        for n in session.exec(select(Network).where(col(Network.id).in_(network_ids)))
    }
    people = {
        u.email: u.display_name or u.email
        for u in session.exec(select(User).where(col(User.email).in_(emails)))
    }
    scenarios = {
        s.id or 0: s.name
        for s in session.exec(select(Scenario).where(Scenario.workspace_id == workspace.id))
    }
    framework = framework_text.localized(ws.framework_of(session, workspace))
    criteria = {c.key: c.title for c in framework.criteria}
    currency = ws.get_profile(session, workspace).currency
    return Names(networks, scenarios, people, criteria, currency)


def _amount(amount: Decimal, names: Names) -> str:
    """Money in the reader's locale: whole units, or cents when there are any."""
    return format_money(amount, names.currency, 0 if amount == amount.to_integral() else 2)


def _money_minor(value: Any, names: Names) -> str:
    return _amount(Decimal(int(value)) / 100, names)


def _money(value: Any, names: Names) -> str:
    try:
        return _amount(Decimal(str(value)), names)
    except InvalidOperation:
        return str(value)


def _day(value: Any, _names: Names) -> str:
    try:
        return format_day(date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


def _weights(value: Any, names: Names) -> str:
    if not isinstance(value, Mapping):
        return str(value)
    return "; ".join(
        f"{names.criteria.get(k, k)} {format_number(float(v), 1)}"
        for k, v in value.items()
        if isinstance(v, int | float)
    )


def _outcomes(value: Any, names: Names) -> str:
    if not isinstance(value, list):
        return str(value)
    parts = []
    for o in value:
        if isinstance(o, Mapping):
            amount = o.get("amount")
            money = "" if amount is None else " (" + _money(amount, names) + ")"
            parts.append(f"{o.get('year', '')} {o.get('title', '')}{money}".strip())
    return "; ".join(parts) or NONE


def _words(mapping: Callable[[], dict[str, str]]) -> Callable[[Any, Names], str]:
    return lambda value, _names: mapping().get(str(value), str(value))


def _statuses() -> dict[str, str]:
    return {
        "member": _("member"),
        "candidate": _("candidate"),
        "former": _("former member"),
        "active": _("active"),
        "passive": _("passive"),
        "keep": _("always keep"),
        "exclude": _("always exclude"),
        "low": _("low"),
        "medium": _("medium"),
        "high": _("high"),
        "owner": _("owner"),
        "analyst": _("analyst"),
        "viewer": _("viewer"),
        "weighted_sum": _("weighted sum"),
        "topsis": _("TOPSIS"),
        "vikor": _("VIKOR"),
        "yes": _("yes"),
        "no": _("no"),
        "unknown": _("unknown"),
    }


FORMATTERS: dict[str, Callable[[Any, Names], str]] = {
    "annual_fee_minor": _money_minor,
    "travel_cost_minor": _money_minor,
    "fee_budget_minor": _money_minor,
    "travel_budget_minor": _money_minor,
    "annual_fee": _money,
    "travel_cost": _money,
    "fee_budget": _money,
    "travel_budget": _money,
    "fee_reference": _money,
    "since": _day,
    "renewal_date": _day,
    "decided_on": _day,
    "effective_on": _day,
    "next_review_on": _day,
    "weights": _weights,
    "priority_themes": _weights,
    "function_needs": _weights,
    "outcomes": _outcomes,
    "network_id": lambda v, n: n.network(v),
    "criterion": lambda v, n: n.criteria.get(str(v), str(v)),
    "default_scenario_id": lambda v, n: n.scenarios.get(int(v), _("a deleted scenario")),
    "status": _words(_statuses),
    "engagement": _words(_statuses),
    "lock": _words(_statuses),
    "confidence": _words(_statuses),
    "role": _words(_statuses),
    "method": _words(_statuses),
    "answer": _words(_statuses),
    "action": lambda v, _n: action_label(str(v)),
    "population": lambda v, _n: format_number(int(v)),
    "gni_per_capita_usd": lambda v, _n: format_number(int(v)),
}


def value_text(name: str, value: Any, names: Names) -> str:
    """One recorded value in words for the reader."""
    if value is None or value == "" or value == [] or value == {}:
        return NONE
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    formatter = FORMATTERS.get(name)
    if formatter is not None:
        try:
            return formatter(value, names)
        except (TypeError, ValueError, InvalidOperation):
            pass
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(
            f"{field_labels().get(str(k), str(k).replace('_', ' '))}: "
            f"{value_text(str(k), v, names)}"
            for k, v in value.items()
        )
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_number(value, 0 if float(value).is_integer() else 2)
    text = str(value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def subject(entry: AuditEntry, names: Names) -> str:
    """What the entry is about, by name."""
    key = entry.entity_key
    if entry.entity in {"membership", "network"}:
        return names.network(key)
    if entry.entity == "assessment":
        parts = key.split("/", 2)
        if len(parts) == 3:
            network, criterion, assessor = parts
            return _(
                "%(network)s, %(criterion)s, scored by %(assessor)s",
                network=names.network(network),
                criterion=names.criteria.get(criterion, criterion),
                assessor=names.people.get(assessor, assessor),
            )
    if entry.entity == "gate_answer":
        network, _slash, gate = key.partition("/")
        return f"{names.network(network)}, {gate}"
    if entry.entity == "decision":
        network, _slash, rest = key.partition("/")
        return f"{names.network(network)} {rest}".strip()
    if entry.entity == "member":
        return names.people.get(key, key)
    if entry.entity in {"profile", "settings", "workspace", "calendar_feed"}:
        return ""
    return key


def changes(entry: AuditEntry, names: Names) -> list[FieldChange]:
    """Every recorded field with its old and new value, labelled."""
    before = entry.before or {}
    after = entry.after or {}
    labels = field_labels()
    whole_row = entry.before is None or entry.after is None  # created or deleted
    skip = HIDDEN | (IN_SUBJECT.get(entry.entity, frozenset()) if whole_row else frozenset())
    out = []
    for name in [*before, *(k for k in after if k not in before)]:
        if name in skip:
            continue
        label = labels.get(name, name.replace("_", " ").capitalize())
        old = value_text(name, before.get(name), names) if entry.before is not None else ""
        new = value_text(name, after.get(name), names) if entry.after is not None else ""
        if whole_row and (old or new) == NONE:
            continue  # a created or deleted row: its empty fields say nothing
        out.append(FieldChange(label, old, new))
    return out


def when(entry: AuditEntry) -> str:
    """Date and time (UTC) as the reader's locale writes them."""
    locale = "en" if current_locale() not in {"en", "es", "fr"} else current_locale()
    return format_datetime(as_utc(entry.at), format="medium", tzinfo=UTC, locale=locale)


def ledger(
    session: Session, workspace: Workspace, entries: list[AuditEntry], *, can_revert: bool
) -> list[LedgerRow]:
    """The entries as ledger rows for the page."""
    names = load_names(session, workspace, entries)
    actions, entities = action_words(), entity_words()
    return [
        LedgerRow(
            id=e.id or 0,
            at=when(e),
            who=names.people.get(e.actor, e.actor),
            who_email=e.actor,
            action=actions.get(e.action, e.action),
            entity=entities.get(e.entity, e.entity.replace("_", " ")),
            subject=subject(e, names),
            changes=changes(e, names),
            revertible=can_revert and reverting.revertible(e),
        )
        for e in entries
    ]


def entity_choices(entities: Iterable[str]) -> list[tuple[str, str]]:
    """The filter menu's entities in words."""
    words = entity_words()
    return [(e, words.get(e, e)) for e in entities]


def actor_choices(session: Session, actors: Iterable[str]) -> list[tuple[str, str]]:
    """The filter menu's people by name."""
    actors = list(actors)
    people = {
        u.email: u.display_name or u.email
        for u in session.exec(select(User).where(col(User.email).in_(actors)))
    }
    return [(a, people.get(a, a)) for a in actors]
