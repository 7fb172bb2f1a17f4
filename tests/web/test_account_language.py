"""The account, sign-in, home, catalogue, profile and error pages in Spanish and French, and the
order in which the language is chosen: the switcher (cookie) > the account's preference > the
browser's Accept-Language > English."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser

import pytest
from babel.messages.extract import extract_from_file
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app import i18n
from app.config import PROJECT_ROOT
from app.models import User, Workspace
from app.services import accounts
from tests.conftest import Login, MakeUser

MY_TEMPLATES = (
    "base.html",
    "error.html",
    "home.html",
    "glossary.html",
    "auth/login.html",
    "auth/reset.html",
    "auth/account.html",
    "networks/index.html",
    "networks/show.html",
    "networks/_catalogue_facts.html",
    "workspaces/profile.html",
)
MY_PYTHON = (
    "app/routes/account.py",
    "app/routes/profile.py",
    "app/errors.py",
    "app/services/accounts.py",
    "app/catalogue_text.py",
)


class _Text(HTMLParser):
    """The visible text of a page: text nodes outside script, style and code, plus the
    attributes people read (aria-label, title, placeholder, alt)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[tuple[str, str]] = []
        self._skip = 0
        self._stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "code"}:
            self._skip += 1
        if tag not in {"input", "meta", "link", "br", "img", "hr"}:
            self._stack.append(tag)
        for name, value in attrs:
            if name in {"aria-label", "title", "placeholder", "alt"} and value:
                self.parts.append((tag, value))

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "code"}:
            self._skip -= 1
        if tag in self._stack:
            while self._stack and self._stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append((self._stack[-1] if self._stack else "", data.strip()))


def visible(html: str) -> list[tuple[str, str]]:
    parser = _Text()
    parser.feed(html)
    return parser.parts


