"""Browser tests: headless Debian Chromium (Playwright) against a live uvicorn server.

The server runs in a subprocess on a free port against a temporary SQLite database with the
catalogue and the fictional demo loaded. The tests move a slider and watch the ranking change
without a page load, rank criteria and watch the weights change, enter an invalid score and
see the inline error, save a scenario and compare it, and run axe-core on every page (no
serious or critical violation). Screenshots go to ``$NC_SCREENSHOTS``
(default ``test-artifacts/screenshots``); the folder is printed.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright import sync_api as playwright_sync
from playwright.sync_api import Page
from sqlmodel import Session

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
EMAIL = "browser@example.org"
PASSWORD = "correct horse battery staple 42"
SHOTS = Path(os.environ.get("NC_SCREENSHOTS", "test-artifacts/screenshots"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, database URL) of a live server with the demo loaded."""
    from app.config import PROJECT_ROOT
    from app.db import make_engine, migrate
    from app.seed import seed

    db_url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'browser.db'}"
    engine = make_engine(db_url)
    migrate(engine)
    with Session(engine) as session:
        seed(session, PROJECT_ROOT / "seed_data", demo=True)
    engine.dispose()
    port = _free_port()
    env = os.environ | {
        "NC_DATABASE_URL": db_url,
        "NC_MIGRATE_ON_START": "false",
        "NC_LOAD_DEMO": "false",
        "NC_SECRET_KEY": "browser-test-secret",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            pytest.fail("the server did not start")
        yield base, db_url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _sign_in(page: Page, base: str, db_url: str) -> None:
    """Create an owner of the demo (once) and sign in through the login form."""
    from app.db import make_engine
    from app.services import accounts
    from app.services import workspaces as ws

    engine = make_engine(db_url)
    with Session(engine) as session:
        if accounts.get_user_by_email(session, EMAIL) is None:
            user = accounts.create_user(session, EMAIL, password=PASSWORD)
            workspace = ws.get_workspace_by_slug(session, "example-city")
            assert workspace is not None
            accounts.make_owner(session, workspace.id or 0, user.id or 0)
            session.commit()
    engine.dispose()
    page.goto(f"{base}/login")
    page.fill('input[name="email"]', EMAIL)
    page.fill('input[name="password"]', PASSWORD)
    with page.expect_navigation():
        page.click('form[action="/login"] button[type="submit"]')


@pytest.fixture(scope="module")
def browser_page(server: tuple[str, str]) -> Iterator[tuple[Page, str, int]]:
    base, db_url = server
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        _sign_in(page, base, db_url)
        page.goto(f"{base}/")
        href = page.locator('a[href^="/workspaces/"]').first.get_attribute("href")
        assert href is not None
        workspace_id = int(href.split("/")[2])
        yield page, base, workspace_id
        browser.close()


def _axe(page: Page, name: str) -> None:
    """No serious or critical axe-core violation; a full-page screenshot."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.add_script_tag(url="/static/vendor/axe.min.js")
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""
    )
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not bad, f"{name}: {json.dumps(bad, indent=1)}"


def _order(page: Page) -> list[str]:
    return page.eval_on_selector_all(  # type: ignore[no-any-return]
        "#ranking tr[data-network]", "rows => rows.map(r => r.dataset.network)"
    )


def test_slider_reranks_without_a_page_load(browser_page: tuple[Page, str, int]) -> None:
    page, base, wid = browser_page
    page.goto(f"{base}/workspaces/{wid}/priorities")
    page.evaluate("window.__still_here = true")
    before = _order(page)
    for key, value in (("annual_fee", "100"), ("openness_inclusion", "0")):
        with page.expect_response(
            lambda r: (
                r.url.endswith("/priorities/preview")
                and r.request.headers.get("hx-request") == "true"
            )
        ) as info:
            page.locator(f"#w_{key}").fill(value)
        assert info.value.status == 200
    page.wait_for_timeout(300)
    after = _order(page)
    assert after != before
    assert sorted(after) == sorted(before)
    assert page.evaluate("window.__still_here === true")
    assert page.locator("output[for=w_annual_fee]").inner_text() == "100"


def test_ranking_criteria_updates_the_weights(browser_page: tuple[Page, str, int]) -> None:
    page, base, wid = browser_page
    page.goto(f"{base}/workspaces/{wid}/priorities")
    page.click("#tool-roc summary")
    rows = page.locator("#roc-list .roc-row")
    count = rows.count()
    rows.last.focus()
    for _ in range(count - 1):  # the last criterion becomes the most important
        page.keyboard.press("Alt+ArrowUp")
    first = rows.first.get_attribute("data-key")
    last = rows.last.get_attribute("data-key")
    with page.expect_response(lambda r: r.url.endswith("/priorities/roc")):
        page.click("#tool-roc button:has-text('Use these weights')")
    # 15 criteria: (1/15) * H(15) = 22.1 points for the first, (1/15)^2 = 0.4 for the last
    page.wait_for_selector(f"#w_{first}[value='22.1']")
    assert page.locator(f"#w_{last}").input_value() == "0.4"


def test_invalid_score_shows_the_inline_error(browser_page: tuple[Page, str, int]) -> None:
    page, base, wid = browser_page
    page.goto(f"{base}/workspaces/{wid}/networks/iclei/assess")
    page.evaluate("document.querySelector('input[name=score_sharp_focus]').value = '9'")
    page.check("input[name=score_sharp_focus] >> nth=0")
    page.fill("#source_sharp_focus", "not a link")
    page.evaluate("window.__still_here = true")
    with page.expect_response(lambda r: r.url.endswith("/assess")) as info:
        page.click("text=Save assessments")
    assert info.value.status == 422
    error = page.locator("#score_sharp_focus-error")
    error.wait_for()
    assert "whole number from 1 to 5" in error.inner_text()
    assert "starts with http" in page.locator("#source_sharp_focus-error").inner_text()
    assert page.evaluate("window.__still_here === true")
    _axe(page, "assessment-editor-errors")


def test_save_a_scenario_and_compare_it(browser_page: tuple[Page, str, int]) -> None:
    page, base, wid = browser_page
    page.goto(f"{base}/workspaces/{wid}/priorities")
    page.locator("#w_annual_fee").fill("80")
    page.fill("#scenario-name", "Browser: fees first")
    with page.expect_navigation():
        page.click("text=Save as scenario")
    assert "Browser: fees first" in page.content()
    page.goto(f"{base}/workspaces/{wid}/scenarios")
    page.check("tr:has-text('Browser: fees first') input[type=checkbox]")
    page.check("tr:has-text('Balanced') input[type=checkbox]")
    with page.expect_navigation():
        page.click("text=Compare the ticked scenarios")
    table = page.locator("table.compare").inner_text()
    assert "Browser: fees first" in table
    assert "Balanced" in table
    _axe(page, "scenario-compare")


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("dashboard", ""),
        ("priorities", "/priorities"),
        ("network-detail", "/networks/c40"),
        ("assessment-editor", "/networks/iclei/assess"),
        ("city-profile", "/profile?q=a"),
        ("scenarios", "/scenarios"),
        ("portfolio", "/portfolio"),
        ("robustness", "/robustness?samples=1000"),
        ("overlap", "/overlap"),
        ("members", "/members"),
        ("audit-log", "/audit"),
    ],
)
def test_every_page_passes_axe(browser_page: tuple[Page, str, int], name: str, path: str) -> None:
    page, base, wid = browser_page
    response = page.goto(f"{base}/workspaces/{wid}{path}")
    assert response is not None
    assert response.status == 200
    _axe(page, name)


def test_phone_layout_has_no_sideways_scroll(browser_page: tuple[Page, str, int]) -> None:
    page, base, wid = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        page.goto(f"{base}/workspaces/{wid}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 400
        _axe(page, "dashboard-phone")
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})
