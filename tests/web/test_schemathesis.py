"""schemathesis against the app's own `/openapi.json`, in process, signed in with an API token
as the owner of the demo (and site administrator): no 5xx, and every response has the declared
content type and matches its declared schema. Runs on SQLite only (the test name carries
"sqlite" so `-k sqlite` selects it and `-k postgresql` does not).

Path parameters `workspace_id` point at the demo workspace so generated bodies reach the
services, not only the 404 of an unknown workspace.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from conftest import FIGURES, SEED_DIR, bearer
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)
from sqlmodel import Session, SQLModel

from app.config import Settings
from app.db import make_engine
from app.main import create_app
from app.seed import seed
from app.services import accounts
from app.services.workspaces import get_workspace_by_slug

CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 15


_DB = Path(tempfile.mkdtemp(prefix="nc-schemathesis-")) / "api.db"
APP = create_app(
    Settings(database_url=f"sqlite:///{_DB}", migrate_on_start=False, secret_key="schemathesis")
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
_STATE: dict[str, Any] = {}


@pytest.fixture(scope="module", autouse=True)
def signed_in_owner() -> Iterator[None]:
    """A migrated database with the catalogue and the demo, owned by a site administrator."""
    engine = make_engine(f"sqlite:///{_DB}")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        seed(session, SEED_DIR)
        demo = get_workspace_by_slug(session, "example-city")
        assert demo is not None
        admin = accounts.create_user(session, "api@example.org", admin=True)
        accounts.make_owner(session, demo.id or 0, admin.id or 0)
        session.commit()
        _STATE["headers"] = bearer(session, admin)
        _STATE["workspace_id"] = demo.id
    with TestClient(APP):  # runs the lifespan: the app gets its engine
        yield
    engine.dispose()
    shutil.rmtree(_DB.parent, ignore_errors=True)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema_on_sqlite(case: schemathesis.Case) -> None:
    if "workspace_id" in (case.path_parameters or {}):
        case.path_parameters["workspace_id"] = _STATE["workspace_id"]
    FIGURES["schemathesis examples run"] = FIGURES.get("schemathesis examples run", 0) + 1
    operations: set[str] = _STATE.setdefault("operations", set())
    operations.add(case.operation.label)
    FIGURES["schemathesis operations tested"] = len(operations)
    case.call_and_validate(headers=_STATE["headers"], checks=CHECKS)
