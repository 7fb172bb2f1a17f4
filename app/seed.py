"""Load the network catalogue and the fictional demo workspace from `seed_data/`.

Both loads are idempotent: loading twice changes nothing. Catalogue rows are inserted when
missing and updated only when the seed file's facts differ; the demo workspace is created only
when no workspace has its slug.

The catalogue's further facts (`network_functions.csv`, `network_families.csv`,
`eligibility_rules.yaml`) are validated with the core's parsers (a function key, a family link,
a rule, and a citation in one of the forms of `criteria.citations`) and then synchronised: rows
missing from the database are added, rows whose facts differ are updated and rows no longer in
the files are removed, so the tables always say what the files say.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, select

from app.models import (
    Assessment,
    CityProfile,
    CustomGate,
    GateAnswer,
    Membership,
    Network,
    NetworkEligibilityRule,
    NetworkFamilyLink,
    NetworkFunctionTag,
    NetworkSource,
    Outcome,
    Scenario,
    Workspace,
)
from app.services.catalogue import sources_of
from app.services.common import to_minor
from criteria import (
    CriteriaError,
    function_of,
    is_source,
    parse_family_link,
    parse_function_needs,
    parse_rule,
)

log = logging.getLogger(__name__)

LIST_COLUMNS = {"thematic_tags": "themes", "main_services": "services"}
RENAMED = {"pop_up_or_time_bound": "format"}
SEED_ACTOR = "seed"


FUNCTIONS_FILE = "network_functions.csv"
FAMILIES_FILE = "network_families.csv"
RULES_FILE = "eligibility_rules.yaml"


@dataclass(frozen=True)
class SeedReport:
    networks_added: int = 0
    networks_updated: int = 0
    workspace_created: bool = False
    facts_changed: int = (
        0  # function tags, family links and eligibility rules added/changed/removed
    )


class SeedDataError(ValueError):
    """A seed file breaks a rule; the message names the file and the row."""


def read_catalogue(seed_dir: Path) -> list[dict[str, Any]]:
    """Rows of `networks.csv` as model fields plus a `sources` list."""
    rows: list[dict[str, Any]] = []
    with (seed_dir / "networks.csv").open(newline="", encoding="utf-8") as handle:
        for raw in csv.DictReader(handle):
            row: dict[str, Any] = {}
            for column, value in raw.items():
                value = (value or "").strip()
                if column in LIST_COLUMNS:
                    row[LIST_COLUMNS[column]] = [v for v in value.split(";") if v]
                elif column == "sources":
                    row["sources"] = [v for v in value.split(";") if v]
                else:
                    row[RENAMED.get(column, column)] = value
            rows.append(row)
    return rows


def load_catalogue(session: Session, seed_dir: Path) -> tuple[int, int]:
    """Insert missing networks, refresh changed ones. Returns (added, updated)."""
    added = updated = 0
    rows = read_catalogue(seed_dir)
    existing_sources = sources_of(session, [r["id"] for r in rows])
    for row in rows:
        sources = row.pop("sources")
        network = session.get(Network, row["id"])
        if network is None:
            session.add(Network(**row))
            session.flush()
            added += 1
        else:
            changed = {k: v for k, v in row.items() if getattr(network, k) != v}
            if not changed and existing_sources[row["id"]] == sources:
                continue
            for key, value in changed.items():
                setattr(network, key, value)
            network.version += 1
            for old in session.exec(
                select(NetworkSource).where(NetworkSource.network_id == row["id"])
            ):
                session.delete(old)
            session.flush()
            updated += 1
        for position, url in enumerate(sources):
            session.add(NetworkSource(network_id=row["id"], position=position, url=url))
    session.commit()
    return added, updated


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def _check_source(file: str, line: int, source: str) -> None:
    if not is_source(source):
        raise SeedDataError(
            f"{file}, row {line}: '{source}' is not a URL, a seed:<file> or a "
            "catalogue:<network>/<column> citation"
        )


def read_functions(seed_dir: Path, known: set[str]) -> dict[tuple[str, str], dict[str, Any]]:
    """`network_functions.csv` as ``{(network, function): fields}``; raises SeedDataError."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for line, row in enumerate(_read_csv(seed_dir / FUNCTIONS_FILE), start=2):
        where = f"{FUNCTIONS_FILE}, row {line}"
        try:
            function_of(row["function"])
        except CriteriaError as exc:
            raise SeedDataError(f"{where}: {exc}") from None
        if row["network_id"] not in known:
            raise SeedDataError(f"{where}: no network '{row['network_id']}' in the catalogue")
        _check_source(FUNCTIONS_FILE, line, row["source"])
        key = (row["network_id"], row["function"])
        if key in rows:
            raise SeedDataError(f"{where}: {key[0]} is tagged '{key[1]}' twice")
        rows[key] = {"source": row["source"], "note": row.get("note", "")}
    return rows


