"""Seed loading is idempotent; workspace export/import is lossless on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, func, select

from app.cli import main
from app.config import PROJECT_ROOT
from app.db import make_engine
from app.errors import Conflict
from app.models import (
    Assessment,
    AuditEntry,
    CityProfile,
    Membership,
    Network,
    NetworkEligibilityRule,
    NetworkFamilyLink,
    NetworkFunctionTag,
    NetworkSource,
    Scenario,
    Workspace,
)
from app.seed import SeedDataError, load_catalogue_facts, seed
from app.services.transfer import dumps, export_workspace, import_workspace

SEED_DIR = PROJECT_ROOT / "seed_data"
TABLES = (
    Network,
    NetworkSource,
    NetworkFunctionTag,
    NetworkFamilyLink,
    NetworkEligibilityRule,
    Workspace,
    Membership,
    Assessment,
    Scenario,
)


def _counts(session: Session) -> dict[str, int]:
    return {m.__name__: session.exec(select(func.count()).select_from(m)).one() for m in TABLES}


def test_seeding_twice_changes_nothing(session: Session) -> None:
    first = seed(session, SEED_DIR)
    counts = _counts(session)
    second = seed(session, SEED_DIR)

    assert first.networks_added >= 50
    assert first.workspace_created
    assert first.facts_changed == (
        counts["NetworkFunctionTag"]
        + counts["NetworkFamilyLink"]
        + counts["NetworkEligibilityRule"]
    )
    assert (
        second.networks_added,
        second.networks_updated,
        second.workspace_created,
        second.facts_changed,
    ) == (0, 0, False, 0)
    assert _counts(session) == counts
    assert counts["NetworkFunctionTag"] >= 150
    assert counts["NetworkFamilyLink"] >= 10
    assert counts["NetworkEligibilityRule"] >= 10
    assert counts["Membership"] >= 18
    assert counts["Scenario"] == 3


def _copy_seed_dir(tmp_path: Path) -> Path:
    target = tmp_path / "seed"
    target.mkdir()
    for name in ("network_functions.csv", "network_families.csv", "eligibility_rules.yaml"):
        (target / name).write_text((SEED_DIR / name).read_text(encoding="utf-8"), encoding="utf-8")
    return target


def test_catalogue_facts_follow_the_files(
    demo: Workspace, session: Session, tmp_path: Path
) -> None:
    seed_dir = _copy_seed_dir(tmp_path)
    functions = seed_dir / "network_functions.csv"
    lines = functions.read_text(encoding="utf-8").splitlines(keepends=True)
    dropped = lines.pop(1)  # the first tag
    changed = [line.replace("The catalogue lists", "The table lists", 1) for line in lines[1:2]]
    functions.write_text("".join(lines[:1] + changed + lines[2:]), encoding="utf-8")

    assert load_catalogue_facts(session, seed_dir) == 2  # one removed, one note changed
    network, function = dropped.split(",")[:2]
    assert (
        session.exec(
            select(NetworkFunctionTag).where(
                NetworkFunctionTag.network_id == network, NetworkFunctionTag.function == function
            )
        ).first()
        is None
    )
    assert load_catalogue_facts(session, seed_dir) == 0
    assert load_catalogue_facts(session, SEED_DIR) == 2  # back to the shipped files


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        ("network_functions.csv", ",advocacy,catalogue:aimf", ",lobbying,catalogue:aimf",
         "'lobbying' is not a network function"),
        ("network_functions.csv", "aimf,advocacy,catalogue:aimf/main_services",
         "aimf,advocacy,somewhere", "is not a URL, a seed:<file> or a catalogue"),
        ("network_families.csv", "uclg,metropolis,section", "uclg,nowhere,section",
         "no network 'nowhere' in the catalogue"),
        ("eligibility_rules.yaml", "minimum: 250000", "minimum: -5", "minimum"),
    ],
)  # fmt: skip
def test_a_broken_fact_file_is_refused_and_nothing_changes(
    demo: Workspace, session: Session, tmp_path: Path, name: str, old: str, new: str, message: str
) -> None:
    seed_dir = _copy_seed_dir(tmp_path)
    path = seed_dir / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    before = _counts(session)

    with pytest.raises(SeedDataError, match=message):
        load_catalogue_facts(session, seed_dir)

    assert _counts(session) == before


def test_demo_profile_and_memberships_carry_the_new_fields(
    demo: Workspace, session: Session
) -> None:
    profile = session.get(CityProfile, demo.id)
    assert profile is not None
    assert (profile.population, profile.income_group, profile.capital_city) == (
        1_600_000,
        "high",
        False,
    )
    assert profile.world_heritage_site is None
    assert profile.travel_budget_minor == 3_600_000
    assert sum(profile.function_needs.values()) == 100
    memberships = {
        m.network_id: m
        for m in session.exec(select(Membership).where(Membership.workspace_id == demo.id))
    }
    assert memberships["c40"].travel_cost_minor == 900_000
    assert memberships["iclei"].fee_is_estimate
    assert not memberships["eurocities"].fee_is_estimate


def test_demo_is_marked_fictional(demo: Workspace) -> None:
    assert demo.fictional
    assert "fictional" in demo.notice.lower()


def test_export_import_export_is_byte_identical(
    demo: Workspace, session: Session, tmp_path: Path, database_url: str
) -> None:
    first = dumps(export_workspace(session, demo))

    other = (
        make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        if database_url.startswith("sqlite")
        else None
    )
    target_engine = other or _fresh_schema_engine(session)
    SQLModel.metadata.create_all(target_engine)
    with Session(target_engine) as target:
        imported = import_workspace(target, json.loads(first), actor="test")
        second = dumps(export_workspace(target, imported))
        assert target.exec(select(func.count()).select_from(Network)).one() == len(
            json.loads(first)["networks"]
        )
    target_engine.dispose()

    assert second == first
    assert json.loads(first)["assessments"], "the demo export carries its assessments"
    exported = json.loads(first)
    assert exported["profile"]["function_needs"]["sharing_information"] == 25.0
    assert exported["profile"]["travel_budget"] == "36000.00"
    iclei = next(m for m in exported["memberships"] if m["network_id"] == "iclei")
    assert (iclei["fee_is_estimate"], iclei["travel_cost"]) == (True, "2500.00")


def _fresh_schema_engine(session: Session) -> Engine:
    """A second, empty PostgreSQL schema next to the test's own (cleaned up with the test db)."""
    import uuid

    from sqlalchemy import text

    bind = session.get_bind()
    url = bind.url
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with bind.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        conn.commit()
    query = dict(url.query) | {"options": f"-csearch_path={schema}"}
    return make_engine(url.set(query=query).render_as_string(hide_password=False))


