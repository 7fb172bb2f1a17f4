"""Browser test: on a 390 px phone, a Spanish- or French-speaking browser signs in, then
chooses the other language on the account page, and every page after speaks it.

Screenshots go to ``$NC_SCREENSHOTS`` (default ``test-artifacts/screenshots``) as
``account-<browser language>-<step>-390.png``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright import sync_api as playwright_sync
from playwright.sync_api import Browser, Page
from sqlmodel import Session

from tests.browser.test_browser import ARGS, CHROMIUM, PASSWORD, SHOTS, server

pytestmark = pytest.mark.browser

__all__ = ["server"]  # the live server fixture, shared with the main browser tests

PHONE = {"width": 390, "height": 844}
WORDS = {
    "es": {"sign_in": "Iniciar sesión", "account": "Su cuenta", "saved": "Idioma guardado."},
    "fr": {"sign_in": "Se connecter", "account": "Votre compte", "saved": "Langue enregistrée."},
}


@pytest.fixture(scope="module")
def browser(server: tuple[str, str]) -> Iterator[Browser]:
    with playwright_sync.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def _make_user(db_url: str, email: str) -> None:
    from app.db import make_engine
    from app.services import accounts
    from app.services import workspaces as ws

    engine = make_engine(db_url)
    with Session(engine) as session:
        if accounts.get_user_by_email(session, email) is None:
            user = accounts.create_user(session, email, password=PASSWORD)
            workspace = ws.get_workspace_by_slug(session, "example-city")
            assert workspace is not None
            accounts.make_owner(session, workspace.id or 0, user.id or 0)
            session.commit()
    engine.dispose()


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a 390 px phone"


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


@pytest.mark.parametrize(("browser_language", "chosen"), [("es", "fr"), ("fr", "es")])
def test_sign_in_and_choose_the_account_language_on_a_phone(
    server: tuple[str, str], browser: Browser, browser_language: str, chosen: str
) -> None:
    base, db_url = server
    email = f"phone-{browser_language}@example.org"
    _make_user(db_url, email)
    context = browser.new_context(
        viewport=PHONE,
        locale=browser_language,
        extra_http_headers={"Accept-Language": f"{browser_language};q=1.0"},
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        mine, other = WORDS[browser_language], WORDS[chosen]
        page.goto(f"{base}/login")
        assert page.locator("html").get_attribute("lang") == browser_language
        assert page.locator("h1").inner_text() == mine["sign_in"]
        _fits(page)
        _shot(page, f"account-{browser_language}-1-sign-in-390.png")
        page.fill('input[name="email"]', email)
        page.fill('input[name="password"]', "wrong password 1234")
        with page.expect_navigation():
            page.click('form[action="/login"] button[type="submit"]')
        assert page.locator("#login-error").is_visible()
        _shot(page, f"account-{browser_language}-2-sign-in-error-390.png")
        # The refused sign-in answers 400 on purpose, which Chromium logs; nothing else may.
        assert all("status of 400" in e for e in errors), errors
        errors.clear()
        page.fill('input[name="password"]', PASSWORD)
        with page.expect_navigation():
            page.click('form[action="/login"] button[type="submit"]')
        # On a phone the header hides the email to keep one row; the footer's link leads to
        # the account page.
        assert not page.locator("a.user-email").is_visible()
        with page.expect_navigation():
            page.click("a.footer-account")
        assert page.locator("h1").inner_text() == mine["account"]
        _fits(page)
        _shot(page, f"account-{browser_language}-3-account-390.png")
        page.select_option("#locale", chosen)
        with page.expect_navigation():
            page.click('form[action="/account/language"] button[type="submit"]')
        assert page.locator("html").get_attribute("lang") == chosen
        assert page.locator("h1").inner_text() == other["account"]
        assert other["saved"] in page.locator("#language-saved").inner_text()
        _fits(page)
        _shot(page, f"account-{browser_language}-4-chose-{chosen}-390.png")
        # Every page now speaks the account's language, though the browser asks for another.
        page.goto(f"{base}/networks")
        assert page.locator("html").get_attribute("lang") == chosen
        # The switcher at the foot still wins, for this browser.
        page.click(f'.language-switch a[hreflang="{browser_language}"]')
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == browser_language
        _shot(page, f"account-{browser_language}-5-switcher-390.png")
        assert not errors, errors
    finally:
        context.close()