def _english_phrases(locale: str) -> set[str]:
    """Every message of these pages (templates and Python) of two words or more whose
    translation differs from the English: none may show in a page in ``locale``."""
    phrases: set[str] = set()
    files = [PROJECT_ROOT / "templates" / t for t in MY_TEMPLATES]
    files += [PROJECT_ROOT / p for p in MY_PYTHON]
    for path in files:
        method = "jinja2" if path.suffix == ".html" else "python"
        options = {"extensions": "jinja2.ext.i18n"} if method == "jinja2" else {}
        for _line, message, _comments, _context in extract_from_file(
            method,
            str(path),
            keywords={"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None},
            options=options,
        ):
            for text in [message] if isinstance(message, str) else message:
                with i18n.use_locale(locale):
                    if i18n.gettext(text) == text:
                        continue
                # The plain words of the message, cut at its placeholders and tags.
                for piece in re.split(r"%\(\w+\)s|<[^>]+>", text):
                    piece = piece.strip(" .:;,()")
                    if len(piece.split()) >= 2:
                        phrases.add(piece)
    return phrases


def _readable(html: str, data: tuple[str, ...] = ()) -> str:
    """The page's visible text without the text nodes that quote data (catalogue facts)."""
    parts = []
    for _tag, text in visible(html):
        bare = text.removesuffix("...")
        if any(bare in value for value in data):
            continue
        for value in data:
            if value in text:
                text = text.replace(value, "")
        parts.append(text)
    return "\n".join(parts)


def catalogue_data(session: Session) -> tuple[str, ...]:
    """Every text the catalogue quotes from its sources (English, as published), and the
    titles of the demo city's recorded outcomes (the city's own words)."""
    from sqlmodel import select

    from app.models import (
        Network,
        NetworkEligibilityRule,
        NetworkFamilyLink,
        NetworkFunctionTag,
        Outcome,
    )

    values: list[str] = []
    for network in session.exec(select(Network)):
        for value in network.model_dump().values():
            if isinstance(value, str):
                values.append(value)
            elif isinstance(value, list):
                values += [str(v) for v in value]
    for model in (NetworkFunctionTag, NetworkFamilyLink, NetworkEligibilityRule):
        values += [row.note for row in session.exec(select(model))]  # type: ignore[attr-defined]
    values += [row.title for row in session.exec(select(Outcome))]  # the demo city's records
    return tuple(sorted({v for v in values if v}, key=len, reverse=True))


def assert_no_english(
    html: str, locale: str, phrases: set[str], data: tuple[str, ...] = (), name: str = ""
) -> None:
    text = _readable(html, data)
    found = sorted(p for p in phrases if p in text)
    assert not found, f"English left on a {locale} page {name}: {found[:8]}"


@pytest.fixture
def reset_token(session: Session, make_user: MakeUser) -> str:
    user = make_user(session, "newcomer@example.org")
    return accounts.create_reset(session, user)


def _pages(client: TestClient, demo: Workspace, reset_token: str) -> dict[str, str]:
    """(name -> html) of every page this module covers, in the client's current language."""
    wid = demo.id
    pages = {
        "home": client.get("/").text,
        "account": client.get("/account").text,
        "catalogue": client.get("/networks").text,
        "network": client.get("/networks/eurocities").text,
        "network-family": client.get("/networks/metropolis").text,
        "profile": client.get(f"/workspaces/{wid}/profile").text,
        "profile-search": client.get(f"/workspaces/{wid}/profile", params={"q": "a"}).text,
        "glossary": client.get("/glossary").text,
        "404": client.get("/networks/no-such-network").text,
        "404-workspace": client.get("/workspaces/999999/profile").text,
        "profile-errors": client.post(
            f"/workspaces/{wid}/profile",
            data={"fee_budget": "lots", "population": "many", "capital_city": "maybe"},
        ).text,
        "token-error": client.post("/account/tokens", data={"name": " "}).text,
    }
    # A second client of the same app, without its own lifespan (the app is running).
    anon = TestClient(client.app)  # type: ignore[arg-type]
    chosen = client.cookies.get(i18n.COOKIE)
    if chosen:
        anon.cookies.set(i18n.COOKIE, chosen)
    pages["login"] = anon.get("/login").text
    pages["reset"] = anon.get(f"/reset/{reset_token}").text
    pages["reset-invalid"] = anon.get("/reset/nope").text
    return pages


@pytest.mark.parametrize("locale", ["es", "fr"])
def test_every_page_speaks_the_language(
    client: TestClient, demo: Workspace, reset_token: str, session: Session, locale: str
) -> None:
    client.get("/", params={"lang": locale})  # the switcher sets the cookie
    phrases = _english_phrases(locale)
    assert len(phrases) > 150  # the check has teeth: the pages' own messages
    pages = _pages(client, demo, reset_token)
    data = catalogue_data(session)
    for name, html in pages.items():
        assert f'<html lang="{locale}">' in html, name
        assert_no_english(html, locale, phrases, data, name)
    # The same pages in English do hold those phrases (the test can fail).
    client.get("/", params={"lang": "en"})
    english = _readable("".join(_pages(client, demo, reset_token).values()))
    assert sum(p in english for p in phrases) > 100


def test_the_check_fails_on_an_english_page(client: TestClient, demo: Workspace) -> None:
    phrases = _english_phrases("fr")
    html = client.get("/account", params={"lang": "en"}).text
    with pytest.raises(AssertionError, match="English left"):
        assert_no_english(html, "fr", phrases)


def test_money_and_dates_follow_the_locale(client: TestClient, demo: Workspace) -> None:
    html = client.get(f"/workspaces/{demo.id}/profile", params={"lang": "fr"}).text
    assert re.search(r"\d\u202f\d{3}\xa0€", html), "a French amount: 21 500 €"
    html = client.get(f"/workspaces/{demo.id}/profile", params={"lang": "es"}).text
    assert re.search(r"\d\.\d{3}\xa0€", html), "a Spanish amount: 21.500 €"
    client.post("/account/tokens", data={"name": "council dashboard"})
    es = client.get("/account", params={"lang": "es"}).text
    month = r"(ene|feb|mar|abr|may|jun|jul|ago|sept?|oct|nov|dic)"
    assert re.search(rf"\d{{1,2}} {month} \d{{4}}", es), "a Spanish date"


def test_form_errors_name_the_field_in_the_language(client: TestClient, demo: Workspace) -> None:
    client.get("/", params={"lang": "fr"})
    page = client.post(
        f"/workspaces/{demo.id}/profile", data={"fee_budget": "lots", "population": "0"}
    )
    assert page.status_code == 422
    assert "Budget annuel des cotisations (EUR)</a> : Saisissez un montant" in page.text
    assert "Population (habitants)</a> : Une ville compte au moins un habitant" in page.text
    assert 'id="fee_budget-error"' in page.text
    memberships = demo.id
    row = client.get(f"/workspaces/{memberships}/profile").text
    membership_id = re.search(r'/profile/memberships/(\d+)"', row)
    assert membership_id
    bad = client.post(
        f"/workspaces/{demo.id}/profile/memberships/{membership_id.group(1)}",
        data={"annual_fee": "-3", "travel_cost": "0"},
    )
    assert bad.status_code == 422
    assert "Cotisation annuelle (EUR) : Saisissez un montant égal ou supérieur à 0." in bad.text
    client.get("/", params={"lang": "es"})
    wrong = client.post("/account/tokens", data={"name": ""})
    assert wrong.status_code == 422
    assert "Dé al token un nombre de 1 a 100 caracteres." in wrong.text


def test_sign_in_errors_are_translated(anon_client: TestClient, session: Session) -> None:
    from tests.conftest import csrf_of

    page = anon_client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert "<h1>Se connecter</h1>" in page.text or "Connexion" in page.text
    wrong = anon_client.post(
        "/login",
        data={"email": "x@example.org", "password": "nope", "csrf_token": csrf_of(page.text)},
        headers={"Accept-Language": "fr"},
    )
    assert wrong.status_code == 400
    assert "Le courriel ou le mot de passe est incorrect." in wrong.text


# --- the order of choice ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "cookie", "preferred", "accept", "expected"),
    [
        (None, "fr", "es", "en", "fr"),  # the switcher beats the account
        (None, None, "es", "fr-FR,fr;q=0.9", "es"),  # the account beats the browser
        (None, None, None, "fr-FR,fr;q=0.9", "fr"),  # the browser, when nothing else
        (None, None, None, None, "en"),  # English, when nothing at all
        (None, None, "de", "fr", "fr"),  # a preference not offered is ignored
        (None, "xx", "es", "fr", "es"),  # so is a cookie not offered
        ("fr", "es", "es", "es", "fr"),  # ?lang= is the switcher being clicked
    ],
)
def test_negotiate_order(
    query: str | None, cookie: str | None, preferred: str | None, accept: str | None, expected: str
) -> None:
    assert i18n.negotiate(query, cookie, preferred, accept) == expected


