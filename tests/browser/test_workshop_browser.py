"""A workshop end to end in headless Chromium: a facilitator and three phones (four browser
contexts, the phones at 390 px) run a round on the demo.

The facilitator opens the workshop from the form and projects its screen; each phone joins
by code, moves a slider (its own ranking re-renders through htmx) and submits. The
projector's room block follows through Server-Sent Events, without a reload; the votes stay
hidden until the facilitator reveals them, and then the phones see the room's weights too.
Every workshop page passes axe-core (no serious or critical violation) and has no sideways
scrolling at 390 px. Screenshots go to ``$NC_SCREENSHOTS``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright import sync_api as playwright_sync
from playwright.sync_api import Browser, BrowserContext, Page
from sqlmodel import Session

from tests.browser.test_browser import ARGS, CHROMIUM, SHOTS, _free_port

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
EMAIL = "facilitator@example.org"
PASSWORD = "correct horse battery staple 42"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, database URL) of a live server with the demo and a facilitator."""
    from app.config import PROJECT_ROOT
    from app.db import make_engine, migrate
    from app.seed import seed
    from app.services import accounts
    from app.services import workspaces as ws

    db_url = f"sqlite:///{tmp_path_factory.mktemp('workshop') / 'workshop.db'}"
    engine = make_engine(db_url)
    migrate(engine)
    with Session(engine) as session:
        seed(session, PROJECT_ROOT / "seed_data", demo=True)
        user = accounts.create_user(session, EMAIL, password=PASSWORD)
        workspace = ws.get_workspace_by_slug(session, "example-city")
        assert workspace is not None
        accounts.make_owner(session, workspace.id or 0, user.id or 0)
        session.commit()
    engine.dispose()
    port = _free_port()
    env = os.environ | {
        "NC_DATABASE_URL": db_url,
        "NC_MIGRATE_ON_START": "false",
        "NC_LOAD_DEMO": "false",
        "NC_SECRET_KEY": "workshop-browser-secret",
    }
    command = [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    command += ["--timeout-graceful-shutdown", "1"]
    proc = subprocess.Popen(command, cwd=ROOT, env=env)
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
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with playwright_sync.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


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


def _no_sideways_scroll(page: Page) -> None:
    wide = page.evaluate(
        """(limit) => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > limit && !e.closest('.table-wrap'))
            .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right)""",
        PHONE["width"] + 10,
    )
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 10, wide


def _facilitator(browser: Browser, base: str) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base)
    page = context.new_page()
    page.goto("/login")
    page.fill('input[name="email"]', EMAIL)
    page.fill('input[name="password"]', PASSWORD)
    with page.expect_navigation():
        page.click('form[action="/login"] button[type="submit"]')
    return context, page


def _join(
    browser: Browser, base: str, code: str, name: str, lang: str
) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport=PHONE, base_url=base, has_touch=True)
    page = context.new_page()
    page.goto(f"/w/{code}?lang={lang}")
    page.fill("#display_name", name)
    with page.expect_navigation():
        page.click('form[action$="/join"] button[type="submit"]')
    page.wait_for_selector("#vote-form")
    return context, page


