"""Spreadsheet import and export (XLSX with openpyxl, and CSV) of a workspace's data.

Sheets, in the order an export and the template hold them (the second sheet is always the
scale of every criterion, for reference while scoring):

==============  ===========================================================  ==============
sheet           one row per                                                  natural key
==============  ===========================================================  ==============
assessments     score of one network on one criterion by one assessor        network_id,
                (score 1-5 or blank = missing; evidence; source; confidence)  criterion,
                                                                              assessor
scales          criterion and its 1-5 anchors (reference; ignored on import)  criterion
memberships     the city's record of a network (status, fee, hours, dates)    network_id
outcomes        something a membership delivered in a year                   (see below)
decisions       what the council decided                                     network_id,
                                                                              decided_on
networks        the catalogue facts of the networks the workspace uses       id
                (reference: the catalogue is shared, so an import only
                checks that each id exists)
==============  ===========================================================  ==============

Import is all or nothing. Every cell is parsed and every row checked (types, ranges, known
network ids and criteria, duplicates, formulas, merged cells, empty sheets, headers) before
anything is written; one problem anywhere rejects the whole file with a row-by-row report
(`Problem`: sheet, row, column, value, why). Rows are matched on their natural key and only
rows whose values differ are written, so re-importing an export changes nothing. Outcomes
have no natural key: the outcomes of a network named in the outcomes sheet are replaced by
that sheet's rows for it (networks not named keep theirs). Nothing absent from a file is
deleted. Every import and export is written to the audit log (changed rows one by one, and a
summary entry).

A CSV file holds one sheet; which one is told by its header row. CSV files must be UTF-8
(Excel: "CSV UTF-8"). Cells that a spreadsheet would run as a formula are exported with a
leading apostrophe (CSV) or as plain text (XLSX), and the apostrophe is dropped on import.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import Session, select

from app.forms import normalise_number
from app.i18n import gettext as _
from app.models import (
    Assessment,
    AuditEntry,
    Decision,
    Membership,
    Network,
    Outcome,
    Workspace,
    utcnow,
)
from app.services import catalogue
from app.services import decisions as dec
from app.services import workspaces as ws
from app.services.common import audit, from_minor, jsonable, snapshot, to_minor

MAX_BYTES = 10 * 1024 * 1024
"""The largest file accepted (10 MB): about 60,000 assessment rows with evidence."""
MAX_ROWS = 60_000
"""The most data rows one sheet may hold."""
TEMPLATE_ROWS = 2000
"""Rows of the template's assessments sheet that carry the score validation."""
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@")

COLUMNS: dict[str, tuple[str, ...]] = {
    "assessments": (
        "network_id",
        "criterion",
        "assessor",
        "score",
        "confidence",
        "evidence",
        "source_url",
    ),
    "scales": ("criterion", "title", "1", "2", "3", "4", "5"),
    "memberships": (
        "network_id",
        "status",
        "since",
        "annual_fee",
        "staff_hours",
        "engagement",
        "roles",
        "renewal_date",
        "notice_days",
        "lock",
        "notes",
    ),
    "outcomes": ("network_id", "year", "kind", "title", "amount"),
    "decisions": (
        "network_id",
        "decided_on",
        "action",
        "body",
        "reference",
        "effective_on",
        "next_review_on",
        "notes",
    ),
    "networks": ("id", "name", "acronym", "scope", "themes", "website", "sources"),
}
SHEETS: tuple[str, ...] = tuple(COLUMNS)
REQUIRED: dict[str, frozenset[str]] = {
    "assessments": frozenset({"network_id", "criterion", "assessor", "score"}),
    "scales": frozenset({"criterion"}),
    "memberships": frozenset({"network_id", "status"}),
    "outcomes": frozenset({"network_id", "year", "kind", "title"}),
    "decisions": frozenset({"network_id", "decided_on", "action", "body"}),
    "networks": frozenset({"id"}),
}
LIST_SEPARATOR = " | "


# --- problems -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a file was rejected: where (sheet, row, column), what was there, and why.

    ``row`` is the spreadsheet's own row number (the header is row 1); 0 for the whole sheet
    or file.
    """

    sheet: str
    row: int
    column: str
    value: str
    why: str


class ImportRejected(Exception):
    """The file was not imported; ``problems`` says why, row by row."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(
            _("The file was not imported: %(n)s problem(s) found.", n=len(self.problems))
        )


@dataclass
class ImportResult:
    """What an import changed, per sheet: rows created, updated and left as they were."""

    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unchanged: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    sheets: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheets": list(self.sheets),
            "created": dict(self.created),
            "updated": dict(self.updated),
            "unchanged": dict(self.unchanged),
            "changed": self.changed,
        }


