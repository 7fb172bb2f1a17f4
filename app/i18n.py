"""Languages: English, Spanish and French (UCLG's working languages).

This module owns translation and locale-aware formatting for the shell:

- the *current locale* of a request lives in a context variable, set once per request by
  `LocaleMiddleware` (from ``?lang=``, the ``nc_lang`` cookie, the account's preference, the
  browser's Accept-Language, in that order) and read by `gettext` and the formatters, so
  templates, form errors and messages all speak the reader's language without passing it
  around;
- catalogues are the ``.po`` files under ``app/translations/<locale>/LC_MESSAGES/``, compiled
  in memory on first use (no compiled files in the repository, no build step);
- Jinja2's i18n extension calls `gettext` / `ngettext` (new style: ``{{ _("Save %(n)s",
  n=3) }}`` and ``{% trans %}`` blocks), and the ``number``, ``money``, ``date``,
  ``percent`` filters format with Babel for the current locale.

Every user-facing string is born translatable: write ``_("...")`` in Python and templates.
Text built by the scoring core (sentences with codes and parameters) is translated by code in
the views, not here.
"""

from __future__ import annotations

import functools
import gettext as gettext_module
import io
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent
from babel.support import LazyProxy, Translations
from starlette.requests import Request
from starlette.responses import Response

__all__ = [
    "DEFAULT_LOCALE",
    "LANGUAGE_NAMES",
    "LOCALES",
    "LocaleMiddleware",
    "apply_preference",
    "current_locale",
    "format_day",
    "format_moment",
    "format_money",
    "format_number",
    "format_share",
    "gettext",
    "lazy_gettext",
    "negotiate",
    "ngettext",
    "use_locale",
]

LOCALES: tuple[str, ...] = ("en", "es", "fr")
DEFAULT_LOCALE = "en"
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "es": "Español", "fr": "Français"}
"""Each language named in itself (for the switcher)."""
COOKIE = "nc_lang"
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
PSEUDO = "qps"
"""A pseudo-locale for tests: every translated message is wrapped as ``[~message~]``."""

_locale: ContextVar[str] = ContextVar("nc_locale", default=DEFAULT_LOCALE)


def current_locale() -> str:
    """The locale of the request being served (``en`` outside a request)."""
    return _locale.get()


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    """Run a block in another locale (reports in the workspace's language, tests)."""
    token = _locale.set(locale if locale in (*LOCALES, PSEUDO) else DEFAULT_LOCALE)
    try:
        yield
    finally:
        _locale.reset(token)


class _Pseudo(gettext_module.NullTranslations):
    def gettext(self, message: str) -> str:
        return f"[~{message}~]"

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return f"[~{msgid1 if n == 1 else msgid2}~]"


@functools.cache
def translations(locale: str) -> gettext_module.NullTranslations:
    """The compiled catalogue of a locale (English and unknown locales: no translation)."""
    if locale == PSEUDO:
        return _Pseudo()
    path = TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale == DEFAULT_LOCALE or not path.exists():
        return gettext_module.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer)


