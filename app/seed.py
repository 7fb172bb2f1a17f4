"""Load the network catalogue and the fictional demo workspace from `seed_data/`.

Both loads are idempotent: loading twice changes nothing. Catalogue rows are inserted when
missing and updated only when the seed file's facts differ; the demo workspace is created only
when no workspace has its slug.
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
    NetworkSource,
    Outcome,
    Scenario,
    Workspace,
)
from app.services.catalogue import sources_of
from app.services.common import to_minor

log = logging.getLogger(__name__)

LIST_COLUMNS = {"thematic_tags": "themes", "main_services": "services"}
RENAMED = {"pop_up_or_time_bound": "format"}
SEED_ACTOR = "seed"


@dataclass(frozen=True)
class SeedReport:
    networks_added: int = 0
    networks_updated: int = 0
    workspace_created: bool = False


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
            staff_hours_budget=p.get("staff_hours_budget"),
            priority_themes={str(k): float(v) for k, v in (p.get("priority_themes") or {}).items()},
        )
    )
    for m in data.get("memberships", []):
        membership = Membership(
            workspace_id=wid,
            network_id=m["network"],
            status=m["status"],
            since=_date(m.get("since")),
            annual_fee_minor=_money(m.get("annual_fee", "0")),
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
    created = load_demo(session, seed_dir) if demo else False
    return SeedReport(networks_added=added, networks_updated=updated, workspace_created=created)