def _user_with(session: Session, make_user: MakeUser, locale: str | None) -> User:
    user = make_user(session, f"reader-{locale or 'none'}@example.org")
    user.locale = locale
    session.add(user)
    session.commit()
    return user


def _lang_of(html: str) -> str:
    found = re.search(r'<html lang="(\w+)">', html)
    assert found
    return found.group(1)


@pytest.fixture
def cookie_client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.mark.parametrize(
    ("preferred", "cookie", "accept", "expected"),
    [
        ("es", None, "fr-FR,fr;q=0.9", "es"),
        ("es", "fr", "fr", "fr"),
        ("es", "en", "fr", "en"),
        (None, None, "fr-FR,fr;q=0.9", "fr"),
        (None, None, "de", "en"),
        ("fr", None, None, "fr"),
    ],
)
def test_signed_in_pages_follow_the_order(
    cookie_client: TestClient,
    session: Session,
    make_user: MakeUser,
    login: Login,
    preferred: str | None,
    cookie: str | None,
    accept: str | None,
    expected: str,
) -> None:
    user = _user_with(session, make_user, preferred)
    login(cookie_client, user.email)
    if cookie:
        cookie_client.cookies.set(i18n.COOKIE, cookie)
    headers = {"Accept-Language": accept} if accept else {}
    for path in ("/account", "/", "/networks", "/networks/no-such-network"):
        assert _lang_of(cookie_client.get(path, headers=headers).text) == expected, path


def test_api_tokens_carry_the_preference_too(
    app: FastAPI, session: Session, make_user: MakeUser
) -> None:
    from tests.conftest import bearer

    user = _user_with(session, make_user, "fr")
    with TestClient(app, headers=bearer(session, user)) as c:
        page = c.get("/account", headers={"Accept-Language": "es"})
        assert _lang_of(page.text) == "fr"
        assert "Votre compte" in page.text


