"""The dashboard on a phone (390 px wide) in English, Spanish and French.

Headless Debian Chromium against the live server of `tests.browser.test_browser`. Below
640 px the ranking is one card per network (rank, name, action badge, value, a one-line
reason, details on tap); the first screen shows the advice in one line and the first cards;
nothing is wider than the screen; no console error (CSP included). Screenshots of the first
screen and the whole page go to ``$NC_SCREENSHOTS`` as ``dashboard-phone-<lang>*.png``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright import sync_api as playwright_sync
from playwright.sync_api import Browser

from tests.browser.test_browser import ARGS, CHROMIUM, SHOTS, _sign_in, server

pytestmark = pytest.mark.browser
__all__ = ["server"]  # the live server fixture, shared with test_browser

WIDTH, HEIGHT = 390, 844
SUMMARY_START = {"en": "Keep ", "es": "Mantener ", "fr": "Garder "}


@pytest.fixture(scope="module")
def phone(server: tuple[str, str]) -> Iterator[tuple[Browser, str, str]]:
    base, db_url = server
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser, base, db_url
        browser.close()


@pytest.mark.parametrize("lang", ["en", "es", "fr"])
def test_dashboard_on_a_phone(phone: tuple[Browser, str, str], lang: str) -> None:
    browser, base, db_url = phone
    context = browser.new_context(
        viewport={"width": WIDTH, "height": HEIGHT},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    _sign_in(page, base, db_url)
    page.goto(f"{base}/")
    href = page.locator('a[href^="/workspaces/"]').first.get_attribute("href")
    assert href is not None
    page.goto(f"{base}{href.split('?')[0]}?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"dashboard-phone-{lang}.png"))
    cards = page.locator(".rank-card")
    assert cards.count() > 5
    assert page.locator(".ranking-table").is_hidden()
    first = cards.first
    for part in (".rank-card-rank", ".rank-card-name", ".badge", ".value-bar", ".rank-card-reason"):
        assert first.locator(part).first.is_visible(), part
    # Nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    # The first screen holds the advice in one line and the first cards.
    summary = page.locator(".summary-sentence")
    assert summary.inner_text().startswith(SUMMARY_START[lang])
    box = summary.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= HEIGHT, box
    card_box = cards.nth(1).bounding_box()
    assert card_box is not None
    assert card_box["y"] < HEIGHT, (
        f"the second card starts at {card_box} px, below the first screen"
    )
    # The reason is one line until the card's details are opened with a tap.
    reason = first.locator(".rank-card-reason")
    one_line = reason.bounding_box()
    first.locator("summary").tap()
    assert first.locator("details").get_attribute("open") is not None
    unfolded = reason.bounding_box()
    assert one_line is not None
    assert unfolded is not None
    assert unfolded["height"] >= one_line["height"]
    first.screenshot(path=str(SHOTS / f"dashboard-phone-{lang}-card-open.png"))
    page.screenshot(path=str(SHOTS / f"dashboard-phone-{lang}-full.png"), full_page=True)
    assert not errors, errors
    context.close()
