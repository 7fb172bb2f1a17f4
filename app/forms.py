"""The shared input types: every id, count, amount and text a request carries is parsed here,
with bounds that both databases can store, so no odd value reaches the database as a crash.

- `DbId`: a row id, 1 .. 2**31-1: the id columns are INTEGER, which PostgreSQL keeps in 32 bits
  (SQLite in 64); a larger id could never exist, and PostgreSQL refuses to compare with it.
  For FastAPI path and query parameters (`scenario_id: DbId`, `ids: list[DbId]`), so a huge,
  negative or non-numeric id is a 422 naming the parameter, never an OverflowError.
- `parse_id` / `parse_whole`: the same for values read by hand from a form or query string.
  Only ASCII digits count: `str.isdigit()` accepts "²" (superscript two), which `int()` then refuses.
- `parse_decimal`: a finite decimal within bounds ("1e400", "NaN" and "Infinity" refused).
- `has_nul`: NUL bytes (PostgreSQL cannot store them) and other control characters (no XML
  document may hold them) are refused.

Pydantic request models use `DbId` and `SafeText` too (`app.schemas`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Final

from annotated_types import Ge, Le
from pydantic import AfterValidator

DB_INT_MAX: Final = 2**63 - 1
"""The largest integer a BIGINT column (and SQLite's INTEGER) holds."""
INT32_MAX: Final = 2**31 - 1
"""The largest value of an INTEGER column on PostgreSQL: ids, counts, hours, versions."""
_DIGITS = re.compile(r"[0-9]{1,19}")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""NUL and the other control characters (tab, newline and carriage return are text): PostgreSQL
cannot store NUL, and no XML document (Word reports, spreadsheets) may hold any of them."""


def _no_nul(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("Text may not contain NUL or other control characters.")
    return value


def _as_utc(value: datetime) -> datetime:
    """SQLite hands back timestamps without their zone; they are all stored in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def reject_nul(value: Any) -> Any:
    """The value itself if no text in it holds a NUL character; ValueError otherwise."""
    if isinstance(value, str):
        return _no_nul(value)
    if isinstance(value, Mapping):
        for key, item in value.items():
            reject_nul(key)
            reject_nul(item)
    elif isinstance(value, list | tuple):
        for item in value:
            reject_nul(item)
    return value


DbId = Annotated[int, Ge(1), Le(INT32_MAX)]
"""A row id: an integer from 1 to 2**31-1 (an INTEGER column on both databases)."""
SafeText = Annotated[str, AfterValidator(_no_nul)]
"""Text without NUL characters (PostgreSQL refuses them)."""
UtcDateTime = Annotated[datetime, AfterValidator(_as_utc)]
"""A timestamp that always carries its time zone (UTC) when serialised."""


def parse_whole(raw: object, low: int = 0, high: int = INT32_MAX) -> int | None:
    """An integer written in ASCII digits within [low, high]; None for anything else.

    >>> parse_whole("42"), parse_whole("²"), parse_whole("99999999999999999999"), parse_whole("-1")
    (42, None, None, None)
    """
    text = str(raw if raw is not None else "").strip()
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


def parse_id(raw: object) -> int | None:
    """A row id (1 .. 2**31-1) in ASCII digits, or None.

    >>> parse_id("7"), parse_id("0"), parse_id("%C2%B2"), parse_id(str(2**31))
    (7, None, None, None)
    """
    return parse_whole(raw, 1, INT32_MAX)


_SPACES = re.compile(r"[\s\u00a0\u202f'\u2019]")
_PLAIN = re.compile(r"\d+(?:\.\d+)?")


def normalise_number(raw: object, locale: str | None = None) -> str | None:
    """A number as people type it in ``locale`` (default: the request's) as plain ASCII
    ("4300.50"), or None when it cannot be read without guessing.

    Spaces (also no-break ones) and apostrophes group digits. Where both a comma and a point
    appear, the last one is the decimal mark. A single mark is the locale's decimal mark, or,
    when it is the locale's grouping mark and exactly three digits follow ("4,300" in English,
    "4.300" in Spanish), a grouping mark; anything else reads as a decimal mark, so "4300,50"
    is never stored as 430050.

    >>> [normalise_number(t, "en") for t in ("4,300", "4300,50", "1,234,567.5", "4 300")]
    ['4300', '4300.50', '1234567.5', '4300']
    >>> [normalise_number(t, "fr") for t in ("4300,50", "4\u202f300,5", "4,300", "4300.50")]
    ['4300.50', '4300.5', '4.300', '4300.50']
    >>> [normalise_number(t, "es") for t in ("4.300", "4.300,50", "1.234.567", "4,5", "1,2,3")]
    ['4300', '4300.50', '1234567', '4.5', None]
    """
    text = _SPACES.sub("", str(raw if raw is not None else ""))
    if not text or len(text) > 40 or not text.isascii():
        return None
    if locale is None:
        from app.i18n import current_locale

        locale = current_locale()
    decimal_mark, group_mark = (".", ",") if locale == "en" else (",", ".")
    if locale == "fr":
        group_mark = ""  # French groups with spaces only
    sign = ""
    if text[0] in "+-":
        sign, text = text[0].replace("+", ""), text[1:]
    if "," in text and "." in text:
        last = max(text.rfind(","), text.rfind("."))
        mark, other = text[last], "." if text[last] == "," else ","
        whole, fraction = text[:last], text[last + 1 :]
        if not re.fullmatch(rf"\d{{1,3}}(?:{re.escape(other)}\d{{3}})*", whole):
            return None
        text = whole.replace(other, "") + "." + fraction
    elif "," in text or "." in text:
        mark = "," if "," in text else "."
        if text.count(mark) > 1:
            if mark == decimal_mark or not re.fullmatch(
                rf"\d{{1,3}}(?:{re.escape(mark)}\d{{3}})+", text
            ):
                return None
            text = text.replace(mark, "")
        elif mark == group_mark and re.fullmatch(rf"\d{{1,3}}{re.escape(mark)}\d{{3}}", text):
            text = text.replace(mark, "")
        else:
            text = text.replace(mark, ".")
    return sign + text if _PLAIN.fullmatch(text) else None


def parse_decimal(raw: object, low: Decimal, high: Decimal) -> Decimal | None:
    """A finite decimal within [low, high], typed the reader's way (`normalise_number`), or
    None.

    >>> parse_decimal("1,500.50", Decimal(0), Decimal(10**6))
    Decimal('1500.50')
    >>> [parse_decimal(v, Decimal(0), Decimal(10**6)) for v in ("1e400", "NaN", "Infinity", "²")]
    [None, None, None, None]
    """
    text = normalise_number(raw)
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or not low <= value <= high:
        return None
    return value


def parse_float(raw: object, low: float, high: float) -> float | None:
    """A finite number within [low, high] in ASCII, or None.

    >>> parse_float("12.5", 0, 100), parse_float("nan", 0, 100), parse_float("1e400", 0, 1e9)
    (12.5, None, None)
    """
    value = parse_decimal(raw, Decimal(str(low)), Decimal(str(high)))
    return None if value is None else float(value)


def has_nul(value: object) -> bool:
    r"""True when the text holds a NUL or another control character (not tab or newline).

    >>> has_nul("a\x00b"), has_nul("a\x1fb"), has_nul("line\nline\tcell")
    (True, True, False)
    """
    return isinstance(value, str) and _CONTROL.search(value) is not None