def _show(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


# --- reading files --------------------------------------------------------------------------

RawRow = tuple[int, dict[str, Any]]
"""A data row: its spreadsheet row number and its values by column name."""


def _header(sheet: str, cells: Sequence[Any], problems: list[Problem]) -> list[str | None] | None:
    """Column names of a header row (None for blank trailing cells); None when unusable."""
    names = [None if c is None or str(c).strip() == "" else str(c).strip().lower() for c in cells]
    while names and names[-1] is None:
        names.pop()
    if not names:
        problems.append(Problem(sheet, 1, "", "", _("The header row is empty.")))
        return None
    expected = COLUMNS[sheet]
    ok = True
    seen: set[str] = set()
    for i, name in enumerate(names):
        letter = get_column_letter(i + 1)
        if name is None:
            problems.append(
                Problem(sheet, 1, letter, "", _("A column between others has no name."))
            )
            ok = False
        elif name not in expected:
            problems.append(
                Problem(
                    sheet,
                    1,
                    letter,
                    name,
                    _(
                        "Unknown column. The columns of this sheet are: %(columns)s.",
                        columns=", ".join(expected),
                    ),
                )
            )
            ok = False
        elif name in seen:
            problems.append(Problem(sheet, 1, letter, name, _("This column appears twice.")))
            ok = False
        else:
            seen.add(name)
    missing = sorted(REQUIRED[sheet] - seen)
    if missing:
        problems.append(
            Problem(
                sheet,
                1,
                "",
                "",
                _("Required columns are missing: %(columns)s.", columns=", ".join(missing)),
            )
        )
        ok = False
    return names if ok else None


def _rows_from_values(
    sheet: str,
    rows: Iterable[tuple[int, Sequence[Any]]],
    problems: list[Problem],
) -> list[RawRow] | None:
    """Header plus data rows -> named rows; blank rows are skipped."""
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        problems.append(Problem(sheet, 0, "", "", _("The sheet is empty: it needs a header row.")))
        return None
    names = _header(sheet, first[1], problems)
    if names is None:
        return None
    out: list[RawRow] = []
    for number, values in iterator:
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        if len(out) >= MAX_ROWS:
            problems.append(
                Problem(
                    sheet, number, "", "", _("A sheet may hold at most %(n)s rows.", n=MAX_ROWS)
                )
            )
            return None
        extra = [v for v in values[len(names) :] if v is not None and str(v).strip()]
        if extra:
            problems.append(
                Problem(
                    sheet,
                    number,
                    get_column_letter(len(names) + 1),
                    _show(extra[0]),
                    _("This cell is outside the named columns."),
                )
            )
        out.append((number, {n: v for n, v in zip(names, values, strict=False) if n is not None}))
    return out


def read_xlsx(data: bytes, problems: list[Problem]) -> dict[str, list[RawRow]]:
    """The known sheets of a workbook as named rows (problems collected, nothing raised)."""
    try:
        book = load_workbook(io.BytesIO(data), data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        del exc
        problems.append(
            Problem(
                "",
                0,
                "",
                "",
                _(
                    "This is not an Excel workbook (.xlsx) that can be read. Save it as .xlsx or CSV UTF-8."
                ),
            )
        )
        return {}
    found: dict[str, list[RawRow]] = {}
    known = [name for name in book.sheetnames if name.strip().lower() in COLUMNS]
    if not known:
        problems.append(
            Problem(
                "",
                0,
                "",
                ", ".join(book.sheetnames),
                _(
                    "No sheet has a known name. Name the sheets: %(names)s.",
                    names=", ".join(SHEETS),
                ),
            )
        )
        return {}
    for name in known:
        sheet_name = name.strip().lower()
        if sheet_name == "scales":
            continue  # reference only
        sheet: Worksheet = book[name]
        before = len(problems)
        for merged in sheet.merged_cells.ranges:
            problems.append(
                Problem(
                    sheet_name,
                    merged.min_row,
                    str(merged.coord),
                    "",
                    _("Merged cells are not accepted: unmerge them and give each cell its value."),
                )
            )
        rows: list[tuple[int, list[Any]]] = []
        for row in sheet.iter_rows():
            values: list[Any] = []
            for cell in row:
                values.append(_cell_value(sheet_name, cell, problems))
            rows.append((int(row[0].row or 0) if row else len(rows) + 1, values))
        if len(problems) > before:
            continue
        parsed = _rows_from_values(sheet_name, rows, problems)
        if parsed is not None:
            found[sheet_name] = parsed
    return found


def _cell_value(sheet: str, cell: Cell | Any, problems: list[Problem]) -> Any:
    value = cell.value
    if getattr(cell, "data_type", None) == "f" or (
        isinstance(value, str) and value.startswith("=") and getattr(cell, "data_type", "") == "f"
    ):
        problems.append(
            Problem(
                sheet,
                cell.row,
                cell.column_letter,
                _show(value),
                _("Formulas are not accepted: copy the cells and paste them as values."),
            )
        )
        return None
    if value is not None and not isinstance(value, str | int | float | datetime | date | bool):
        problems.append(
            Problem(
                sheet,
                cell.row,
                cell.column_letter,
                _show(value),
                _("This cell type cannot be read."),
            )
        )
        return None
    return value


def read_csv(data: bytes, problems: list[Problem]) -> dict[str, list[RawRow]]:
    """One CSV file as one sheet, recognised by its header row."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(
            Problem(
                "",
                0,
                "",
                "",
                _(
                    "This CSV file is not UTF-8 text (byte %(at)s cannot be read). In Excel, "
                    "save it with “CSV UTF-8”; in LibreOffice choose the character set Unicode (UTF-8).",
                    at=exc.start,
                ),
            )
        )
        return {}
    if "\x00" in text:
        problems.append(Problem("", 0, "", "", _("This is not a text file.")))
        return {}
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        problems.append(
            Problem("", 0, "", "", _("The CSV file cannot be read: %(why)s", why=str(exc)))
        )
        return {}
    rows = [r for r in rows if any(c.strip() for c in r)] if rows else rows
    if not rows:
        problems.append(Problem("", 0, "", "", _("The file is empty: it needs a header row.")))
        return {}
    header = {c.strip().lower() for c in rows[0] if c.strip()}
    sheet = next(
        (
            name
            for name in SHEETS
            if name != "scales" and REQUIRED[name] <= header <= set(COLUMNS[name])
        ),
        None,
    )
    if sheet is None:
        best = max(
            (s for s in SHEETS if s != "scales"), key=lambda s: len(header & set(COLUMNS[s]))
        )
        names = _header(best, rows[0], problems)
        if names is not None:  # the columns fit a sheet, yet none matched: report it plainly
            problems.append(Problem("", 1, "", "", _("The header row does not match any sheet.")))
        return {}
    values = [
        (i + 1, [_unquote(c) if c.strip() else None for c in row]) for i, row in enumerate(rows)
    ]
    parsed = _rows_from_values(sheet, values, problems)
    return {} if parsed is None else {sheet: parsed}


def _unquote(text: str) -> str:
    """Drop the apostrophe an export put before a formula-like value."""
    if text.startswith("'") and text[1:2] in FORMULA_START:
        return text[1:]
    return text


# --- parsing cells --------------------------------------------------------------------------


class _Bad(ValueError):
    """A cell that does not parse; the message says why."""


def _text(value: Any, *, limit: int, required: bool = False) -> str:
    if value is None:
        if required:
            raise _Bad(_("This cell is required."))
        return ""
    if isinstance(value, bool):
        raise _Bad(_("Expected text, not TRUE/FALSE."))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        value = value.isoformat()
    text = str(value).strip()
    if required and not text:
        raise _Bad(_("This cell is required."))
    if len(text) > limit:
        raise _Bad(_("Keep it under %(n)s characters.", n=f"{limit:,}"))
    return text


def _int(value: Any, *, low: int, high: int, required: bool = False) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _Bad(_("This cell is required."))
        return None
    if isinstance(value, bool):
        raise _Bad(_("Expected a whole number, not TRUE/FALSE."))
    if isinstance(value, float):
        if not value.is_integer():
            raise _Bad(_("Expected a whole number."))
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if not text.lstrip("-").isascii() or not text.lstrip("-").isdigit() or len(text) > 19:
            raise _Bad(_("Expected a whole number."))
        value = int(text)
    if not isinstance(value, int):
        raise _Bad(_("Expected a whole number."))
    if not low <= value <= high:
        raise _Bad(_("Expected a whole number from %(low)s to %(high)s.", low=low, high=high))
    return value


def _money(value: Any, *, required: bool = False) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _Bad(_("This cell is required."))
        return None
    if isinstance(value, bool):
        raise _Bad(_("Expected an amount, not TRUE/FALSE."))
    try:
        # Text cells are read the way the importing person writes numbers ("4300,50" in
        # French is four thousand three hundred and fifty cents, never 430050).
        amount = (
            Decimal(normalise_number(value) or "x")
            if isinstance(value, str)
            else Decimal(str(value))
        )
    except InvalidOperation as exc:
        raise _Bad(_("Expected an amount such as 21500 or 21500.50.")) from exc
    if not amount.is_finite() or amount < 0 or amount > Decimal("1e12"):
        raise _Bad(_("Expected an amount from 0 to 1,000,000,000,000."))
    if amount != amount.quantize(Decimal("0.01")):
        raise _Bad(_("Amounts have at most two decimals."))
    return to_minor(amount)


def _day(value: Any, *, required: bool = False) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _Bad(_("This cell is required."))
        return None
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise _Bad(_("Expected a date without a time."))
        return value.date()
    if isinstance(value, date):
        return value
    try:
        day = date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise _Bad(_("Expected a date like 2026-03-31.")) from exc
    if not date(1900, 1, 1) <= day <= date(2100, 12, 31):
        raise _Bad(_("Expected a date between 1900 and 2100."))
    return day


def _choice(value: Any, options: Sequence[str], *, required: bool = False) -> str | None:
    text = _text(value, limit=40, required=required).lower()
    if not text:
        return None
    if text not in options:
        raise _Bad(_("Expected one of: %(options)s.", options=", ".join(options)))
    return text


def _url(value: Any) -> str | None:
    text = _text(value, limit=2000)
    if not text:
        return None
    if not (text.startswith("http://") or text.startswith("https://")) or " " in text:
        raise _Bad(_("A source link starts with http:// or https:// and has no spaces."))
    return text


def _list(value: Any) -> list[str]:
    text = _text(value, limit=2000)
    return [part.strip() for part in text.split("|") if part.strip()] if text else []


Parser = Callable[[Any], Any]


def _parse_rows(
    sheet: str, rows: Sequence[RawRow], parsers: Mapping[str, Parser], problems: list[Problem]
) -> list[tuple[int, dict[str, Any]]]:
    """Every row through the column parsers; a bad cell becomes a `Problem`."""
    out = []
    for number, raw in rows:
        values: dict[str, Any] = {}
        ok = True
        for column, parse in parsers.items():
            if column not in raw and column not in REQUIRED[sheet]:
                continue
            try:
                values[column] = parse(raw.get(column))
            except _Bad as exc:
                problems.append(Problem(sheet, number, column, _show(raw.get(column)), str(exc)))
                ok = False
        if ok:
            out.append((number, values))
    return out


def _duplicates(
    sheet: str,
    rows: Sequence[tuple[int, dict[str, Any]]],
    key: Callable[[dict[str, Any]], tuple[Any, ...]],
    columns: str,
    problems: list[Problem],
) -> None:
    first: dict[tuple[Any, ...], int] = {}
    for number, values in rows:
        k = key(values)
        if k in first:
            problems.append(
                Problem(
                    sheet,
                    number,
                    columns,
                    " / ".join(str(x) for x in k),
                    _(
                        "Duplicate of row %(row)s (same %(columns)s).",
                        row=first[k],
                        columns=columns,
                    ),
                )
            )
        else:
            first[k] = number


# --- import ---------------------------------------------------------------------------------


def read_file(
    filename: str, data: bytes, *, size: int | None = None
) -> tuple[dict[str, list[RawRow]], list[Problem]]:
    """The sheets of an uploaded file (XLSX by content, else CSV) and the problems found.

    ``size`` is the upload's size when the caller kept only part of it (too large).
    """
    problems: list[Problem] = []
    size = len(data) if size is None else size
    if size > MAX_BYTES:
        problems.append(
            Problem(
                "",
                0,
                "",
                filename,
                _(
                    "The file is %(size)s MB; the limit is %(limit)s MB. Split it, or leave out "
                    "the sheets you did not change.",
                    size=f"{size / 1024 / 1024:.1f}",
                    limit=MAX_BYTES // 1024 // 1024,
                ),
            )
        )
        return {}, problems
    if not data.strip():
        problems.append(Problem("", 0, "", filename, _("The file is empty.")))
        return {}, problems
    if data[:4] == b"PK\x03\x04":
        sheets = read_xlsx(data, problems)
    elif filename.lower().endswith((".xlsx", ".xlsm", ".xls")):
        problems.append(
            Problem(
                "",
                0,
                "",
                filename,
                _(
                    "This is not an Excel workbook (.xlsx) that can be read. Save it as .xlsx or CSV UTF-8."
                ),
            )
        )
        sheets = {}
    else:
        sheets = read_csv(data, problems)
    return sheets, problems


@dataclass
class _Plan:
    memberships: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    outcomes: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    decisions: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    assessments: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    networks: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def _check(
    session: Session,
    workspace: Workspace,
    sheets: Mapping[str, list[RawRow]],
    problems: list[Problem],
) -> _Plan:
    plan = _Plan()
    framework = ws.framework_of(session, workspace)
    criteria = set(framework.assessed_keys)
    catalogue_ids = set(session.exec(select(Network.id)).all())
    existing = {
        m.network_id
        for m in session.exec(select(Membership).where(Membership.workspace_id == workspace.id))
    }
    if "networks" in sheets:
        plan.networks = _parse_rows(
            "networks",
            sheets["networks"],
            {"id": lambda v: _text(v, limit=64, required=True)},
            problems,
        )
        for number, values in plan.networks:
            if values["id"] not in catalogue_ids:
                problems.append(
                    Problem(
                        "networks",
                        number,
                        "id",
                        values["id"],
                        _(
                            "There is no network with this id in the catalogue (the catalogue is shared: ask a site administrator to add it)."
                        ),
                    )
                )
        _duplicates("networks", plan.networks, lambda v: (v["id"],), "id", problems)
    if "memberships" in sheets:
        plan.memberships = _parse_rows(
            "memberships",
            sheets["memberships"],
            {
                "network_id": lambda v: _text(v, limit=64, required=True),
                "status": lambda v: _choice(v, ("member", "candidate", "former"), required=True),
                "since": _day,
                "annual_fee": _money,
                "staff_hours": lambda v: _int(v, low=0, high=1_000_000),
                "engagement": lambda v: _choice(v, ("active", "passive")),
                "roles": _list,
                "renewal_date": _day,
                "notice_days": lambda v: _int(v, low=0, high=3 * 366),
                "lock": lambda v: _choice(v, ("keep", "exclude")),
                "notes": lambda v: _text(v, limit=20_000),
            },
            problems,
        )
        for number, values in plan.memberships:
            if values["network_id"] not in catalogue_ids:
                problems.append(
                    Problem(
                        "memberships",
                        number,
                        "network_id",
                        values["network_id"],
                        _("There is no network with this id in the catalogue."),
                    )
                )
            if values.get("status") == "candidate" and values.get("engagement"):
                problems.append(
                    Problem(
                        "memberships",
                        number,
                        "engagement",
                        str(values["engagement"]),
                        _("A candidate has no engagement yet; leave it blank."),
                    )
                )
        _duplicates(
            "memberships", plan.memberships, lambda v: (v["network_id"],), "network_id", problems
        )
    known = existing | {v["network_id"] for _n, v in plan.memberships}

    def need_membership(sheet: str, rows: Sequence[tuple[int, dict[str, Any]]]) -> None:
        for number, values in rows:
            network = values["network_id"]
            if network not in catalogue_ids:
                problems.append(
                    Problem(
                        sheet,
                        number,
                        "network_id",
                        network,
                        _("There is no network with this id in the catalogue."),
                    )
                )
            elif network not in known:
                problems.append(
                    Problem(
                        sheet,
                        number,
                        "network_id",
                        network,
                        _(
                            "This workspace has no record of this network: add it in the memberships sheet (or on the city profile) first."
                        ),
                    )
                )

    if "outcomes" in sheets:
        plan.outcomes = _parse_rows(
            "outcomes",
            sheets["outcomes"],
            {
                "network_id": lambda v: _text(v, limit=64, required=True),
                "year": lambda v: _int(v, low=1900, high=2100, required=True),
                "kind": lambda v: _choice(
                    v, ("project", "funding", "policy", "event", "knowledge"), required=True
                ),
                "title": lambda v: _text(v, limit=2000, required=True),
                "amount": _money,
            },
            problems,
        )
        need_membership("outcomes", plan.outcomes)
        _duplicates(
            "outcomes",
            plan.outcomes,
            lambda v: (v["network_id"], v["year"], v["kind"], v["title"]),
            "network_id, year, kind, title",
            problems,
        )
    if "decisions" in sheets:
        plan.decisions = _parse_rows(
            "decisions",
            sheets["decisions"],
            {
                "network_id": lambda v: _text(v, limit=64, required=True),
                "decided_on": lambda v: _day(v, required=True),
                "action": lambda v: _choice(v, dec.DECIDED_ACTIONS, required=True),
                "body": lambda v: _text(v, limit=200, required=True),
                "reference": lambda v: _text(v, limit=200),
                "effective_on": _day,
                "next_review_on": _day,
                "notes": lambda v: _text(v, limit=5000),
            },
            problems,
        )
        need_membership("decisions", plan.decisions)
        for number, values in plan.decisions:
            try:
                dec.check_decision(values)
            except Exception as exc:  # InvalidInput: a rule between the dates
                column = str(getattr(exc, "loc", ("",))[-1])
                problems.append(
                    Problem("decisions", number, column, _show(values.get(column)), str(exc))
                )
        _duplicates(
            "decisions",
            plan.decisions,
            lambda v: (v["network_id"], v["decided_on"]),
            "network_id, decided_on",
            problems,
        )
    if "assessments" in sheets:
        plan.assessments = _parse_rows(
            "assessments",
            sheets["assessments"],
            {
                "network_id": lambda v: _text(v, limit=64, required=True),
                "criterion": lambda v: _text(v, limit=48, required=True),
                "assessor": lambda v: _text(v, limit=200, required=True),
                "score": lambda v: _int(v, low=1, high=5),
                "confidence": lambda v: _choice(v, ("low", "medium", "high")) or "medium",
                "evidence": lambda v: _text(v, limit=5000),
                "source_url": _url,
            },
            problems,
        )
        for number, values in plan.assessments:
            if values["criterion"] not in criteria:
                problems.append(
                    Problem(
                        "assessments",
                        number,
                        "criterion",
                        values["criterion"],
                        _(
                            "Not a criterion assessors score here; see the scales sheet for the keys."
                        ),
                    )
                )
            if values["network_id"] not in catalogue_ids:
                problems.append(
                    Problem(
                        "assessments",
                        number,
                        "network_id",
                        values["network_id"],
                        _("There is no network with this id in the catalogue."),
                    )
                )
        _duplicates(
            "assessments",
            plan.assessments,
            lambda v: (v["network_id"], v["criterion"], v["assessor"]),
            "network_id, criterion, assessor",
            problems,
        )
    return plan


def import_file(
    session: Session,
    workspace: Workspace,
    filename: str,
    data: bytes,
    *,
    actor: str,
    advice: Callable[[str, date], dict[str, Any]] | None = None,
    size: int | None = None,
) -> ImportResult:
    """Import a spreadsheet or CSV file, all or nothing; raises `ImportRejected`.

    ``advice(network_id, day)`` gives the advice snapshot of a decision the file adds (the
    app passes the newest scenario's advice on the decision's date).
    """
    sheets, problems = read_file(filename, data, size=size)
    if not problems and not sheets:
        problems.append(Problem("", 0, "", filename, _("The file holds no data rows.")))
    plan = _check(session, workspace, sheets, problems) if not problems else _Plan()
    if problems:
        audit(
            session,
            workspace_id=workspace.id,
            actor=actor,
            action="import",
            entity="spreadsheet",
            entity_key=filename[:200],
            after={"rejected": True, "problems": len(problems)},
        )
        session.commit()
        raise ImportRejected(problems)
    result = ImportResult(sheets=sorted(sheets))
    try:
        _apply(session, workspace, plan, result, actor=actor, advice=advice)
        audit(
            session,
            workspace_id=workspace.id,
            actor=actor,
            action="import",
            entity="spreadsheet",
            entity_key=filename[:200],
            after=result.as_dict(),
        )
        session.commit()
    except Exception:
        session.rollback()
        raise
    return result


def _record(
    session: Session,
    workspace: Workspace,
    actor: str,
    entity: str,
    key: str,
    before: dict[str, Any] | None,
    after: dict[str, Any],
) -> None:
    audit(
        session,
        workspace_id=workspace.id,
        actor=actor,
        action="import",
        entity=entity,
        entity_key=key,
        before=before,
        after=after,
    )


def _outcome_key(row: tuple[int, str, str, int | None]) -> tuple[int, str, str, int]:
    return (row[0], row[1], row[2], -1 if row[3] is None else row[3])


def _apply(
    session: Session,
    workspace: Workspace,
    plan: _Plan,
    result: ImportResult,
    *,
    actor: str,
    advice: Callable[[str, date], dict[str, Any]] | None,
) -> None:
    wid = workspace.id or 0
    now = utcnow()
    memberships = {
        m.network_id: m
        for m in session.exec(select(Membership).where(Membership.workspace_id == wid))
    }
    for _number, values in plan.memberships:
        renamed = {"annual_fee": "annual_fee_minor"}
        fields = {renamed.get(k, k): v for k, v in values.items() if k != "network_id"}
        for name, empty in (
            ("annual_fee_minor", 0),
            ("staff_hours", 0),
            ("notes", ""),
            ("roles", []),
        ):
            if name in fields and fields[name] is None:
                fields[name] = empty
        row = memberships.get(values["network_id"])
        if row is None:
            row = Membership(workspace_id=wid, network_id=values["network_id"], **fields)
            session.add(row)
            session.flush()
            memberships[row.network_id] = row
            result.created["memberships"] += 1
            _record(session, workspace, actor, "membership", row.network_id, None, snapshot(row))
            continue
        changes = {k: v for k, v in fields.items() if getattr(row, k) != v}
        if not changes:
            result.unchanged["memberships"] += 1
            continue
        before = snapshot(row)
        for k, v in changes.items():
            setattr(row, k, v)
        row.version += 1
        row.updated_at = now
        result.updated["memberships"] += 1
        _record(session, workspace, actor, "membership", row.network_id, before, snapshot(row))
    session.flush()

    if plan.outcomes:
        wanted: dict[str, list[tuple[int, str, str, int | None]]] = defaultdict(list)
        for _number, v in plan.outcomes:
            wanted[v["network_id"]].append((v["year"], v["kind"], v["title"], v.get("amount")))
        ids = [memberships[n].id or 0 for n in wanted]
        current = ws.outcomes_of(session, ids)
        for network_id, rows in wanted.items():
            membership = memberships[network_id]
            have = current[membership.id or 0]
            old = sorted(
                ((o.year, o.kind, o.title, o.amount_minor) for o in have), key=_outcome_key
            )
            new = sorted(rows, key=_outcome_key)
            if old == new:
                result.unchanged["outcomes"] += len(rows)
                continue
            for o in have:
                session.delete(o)
            for year, kind, title, amount in new:
                session.add(
                    Outcome(
                        membership_id=membership.id or 0,
                        year=year,
                        kind=kind,
                        title=title,
                        amount_minor=amount,
                    )
                )
            membership.version += 1
            membership.updated_at = now
            result.updated["outcomes"] += len(rows)
            _record(
                session,
                workspace,
                actor,
                "outcomes",
                network_id,
                {"outcomes": jsonable([list(x) for x in old])},
                {"outcomes": jsonable([list(x) for x in new])},
            )
        session.flush()

    if plan.decisions:
        existing_decisions = {
            (d.network_id, d.decided_on): d
            for d in session.exec(select(Decision).where(Decision.workspace_id == wid))
        }
        for _number, v in plan.decisions:
            fields = {
                k: v.get(k)
                for k in ("action", "body", "reference", "effective_on", "next_review_on", "notes")
                if k in v
            }
            for text_field in ("reference", "notes"):
                if text_field in fields and fields[text_field] is None:
                    fields[text_field] = ""
            d_row = existing_decisions.get((v["network_id"], v["decided_on"]))
            if d_row is None:
                snap = advice(v["network_id"], v["decided_on"]) if advice is not None else {}
                d_row = Decision(
                    workspace_id=wid,
                    network_id=v["network_id"],
                    decided_on=v["decided_on"],
                    snapshot=snap,
                    created_by=actor,
                    **fields,
                )
                session.add(d_row)
                session.flush()
                result.created["decisions"] += 1
                _record(
                    session,
                    workspace,
                    actor,
                    "decision",
                    f"{d_row.network_id}/{d_row.decided_on}",
                    None,
                    snapshot(d_row),
                )
                continue
            changes = {k: val for k, val in fields.items() if getattr(d_row, k) != val}
            if not changes:
                result.unchanged["decisions"] += 1
                continue
            before = snapshot(d_row)
            for k, val in changes.items():
                setattr(d_row, k, val)
            d_row.version += 1
            d_row.updated_at = now
            result.updated["decisions"] += 1
            _record(
                session,
                workspace,
                actor,
                "decision",
                f"{d_row.network_id}/{d_row.decided_on}",
                before,
                snapshot(d_row),
            )
        session.flush()

    if plan.assessments:
        existing_assessments = {
            (a.network_id, a.criterion, a.assessor): a
            for a in session.exec(select(Assessment).where(Assessment.workspace_id == wid))
        }
        entries: list[tuple[str, dict[str, Any] | None, dict[str, Any]]] = []
        new_rows: list[dict[str, Any]] = []
        for _number, v in plan.assessments:
            fields = {
                "score": v.get("score"),
                "confidence": v.get("confidence") or "medium",
                "evidence": v.get("evidence", ""),
                "source_url": v.get("source_url"),
            }
            fields = {k: val for k, val in fields.items() if k in v or k == "score"}
            key = (v["network_id"], v["criterion"], v["assessor"])
            a_row = existing_assessments.get(key)
            label = "/".join(key)
            if a_row is None:
                new_rows.append(
                    {
                        "workspace_id": wid,
                        "network_id": key[0],
                        "criterion": key[1],
                        "assessor": key[2],
                        "score": fields.get("score"),
                        "confidence": fields.get("confidence", "medium"),
                        "evidence": fields.get("evidence", ""),
                        "source_url": fields.get("source_url"),
                        "created_at": now,
                        "updated_at": now,
                        "version": 1,
                    }
                )
                result.created["assessments"] += 1
                entries.append(
                    (
                        label,
                        None,
                        {**fields, "network_id": key[0], "criterion": key[1], "assessor": key[2]},
                    )
                )
                continue
            changes = {k: val for k, val in fields.items() if getattr(a_row, k) != val}
            if not changes:
                result.unchanged["assessments"] += 1
                continue
            before = {k: getattr(a_row, k) for k in changes}
            for k, val in changes.items():
                setattr(a_row, k, val)
            a_row.version += 1
            a_row.updated_at = now
            result.updated["assessments"] += 1
            entries.append((label, before, changes))
        if new_rows:  # Core bulk insert: thousands of rows without building ORM objects
            session.execute(sa.insert(Assessment.__table__), new_rows)  # type: ignore[attr-defined]
        if entries:
            session.execute(
                sa.insert(AuditEntry.__table__),  # type: ignore[attr-defined]
                [
                    {
                        "workspace_id": wid,
                        "at": now,
                        "actor": actor,
                        "action": "import",
                        "entity": "assessment",
                        "entity_key": label[:200],
                        "before": None if before is None else jsonable(before),
                        "after": jsonable(after),
                    }
                    for label, before, after in entries
                ],
            )
        session.flush()


# --- export ---------------------------------------------------------------------------------


def _cells(session: Session, workspace: Workspace) -> dict[str, list[list[Any]]]:
    """Every sheet's rows (without header) as plain values, in a stable order."""
    framework = ws.framework_of(session, workspace)
    rows = ws.list_memberships(session, workspace)
    rows.sort(key=lambda r: r[0].network_id)
    outcomes = ws.outcomes_of(session, [m.id or 0 for m, _n in rows])
    assessments = ws.list_assessments(session, workspace)
    decisions = sorted(
        dec.list_decisions(session, workspace), key=lambda d: (d.network_id, d.decided_on)
    )
    ids = sorted({m.network_id for m, _n in rows})
    sources = catalogue.sources_of(session, ids)
    networks = {n.id: n for _m, n in rows}

    def money(minor: int | None) -> str | None:
        return None if minor is None else str(from_minor(minor))

    return {
        "assessments": [
            [a.network_id, a.criterion, a.assessor, a.score, a.confidence, a.evidence, a.source_url]
            for a in assessments
        ],
        "scales": [
            [c.key, c.title, *[c.anchors.get(i, "") for i in range(1, 6)]]
            for c in framework.criteria
            if c.key in framework.assessed_keys
        ],
        "memberships": [
            [
                m.network_id,
                m.status,
                m.since,
                money(m.annual_fee_minor),
                m.staff_hours,
                m.engagement,
                LIST_SEPARATOR.join(m.roles),
                m.renewal_date,
                m.notice_days,
                m.lock,
                m.notes,
            ]
            for m, _n in rows
        ],
        "outcomes": [
            [m.network_id, o.year, o.kind, o.title, money(o.amount_minor)]
            for m, _n in rows
            for o in outcomes[m.id or 0]
        ],
        "decisions": [
            [
                d.network_id,
                d.decided_on,
                d.action,
                d.body,
                d.reference,
                d.effective_on,
                d.next_review_on,
                d.notes,
            ]
            for d in decisions
        ],
        "networks": [
            [
                i,
                networks[i].name,
                networks[i].acronym,
                networks[i].scope,
                LIST_SEPARATOR.join(networks[i].themes),
                networks[i].website,
                LIST_SEPARATOR.join(sources[i]),
            ]
            for i in ids
        ],
    }


HEADER_FILL = PatternFill("solid", fgColor="DCE6F0")


def _write_sheet(book: Workbook, name: str, rows: Sequence[Sequence[Any]]) -> Worksheet:
    sheet: Worksheet = book.create_sheet(name)
    sheet.append(list(COLUMNS[name]))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for values in rows:
        sheet.append([None if v is None or v == "" else v for v in values])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, even when it starts with "=": never a formula
                if len(cell.value) > 60:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    widths = {"evidence": 60, "notes": 40, "title": 40, "source_url": 40, "sources": 40, "name": 30}
    for i, column in enumerate(COLUMNS[name], start=1):
        sheet.column_dimensions[get_column_letter(i)].width = widths.get(
            column, 16 if column not in "12345" else 40
        )
    return sheet


def _validations(sheet: Worksheet, scales_rows: int, last_row: int) -> None:
    """Score 1-5 or blank; confidence from a list; criterion from the scales sheet."""
    score = DataValidation(
        type="whole",
        operator="between",
        formula1="1",
        formula2="5",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("Score"),
        error=_("A score is a whole number from 1 to 5, or leave the cell blank for missing."),
        showInputMessage=True,
        promptTitle=_("Score"),
        prompt=_("1 to 5 on the anchored scale (see the scales sheet); blank = missing."),
    )
    confidence = DataValidation(type="list", formula1='"low,medium,high"', allow_blank=True)
    criterion = DataValidation(
        type="list", formula1=f"=scales!$A$2:$A${max(scales_rows + 1, 2)}", allow_blank=False
    )
    for validation in (score, confidence, criterion):
        sheet.add_data_validation(validation)
    score.add(f"D2:D{last_row}")
    confidence.add(f"E2:E{last_row}")
    criterion.add(f"B2:B{last_row}")


def export_xlsx(
    session: Session, workspace: Workspace, *, actor: str, template: bool = False
) -> bytes:
    """The workspace's data as a workbook (``template``: headers, scales and validation only)."""
    cells = _cells(session, workspace)
    book = Workbook()
    default = book.active
    if default is not None:
        book.remove(default)
    for name in SHEETS:
        rows = cells[name] if (not template or name == "scales") else []
        sheet = _write_sheet(book, name, rows)
        if name == "assessments":
            _validations(sheet, len(cells["scales"]), max(TEMPLATE_ROWS, len(rows) + 500))
    out = io.BytesIO()
    book.save(out)
    audit(
        session,
        workspace_id=workspace.id,
        actor=actor,
        action="export",
        entity="spreadsheet",
        entity_key="template.xlsx" if template else "workspace.xlsx",
        after={name: len(cells[name]) for name in SHEETS} if not template else {"template": True},
    )
    session.commit()
    return out.getvalue()


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, date) else str(value)
    return "'" + text if text[:1] in FORMULA_START else text


def export_csv(session: Session, workspace: Workspace, sheet: str, *, actor: str) -> str:
    """One sheet as CSV (UTF-8, comma-separated, header row)."""
    cells = _cells(session, workspace)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS[sheet])
    for row in cells[sheet]:
        writer.writerow([_csv_text(v) for v in row])
    audit(
        session,
        workspace_id=workspace.id,
        actor=actor,
        action="export",
        entity="spreadsheet",
        entity_key=f"{sheet}.csv",
        after={sheet: len(cells[sheet])},
    )
    session.commit()
    return out.getvalue()


def problems_json(problems: Sequence[Problem]) -> list[dict[str, Any]]:
    return [
        {"sheet": p.sheet, "row": p.row, "column": p.column, "value": p.value, "why": p.why}
        for p in problems
    ]


__all__ = [
    "COLUMNS",
    "MAX_BYTES",
    "SHEETS",
    "XLSX_MEDIA_TYPE",
    "ImportRejected",
    "ImportResult",
    "Problem",
    "export_csv",
    "export_xlsx",
    "import_file",
    "problems_json",
    "read_file",
]
