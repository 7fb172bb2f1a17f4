"""Languages: the catalogues cover every translatable string, and the request locale works."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient
from jinja2 import DictLoader

from app import i18n
from app.config import PROJECT_ROOT
from app.templating import make_environment

CATALOGUES = ("es", "fr")


def _extracted() -> set[str]:
    """Every msgid in the sources, as `make messages` extracts it."""
    method_map = [("app/**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PROJECT_ROOT),
        method_map,
        options,
        keywords={
            "_": None,
            "gettext": None,
            "ngettext": (1, 2),
            "lazy_gettext": None,
            "_l": None,
        },
    ):
        found.add(message if isinstance(message, str) else message[0])
    return {m for m in found if m}


@pytest.mark.parametrize("locale", CATALOGUES)
def test_every_string_has_a_reviewed_translation(locale: str) -> None:
    path = PROJECT_ROOT / "app" / "translations" / locale / "LC_MESSAGES" / "messages.po"
    catalog = read_po(io.BytesIO(path.read_bytes()), locale=locale)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and m.string and "fuzzy" not in m.flags and all(m.string)
    }
    missing = sorted(_extracted() - translated)
    assert not missing, (
        f"{len(missing)} strings lack a {locale} translation (run `make messages`): {missing[:10]}"
    )


def test_gettext_follows_the_current_locale() -> None:
    assert i18n.gettext("Dashboard") == "Dashboard"
    with i18n.use_locale("es"):
        assert i18n.gettext("Dashboard") == "Panel"
    with i18n.use_locale("fr"):
        assert i18n.gettext("Dashboard") == "Tableau de bord"
    with i18n.use_locale(i18n.PSEUDO):
        assert i18n.gettext("Dashboard") == "[~Dashboard~]"
    with i18n.use_locale("de"):  # not offered: English
        assert i18n.current_locale() == "en"


def test_formatting_by_locale() -> None:
    assert i18n.format_money(Decimal("21500"), "EUR") == "€21,500"
    with i18n.use_locale("fr"):
        assert i18n.format_money(Decimal("21500"), "EUR") == "21\u202f500\xa0€"
        assert i18n.format_share(0.456) == "46\xa0%"
        assert i18n.format_share(0.4567, 1) == "45,7\xa0%"
        assert i18n.format_day(date(2027, 1, 1)) == "1 janv. 2027"
    with i18n.use_locale("es"):
        assert i18n.format_number(1234.5, 1) == "1.234,5"
        assert i18n.format_money(Decimal("21500.5"), "EUR", 2) == "21.500,50\xa0€"
        assert i18n.format_day(date(2027, 1, 1)) == "1 ene 2027"


def test_templates_translate_with_variables() -> None:
    env = make_environment(PROJECT_ROOT / "templates")
    env.loader = DictLoader({"t.html": '{{ _("Dashboard") }} · {{ 1234.5|number(1) }}'})
    with i18n.use_locale("es"):
        assert env.get_template("t.html").render() == "Panel · 1.234,5"


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "expected"),
    [
        ("", None, "es-ES,es;q=0.9", "es"),
        ("?lang=fr", None, "es", "fr"),
        ("", "fr", "es", "fr"),
        ("?lang=xx", None, "de", "en"),
        ("", None, "en;q=0.1,fr;q=0.8,bogus;q=x", "fr"),
    ],
)
def test_the_middleware_picks_the_locale(
    query: str, cookie: str | None, accept: str, expected: str
) -> None:
    app = FastAPI()
    app.add_middleware(i18n.LocaleMiddleware)

    @app.get("/")
    def which() -> PlainTextResponse:
        return PlainTextResponse(i18n.current_locale())

    client = TestClient(app)
    if cookie:
        client.cookies.set(i18n.COOKIE, cookie)
    response = client.get("/" + query, headers={"Accept-Language": accept})
    assert response.text == expected
    if query == "?lang=fr":
        assert f"{i18n.COOKIE}=fr" in response.headers["set-cookie"]
