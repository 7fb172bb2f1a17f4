"""Server-side SVG charts, identical in HTML pages and in PDF/print reports.

This module owns every chart the product draws. Each public function takes plain Python
values (lists or tuples of floats and strings; NumPy arrays and scalars work too) and returns
a self-contained ``<svg>`` string wrapped in :class:`markupsafe.Markup`, so Jinja inserts it
without escaping it again.

Rules every chart follows, because the same markup must work in a browser with a strict CSP
(no inline scripts or style attributes) and in WeasyPrint (no JavaScript, no external CSS):

- only presentation attributes (``fill``, ``stroke``, ``font-size``...), never ``style=``;
- a fixed ``viewBox`` with ``width="100%"``, so the chart scales to its container;
- ``role="img"``, an ``aria-label`` that states the data in a sentence, and a ``<title>``;
- all text (labels, names, titles) escaped;
- numbers printed next to bars and cells, so colour is never the only carrier of meaning;
- colours from the Okabe-Ito colour-blind-safe palette, or a single-hue blue scale for
  ordered data, with text colour picked for WCAG contrast against its background;
- a missing value (``None`` or NaN) is drawn and labelled as "missing", never as zero.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Sequence
from typing import NamedTuple, SupportsFloat, TypeAlias

from markupsafe import Markup, escape

from app.i18n import current_locale, format_number, format_share
from app.i18n import gettext as _

Number: TypeAlias = SupportsFloat | None
"""A chart input value: float, int, NumPy scalar; ``None`` or NaN means missing."""

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

# Okabe-Ito palette (colour-blind safe) plus neutral inks.
BLUE = "#0072B2"
ORANGE = "#E69F00"
VERMILLION = "#D55E00"
GREEN = "#009E73"
SKY = "#56B4E9"
MISSING = "#a63d00"  # darkened vermillion for "missing" text, 6.4:1 on white
INK = "#1f2933"  # body text, 14.7:1 on white
MUTED = "#52606d"  # secondary text, 6.4:1 on white
GRID = "#c5ccd3"
TRACK = "#e6e9ed"

# Single-hue scale for ordered data (rank 1 darkest), and the "lower ranks" remainder.
RANK_COLOURS = ("#08306b", "#2166ac", "#4393c3", "#92c5de", "#d1e5f0")
OTHER_RANKS = "#bfc5cc"
# ColorBrewer "Blues" stops for the 0-1 heat scale (single hue: colour-blind safe).
HEAT_STOPS = ("#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b")

BAR_WIDTH = 400.0  # viewBox width of bar charts: text stays legible when scaled to a phone
CHAR_WIDTH = 0.55  # average glyph width as a fraction of the font size (for layout only)

_DARK_TEXT = "#000000"  # pure black: with white, one of the two always reaches 4.58:1
_LIGHT_TEXT = "#ffffff"


class ContributionRow(NamedTuple):
    """One criterion's share of a network's value: weight x normalised score.

    ``average`` is the same quantity for the average network (optional).
    """

    label: str
    value: Number
    average: Number = None


class StabilityRow(NamedTuple):
    """The weight interval (fractions 0-1) within which a result holds for one criterion."""

    label: str
    low: Number
    high: Number
    current: Number


# --------------------------------------------------------------------------- helpers


def _value(x: Number) -> float | None:
    """A finite float, or None for a missing value (None, NaN, infinity)."""
    if x is None:
        return None
    f = float(x)
    if math.isnan(f) or math.isinf(f):
        return None
    return f


def _values(xs: Iterable[Number]) -> list[float | None]:
    return [_value(x) for x in xs]


def _n(x: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _fmt(x: float, digits: int = 2) -> str:
    """Thousands separators for large numbers, ``digits`` decimals for small ones.

    >>> _fmt(12500.0), _fmt(0.7234), _fmt(3.0), _fmt(2.5, 1)
    ('12,500', '0.72', '3', '2.5')
    """
    whole = abs(x) >= 100 or float(x).is_integer()
    if current_locale() in ("es", "fr"):
        return format_number(x, 0 if whole else digits)
    if whole:
        return f"{x:,.0f}"
    return f"{x:,.{digits}f}"


def _pct(x: float) -> str:
    """A fraction as a whole percentage.

    >>> _pct(0.234), _pct(1.0)
    ('23%', '100%')
    """
    whole = math.floor(x * 100 + 0.5)  # half up: 62.5% -> 63%
    if current_locale() in ("es", "fr"):
        return format_share(whole / 100)
    return f"{whole}%"


def _luminance(hex_colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG contrast ratio between two ``#rrggbb`` colours.

    >>> round(contrast_ratio("#000000", "#ffffff"), 1)
    21.0
    """
    a, b = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def text_colour_on(background: str) -> str:
    """Dark or white text, whichever contrasts more with ``background``.

    >>> text_colour_on("#08306b"), text_colour_on("#f7fbff")
    ('#ffffff', '#000000')
    """
    dark = contrast_ratio(_DARK_TEXT, background)
    light = contrast_ratio(_LIGHT_TEXT, background)
    return _LIGHT_TEXT if light > dark else _DARK_TEXT