def test_choosing_a_language_on_the_account_page(
    cookie_client: TestClient, session: Session, make_user: MakeUser, login: Login
) -> None:
    user = _user_with(session, make_user, None)
    csrf = login(cookie_client, user.email)
    cookie_client.cookies.set(i18n.COOKIE, "en")  # an earlier click on the switcher
    saved = cookie_client.post(
        "/account/language", data={"locale": "fr", "csrf_token": csrf}, follow_redirects=False
    )
    assert saved.status_code == 303
    assert f'{i18n.COOKIE}=""' in saved.headers["set-cookie"]  # the switcher's choice is cleared
    cookie_client.cookies.delete(i18n.COOKIE)
    page = cookie_client.get(saved.headers["location"], headers={"Accept-Language": "es"})
    assert _lang_of(page.text) == "fr"
    assert "Langue enregistrée." in page.text
    assert re.search(r'<option value="fr" lang="fr" selected>', page.text)
    session.refresh(user)
    assert user.locale == "fr"
    # Back to the browser's language.
    cookie_client.post("/account/language", data={"locale": "", "csrf_token": csrf})
    session.refresh(user)
    assert user.locale is None
    page = cookie_client.get("/account", headers={"Accept-Language": "es"})
    assert _lang_of(page.text) == "es"


@pytest.mark.parametrize("bad", ["de", "xx-long", "ES", "qps"])
def test_a_language_not_offered_is_refused_and_nothing_changes(
    cookie_client: TestClient, session: Session, make_user: MakeUser, login: Login, bad: str
) -> None:
    user = _user_with(session, make_user, "es")
    csrf = login(cookie_client, user.email)
    refused = cookie_client.post("/account/language", data={"locale": bad, "csrf_token": csrf})
    assert refused.status_code == 422
    assert 'id="locale-error"' in refused.text
    assert "Idioma de las páginas" in refused.text  # the page speaks the stored preference
    assert "Elija uno de los idiomas propuestos." in refused.text
    session.refresh(user)
    assert user.locale == "es"


# --- pseudo-locale -------------------------------------------------------------------------------

PseudoPages = Callable[[], dict[str, str]]


def _data_words(session: Session, demo: Workspace, admin_email: str) -> set[str]:
    """Text that comes from data, not from the app: names, emails, the product's name."""
    return {
        "Network Compass",
        admin_email,
        demo.name,
        "newcomer@example.org",
        "tests",  # the API token the test client signs in with
        *i18n.LANGUAGE_NAMES.values(),
    }


@pytest.fixture
def pseudo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every request in the pseudo-locale: every translated message reads ``[~...~]``."""
    monkeypatch.setattr(i18n, "negotiate", lambda *_args: i18n.PSEUDO)


STRICT_PAGES = ("home", "account", "login", "reset", "reset-invalid", "404", "token-error")
CHROME_TAGS = {"h2", "h3", "legend", "label", "button", "th", "dt", "caption", "summary"}


def _leftovers(parts: list[tuple[str, str]], allowed: set[str], tags: set[str] | None) -> list[str]:
    left = []
    for tag, text in parts:
        if tags is not None and tag not in tags:
            continue
        rest = re.sub(r"\[~.*?~\]", "", text, flags=re.S)
        for word in sorted(allowed, key=len, reverse=True):
            rest = rest.replace(word, "")
        if re.search(r"[A-Za-z]{2,}", rest):
            left.append(text)
    return left


def test_pseudo_locale_leaves_no_text_unwrapped(
    client: TestClient,
    demo: Workspace,
    reset_token: str,
    session: Session,
    admin: User,
    pseudo: None,
) -> None:
    pages = _pages(client, demo, reset_token)
    allowed = _data_words(session, demo, admin.email)
    for name in STRICT_PAGES:
        # Messages may hold markup (a bold email): read the page as one text.
        whole = [("", "\n".join(text for _tag, text in visible(pages[name])))]
        rest = re.sub(r"\[~.*?~\]", "", whole[0][1], flags=re.S)
        left = _leftovers([("", rest)], allowed, None)
        assert not left, (name, left[0][:300] if left else "")
    # Pages full of catalogue data: their own headings, labels, buttons and table heads.
    from app.services import catalogue

    data = allowed | set(catalogue.all_themes(session)) | set(catalogue_data(session))
    for name in ("catalogue", "network", "network-family", "profile", "profile-errors"):
        left = [
            t
            for t in _leftovers(visible(pages[name]), data, CHROME_TAGS)
            if not t.startswith(("http", "catalogue:"))
        ]
        assert not left, (name, left[:5])
    assert "[~Your account~]" in pages["account"]


def test_the_pseudo_check_catches_plain_text() -> None:
    parts = visible("<h2>[~Sources~]</h2><p>Founded</p><p>[~A~] and more</p>")
    assert _leftovers(parts, set(), None) == ["Founded", "[~A~] and more"]
