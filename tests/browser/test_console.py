"""Browser test: no console error and no Content-Security-Policy violation on any main page.

Visits every main page of the demo workspace (and the pages outside it) in headless Chromium
against a live server (the fixtures of `test_browser`), moves a priorities slider so htmx
swaps content in, and fails on any ``console.error`` message, any uncaught page error and any
``securitypolicyviolation`` event. The CSP is ``style-src 'self'; script-src 'self'``: an
inline ``style=""`` attribute, a ``<style>`` block or an inline script would each show here.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright import sync_api as playwright_sync
from playwright.sync_api import ConsoleMessage, Page

from tests.browser.test_browser import ARGS, CHROMIUM, _sign_in, server  # noqa: F401

pytestmark = pytest.mark.browser

WORKSPACE_PAGES = (
    "",
    "/priorities",
    "/networks/c40",
    "/networks/iclei",
    "/networks/iclei/assess",
    "/profile",
    "/scenarios",
    "/portfolio",
    "/robustness?samples=500",
    "/overlap",
    "/methods",
    "/calendar",
    "/settings",
    "/decisions",
    "/data",
    "/members",
    "/audit",
)
SITE_PAGES = ("/", "/networks", "/networks/c40", "/glossary", "/account")

WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(
    e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sample || '')));
"""


@pytest.fixture(scope="module")
def watched_page(server: tuple[str, str]) -> Iterator[tuple[Page, str, int, list[str]]]:  # noqa: F811
    """A signed-in page that records console errors and page errors in the yielded list."""
    base, db_url = server
    problems: list[str] = []
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.add_init_script(WATCH_CSP)

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                problems.append(f"{page.url}: console: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: problems.append(f"{page.url}: error: {error}"))
        _sign_in(page, base, db_url)
        page.goto(f"{base}/")
        href = page.locator('a[href^="/workspaces/"]').first.get_attribute("href")
        assert href is not None
        yield page, base, int(href.split("/")[2]), problems
        browser.close()


def _visit(page: Page, url: str, problems: list[str]) -> list[str]:
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, url
    page.wait_for_load_state("networkidle")
    violations: list[str] = page.evaluate("window.__cspViolations")
    return [f"{url}: CSP: {v}" for v in violations]


def test_no_console_error_or_csp_violation_on_any_page(
    watched_page: tuple[Page, str, int, list[str]],
) -> None:
    page, base, wid, problems = watched_page
    found: list[str] = []
    urls = [f"{base}/workspaces/{wid}{path}" for path in WORKSPACE_PAGES]
    urls += [f"{base}{path}" for path in SITE_PAGES]
    for url in urls:
        found += _visit(page, url, problems)
    # htmx at work: a slider re-rank swaps the ranking in (its indicator must not need styles).
    page.goto(f"{base}/workspaces/{wid}/priorities")
    with page.expect_response(
        lambda r: (
            r.url.endswith("/priorities/preview") and r.request.headers.get("hx-request") == "true"
        )
    ):
        page.locator("#w_annual_fee").fill("100")
    page.wait_for_load_state("networkidle")
    found += [f"priorities (htmx): CSP: {v}" for v in page.evaluate("window.__cspViolations")]
    found += problems
    assert not found, f"{len(found)} console problems:\n" + "\n".join(found[:60])