def read_families(seed_dir: Path, known: set[str]) -> dict[tuple[str, str], dict[str, Any]]:
    """`network_families.csv` as ``{(parent, child): fields}``; raises SeedDataError."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for line, row in enumerate(_read_csv(seed_dir / FAMILIES_FILE), start=2):
        where = f"{FAMILIES_FILE}, row {line}"
        try:
            link = parse_family_link(row)
        except CriteriaError as exc:
            raise SeedDataError(f"{where}: {exc}") from None
        for network in (link.parent, link.child):
            if network not in known:
                raise SeedDataError(f"{where}: no network '{network}' in the catalogue")
        for source in link.sources:
            _check_source(FAMILIES_FILE, line, source)
        key = (link.parent, link.child)
        if key in rows or (link.child, link.parent) in rows:
            raise SeedDataError(f"{where}: {key[0]} and {key[1]} are linked twice")
        rows[key] = {
            "relation": str(link.relation),
            "source": link.source,
            "rule": str(link.rule),
            "rule_source": link.rule_source,
            "note": link.note,
        }
    return rows


def read_rules(seed_dir: Path, known: set[str]) -> dict[tuple[str, str], dict[str, Any]]:
    """`eligibility_rules.yaml` as ``{(network, kind): fields}``; raises SeedDataError."""
    data = yaml.safe_load((seed_dir / RULES_FILE).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise SeedDataError(f"{RULES_FILE}: expected a mapping with a list under 'rules'")
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for index, item in enumerate(data["rules"], start=1):
        where = f"{RULES_FILE}, rule {index}"
        try:
            rule = parse_rule(item)
        except CriteriaError as exc:
            raise SeedDataError(f"{where}: {exc}") from None
        if rule.network not in known:
            raise SeedDataError(f"{where}: no network '{rule.network}' in the catalogue")
        if not is_source(rule.source):
            raise SeedDataError(f"{where}: '{rule.source}' is not a citation")
        key = (rule.network, str(rule.kind))
        if key in rows:
            raise SeedDataError(f"{where}: {key[0]} has two '{key[1]}' rules")
        rows[key] = {
            "minimum": rule.minimum,
            "capital_exempt": rule.capital_exempt,
            "regions": list(rule.regions),
            "status": rule.status,
            "source": rule.source,
            "note": rule.note,
        }
    return rows


_FactRow = NetworkFunctionTag | NetworkFamilyLink | NetworkEligibilityRule


def _sync(
    session: Session,
    model: type[_FactRow],
    key_columns: tuple[str, str],
    wanted: dict[tuple[str, str], dict[str, Any]],
) -> int:
    """Make the table hold exactly ``wanted``; returns rows added, changed or removed."""
    changed = 0
    existing = {
        (getattr(row, key_columns[0]), getattr(row, key_columns[1])): row
        for row in session.exec(select(model))
    }
    for key, row in existing.items():
        if key not in wanted:
            session.delete(row)
            changed += 1
    for key, fields in wanted.items():
        found = existing.get(key)
        if found is None:
            values: dict[str, Any] = dict(zip(key_columns, key, strict=True)) | fields
            session.add(model.model_validate(values))
            changed += 1
        elif any(getattr(found, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(found, name, value)
            changed += 1
    return changed


def load_catalogue_facts(session: Session, seed_dir: Path) -> int:
    """Synchronise function tags, family links and eligibility rules with the seed files.

    All three files are read and checked before anything is written; returns how many rows
    were added, changed or removed (0 on a second run).
    """
    known = set(session.exec(select(Network.id)).all())
    functions = read_functions(seed_dir, known)
    families = read_families(seed_dir, known)
    rules = read_rules(seed_dir, known)
    changed = _sync(session, NetworkFunctionTag, ("network_id", "function"), functions)
    changed += _sync(session, NetworkFamilyLink, ("parent_id", "child_id"), families)
    changed += _sync(session, NetworkEligibilityRule, ("network_id", "kind"), rules)
    session.commit()
    return changed


def _money(value: Any) -> int:
    return to_minor(Decimal(str(value)))


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def load_demo(session: Session, seed_dir: Path) -> bool:
    """Create the fictional demo workspace unless it exists. Returns True when created."""
    data = yaml.safe_load((seed_dir / "demo" / "example-city.yaml").read_text(encoding="utf-8"))
    meta = data["workspace"]
    if session.exec(select(Workspace).where(Workspace.slug == meta["slug"])).first() is not None:
        return False
    workspace = Workspace(
        slug=meta["slug"],
        name=meta["name"],
        fictional=bool(meta.get("fictional", False)),
        notice=meta.get("notice", ""),
        framework=meta.get("framework", "ideal-network"),
    )
    session.add(workspace)
    session.flush()
    wid = workspace.id or 0
    p = data["profile"]
    session.add(
        CityProfile(
            workspace_id=wid,
            region=p.get("region") or "",
            country=p.get("country"),
            population_band=p.get("population_band") or "",
            currency=p.get("currency", "EUR"),
            fee_budget_minor=None if p.get("fee_budget") is None else _money(p["fee_budget"]),
            travel_budget_minor=None
            if p.get("travel_budget") is None
            else _money(p["travel_budget"]),
            staff_hours_budget=p.get("staff_hours_budget"),
            priority_themes={str(k): float(v) for k, v in (p.get("priority_themes") or {}).items()},
            population=p.get("population"),
            income_group=p.get("income_group"),
            gni_per_capita_usd=p.get("gni_per_capita_usd"),
            world_heritage_site=p.get("world_heritage_site"),
            capital_city=p.get("capital_city"),
            function_needs=parse_function_needs(p.get("function_needs") or {}),
        )
    )
    for m in data.get("memberships", []):
        membership = Membership(
            workspace_id=wid,
            network_id=m["network"],
            status=m["status"],
            since=_date(m.get("since")),
            annual_fee_minor=_money(m.get("annual_fee", "0")),
            fee_is_estimate=bool(m.get("fee_is_estimate", False)),
            travel_cost_minor=_money(m.get("travel_cost", "0")),
            staff_hours=int(m.get("staff_hours") or 0),
            engagement=m.get("engagement"),
            roles=list(m.get("roles") or []),
            renewal_date=_date(m.get("renewal_date")),
            notice_days=m.get("notice_days"),
            lock=m.get("lock"),
            notes=m.get("notes") or "",
        )
        session.add(membership)
        session.flush()
        for o in m.get("outcomes") or []:
            session.add(
                Outcome(
                    membership_id=membership.id or 0,
                    year=int(o["year"]),
                    kind=o["kind"],
                    title=o["title"],
                    amount_minor=None if o.get("amount") is None else _money(o["amount"]),
                )
            )
    for g in data.get("custom_gates") or []:
        session.add(CustomGate(workspace_id=wid, key=g["key"], definition=dict(g)))
    for g in data.get("gates") or []:
        session.add(
            GateAnswer(
                workspace_id=wid,
                network_id=g["network"],
                gate=g["gate"],
                answer=g.get("answer"),
                note=g.get("note") or "",
            )
        )
    for a in data.get("assessments", []):
        session.add(
            Assessment(
                workspace_id=wid,
                network_id=a["network"],
                criterion=a["criterion"],
                assessor=a["assessor"],
                score=a.get("score"),
                evidence=a.get("evidence") or "",
                source_url=a.get("source_url"),
                confidence=a.get("confidence", "medium"),
            )
        )
    for s in data.get("scenarios", []):
        session.add(
            Scenario(
                workspace_id=wid,
                name=s["name"],
                description=s.get("description") or "",
                method=s.get("method", "weighted_sum"),
                weights={str(k): float(v) for k, v in s["weights"].items()},
                options=dict(s.get("options") or {}),
            )
        )
    session.commit()
    log.info("demo workspace '%s' created", meta["slug"])
    return True


def seed(session: Session, seed_dir: Path, *, demo: bool = True) -> SeedReport:
    """Load the catalogue and (optionally) the demo. Safe to run any number of times."""
    added, updated = load_catalogue(session, seed_dir)
    facts = load_catalogue_facts(session, seed_dir)
    created = load_demo(session, seed_dir) if demo else False
    return SeedReport(
        networks_added=added,
        networks_updated=updated,
        workspace_created=created,
        facts_changed=facts,
    )