def gettext(message: str, **variables: Any) -> str:
    """``message`` in the current locale, with ``%(name)s`` variables filled in.

    >>> gettext("Join")
    'Join'
    >>> gettext("%(n)s networks", n=3)
    '3 networks'
    """
    text = translations(current_locale()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    """The singular or plural form for ``n`` in the current locale; ``%(num)s`` is ``n``.

    >>> ngettext("%(num)s network", "%(num)s networks", 2)
    '2 networks'
    """
    text = translations(current_locale()).ngettext(singular, plural, n)
    return text % ({"num": n} | variables)


def lazy_gettext(message: str, **variables: Any) -> LazyProxy:
    """A string translated when it is used (for module-level labels)."""
    return LazyProxy(gettext, message, **variables, enable_cache=False)


def _babel_locale() -> Locale:
    locale = current_locale()
    return Locale.parse("en" if locale == PSEUDO else locale)


def format_number(value: float | int | Decimal, decimals: int = 0) -> str:
    """A number with the current locale's separators.

    >>> format_number(12345.678, 1)
    '12,345.7'
    >>> with use_locale("fr"):
    ...     format_number(12345.678, 1)
    '12\\u202f345,7'
    """
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(value, format=pattern, locale=_babel_locale(), decimal_quantization=True)


def format_money(amount: Decimal | float | int, currency: str, decimals: int = 0) -> str:
    """An amount in major units with its currency, as the current locale writes it.

    >>> format_money(Decimal("21500"), "EUR")
    '€21,500'
    >>> with use_locale("es"):
    ...     format_money(Decimal("21500"), "EUR")
    '21.500\\xa0€'
    """
    pattern = None
    if decimals == 0:
        pattern = _babel_locale().currency_formats["standard"].pattern.replace(".00", "")
    return format_currency(
        amount,
        currency,
        format=pattern,
        locale=_babel_locale(),
        currency_digits=decimals != 0,
    )


def format_share(share: float, decimals: int = 0) -> str:
    """A share 0-1 as a percentage in the current locale.

    >>> format_share(0.456)
    '46%'
    """
    locale = _babel_locale()
    pattern = str(locale.percent_formats[None].pattern)
    if decimals:
        at = pattern.rfind("0") + 1
        pattern = pattern[:at] + "." + "0" * decimals + pattern[at:]
    return format_percent(share, format=pattern, locale=locale)


def format_day(day: date | datetime | None, form: str = "medium") -> str:
    """A date as the current locale writes it (``medium``: 1 Jan 2027, 1 janv. 2027...).

    >>> format_day(date(2027, 1, 1))
    'Jan 1, 2027'
    """
    if day is None:
        return ""
    return babel_format_date(day, format=form, locale=_babel_locale())


def format_moment(moment: datetime | None) -> str:
    """A date and time (UTC, hours and minutes) as the current locale writes them.

    >>> format_moment(datetime(2027, 1, 1, 15, 4))
    'Jan 1, 2027, 3:04\u202fPM'
    >>> with use_locale("fr"):
    ...     format_moment(datetime(2027, 1, 1, 15, 4))
    '1 janv. 2027, 15:04'
    """
    if moment is None:
        return ""
    locale = _babel_locale()
    return gettext(
        "%(day)s, %(time)s",
        day=babel_format_date(moment, format="medium", locale=locale),
        time=babel_format_time(moment, format="short", locale=locale),
    )


def negotiate(
    query: str | None, cookie: str | None, preferred: str | None, accept_language: str | None
) -> str:
    """The locale to use: ``?lang=``, then the cookie, the account, the browser, English.

    >>> negotiate(None, None, None, "fr-CA,fr;q=0.9,en;q=0.8")
    'fr'
    >>> negotiate("es", "fr", None, "en")
    'es'
    >>> negotiate(None, None, None, "de-DE,de;q=0.9")
    'en'
    """
    for candidate in (query, cookie, preferred):
        if candidate in LOCALES:
            return candidate
    if accept_language:
        preferences = []
        for part in accept_language.split(","):
            pieces = part.strip().split(";q=")
            try:
                quality = float(pieces[1]) if len(pieces) > 1 else 1.0
            except ValueError:
                continue
            preferences.append((quality, pieces[0].strip()))
        for _quality, tag in sorted(preferences, key=lambda p: -p[0]):
            try:
                language = Locale.parse(tag.replace("-", "_")).language
            except (ValueError, UnknownLocaleError):
                continue
            if language in LOCALES:
                return language
    return DEFAULT_LOCALE


def apply_preference(request: Request, preferred: str | None) -> str:
    """Re-negotiate the request's locale once the signed-in user (and their preference) is
    known; returns the locale in force.

    The switcher's choice (``?lang=`` or the cookie) still wins; otherwise the account's
    language replaces the browser's. Call it from the request's own context (an async
    dependency): the route and the error pages then speak the result.
    """
    locale = negotiate(
        request.query_params.get("lang"),
        request.cookies.get(COOKIE),
        preferred,
        request.headers.get("accept-language"),
    )
    if locale != current_locale():
        _locale.set(locale)
        request.scope.setdefault("state", {})["locale"] = locale
    return locale


class LocaleMiddleware:
    """Sets the request's locale; ``?lang=xx`` also remembers it in a cookie for a year.

    The account's preference is not known yet here (no one is signed in before the security
    guard runs): `app.security.guard` calls `apply_preference` once it is.
    """

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        asked = request.query_params.get("lang")
        locale = negotiate(
            asked,
            request.cookies.get(COOKIE),
            None,
            request.headers.get("accept-language"),
        )
        scope.setdefault("state", {})["locale"] = locale
        token = _locale.set(locale)

        async def send_with_cookie(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and asked in LOCALES:
                response = Response()
                response.set_cookie(COOKIE, asked, max_age=365 * 86400, samesite="lax")
                headers = list(message.get("headers", []))
                headers += [(k, v) for k, v in response.raw_headers if k.lower() == b"set-cookie"]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_cookie)
        finally:
            _locale.reset(token)