def heat_colour(x: float) -> str:
    """Colour for a value in 0-1 on the light-to-dark blue heat scale.

    >>> heat_colour(0.0), heat_colour(1.0)
    ('#f7fbff', '#08306b')
    """
    t = min(max(x, 0.0), 1.0) * (len(HEAT_STOPS) - 1)
    k = min(int(t), len(HEAT_STOPS) - 2)
    lo, hi = HEAT_STOPS[k], HEAT_STOPS[k + 1]
    f = t - k
    rgb = [
        round(int(lo[i : i + 2], 16) + (int(hi[i : i + 2], 16) - int(lo[i : i + 2], 16)) * f)
        for i in (1, 3, 5)
    ]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _wrap(text: str, width: int, lines: int = 2) -> list[str]:
    wrapped = textwrap.wrap(
        str(text), width, max_lines=lines, placeholder="…", break_long_words=False
    )
    return wrapped or [""]


def _chars(width: float, size: float) -> int:
    """How many characters of ``size`` fit in ``width`` viewBox units (approximately)."""
    return max(8, int(width / (size * CHAR_WIDTH)))


def _text(
    x: float,
    y: float,
    content: str,
    *,
    size: float = 14,
    anchor: str = "start",
    fill: str = INK,
    weight: str | None = None,
    cls: str | None = None,
) -> str:
    extra = f' font-weight="{weight}"' if weight else ""
    extra += f' class="{cls}"' if cls else ""
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" text-anchor="{anchor}" '
        f'fill="{fill}"{extra}>{escape(content)}</text>'
    )


def _rect(
    x: float,
    y: float,
    w: float,
    h: float,
    fill: str,
    *,
    cls: str | None = None,
    value: float | None = None,
    extra: str = "",
) -> str:
    attrs = f' class="{cls}"' if cls else ""
    attrs += f' data-value="{value!r}"' if value is not None else ""
    return (
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(max(w, 0.0))}" height="{_n(h)}" '
        f'fill="{fill}"{attrs}{extra}/>'
    )


def _size_class(width: float) -> str:
    """``chart-w-N``: the viewBox width rounded up to 100, so CSS can cap the drawn width
    near its viewBox size (text stays legible instead of growing with the container).

    >>> _size_class(560), _size_class(170)
    ('chart-w-600', 'chart-w-200')
    """
    return f"chart-w-{math.ceil(width / 100) * 100}"


def _svg(width: float, height: float, *, kind: str, title: str, label: str, body: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind} {_size_class(width)}" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" width="100%" role="img" '
        f'aria-label="{escape(label)}" font-family="{FONT}" font-size="14" fill="{INK}">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )


def _empty(kind: str, title: str) -> Markup:
    body = _rect(0, 0, BAR_WIDTH, 60, "#ffffff", extra=f' stroke="{GRID}" stroke-dasharray="4 4"')
    body += _text(BAR_WIDTH / 2, 35, _("No data to show"), anchor="middle", fill=MUTED)
    label = _("%(title)s: no data to show.", title=title)
    return _svg(BAR_WIDTH, 60, kind=kind, title=title, label=label, body=body)


def _legend(
    items: Sequence[tuple[str, str]], y: float, *, width: float = BAR_WIDTH
) -> tuple[str, float]:
    """Swatches with labels, wrapping onto new rows; items are (colour, label).

    Returns the markup and the y of the last row's baseline.
    """
    parts = []
    x = 0.0
    for colour, name in items:
        item_w = 19 + len(name) * 13 * CHAR_WIDTH + 14
        if x > 0 and x + item_w > width:
            x, y = 0.0, y + 20
        parts.append(
            _rect(x, y - 11, 14, 14, colour, extra=f' stroke="{MUTED}" stroke-width="0.5"')
        )
        parts.append(_text(x + 19, y, name, size=13))
        x += item_w
    return "".join(parts), y


# --------------------------------------------------------------------------- charts