def test_import_refuses_an_existing_slug_and_changes_nothing(
    demo: Workspace, session: Session
) -> None:
    data = export_workspace(session, demo)
    before = _counts(session)
    with pytest.raises(Conflict):
        import_workspace(session, data, actor="test")
    assert _counts(session) == before


def test_import_is_all_or_nothing(demo: Workspace, session: Session) -> None:
    data = export_workspace(session, demo)
    data["workspace"]["slug"] = "copy"
    data["assessments"].append({"network_id": "c40"})  # malformed: no criterion
    before = _counts(session)
    with pytest.raises(ValueError, match="malformed"):
        import_workspace(session, data, actor="test")
    assert _counts(session) == before


def test_cli_seed_export_import(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CLI migrates an empty database itself (no create_all here)."""
    assert main(["--database-url", database_url, "seed"]) == 0
    first = capsys.readouterr().out
    assert main(["--database-url", database_url, "seed"]) == 0
    second = capsys.readouterr().out
    assert "0 networks added, 0 updated" in second
    assert first.splitlines()[-1] == second.splitlines()[-1]  # same row counts

    out = tmp_path / "export.json"
    assert (
        main(["--database-url", database_url, "export-workspace", "example-city", "-o", str(out)])
        == 0
    )
    assert main(["--database-url", database_url, "import-workspace", str(out)]) == 2  # slug exists
    assert "already exists" in capsys.readouterr().err
    engine = make_engine(database_url)
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(AuditEntry)).one() == 0
        assert s.exec(select(func.count()).select_from(Workspace)).one() == 1
    engine.dispose()
