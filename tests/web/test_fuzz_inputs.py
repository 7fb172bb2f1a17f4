"""Hostile input everywhere: Hypothesis builds requests from the app's own route table (every
path and query parameter) and from every HTML form the workspace pages carry (every field),
puts one hostile value in one place (huge and non-ASCII numbers, NaN, NUL bytes, over-long
text...), and sends it signed in as each role. No response is a 5xx, and a rejected request
(4xx) changes nothing: the row counts of every table and the audit checksum stay as they were
(the access matrix's helpers). The number of requests sent is printed in the summary.

Derandomised with a bounded example count so that a CI run stays under about a minute per
database; deletions are never fuzzed with otherwise real parameters (they would empty the demo).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import FIGURES
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session
from test_access_matrix import _APP_ROUTES, ROUTES, World, _state

HOSTILE = (
    "\u00b2",  # superscript two: isdigit() but not int()
    "\u0661\u0662",  # Arabic-Indic digits
    "99999999999999999999",
    str(2**63),
    str(2**63 - 1),
    str(2**31),  # one more than a PostgreSQL INTEGER holds
    "-1",
    "0",
    "1e400",
    "-1e400",
    "NaN",
    "Infinity",
    "-Infinity",
    "1" * 400,
    "a\x00b",
    "\x00",
    "x" * 20_000,
    "",
    " ",
    "%",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "1,5",
    "0x10",
    "\uff11\uff12",  # fullwidth digits
)
ROLES = ("viewer", "analyst", "owner", "outsider")
SKIPPED_ACTIONS = re.compile(r"(delete|remove|revoke|sign-?out|logout|leave|disable|close)", re.I)
"""Forms that end something: fuzzing them with real ids left intact could end the demo."""
MAX_EXAMPLES = 250


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)


class _Forms(HTMLParser):
    """The forms of a page: action, method and the names and values of their fields."""

    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: list[Form] = []
        self._current: Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = a.get("action") or a.get("hx-post") or self.page_url
            method = "post" if a.get("hx-post") else a.get("method", "get").lower()
            self._current = Form(urlsplit(action).path or self.page_url, method)
            self.forms.append(self._current)
        elif tag in {"input", "select", "textarea", "button"} and self._current is not None:
            name = a.get("name")
            if name and name != "csrf_token":
                self._current.fields.setdefault(name, a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


@dataclass(frozen=True)
class Target:
    """One place to put a hostile value: a path parameter, a query parameter or a form field."""

    method: str
    path: str  # the route's path template, or a form's action
    where: str  # path | query | form
    name: str
    form: tuple[tuple[str, str], ...] = ()


def _route_targets() -> list[Target]:
    targets: list[Target] = []
    for path, method in ROUTES:
        route = _APP_ROUTES[(path, method)]
        if method == "DELETE":
            targets += [Target(method, path, "path", n) for n in re.findall(r"{(\w+)", path)]
            continue
        targets += [Target(method, path, "path", n) for n in re.findall(r"{(\w+)", path)]
        targets += [
            Target(method, path, "query", q.alias or q.name) for q in route.dependant.query_params
        ]
    return targets


def _form_targets(client: TestClient, world: World) -> list[Target]:
    """Every field of every form on the demo's GET pages (as its owner)."""
    seen: set[tuple[str, str, str]] = set()
    targets: list[Target] = []
    for path, method in ROUTES:
        if method != "GET" or not world.all_real(path) or ("{" not in path and "/api/" in path):
            continue
        if "/api/" in path or path.endswith((".csv", ".xlsx", ".ics", ".pdf", ".docx", "}")):
            continue
        url = world.url(path, "owner")
        page = client.get(url, headers=world.headers["owner"])
        if page.status_code != 200 or "text/html" not in page.headers.get("content-type", ""):
            continue
        parser = _Forms(url)
        parser.feed(page.text)
        for form in parser.forms:
            if SKIPPED_ACTIONS.search(form.action):
                continue
            for name in form.fields:
                key = (form.action, form.method, name)
                if key in seen:
                    continue
                seen.add(key)
                targets.append(
                    Target(
                        form.method.upper(),
                        form.action,
                        "form",
                        name,
                        tuple(form.fields.items()),
                    )
                )
    return targets


def _send(client: TestClient, world: World, target: Target, value: str, role: str) -> Any:
    headers = world.headers[role]
    if target.where == "form":
        data = dict(target.form) | {target.name: value}
        if target.method == "GET":
            return client.get(target.path, params=data, headers=headers)
        return client.post(target.path, data=data, headers=headers, follow_redirects=False)
    path = target.path
    query: dict[str, str] = {}
    if target.where == "path":
        path = path.replace("{" + target.name + "}", "\x01")
        path = world.url(path, role).replace("\x01", _quote(value))
    else:
        path = world.url(path, role)
        query[target.name] = value
    body: Any = {} if target.method in {"POST", "PUT", "PATCH"} else None
    return client.request(
        target.method, path, params=query, json=body, headers=headers, follow_redirects=False
    )


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="") or "%20"


@pytest.fixture
def fuzz_world(session: Session) -> World:
    return World(session)


def test_hostile_values_never_give_a_5xx_and_refusals_change_nothing(
    app: Any, session: Session, fuzz_world: World
) -> None:
    world = fuzz_world
    with TestClient(app, raise_server_exceptions=False) as client:
        targets = _route_targets() + _form_targets(client, world)
        forms = sum(1 for t in targets if t.where == "form")
        FIGURES["fuzz targets (path/query parameters)"] = len(targets) - forms
        FIGURES["fuzz targets (HTML form fields)"] = forms
        assert forms > 50, "the crawl found too few form fields: is the demo loaded?"
        sent: list[str] = []

        @settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(
            target=st.sampled_from(targets),
            value=st.sampled_from(HOSTILE),
            role=st.sampled_from(ROLES),
        )
        def one(target: Target, value: str, role: str) -> None:
            before = _state(session)
            response = _send(client, world, target, value, role)
            sent.append(f"{target.method} {target.path}")
            where = (
                f"{target.method} {target.path} {target.where}:{target.name}={value[:30]!r} "
                f"as {role}: {response.status_code} {response.text[:300]}"
            )
            assert response.status_code < 500, where
            if response.status_code >= 400:
                assert _state(session) == before, f"{where}: a refused request changed data"

        one()
        # Every target once too (a fixed sweep, not sampled): an id one past a PostgreSQL
        # INTEGER in paths and queries, a superscript digit in form fields.
        for target in targets:
            value = "\u00b2" if target.where == "form" else str(2**31)
            one.hypothesis.inner_test(target=target, value=value, role="owner")  # type: ignore[attr-defined]
        FIGURES["fuzz requests sent"] = FIGURES.get("fuzz requests sent", 0) + len(sent)
        FIGURES["fuzz routes and forms reached"] = len(set(sent))