def radar_chart(
    labels: Sequence[str],
    values: Iterable[Number],
    *,
    max_value: float = 5,
    ideal: float = 5,
    title: str | None = None,
    series_label: str | None = None,
) -> Markup:
    """A network's criterion scores (one axis each) against the ideal polygon.

    Present scores are joined by a line; a missing score breaks the line, its axis is
    dashed and its label says "missing". Each axis label also prints the score.

    >>> svg = radar_chart(["Agenda", "Focus", "Learning"], [5, None, 3])
    >>> 'aria-label="Criterion scores against the ideal network: Agenda 5 of 5' in svg
    True
    >>> "missing" in svg
    True
    """
    title = title or _("Criterion scores against the ideal network")
    series_label = series_label or _("This network")
    scores = _values(values)
    if len(scores) != len(labels):
        raise ValueError(f"radar_chart: {len(labels)} labels but {len(scores)} values")
    if not labels or max_value <= 0:
        return _empty("radar", title)

    n = len(labels)
    width, radius, cx, cy = 520.0, 122.0, 260.0, 190.0
    height = cy + radius + 66 + 40

    def point(i: int, v: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = radius * min(max(v, 0.0), max_value) / max_value
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    def ring(v: float) -> str:
        return " ".join(f"{_n(x)},{_n(y)}" for x, y in (point(i, v) for i in range(n)))

    parts: list[str] = []
    steps = int(max_value) if float(max_value).is_integer() and max_value <= 10 else 4
    for k in range(1, steps + 1):
        level = max_value * k / steps
        parts.append(
            f'<polygon points="{ring(level)}" fill="none" stroke="{GRID}" stroke-width="1"/>'
        )
        x, y = point(0, level)
        parts.append(_text(x + 4, y + 4, _fmt(level, 1), size=11, fill=MUTED))
    for i, score in enumerate(scores):
        x, y = point(i, max_value)
        dash = ' stroke-dasharray="4 3"' if score is None else ""
        colour = VERMILLION if score is None else GRID
        parts.append(
            f'<line x1="{_n(cx)}" y1="{_n(cy)}" x2="{_n(x)}" y2="{_n(y)}" '
            f'stroke="{colour}" stroke-width="1"{dash}/>'
        )
    parts.append(
        f'<polygon class="radar-ideal" points="{ring(ideal)}" fill="none" stroke="{MUTED}" '
        f'stroke-width="2" stroke-dasharray="6 4"/>'
    )

    present = [(i, s) for i, s in enumerate(scores) if s is not None]
    if len(present) == n and n >= 3:
        pts = " ".join(f"{_n(x)},{_n(y)}" for x, y in (point(i, s) for i, s in present))
        parts.append(
            f'<polygon class="radar-series" points="{pts}" fill="{BLUE}" fill-opacity="0.18" '
            f'stroke="{BLUE}" stroke-width="2.5" stroke-linejoin="round"/>'
        )
    else:
        for i in range(n):
            j = (i + 1) % n
            a, b = scores[i], scores[j]
            if a is None or b is None or i == j or (n == 2 and i == 1):
                continue
            (x1, y1), (x2, y2) = point(i, a), point(j, b)
            parts.append(
                f'<line class="radar-segment" x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" '
                f'y2="{_n(y2)}" stroke="{BLUE}" stroke-width="2.5" stroke-linecap="round"/>'
            )
    for i, s in present:
        x, y = point(i, s)
        parts.append(
            f'<circle class="radar-point" data-index="{i}" data-value="{s!r}" cx="{_n(x)}" '
            f'cy="{_n(y)}" r="4" fill="{BLUE}" stroke="#ffffff" stroke-width="1.5"/>'
        )

    for i, (name, score) in enumerate(zip(labels, scores, strict=True)):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        cos, sin = math.cos(angle), math.sin(angle)
        offset = radius + (20 if sin > 0.8 else 14)
        lx, ly = cx + offset * cos, cy + offset * sin
        anchor = "middle" if abs(cos) < 0.1 else ("start" if cos > 0 else "end")
        lines = _wrap(str(name), 14)
        value_text = (
            _("missing")
            if score is None
            else _("%(value)s of %(max)s", value=_fmt(score, 1), max=_fmt(max_value, 1))
        )
        block = len(lines) + 1
        step = 17.0
        if sin < -0.8:
            top = ly - (block - 1) * step - 2
        elif sin > 0.8:
            top = ly + 13
        else:
            top = ly - (block - 1) * step / 2 + 5
        for k, line in enumerate(lines):
            parts.append(_text(lx, top + k * step, line, size=15, anchor=anchor))
        parts.append(
            _text(
                lx,
                top + len(lines) * step,
                value_text,
                size=14,
                anchor=anchor,
                fill=MISSING if score is None else MUTED,
                weight="bold" if score is None else None,
                cls="radar-missing" if score is None else None,
            )
        )

    ly = height - 14
    parts.append(
        f'<line x1="120" y1="{_n(ly - 5)}" x2="148" y2="{_n(ly - 5)}" stroke="{BLUE}" '
        f'stroke-width="2.5"/>'
    )
    parts.append(_text(154, ly, series_label, size=14))
    parts.append(
        f'<line x1="270" y1="{_n(ly - 5)}" x2="298" y2="{_n(ly - 5)}" stroke="{MUTED}" '
        f'stroke-width="2" stroke-dasharray="6 4"/>'
    )
    parts.append(_text(304, ly, _("Ideal (all %(value)s)", value=_fmt(ideal, 1)), size=14))

    summary = "; ".join(
        f"{name} "
        + (
            _("missing")
            if s is None
            else _("%(value)s of %(max)s", value=_fmt(s, 1), max=_fmt(max_value, 1))
        )
        for name, s in zip(labels, scores, strict=True)
    )
    return _svg(
        width, height, kind="radar", title=title, label=f"{title}: {summary}.", body="".join(parts)
    )


def _bar_rows(
    rows: Sequence[tuple[str, list[tuple[float | None, str, str]]]],
    *,
    scale: float,
    width: float = BAR_WIDTH,
    number_room: float = 64,
) -> tuple[str, float]:
    """Shared layout: a label line above one or more bars, each with its number.

    ``rows`` holds (label, bars) with bars as (value, colour, printed text). Returns the SVG
    body and the total height used.
    """
    parts: list[str] = []
    y = 0.0
    usable = width - number_room
    for label, bars in rows:
        parts.append(_text(0, y + 14, _wrap(label, _chars(width, 14), 1)[0], size=14))
        y += 20
        for k, (value, colour, printed) in enumerate(bars):
            h = 16.0 if k == 0 else 9.0
            if value is None:
                parts.append(
                    _rect(
                        0, y, usable, h, "#ffffff", extra=f' stroke="{GRID}" stroke-dasharray="4 3"'
                    )
                )
                parts.append(
                    _text(6, y + h - 3.5, printed, size=12 if k == 0 else 10, fill=MISSING)
                )
            else:
                w = usable * max(value, 0.0) / scale if scale > 0 else 0.0
                parts.append(_rect(0, y, usable, h, TRACK))
                parts.append(
                    _rect(0, y, w, h, colour, cls="bar" if k == 0 else "bar-ref", value=value)
                )
                parts.append(
                    _text(
                        w + 6, y + h - (3.5 if k == 0 else 0.5), printed, size=13 if k == 0 else 11
                    )
                )
            y += h + 3
        y += 10
    return "".join(parts), y


def contribution_chart(
    rows: Iterable[ContributionRow | tuple[str, Number] | tuple[str, Number, Number]],
    *,
    title: str | None = None,
    series_label: str | None = None,
    average_label: str | None = None,
    digits: int = 3,
) -> Markup:
    """Horizontal bars of weight x normalised score per criterion, optionally vs the average.

    Rows are ``(label, value)`` or ``(label, value, average)``; bar lengths share one scale.

    >>> svg = contribution_chart([("Agenda", 0.2, 0.1), ("Cost", None, 0.05)])
    >>> "Agenda 0.200 (average 0.100)" in svg and "Cost missing" in svg
    True
    """
    title = title or _("What makes up this network's value")
    series_label = series_label or _("This network")
    average_label = average_label or _("Average network")
    items = [ContributionRow(str(r[0]), *(_values(r[1:]))) for r in rows]
    if not items:
        return _empty("contribution", title)
    has_average = any(item.average is not None for item in items)
    present = [
        v for item in items for v in (_value(item.value), _value(item.average)) if v is not None
    ]
    scale = max([v for v in present if v > 0], default=1.0)

    table: list[tuple[str, list[tuple[float | None, str, str]]]] = []
    for item in items:
        v, a = _value(item.value), _value(item.average)
        bars = [(v, BLUE, _("missing") if v is None else _fmt(v, digits))]
        if has_average:
            bars.append(
                (
                    a,
                    ORANGE,
                    _("average missing")
                    if a is None
                    else _("avg %(value)s", value=_fmt(a, digits)),
                )
            )
        table.append((item.label, bars))
    body, used = _bar_rows(table, scale=scale)
    legend = [(BLUE, series_label)] + ([(ORANGE, average_label)] if has_average else [])
    legend_svg, legend_y = _legend(legend, 16)
    top = legend_y + 18
    body = f'<g transform="translate(0 {_n(top)})">{body}</g>' + legend_svg

    def say(item: ContributionRow) -> str:
        v, a = _value(item.value), _value(item.average)
        text = f"{item.label} {_('missing') if v is None else _fmt(v, digits)}"
        if has_average:
            text += " " + _(
                "(average %(value)s)", value=_("missing") if a is None else _fmt(a, digits)
            )
        return text

    summary = "; ".join(say(item) for item in items)
    return _svg(
        BAR_WIDTH,
        used + top,
        kind="contribution",
        title=title,
        label=f"{title}: {summary}.",
        body=body,
    )


def difference_chart(
    rows: Iterable[tuple[str, Number, Number]],
    *,
    title: str,
    more_label: str,
    less_label: str,
    missing_label: str,
    scale_points: float = 100.0,
) -> Markup:
    """One compact row per criterion: how far its contribution is above or below a reference.

    Rows are ``(label, contribution, reference)``; the bar is ``contribution - reference``
    in value points (times ``scale_points``), drawn right of the centre line when above the
    reference and left when below, with the signed number printed. A page-sized alternative
    to `contribution_chart` for the one-page network report.

    >>> svg = difference_chart([("Agenda", 0.05, 0.03), ("Fee", 0.01, 0.07), ("Gap", None, 0.02)],
    ...     title="T", more_label="more", less_label="less", missing_label="missing")
    >>> "Agenda +2.0; Fee -6.0; Gap missing" in svg
    True
    """
    items = [(str(label), _value(v), _value(ref)) for label, v, ref in rows]
    if not items:
        return _empty("difference", title)
    diffs = [None if v is None or r is None else (v - r) * scale_points for _l, v, r in items]
    reach = max([abs(d) for d in diffs if d is not None], default=1.0) or 1.0
    label_w, number_w, row_h = 190.0, 30.0, 11.0
    centre = label_w + (BAR_WIDTH - label_w) / 2
    half = (BAR_WIDTH - label_w) / 2 - number_w
    parts = [
        _text(centre - 4, 11, less_label, size=10, anchor="end", fill=MUTED),
        _text(centre + 4, 11, more_label, size=10, fill=MUTED),
    ]
    y = 18.0
    for (label, _v, _r), d in zip(items, diffs, strict=True):
        parts.append(_text(0, y + 9.5, _wrap(label, _chars(label_w - 4, 10), 1)[0], size=10))
        if d is None:
            parts.append(_text(centre + 4, y + 9.5, missing_label, size=9.5, fill=MISSING))
        else:
            w = half * abs(d) / reach
            x = centre if d >= 0 else centre - w
            colour = BLUE if d >= 0 else VERMILLION
            parts.append(_rect(x, y + 1.5, w, row_h - 3, colour, cls="bar", value=d))
            printed = f"{d:+.1f}"
            if d >= 0:
                parts.append(_text(centre + w + 3, y + 9.5, printed, size=9.5))
            else:
                parts.append(_text(centre - w - 3, y + 9.5, printed, size=9.5, anchor="end"))
        y += row_h
    parts.append(
        f'<line x1="{_n(centre)}" y1="14" x2="{_n(centre)}" y2="{_n(y)}" stroke="{MUTED}" '
        'stroke-width="1"/>'
    )
    summary = "; ".join(
        f"{label} {missing_label if d is None else f'{d:+.1f}'}"
        for (label, _v, _r), d in zip(items, diffs, strict=True)
    )
    return _svg(
        BAR_WIDTH,
        y + 4,
        kind="difference",
        title=title,
        label=f"{title}: {summary}.",
        body="".join(parts),
    )


def weight_bars(
    labels: Sequence[str],
    weights: Iterable[Number],
    *,
    title: str | None = None,
) -> Markup:
    """Horizontal bars of each criterion's weight, printed as its share of the total.

    Bars are scaled to the largest weight; weights may be fractions or points.

    >>> svg = weight_bars(["Agenda", "Cost"], [30, 10])
    >>> "Agenda 75%; Cost 25%" in svg
    True
    """
    ws = _values(weights)
    if len(ws) != len(labels):
        raise ValueError(f"weight_bars: {len(labels)} labels but {len(ws)} weights")
    title = title or _("Criterion weights")
    if not labels:
        return _empty("weights", title)
    total = sum(w for w in ws if w is not None and w > 0)
    scale = max([w for w in ws if w is not None and w > 0], default=1.0)

    def share(w: float | None) -> str:
        if w is None:
            return _("missing")
        return _pct(w / total) if total > 0 else "0%"

    table = [(str(name), [(w, BLUE, share(w))]) for name, w in zip(labels, ws, strict=True)]
    body, used = _bar_rows(table, scale=scale)
    summary = "; ".join(f"{name} {share(w)}" for name, w in zip(labels, ws, strict=True))
    return _svg(
        BAR_WIDTH, used, kind="weights", title=title, label=f"{title}: {summary}.", body=body
    )


def rank_acceptability_chart(
    names: Sequence[str],
    matrix: Iterable[Iterable[Number]],
    *,
    max_ranks: int = 5,
    title: str | None = None,
) -> Markup:
    """Stacked bars: for each network, the share of weight samples giving it each rank.

    ``matrix[i][r]`` is the share (0-1) of samples in which network ``i`` has rank ``r + 1``.
    Ranks beyond ``max_ranks`` are pooled into one grey "lower ranks" segment.

    >>> svg = rank_acceptability_chart(["C40", "UCLG"], [[0.7, 0.3], [0.3, 0.7]])
    >>> "C40: rank 1 70%, rank 2 30%" in svg
    True
    """
    rows = [_values(r) for r in matrix]
    if len(rows) != len(names):
        raise ValueError(f"rank_acceptability_chart: {len(names)} names but {len(rows)} rows")
    title = title or _("How often each network takes each rank")
    if not names:
        return _empty("rank-acceptability", title)
    n_ranks = max((len(r) for r in rows), default=0)
    shown = max(1, min(max_ranks, n_ranks, len(RANK_COLOURS)))
    pooled = n_ranks > shown
    width, bar_h = BAR_WIDTH, 22.0

    legend = [(RANK_COLOURS[k], _("Rank %(rank)s", rank=k + 1)) for k in range(shown)]
    if pooled:
        legend.append((OTHER_RANKS, _("Rank %(rank)s+", rank=shown + 1)))
    legend_svg, legend_y = _legend(legend, 16)
    parts = [legend_svg]
    y = legend_y + 18
    sentences = []
    for name, row in zip(names, rows, strict=True):
        parts.append(_text(0, y + 14, _wrap(str(name), _chars(width, 14), 1)[0], size=14))
        y += 20
        if not row or any(v is None for v in row):
            parts.append(
                _rect(
                    0, y, width, bar_h, "#ffffff", extra=f' stroke="{GRID}" stroke-dasharray="4 3"'
                )
            )
            parts.append(_text(6, y + 15, _("missing"), size=12, fill=MISSING))
            sentences.append(f"{name}: {_('missing')}")
            y += bar_h + 14
            continue
        shares = [max(v or 0.0, 0.0) for v in row]
        segments = [(shares[k] if k < len(shares) else 0.0) for k in range(shown)]
        if pooled:
            segments.append(sum(shares[shown:]))
        total = sum(segments)
        if total > 1.0:
            segments = [s / total for s in segments]
        parts.append(_rect(0, y, width, bar_h, TRACK))
        x = 0.0
        said = []
        for k, s in enumerate(segments):
            colour = RANK_COLOURS[k] if k < shown else OTHER_RANKS
            w = width * s
            parts.append(_rect(x, y, w, bar_h, colour, cls="segment", value=s))
            if w >= 34:
                parts.append(
                    _text(
                        x + w / 2,
                        y + 15.5,
                        _pct(s),
                        size=12,
                        anchor="middle",
                        fill=text_colour_on(colour),
                    )
                )
            if s > 0:
                rank_name = (
                    _("rank %(rank)s", rank=k + 1)
                    if k < shown
                    else _("rank %(rank)s or lower", rank=shown + 1)
                )
                said.append(f"{rank_name} {_pct(s)}")
            x += w
        sentences.append(f"{name}: {', '.join(said) if said else _('no samples')}")
        y += bar_h + 14
    return _svg(
        width,
        y,
        kind="rank-acceptability",
        title=title,
        label=f"{title}. {'; '.join(sentences)}.",
        body="".join(parts),
    )


def budget_gauge(
    used: Number,
    available: Number,
    label: str,
    unit: str,
    *,
    title: str | None = None,
) -> Markup:
    """A gauge of how much of a budget (fees, staff hours) a selection uses.

    The part over the budget is drawn in vermillion with a marker at the limit, and the text
    says "over budget by".

    >>> svg = budget_gauge(12500, 20000, "Annual fees", "EUR")
    >>> "Annual fees: 12,500 of 20,000 EUR used (63%)" in svg
    True
    """
    u, a = _value(used), _value(available)
    chart_title = title or _("%(label)s budget use", label=label)
    width = BAR_WIDTH
    over_by = u - a if u is not None and a is not None and a > 0 and u > a else None
    if u is None:
        detail = _("use unknown")
    elif a is None or a <= 0:
        detail = _("%(used)s %(unit)s used, no budget set", used=_fmt(u), unit=unit)
    else:
        detail = _(
            "%(used)s of %(budget)s %(unit)s used (%(share)s)",
            used=_fmt(u),
            budget=_fmt(a),
            unit=unit,
            share=_pct(u / a),
        )
    parts = [
        _text(0, 16, label, size=14, weight="bold"),
        _text(0, 34, detail, size=13),
    ]
    bar_y, bar_h = 42.0, 20.0
    parts.append(_rect(0, bar_y, width, bar_h, TRACK, extra=f' stroke="{GRID}"'))
    bottom = bar_y + bar_h
    if u is not None and a is not None and a > 0:
        scale = max(u, a)
        within = width * min(u, a) / scale
        parts.append(_rect(0, bar_y, within, bar_h, BLUE, cls="bar", value=min(u, a)))
        if over_by is not None:
            parts.append(
                _rect(
                    within, bar_y, width - within, bar_h, VERMILLION, cls="bar-over", value=over_by
                )
            )
            parts.append(
                f'<line class="limit" x1="{_n(within)}" y1="{_n(bar_y - 4)}" x2="{_n(within)}" '
                f'y2="{_n(bar_y + bar_h + 4)}" stroke="{INK}" stroke-width="2.5"/>'
            )
        limit_x = width * a / scale
        parts.append(_text(0, bottom + 16, "0", size=12, fill=MUTED))
        parts.append(
            _text(
                limit_x,
                bottom + 16,
                _("budget %(amount)s", amount=_fmt(a)),
                size=12,
                anchor="end" if limit_x > width - 60 else "middle",
                fill=MUTED,
            )
        )
        bottom += 16
    if over_by is not None:
        parts.append(
            _text(
                0,
                bottom + 20,
                _("Over budget by %(amount)s %(unit)s", amount=_fmt(over_by), unit=unit),
                size=13,
                weight="bold",
                fill=MISSING,
            )
        )
        bottom += 20
    text = f"{label}: {detail}"
    if over_by is not None:
        text += _(", over budget by %(amount)s %(unit)s", amount=_fmt(over_by), unit=unit)
    return _svg(
        width, bottom + 6, kind="budget", title=chart_title, label=text + ".", body="".join(parts)
    )


def overlap_heatmap(
    names: Sequence[str],
    matrix: Iterable[Iterable[Number]],
    *,
    title: str | None = None,
    digits: int = 2,
) -> Markup:
    """A square matrix of pairwise overlap (0-1, e.g. Jaccard) with numbers in every cell.

    Columns are numbered to match the numbered row labels, so long names never need rotating.
    Text in each cell is dark or white, whichever contrasts more with the cell colour.

    >>> svg = overlap_heatmap(["C40", "ICLEI"], [[1, 0.4], [0.4, 1]])
    >>> "Highest overlap: C40 and ICLEI 0.40" in svg
    True
    """
    rows = [_values(r) for r in matrix]
    n = len(names)
    if len(rows) != n or any(len(r) != n for r in rows):
        raise ValueError("overlap_heatmap: the matrix must be square with one row per name")
    title = title or _("Overlap between networks")
    if n == 0:
        return _empty("overlap", title)
    cell, label_w, top = 48.0, 210.0, 30.0
    width = label_w + n * cell + 4
    parts: list[str] = []
    for j in range(n):
        parts.append(
            _text(
                label_w + j * cell + cell / 2,
                top - 10,
                str(j + 1),
                size=13,
                anchor="middle",
                weight="bold",
            )
        )
    for i, (name, row) in enumerate(zip(names, rows, strict=True)):
        y = top + i * cell
        parts.append(
            _text(
                label_w - 8,
                y + cell / 2 + 5,
                f"{i + 1}. {_wrap(str(name), 24, 1)[0]}",
                size=13,
                anchor="end",
            )
        )
        for j, v in enumerate(row):
            x = label_w + j * cell
            if i == j:
                parts.append(
                    _rect(x, y, cell, cell, "#eef0f2", extra=' stroke="#ffffff" stroke-width="2"')
                )
                parts.append(
                    _text(x + cell / 2, y + cell / 2 + 5, "—", size=13, anchor="middle", fill=MUTED)
                )
            elif v is None:
                parts.append(
                    _rect(
                        x + 1,
                        y + 1,
                        cell - 2,
                        cell - 2,
                        "#ffffff",
                        extra=f' stroke="{GRID}" stroke-dasharray="3 3"',
                    )
                )
                parts.append(
                    _text(
                        x + cell / 2,
                        y + cell / 2 + 5,
                        "?",
                        size=13,
                        anchor="middle",
                        fill=MISSING,
                    )
                )
            else:
                colour = heat_colour(v)
                parts.append(
                    _rect(
                        x,
                        y,
                        cell,
                        cell,
                        colour,
                        cls="cell",
                        value=v,
                        extra=' stroke="#ffffff" stroke-width="2"',
                    )
                )
                parts.append(
                    _text(
                        x + cell / 2,
                        y + cell / 2 + 5,
                        f"{v:.{digits}f}",
                        size=13,
                        anchor="middle",
                        fill=text_colour_on(colour),
                    )
                )
    # Colour scale legend.
    ly = top + n * cell + 22
    parts.append(_text(label_w - 8, ly + 13, _("Scale"), size=12, anchor="end", fill=MUTED))
    steps = (0.0, 0.25, 0.5, 0.75, 1.0)
    step_w = min(cell, (width - label_w) / len(steps))
    for k, s in enumerate(steps):
        x = label_w + k * step_w
        colour = heat_colour(s)
        parts.append(_rect(x, ly, step_w, 18, colour, extra=f' stroke="{GRID}" stroke-width="0.5"'))
        parts.append(
            _text(
                x + step_w / 2,
                ly + 13,
                _fmt(s, 2),
                size=11,
                anchor="middle",
                fill=text_colour_on(colour),
            )
        )
    has_missing = any(v is None for i, row in enumerate(rows) for j, v in enumerate(row) if i != j)
    if has_missing:
        parts.append(
            _text(0, ly + 44, "? = overlap not known (missing data)", size=12, fill=MISSING)
        )
    height = ly + (52 if has_missing else 26)

    pairs = [
        (v, names[i], names[j])
        for i, row in enumerate(rows)
        for j, v in enumerate(row)
        if j > i and v is not None
    ]
    pairs.sort(key=lambda p: -p[0])
    if pairs:
        top_pairs = ", ".join(
            _("%(a)s and %(b)s %(overlap)s", a=a, b=b, overlap=f"{p:.{digits}f}")
            for p, a, b in pairs[:3]
        )
        summary = _("%(n)s networks. Highest overlap: %(pairs)s", n=n, pairs=top_pairs)
    else:
        summary = _("%(n)s networks, no overlap values", n=n)
    return _svg(
        width,
        height,
        kind="overlap",
        title=title,
        label=f"{title}: {summary}.",
        body="".join(parts),
    )


def stability_chart(
    rows: Iterable[StabilityRow | tuple[str, Number, Number, Number]],
    *,
    title: str | None = None,
) -> Markup:
    """For each criterion, a bar from the lowest to the highest weight that keeps the result.

    Rows are ``(label, low, high, current)`` with weights as fractions 0-1; a marker shows the
    current weight. A row whose interval is unknown is labelled "not computed".

    >>> svg = stability_chart([("Leadership", 0.1, 0.32, 0.2)])
    >>> "Leadership: holds from 10% to 32% (now 20%)" in svg
    True
    """
    items = [StabilityRow(str(r[0]), *(_values(r[1:]))) for r in rows]
    title = title or _("How far each weight can move before the result changes")
    if not items:
        return _empty("stability", title)
    width, bar_h = BAR_WIDTH, 16.0
    parts: list[str] = []
    y = 0.0
    sentences = []
    for item in items:
        low, high, now = _value(item.low), _value(item.high), _value(item.current)
        if low is None or high is None:
            note = _("not computed")
        else:
            note = _("holds from %(low)s to %(high)s", low=_pct(low), high=_pct(high))
        if now is not None:
            note += " " + _("(now %(now)s)", now=_pct(now))
        sentences.append(f"{item.label}: {note}")
        parts.append(_text(0, y + 14, _wrap(item.label, _chars(width, 14), 1)[0], size=14))
        fits = (len(item.label) * 14 + len(note) * 12) * CHAR_WIDTH + 16 < width
        if not fits:  # the note gets its own line on a narrow chart
            y += 17
        parts.append(_text(width, y + 14, note, size=12, anchor="end", fill=MUTED))
        y += 20
        parts.append(_rect(0, y, width, bar_h, TRACK))
        if low is not None and high is not None:
            lo, hi = sorted((min(max(low, 0.0), 1.0), min(max(high, 0.0), 1.0)))
            parts.append(
                _rect(
                    width * lo,
                    y,
                    width * (hi - lo),
                    bar_h,
                    SKY,
                    cls="interval",
                    extra=f' stroke="{BLUE}" stroke-width="1"',
                )
            )
        else:
            parts.append(
                _rect(
                    0, y, width, bar_h, "#ffffff", extra=f' stroke="{GRID}" stroke-dasharray="4 3"'
                )
            )
        if now is not None:
            mx = width * min(max(now, 0.0), 1.0)
            parts.append(
                f'<path class="marker" d="M{_n(mx)} {_n(y - 4)} l5 {_n(bar_h / 2 + 4)} l-5 {_n(bar_h / 2 + 4)} '
                f'l-5 {_n(-(bar_h / 2 + 4))} z" fill="{INK}" stroke="#ffffff" stroke-width="1"/>'
            )
        y += bar_h + 14
    for t in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = width * t
        parts.append(
            f'<line x1="{_n(x)}" y1="{_n(y - 8)}" x2="{_n(x)}" y2="{_n(y - 2)}" stroke="{MUTED}"/>'
        )
        anchor = "start" if t == 0 else ("end" if t == 1 else "middle")
        parts.append(_text(x, y + 12, _pct(t), size=12, anchor=anchor, fill=MUTED))
    return _svg(
        width,
        y + 18,
        kind="stability",
        title=title,
        label=f"{title}. {'; '.join(sentences)}.",
        body="".join(parts),
    )


def value_bar_svg(value: Number, *, label: str | None = None) -> Markup:
    """A small inline bar for a value in 0-1, with the number printed after it.

    >>> print(value_bar_svg(0.5).count('class="bar"'))
    1
    """
    label = label or _("Value score")
    v = _value(value)
    width, track = 170.0, 110.0
    parts = [_rect(0, 4, track, 12, TRACK)]
    if v is None:
        parts[0] = _rect(
            0, 4, track, 12, "#ffffff", extra=f' stroke="{GRID}" stroke-dasharray="3 2"'
        )
        parts.append(_text(track + 6, 15, _("missing"), size=12, fill=MISSING))
        text = _("%(label)s: missing", label=label)
    else:
        clamped = min(max(v, 0.0), 1.0)
        parts.append(_rect(0, 4, track * clamped, 12, BLUE, cls="bar", value=v))
        parts.append(_text(track + 6, 15, f"{v:.2f}", size=13, weight="bold"))
        text = _("%(label)s: %(value)s out of 1", label=label, value=_fmt(v, 2))
    return _svg(width, 20, kind="value-bar", title=text, label=text + ".", body="".join(parts))


def value_function_chart(
    title: str,
    worst_label: str,
    best_label: str,
    *,
    saturates: bool = False,
    beyond_label: str = "",
) -> Markup:
    """A small line chart of a criterion's value function: value 0 at its worst reference
    level, 1 at its best, linear in between; a saturating cost stays at 0 beyond its
    reference (drawn as a flat tail labelled ``beyond_label``).

    >>> svg = value_function_chart("Annual cost", "EUR 30,000", "EUR 0", saturates=True,
    ...                            beyond_label="dearer")
    >>> "value 0 at EUR 30,000" in svg and "value 1 at EUR 0" in svg
    True
    """
    width, height, left, right, top, bottom = 220.0, 96.0, 30.0, 12.0, 10.0, 30.0
    x0, x1 = left, width - right - (36.0 if saturates else 0.0)
    y0, y1 = height - bottom, top
    parts = [
        f'<line x1="{_n(left)}" y1="{_n(y0)}" x2="{_n(width - right)}" y2="{_n(y0)}" '
        f'stroke="{GRID}"/>',
        f'<line x1="{_n(left)}" y1="{_n(y0)}" x2="{_n(left)}" y2="{_n(y1)}" stroke="{GRID}"/>',
        _text(left - 6, y0 + 4, "0", anchor="end", fill=MUTED, size=11),
        _text(left - 6, y1 + 4, "1", anchor="end", fill=MUTED, size=11),
        f'<polyline fill="none" stroke="{BLUE}" stroke-width="3" '
        f'points="{_n(x0)},{_n(y0)} {_n(x1)},{_n(y1)}"/>',
        _text(x0, height - 10, worst_label, anchor="start", fill=INK, size=11),
        _text(x1, height - 10, best_label, anchor="end", fill=INK, size=11),
    ]
    if saturates:
        # Costs run from the reference (worst, left) down to zero (best, right); a cost above
        # the reference sits further left, flat at value 0.
        parts[4] = (
            f'<polyline fill="none" stroke="{BLUE}" stroke-width="3" '
            f'points="{_n(left)},{_n(y0)} {_n(x0 + 36)},{_n(y0)} {_n(x1 + 36)},{_n(y1)}"/>'
        )
        parts[5] = _text(x0 + 36, height - 10, worst_label, anchor="middle", fill=INK, size=11)
        parts[6] = _text(x1 + 36, height - 10, best_label, anchor="end", fill=INK, size=11)
        parts.append(_text(left + 2, y0 - 6, beyond_label, anchor="start", fill=MUTED, size=10))
    label = f"{title}: value 0 at {worst_label}, value 1 at {best_label}"
    if saturates:
        label += f"; {beyond_label}: value 0"
    return _svg(
        width, height, kind="value-function", title=title, label=label + ".", body="".join(parts)
    )