def test_a_facilitator_and_three_phones_run_a_round(
    server: tuple[str, str], browser: Browser
) -> None:
    base, _ = server
    contexts: list[BrowserContext] = []
    try:
        context, screen = _facilitator(browser, base)
        contexts.append(context)
        screen.goto("/")
        href = screen.locator('a[href^="/workspaces/"]').first.get_attribute("href")
        assert href is not None
        workspace_id = int(href.split("/")[2])
        screen.goto(f"/workspaces/{workspace_id}/workshops")
        _axe(screen, "workshops")
        screen.fill("#title", "Which networks next year?")
        screen.select_option("#scenario_id", index=1)
        screen.fill("#groups", "Council, City staff")
        with screen.expect_navigation():
            screen.click('form[action$="/workshops"] button[type="submit"]')
        code = screen.locator(".join-code").inner_text().strip()
        assert re.fullmatch(r"[A-Z0-9]{6}", code)
        screen.wait_for_selector('#room .room-state[data-participants="0"]')
        screen.evaluate("window.__still_here = true")

        phones: list[Page] = []
        for name, lang in (("Ana", "en"), ("Bruno", "es"), ("Chloé", "fr")):
            context, phone = _join(browser, base, code, name, lang)
            contexts.append(context)
            phones.append(phone)
        assert "Sus prioridades" in phones[1].content()
        assert "Vos priorités" in phones[2].content()
        screen.wait_for_selector('#room .room-state[data-participants="3"]')

        for number, phone in enumerate(phones):
            before = phone.eval_on_selector_all(
                "#mine tr[data-network]", "rows => rows.map(r => r.dataset.network)"
            )
            with phone.expect_response(
                lambda r: (
                    r.url.endswith("/preview") and r.request.headers.get("hx-request") == "true"
                )
            ) as preview:
                phone.locator("#w_annual_fee").fill(str(100 - 30 * number))
            assert preview.value.status == 200
            phone.locator("#w_relevant_agenda").fill(str(10 + 40 * number))
            phone.wait_for_timeout(400)
            after = phone.eval_on_selector_all(
                "#mine tr[data-network]", "rows => rows.map(r => r.dataset.network)"
            )
            assert sorted(after) == sorted(before)
            with phone.expect_response(lambda r: r.url.endswith("/submit")) as submitted:
                phone.click("#submit-vote")
            assert submitted.value.status == 200
            phone.wait_for_selector("#vote .alert-success")
            _no_sideways_scroll(phone)

        # The projector follows without a reload; the votes are still hidden.
        screen.wait_for_selector('#room .room-state[data-submitted="3"]', timeout=10_000)
        assert screen.evaluate("window.__still_here === true")
        assert screen.locator("#consensus").count() == 0
        assert screen.locator("#room .who li.done").count() == 3
        assert phones[0].locator("#room-weights").count() == 0
        _axe(screen, "workshop-screen-hidden")

        with screen.expect_response(lambda r: r.url.endswith("/reveal")):
            screen.click("#reveal")
        screen.wait_for_selector("#consensus", timeout=10_000)
        assert screen.evaluate("window.__still_here === true")
        consensus = float(screen.get_attribute("#consensus", "data-consensus") or "nan")
        assert 0.0 <= consensus <= 1.0
        assert (
            screen.locator("#aggregate tr[data-criterion]").count() == 15
        )  # the framework's criteria
        assert screen.locator("#heat tbody tr").count() == 3
        assert screen.locator("#robust-core").count() == 1
        assert screen.locator("#top-choices li").count() == 3
        _axe(screen, "workshop-screen-revealed")
        for phone in phones:
            phone.wait_for_selector("#room-weights", timeout=10_000)
        assert "Bruno" in phones[0].locator("#room-weights").inner_text()
        _axe(phones[0], "workshop-phone-revealed")

        screen.set_viewport_size(PHONE)
        _no_sideways_scroll(screen)
        screen.set_viewport_size({"width": 1280, "height": 900})
    finally:
        for context in contexts:
            context.close()


def test_the_join_pages_work_on_a_phone(server: tuple[str, str], browser: Browser) -> None:
    base, _ = server
    context = browser.new_context(viewport=PHONE, base_url=base)
    try:
        page = context.new_page()
        response = page.goto("/w")
        assert response is not None
        assert response.status == 200
        _no_sideways_scroll(page)
        _axe(page, "workshop-enter")
        page.fill("#code", "zzzzzz")
        with page.expect_navigation():
            page.click('form[action="/w"] button[type="submit"]')
        assert "no open workshop" in page.content()
        _no_sideways_scroll(page)
    finally:
        context.close()
