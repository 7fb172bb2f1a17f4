"""app.deps on its own, without the guard in front: the second line of defence must hold by
itself (the mutation run found that the guard's catalogue check hid `admin_actor`'s)."""

from __future__ import annotations

import pytest
from fastapi import HTTPException, Request

from app.deps import REQUIRED_ROLE, admin_actor, current_actor, current_user
from app.security import SignInRequired, safe_next
from app.services.accounts import CurrentUser


def _request(user: CurrentUser | None) -> Request:
    request = Request({"type": "http", "method": "POST", "path": "/", "headers": []})
    request.state.user = user
    return request


def test_admin_actor_refuses_everybody_but_site_administrators() -> None:
    admin = CurrentUser(1, "admin@example.org", "", is_admin=True)
    assert admin_actor(_request(admin)) == "admin@example.org"
    with pytest.raises(HTTPException) as denied:
        admin_actor(_request(CurrentUser(2, "owner@example.org", "", is_admin=False)))
    assert denied.value.status_code == 403
    with pytest.raises(SignInRequired):
        admin_actor(_request(None))


def test_current_user_and_actor() -> None:
    user = CurrentUser(3, "analyst@example.org", "Ana", is_admin=False)
    assert current_user(_request(user)) is user
    assert current_actor(_request(user)) == "analyst@example.org"
    with pytest.raises(SignInRequired):
        current_user(_request(None))


def test_each_workspace_dependency_names_its_role() -> None:
    assert sorted(REQUIRED_ROLE.values()) == ["analyst", "owner", "viewer"]
    for dependency, role in REQUIRED_ROLE.items():
        assert dependency.__nc_role__ == role  # type: ignore[attr-defined]
        assert dependency.__name__ == f"require_{role}"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/workspaces/1?scenario=2", "/workspaces/1?scenario=2"),
        ("/", "/"),
        (None, "/"),
        ("", "/"),
        ("evil.example/x", "/"),  # not a local path
        ("https://evil.example", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),  # browsers read /\ as //
    ],
)
def test_safe_next_keeps_only_local_paths(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected
