"""Reports as files: HTML, PDF (WeasyPrint) and Word (python-docx), from one view model.

`app.views.report` builds a `WorkspaceReport` or `NetworkReport`; this module only lays it
out. HTML and PDF share the Jinja templates under ``templates/reports/`` and the print
stylesheet ``static/css/report.css``; the Word writer walks the same dataclasses, with the
same translated labels, and inserts the same SVG charts as PNG images.

SVG to PNG: Word (and LibreOffice) cannot be relied on to show SVG, so the charts are
rasterised with CairoSVG, the SVG renderer of the WeasyPrint maintainers (CourtBouillon). It
draws the presentation-attribute SVG that `app.charts` writes faithfully, needs only the
Cairo library that the Pango stack of WeasyPrint already brings, and is widely used and
maintained. (Alternatives considered: svglib pulls in ReportLab; resvg bindings are young.)
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import cairosvg
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph
from jinja2 import Environment
from markupsafe import Markup

from app.i18n import format_day, format_money, format_number, format_share, ngettext
from app.i18n import gettext as _
from app.views.report import (
    Alternatives,
    Method,
    NetworkReport,
    RealisedView,
    WorkspaceReport,
    kind_label,
)
from criteria import describe_source

PDF_MEDIA_TYPE = "application/pdf"
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CHUNK = 64 * 1024
ACCENT = RGBColor(0x0B, 0x4F, 0x8A)
CHART_DPI = 150
DASH = "\u2013"  # printed for an empty cell
TIMES = "\u00d7"

Report = WorkspaceReport | NetworkReport


def template_for(report: Report) -> str:
    return (
        "reports/workspace.html" if isinstance(report, WorkspaceReport) else "reports/network.html"
    )


def render_html(
    env: Environment, report: Report, *, for_print: bool, links: dict[str, str] | None = None
) -> str:
    """The report as one HTML document (``for_print``: no toolbar, no stylesheet link)."""
    template = env.get_template(template_for(report))
    return template.render(
        report=report,
        for_print=for_print,
        links=links or {"back": "", "pdf": "", "docx": "", "lang": ""},
        kind_label=kind_label,
    )


def render_pdf(env: Environment, report: Report, stylesheet: Path) -> bytes:
    """The report as PDF bytes (WeasyPrint renders the print HTML with the report stylesheet)."""
    from weasyprint import CSS, HTML  # heavy import (Pango): only when a PDF is asked for

    html = render_html(env, report, for_print=True)
    document = HTML(string=html, base_url=str(stylesheet.parent))
    meta = report.meta
    pdf: bytes = document.write_pdf(
        stylesheets=[CSS(filename=str(stylesheet))],
        pdf_identifier=meta.fingerprint[:32].encode("ascii"),
    )
    return pdf


def chunks(data: bytes, size: int = CHUNK) -> Iterator[bytes]:
    """``data`` in pieces, for a streaming response."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


def filename(report: Report, extension: str) -> str:
    """A safe download name: workspace, network (for a network report), scenario and date.

    >>> import re
    >>> bool(re.fullmatch(r"[a-z0-9-]+\\.pdf", "example-city-2026-12-01.pdf"))
    True
    """
    meta = report.meta
    parts = [meta.workspace_name]
    if isinstance(report, NetworkReport):
        parts.append(report.network_acronym or report.network_name)
    parts += [meta.scenario_name, meta.analysis_date.isoformat()]
    slug = re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-")[:120]
    return f"{slug or 'report'}.{extension}"


# --- charts ---------------------------------------------------------------------------------


def svg_to_png(svg: str | Markup, width_px: int = 1400) -> bytes:
    """Rasterise one chart (an SVG string from `app.charts`) to PNG bytes."""
    png: bytes = cairosvg.svg2png(
        bytestring=str(svg).encode("utf-8"), output_width=width_px, dpi=CHART_DPI
    )
    return png


# --- Word -----------------------------------------------------------------------------------


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) in a paragraph."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = instruction
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(begin)
    run._r.append(text)
    run._r.append(end)


def _hyperlink(paragraph: Paragraph, url: str) -> None:
    """A clickable link whose text is the address itself."""
    part = paragraph.part
    rel = part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), "0B4F8A")
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    props.append(colour)
    props.append(underline)
    run.append(props)
    text = OxmlElement("w:t")
    text.text = url
    text.set(qn("xml:space"), "preserve")
    run.append(text)
    link.append(run)
    paragraph._p.append(link)


TEXT_WIDTH_CM = 17.2
"""The usable width of an A4 page with the report's margins."""


def column_widths(rows: list[list[str]], total: float = TEXT_WIDTH_CM) -> list[float]:
    """Column widths (cm) shared out by how much text each column holds: a column of numbers
    stays narrow, a column of sentences gets the room (Word's own autofit does not survive
    LibreOffice).

    >>> [round(w, 1) for w in column_widths([["Rank", "Explanation"], ["1", "It is below the bar. " * 6]])]
    [1.3, 15.9]
    """
    columns = max(len(r) for r in rows)
    base, need = [], []
    for i in range(columns):
        cells = [r[i] for r in rows if i < len(r)]
        lengths = sorted(len(c) for c in cells)
        typical = lengths[round(0.9 * (len(lengths) - 1))]  # the 90th percentile
        longest_word = max((len(w) for c in cells for w in c.split()), default=1)
        # room for the longest word (8 pt: about 0.19 cm a character), then a share of the
        # rest by how much text the column typically holds
        base.append(min(max(0.19 * min(longest_word, 16) + 0.35, 1.2), 3.5))
        need.append(max(typical - longest_word, 0) + 1)
    spare = max(total - sum(base), 0.0)
    weight = sum(need)
    return [b + spare * n / weight for b, n in zip(base, need, strict=True)]


class _Writer:
    """Small helpers over a python-docx Document with the report's styles."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.doc: DocxDocument = Document()
        self.currency = report.meta.currency
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        for side in ("left_margin", "right_margin"):
            setattr(section, side, Cm(1.8))
        section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
        normal = self.doc.styles["Normal"]
        normal.font.name = "DejaVu Sans"
        normal.font.size = Pt(9.5)
        for level, size in ((1, 15), (2, 12), (3, 10.5)):
            style = self.doc.styles[f"Heading {level}"]
            style.font.size = Pt(size)
            style.font.color.rgb = ACCENT
        meta = report.meta
        header = section.header.paragraphs[0]
        header.text = f"{meta.workspace_name} · {meta.scenario_name} · {format_day(meta.analysis_date, 'long')}"
        header.runs[0].font.size = Pt(8)
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = footer.add_run(f"SHA-256 {meta.fingerprint[:16]}…    ")
        run.font.size = Pt(7)
        _field(footer, "PAGE")
        footer.add_run(" / ")
        _field(footer, "NUMPAGES")

    def heading(self, text: str, level: int) -> None:
        self.doc.add_heading(text, level=level)

    def para(
        self, text: str, *, bold: bool = False, size: float | None = None, italic: bool = False
    ) -> Paragraph:
        p = self.doc.add_paragraph()
        run = p.add_run(text)
        run.bold = bold
        run.italic = italic
        if size is not None:
            run.font.size = Pt(size)
        return p

    def bullets(self, items: list[str], *, numbered: bool = False) -> None:
        style = "List Number" if numbered else "List Bullet"
        for item in items:
            self.doc.add_paragraph(item, style=style)

    def table(
        self,
        header: list[str],
        rows: list[list[str]],
        *,
        footer: list[str] | None = None,
        numeric: set[int] | None = None,
    ) -> Table:
        """A table with a bold repeated header; columns as wide as their text needs."""
        numeric = numeric or set()
        table: Table = self.doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for i, text in enumerate(header):
            cell = table.rows[0].cells[i]
            cell.text = ""
            run = cell.paragraphs[0].add_run(text)
            run.bold = True
            run.font.size = Pt(8)
        self._repeat_header(table)
        for values in [*rows, *([footer] if footer else [])]:
            cells = table.add_row().cells  # type: ignore[no-untyped-call]
            for i, text in enumerate(values):
                cells[i].text = ""
                run = cells[i].paragraphs[0].add_run(text)
                run.font.size = Pt(8)
                run.bold = footer is not None and values is footer
                if i in numeric:
                    cells[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        widths = column_widths([header, *rows, *([footer] if footer else [])])
        table.autofit = False
        for i, width in enumerate(widths):
            table.columns[i].width = Cm(width)
            for row in table.rows:
                row.cells[i].width = Cm(width)
        return table

    @staticmethod
    def _repeat_header(table: Table) -> None:
        props = table.rows[0]._tr.get_or_add_trPr()
        flag = OxmlElement("w:tblHeader")
        flag.set(qn("w:val"), "true")
        props.append(flag)

    def chart(self, svg: Markup | None, width_cm: float = 16.0) -> None:
        if svg is None:
            return
        self.doc.add_picture(io.BytesIO(svg_to_png(svg)), width=Cm(width_cm))

    def money(self, minor: int) -> str:
        return format_money(minor / 100, self.currency)

    def link(self, url: str) -> None:
        p = self.doc.add_paragraph()
        _hyperlink(p, url)

    def save(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


def _cover(w: _Writer) -> None:
    report = w.report
    L, m = report.labels, report.meta
    w.para(L["subject"].upper(), size=8)
    w.heading(m.subject, 1)
    if m.fictional:
        w.para(L["fictional"], bold=True)
    rows = [
        [L["scenario"], m.scenario_name],
        [L["method_name"], m.method_label],
        [L["date"], format_day(m.analysis_date, "long")],
        [L["framework"], f"{m.framework} ({_('version')} {m.framework_version})"],
        [L["author"], m.author],
        [
            L["generated"],
            f"{format_day(m.generated_at, 'long')} {m.generated_at.strftime('%H:%M')} UTC",
        ],
    ]
    table = w.doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text = label
        cells[0].paragraphs[0].runs[0].bold = True
        cells[1].text = value


def _alternatives(w: _Writer, alt: Alternatives, *, only_differences: bool = False) -> None:
    L = w.report.labels
    header = [L["network"], *[s.name + (" \u2605" if s.chosen else "") for s in alt.scenarios]]
    shown = [r for r in alt.rows if r.differs] if only_differences else list(alt.rows)
    if only_differences:
        w.para(
            ngettext(
                "%(num)s network gets different advice in at least one scenario:",
                "%(num)s networks get different advice in at least one scenario:",
                len(shown),
            )
            + " "
            + ngettext(
                "the other %(num)s network gets the same advice in every scenario.",
                "the other %(num)s networks get the same advice in every scenario.",
                len(alt.rows) - len(shown),
            )
        )
    rows = []
    for r in shown:
        cells = [r.name + (" \u2260" if r.differs else "")]
        for label, value in zip(r.actions, r.values, strict=True):
            cells.append(label if value is None else f"{label} ({format_number(value, 2)})")
        rows.append(cells)
    if rows:
        w.table(header, rows)
    w.bullets([f"{s.name}: {s.summary}" for s in alt.scenarios] + list(alt.failed))
    w.para(
        _(
            "★ marks the scenario this report follows. Values in brackets are each scenario's additive value (0-1)."
        ),
        size=7.5,
        italic=True,
    )


def _realised(w: _Writer, v: RealisedView) -> None:
    L = w.report.labels
    if v.since_sentence:
        w.para(v.since_sentence, bold=True)
    rows = [
        [
            str(y.year),
            w.money(y.cost),
            w.money(y.funding),
            w.money(y.balance),
            ", ".join(
                f"{n} {TIMES} {kind_label(k)}" for k, n in y.counts.items() if n and k != "funding"
            ),
        ]
        for y in v.years
    ]
    footer = [
        L["total"],
        w.money(v.total.cost),
        w.money(v.total.funding),
        w.money(v.total.balance),
        "",
    ]
    w.table(
        [L["year"], L["cost"], L["funding"], L["balance"], L["outcomes"]],
        rows,
        footer=footer,
        numeric={1, 2, 3},
    )


def _method(w: _Writer, me: Method) -> None:
    L = w.report.labels
    w.chart(me.weights_chart, 13)
    w.table(
        [L["criterion"], L["weight_points"], L["weight_share"]],
        [[x.title, format_number(x.points, 1), format_share(x.share, 1)] for x in me.weights],
        numeric={1, 2},
    )
    w.table([L["setting"], L["setting_value"]], [[a, b] for a, b in me.settings], numeric={1})
    w.bullets(list(me.value_functions))
    w.para(me.robustness_note, size=8)
    if me.agreement:
        w.bullets(list(me.agreement))


def _provenance(w: _Writer) -> None:
    L, m = w.report.labels, w.report.meta
    w.heading(L["provenance"], 2)
    w.para(
        _(
            "Every figure in this report comes from the analysis below. Running the same command or API call on the same data gives the same numbers and the same fingerprint; any change to a score, weight, cost, setting or date changes the fingerprint."
        ),
        size=8,
    )
    w.table([L["fingerprint"], L["command"], L["api"]], [[m.fingerprint, m.command, m.api]])
    if m.framework_source:
        w.para(f"{L['framework']}: {m.framework_source}", size=7.5, italic=True)


def _evidence_table(w: _Writer, items: list[Any]) -> None:
    L = w.report.labels
    table = w.table(
        [L["criterion"], L["score"], L["evidence_text"], L["assessor"]],
        [
            [
                e.criterion,
                L["missing"] if e.score is None else str(e.score),
                e.evidence or DASH,
                f"{e.assessor} ({L['confidence']}: {e.confidence})",
            ]
            for e in items
        ],
        numeric={1},
    )
    for row, e in zip(table.rows[1:], items, strict=True):
        if e.source_url:
            _hyperlink(row.cells[2].add_paragraph(), e.source_url)


def _day(value: date | None, fallback: str) -> str:
    return format_day(value) if value else fallback


def workspace_docx(report: WorkspaceReport) -> bytes:
    """The workspace report as a Word document."""
    w = _Writer(report)
    L, m = report.labels, report.meta
    _cover(w)
    w.para(m.summary, bold=True, size=10.5)
    w.heading(f"1. {L['motion']}", 2)
    w.para(L["motion_lead"])
    w.bullets([mo.text for mo in report.motions], numbered=True)
    w.heading(f"2. {L['background']}", 2)
    for p in report.background:
        w.para(p)
    w.heading(f"3. {L['discussion']}", 2)
    rows = []
    for r in report.rows:
        note = r.explanation + (f" {r.method_note}" if r.method_note else "")
        if r.flags:
            note += " " + "; ".join(r.flags)
        decided = DASH
        if r.decided_label:
            decided = f"{r.decided_label} ({_day(r.decided_on, '')})"
            if r.differs:
                decided += f" — {L['differs']}"
        rows.append(
            [
                DASH if r.rank is None else str(r.rank),
                r.short,
                f"{r.action_label}: {note}",
                format_number(r.value, 2),
                DASH if r.stability is None else format_share(r.stability),
                w.money(r.fee) + (f" + {w.money(r.travel)}" if r.travel else ""),
                format_number(r.hours),
                decided,
            ]
        )
    w.table(
        [
            L["rank"],
            L["network"],
            L["action"],
            L["value"],
            L["stability"],
            L["fee"],
            L["staff_hours"],
            L["decided"],
        ],
        rows,
        numeric={0, 3, 4, 5, 6},
    )
    w.heading(L["robustness"], 3)
    w.bullets(
        [
            f"{r.action_label} {r.short}: {r.robustness}"
            for r in report.rows
            if r.action in ("leave", "join", "at_risk")
        ]
        + report.method.stability[:4]
    )
    if report.warnings:
        w.heading(L["warnings"], 3)
        w.bullets(report.warnings)
    f = report.fiscal
    w.heading(f"4. {L['fiscal']}", 2)
    for s in f.sentences:
        w.para(s)
    w.chart(f.fee_gauge, 12)
    w.chart(f.hours_gauge, 12)
    w.table(
        [
            L["network"],
            L["action"],
            L["cost_now"],
            L["cost_after"],
            L["hours_now"],
            L["hours_after"],
        ],
        [
            [
                x.name,
                x.action_label,
                w.money(x.cost_now),
                w.money(x.cost_after),
                format_number(x.hours_now),
                format_number(x.hours_after),
            ]
            for x in f.lines
        ],
        footer=[
            L["total"],
            "",
            w.money(f.fee_now),
            w.money(f.fee_after),
            format_number(f.hours_now),
            format_number(f.hours_after),
        ],
        numeric={2, 3, 4, 5},
    )
    w.heading(f"5. {L['alternatives']}", 2)
    _alternatives(w, report.alternatives, only_differences=True)
    w.heading(f"6. {L['realised']}", 2)
    if not report.realised:
        w.para(_("No outcomes or decisions are recorded yet."))
    else:
        w.table(
            [L["network"], L["year"], L["cost"], L["funding"], L["balance"], L["outcomes"]],
            [
                [
                    v.name,
                    f"{v.total.first_year}{DASH}{v.total.last_year}",
                    w.money(v.total.cost),
                    w.money(v.total.funding),
                    w.money(v.total.balance),
                    ", ".join(
                        f"{n} {TIMES} {kind_label(k)}"
                        for k, n in v.total.counts.items()
                        if n and k != "funding"
                    ),
                ]
                for v in report.realised
            ],
            numeric={2, 3, 4},
        )
        w.bullets([f"{v.name}: {v.since_sentence}" for v in report.realised if v.since_sentence])
        w.para(
            _(
                "Past years are counted at each membership's current yearly cost (no fee history is kept). Each network's report shows the figures year by year."
            ),
            size=7.5,
            italic=True,
        )
    w.heading(f"7. {L['calendar']}", 2)
    w.table(
        [
            L["network"],
            L["action"],
            L["next_renewal"],
            L["notice_by"],
            L["exit_on"],
            L["next_review"],
        ],
        [
            [
                c.name,
                c.action_label,
                _day(c.next_renewal, L["not_recorded"]),
                _day(c.notice_by, L["not_recorded"]) + (" \u2020" if c.missed else ""),
                _day(c.exit_on, DASH),
                _day(c.next_review, DASH),
            ]
            for c in report.calendar
        ],
    )
    if any(c.missed for c in report.calendar):
        w.para(
            "\u2020 "
            + _(
                "The notice deadline for the next renewal has passed, so the fee for that year is committed; the earliest exit is the renewal after it."
            ),
            size=7.5,
        )
    w.heading(f"8. {L['method']}", 2)
    _method(w, report.method)
    _provenance(w)
    w.doc.add_page_break()  # type: ignore[no-untyped-call]
    w.heading(f"{_('Annex')}: {L['evidence']}", 2)
    w.para(
        _(
            "For each network: who scored it, and the sources the assessors cited. The evidence behind every score, criterion by criterion, is in the report on each network."
        ),
        size=8.5,
    )
    for g in report.evidence:
        w.heading(g.name, 3)
        w.para(f"{L['assessor']}: {'; '.join(g.assessors) or L['not_recorded']}", size=8.5)
        for url in g.sources:
            w.link(url)
    return w.save()


def network_docx(report: NetworkReport) -> bytes:
    """The network report as a Word document: the same brief page 1 and annexes as the PDF."""
    w = _Writer(report)
    L = report.labels
    r = report.row
    _cover(w)
    w.heading(f"1. {L['motion']}", 2)
    if report.motion is not None:
        w.para(f"{L['motion_lead']} {report.motion.text}")
    else:
        w.para(
            _("Former memberships are not analysed; mark it as a candidate to consider rejoining.")
        )
    if r is not None:
        w.heading(f"2. {L['discussion']}", 2)
        rank = DASH if r.rank is None else str(r.rank)
        w.para(
            f"{r.action_label} · {L['rank']} {rank} · {L['value']} {format_number(r.value, 2)} · {report.status_label}",
            bold=True,
        )
        w.para(r.explanation, size=9)
        if r.method_note:
            w.para(r.method_note, size=8)
        w.para(f"{L['robustness']}: {r.robustness} {report.action_sentence}".strip(), size=8.5)
        if r.brief_flags:
            w.bullets(r.brief_flags)
        if r.strengths:
            w.heading(L["strengths"], 3)
            w.bullets(r.strengths)
        if r.weaknesses:
            w.heading(L["weaknesses"], 3)
            w.bullets(r.weaknesses)
        w.chart(report.contribution_chart, 11)
        w.heading(f"3. {L['fiscal']}", 2)
        for s in report.fiscal_sentences:
            w.para(s, size=9)
        c = report.calendar
        if c is not None:
            w.para(
                f"{L['next_renewal']}: {_day(c.next_renewal, L['not_recorded'])} · "
                f"{L['notice_by']}: {_day(c.notice_by, L['not_recorded'])} · "
                f"{L['exit_on']}: {_day(c.exit_on, DASH)} · "
                f"{L['next_review']}: {_day(c.next_review, DASH)}",
                size=9,
            )
        else:
            w.para(_("No renewal date or notice period is recorded."), size=9)
        w.heading(f"4. {L['alternatives']}", 2)
        w.bullets(report.alternatives_brief)
    w.heading(f"5. {L['realised']}", 2)
    v = report.realised
    if v is not None and (v.years or v.since_sentence):
        if v.since_sentence:
            w.para(v.since_sentence, size=9, bold=True)
        if v.totals_sentence:
            w.para(v.totals_sentence, size=9)
        w.para(_("By year, with each outcome and every decision: Annex B."), size=8, italic=True)
    else:
        w.para(_("No outcomes are recorded for this network."), size=9)
    if report.decisions:
        d = report.decisions[0]
        w.para(
            _(
                "Decision in force: %(decided)s, %(body)s, %(day)s.",
                decided=d.action_label,
                body=d.body,
                day=format_day(d.decided_on),
            )
            + (f" {L['differs']}" if d.differs else ""),
            size=9,
        )
    w.heading(f"6. {L['evidence']}", 2)
    w.para(report.evidence.summary, size=9)
    if report.evidence.assessors:
        w.para("; ".join(report.evidence.assessors), size=8)
    w.para(
        _(
            "Every score with its evidence, source and assessor, and the sources of the network "
            "facts: Annex A."
        ),
        size=8,
        italic=True,
    )
    w.heading(f"7. {L['method']}", 2)
    me = report.method
    w.para(
        f"{L['method_name']}: {report.meta.method_label}. {_('Weights')}: "
        + "; ".join(f"{x.title} {format_share(x.share)}" for x in me.weights)
        + ".",
        size=8,
    )
    w.para(
        f"{_('Settings')}: " + "; ".join(f"{label} {value}" for label, value in me.settings) + ".",
        size=8,
    )
    w.para(
        f"{L['fingerprint']}: {report.meta.fingerprint} · {L['command']}: {report.meta.command}",
        size=7.5,
    )

    w.doc.add_page_break()  # type: ignore[no-untyped-call]
    w.heading(_("Annex A. Evidence"), 2)
    if report.evidence.items:
        _evidence_table(w, report.evidence.items)
    else:
        w.para(_("No assessment is recorded for this network."))
    w.heading(L["sources"], 3)
    for s in report.sources:
        if s.startswith("http"):
            w.link(s)
        else:
            w.para(describe_source(s), size=8)
    w.heading(_("Annex B. Realised value and decisions"), 2)
    if v is not None and v.years:
        _realised(w, v)
        w.bullets(v.outcome_titles)
        w.para(v.cost_note, size=7.5, italic=True)
    else:
        w.para(_("No outcomes are recorded for this network."))
    w.heading(L["decisions"], 3)
    if report.decisions:
        w.table(
            [L["date"], L["decided"], L["body"], L["reference"], L["snapshot"], L["next_review"]],
            [
                [
                    format_day(d.decided_on),
                    d.action_label + (f" — {L['differs']}" if d.differs else ""),
                    d.body,
                    d.reference or DASH,
                    (d.recommended_label or DASH) + (f" ({d.scenario})" if d.scenario else ""),
                    _day(d.next_review_on, DASH),
                ]
                for d in report.decisions
            ],
        )
    else:
        w.para(_("No council decision is recorded for this network."))
    w.heading(_("Annex C. Scenarios, method and reproduction"), 2)
    _alternatives(w, report.alternatives)
    _method(w, report.method)
    _provenance(w)
    return w.save()


def render_docx(report: Report) -> bytes:
    if isinstance(report, WorkspaceReport):
        return workspace_docx(report)
    return network_docx(report)
