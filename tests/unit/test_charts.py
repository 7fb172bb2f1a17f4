"""Tests for app/charts.py: valid, accessible, escaped SVG with geometry that matches the data."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Callable

import numpy as np
import pytest
from markupsafe import Markup

from app import charts

SVG = "{http://www.w3.org/2000/svg}"
EVIL = "<script>alert(1)</script>"

# One call per chart, with an unsafe label somewhere in the input.
CHARTS: dict[str, Callable[[], Markup]] = {
    "radar": lambda: charts.radar_chart([EVIL, "Focus", "Learning"], [5, 3, None]),
    "contribution": lambda: charts.contribution_chart([(EVIL, 0.2, 0.1), ("Cost", 0.05, 0.07)]),
    "rank": lambda: charts.rank_acceptability_chart([EVIL, "UCLG"], [[0.7, 0.3], [0.3, 0.7]]),
    "budget": lambda: charts.budget_gauge(12500, 20000, EVIL, "EUR"),
    "weights": lambda: charts.weight_bars([EVIL, "Cost"], [0.6, 0.4]),
    "overlap": lambda: charts.overlap_heatmap([EVIL, "B"], [[1, 0.4], [0.4, 1]]),
    "stability": lambda: charts.stability_chart([(EVIL, 0.1, 0.4, 0.2)]),
    "value_bar": lambda: charts.value_bar_svg(0.5, label=EVIL),
}

EMPTY: dict[str, Callable[[], Markup]] = {
    "radar": lambda: charts.radar_chart([], []),
    "contribution": lambda: charts.contribution_chart([]),
    "rank": lambda: charts.rank_acceptability_chart([], []),
    "weights": lambda: charts.weight_bars([], []),
    "overlap": lambda: charts.overlap_heatmap([], []),
    "stability": lambda: charts.stability_chart([]),
}


def parse(svg: Markup) -> ET.Element:
    return ET.fromstring(str(svg))


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def floats(el: ET.Element, *names: str) -> list[float]:
    return [float(el.attrib[n]) for n in names]


def by_class(root: ET.Element, cls: str) -> list[ET.Element]:
    return [el for el in root.iter() if cls in el.attrib.get("class", "").split()]


# ----------------------------------------------------------------- every chart


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_chart_is_markup_and_parses_as_svg(name: str) -> None:
    svg = CHARTS[name]()

    root = parse(svg)

    assert isinstance(svg, Markup)
    assert root.tag == f"{SVG}svg"
    assert root.attrib["width"] == "100%"
    assert len(root.attrib["viewBox"].split()) == 4
    assert "style" not in str(svg)  # presentation attributes only (CSP forbids inline styles)


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_chart_has_title_role_and_label(name: str) -> None:
    root = parse(CHARTS[name]())

    title = root.find(f"{SVG}title")

    assert title is not None
    assert (title.text or "").strip()
    assert root.attrib["role"] == "img"
    assert len(root.attrib["aria-label"]) > 10


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_chart_escapes_script_in_labels(name: str) -> None:
    svg = str(CHARTS[name]())

    root = parse(Markup(svg))

    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    # The escaped label still reads as the original text (to the parser and screen readers).
    assert EVIL in root.attrib["aria-label"] or any(EVIL in t for t in texts(root))


@pytest.mark.parametrize("name", sorted(EMPTY))
def test_empty_input_gives_a_no_data_chart(name: str) -> None:
    root = parse(EMPTY[name]())

    assert "No data to show" in texts(root)
    assert "no data" in root.attrib["aria-label"]


def test_mismatched_lengths_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="3 labels but 2 values"):
        charts.radar_chart(["a", "b", "c"], [1, 2])
    with pytest.raises(ValueError, match="square"):
        charts.overlap_heatmap(["a", "b"], [[1, 0.2]])


def test_numpy_input_is_accepted() -> None:
    svg = charts.weight_bars(["a", "b"], np.array([0.75, 0.25]))

    assert "a 75%; b 25%" in parse(svg).attrib["aria-label"]


# ----------------------------------------------------------------- radar


def radar_points(root: ET.Element) -> dict[int, tuple[float, float]]:
    return {
        int(c.attrib["data-index"]): (float(c.attrib["cx"]), float(c.attrib["cy"]))
        for c in by_class(root, "radar-point")
    }


def test_radar_point_for_top_score_lies_on_the_outer_ring() -> None:
    root = parse(charts.radar_chart(["a", "b", "c", "d"], [5, 2.5, 0, 5]))
    pts = radar_points(root)
    # Centre (260, 190), radius 122: see radar_chart's layout constants.
    cx, cy, radius = 260.0, 190.0, 122.0

    def dist(i: int) -> float:
        return math.hypot(pts[i][0] - cx, pts[i][1] - cy)

    assert dist(0) == pytest.approx(radius, abs=0.01)
    assert dist(3) == pytest.approx(radius, abs=0.01)
    assert dist(1) == pytest.approx(radius / 2, abs=0.01)  # 2.5 of 5 is half way out
    assert dist(2) == pytest.approx(0, abs=0.01)
    # First axis points straight up.
    assert pts[0] == pytest.approx((cx, cy - radius), abs=0.01)


def test_radar_missing_value_is_a_gap_not_a_zero() -> None:
    root = parse(charts.radar_chart(["a", "b", "c", "d"], [4, None, 3, float("nan")]))

    assert sorted(radar_points(root)) == [0, 2]  # no point drawn for missing scores
    assert by_class(root, "radar-series") == []  # no closed polygon through the gaps
    assert len(by_class(root, "radar-segment")) == 0  # a-c are not neighbours
    assert texts(root).count("missing") == 2
    assert "b missing" in root.attrib["aria-label"]


def test_radar_joins_neighbouring_present_scores_only() -> None:
    root = parse(charts.radar_chart(["a", "b", "c", "d"], [4, 3, None, 2]))

    # a-b and d-a are neighbours with scores; b-c and c-d touch the gap.
    assert len(by_class(root, "radar-segment")) == 2


def test_radar_complete_scores_draw_a_closed_polygon_and_the_ideal() -> None:
    root = parse(charts.radar_chart(["a", "b", "c"], [1, 2, 3], ideal=4))

    assert len(by_class(root, "radar-series")) == 1
    ideal = by_class(root, "radar-ideal")[0]
    first = [float(v) for v in ideal.attrib["points"].split()[0].split(",")]
    assert first == pytest.approx([260.0, 190.0 - 122.0 * 4 / 5], abs=0.01)


def test_radar_scores_above_the_scale_are_clamped_to_the_ring() -> None:
    root = parse(charts.radar_chart(["a", "b", "c"], [7, 5, 5]))

    x, y = radar_points(root)[0]
    assert (x, y) == pytest.approx((260.0, 190.0 - 122.0), abs=0.01)


# ----------------------------------------------------------------- bars


def bar_widths(root: ET.Element, cls: str = "bar") -> list[float]:
    return [float(r.attrib["width"]) for r in by_class(root, cls)]


def test_weight_bars_are_proportional_to_weights() -> None:
    root = parse(charts.weight_bars(["a", "b", "c"], [40, 20, 10]))

    widths = bar_widths(root)

    assert widths[0] / widths[1] == pytest.approx(2, rel=1e-3)
    assert widths[0] / widths[2] == pytest.approx(4, rel=1e-3)
    assert {"57%", "29%", "14%"} <= set(texts(root))  # shares of 70 points, printed


def test_weight_bars_missing_weight_is_labelled() -> None:
    root = parse(charts.weight_bars(["a", "b"], [1.0, None]))

    assert len(bar_widths(root)) == 1
    assert "missing" in texts(root)


def test_contribution_bars_share_one_scale_with_the_average() -> None:
    root = parse(charts.contribution_chart([("a", 0.2, 0.1), ("b", 0.05, 0.4)]))

    own = bar_widths(root, "bar")
    ref = bar_widths(root, "bar-ref")

    assert own[0] / ref[1] == pytest.approx(0.2 / 0.4, rel=1e-3)
    assert own[0] / own[1] == pytest.approx(4, rel=1e-3)
    assert ref[0] / ref[1] == pytest.approx(0.25, rel=1e-3)
    assert "0.200" in texts(root)
    assert "avg 0.400" in texts(root)


def test_contribution_without_average_has_no_reference_bars_or_legend_entry() -> None:
    root = parse(charts.contribution_chart([("a", 0.2), ("b", None)]))

    assert bar_widths(root, "bar-ref") == []
    assert "Average network" not in texts(root)
    assert "missing" in texts(root)
    assert "b missing" in root.attrib["aria-label"]


def test_rank_acceptability_segments_add_up_to_the_full_bar() -> None:
    root = parse(charts.rank_acceptability_chart(["a"], [[0.5, 0.3, 0.2]]))

    widths = bar_widths(root, "segment")

    assert widths == pytest.approx([200.0, 120.0, 80.0], abs=0.01)  # 400 units wide
    assert {"50%", "30%", "20%"} <= set(texts(root))


def test_rank_acceptability_pools_lower_ranks() -> None:
    shares = [0.4, 0.2, 0.1, 0.1, 0.1, 0.05, 0.05]
    root = parse(charts.rank_acceptability_chart(["a"], [shares], max_ranks=3))

    segments = by_class(root, "segment")

    assert len(segments) == 4
    assert float(segments[-1].attrib["data-value"]) == pytest.approx(0.3)
    assert "Rank 4+" in texts(root)
    assert "rank 4 or lower 30%" in root.attrib["aria-label"]


def test_rank_acceptability_missing_row_is_labelled() -> None:
    root = parse(charts.rank_acceptability_chart(["a", "b"], [[1.0, 0.0], [None, None]]))

    assert "missing" in texts(root)
    assert "b: missing" in root.attrib["aria-label"]


def test_budget_gauge_within_budget() -> None:
    root = parse(charts.budget_gauge(5000, 20000, "Annual fees", "EUR"))

    assert bar_widths(root) == pytest.approx([100.0])  # a quarter of 400
    assert by_class(root, "bar-over") == []
    assert "5,000 of 20,000 EUR used (25%)" in texts(root)


def test_budget_gauge_over_budget_marks_the_excess() -> None:
    root = parse(charts.budget_gauge(25000, 20000, "Annual fees", "EUR"))

    within, over = bar_widths(root), bar_widths(root, "bar-over")

    assert within[0] / (within[0] + over[0]) == pytest.approx(20000 / 25000)
    assert "Over budget by 5,000 EUR" in texts(root)
    assert "over budget by 5,000 EUR" in root.attrib["aria-label"]
    assert len(by_class(root, "limit")) == 1


@pytest.mark.parametrize(
    ("used", "available", "expected"),
    [
        (None, 100, "use unknown"),
        (300, None, "300 hours used, no budget set"),
        (300, 0, "300 hours used, no budget set"),
    ],
)
def test_budget_gauge_without_numbers_says_so(
    used: float | None, available: float | None, expected: str
) -> None:
    root = parse(charts.budget_gauge(used, available, "Staff time", "hours"))

    assert expected in texts(root)
    assert bar_widths(root) == []


# ----------------------------------------------------------------- heatmap


def test_overlap_heatmap_prints_every_value_with_contrasting_text() -> None:
    matrix: list[list[float | None]] = [[1, 0.0, 0.9], [0.0, 1, None], [0.9, None, 1]]
    root = parse(charts.overlap_heatmap(["a", "b", "c"], matrix))

    cells = by_class(root, "cell")

    assert len(cells) == 4  # off-diagonal, present
    assert "0.90" in texts(root)
    assert "?" in texts(root)
    assert texts(root).count("—") == 3  # diagonal
    for cell in cells:
        fill = cell.attrib["fill"]
        assert (
            max(charts.contrast_ratio("#ffffff", fill), charts.contrast_ratio("#000000", fill))
            >= 4.5
        )
    assert "Highest overlap: a and c 0.90" in root.attrib["aria-label"]


@pytest.mark.parametrize("x", [i / 20 for i in range(21)])
def test_heat_scale_text_colour_always_meets_aa(x: float) -> None:
    fill = charts.heat_colour(x)

    assert charts.contrast_ratio(charts.text_colour_on(fill), fill) >= 4.5


def test_heat_scale_darkens_monotonically() -> None:
    lum = [charts.contrast_ratio("#ffffff", charts.heat_colour(i / 10)) for i in range(11)]

    assert lum == sorted(lum)


# ----------------------------------------------------------------- stability, value bar


def test_stability_interval_and_marker_positions() -> None:
    root = parse(charts.stability_chart([("a", 0.1, 0.4, 0.25)]))

    interval = by_class(root, "interval")[0]
    marker = by_class(root, "marker")[0]

    x, width = floats(interval, "x", "width")
    assert (x, width) == pytest.approx((40.0, 120.0))  # 10% and 30% of 400
    assert marker.attrib["d"].startswith("M100 ")  # 25% of 400
    assert "holds from 10% to 40% (now 25%)" in texts(root)


def test_stability_unknown_interval_says_not_computed() -> None:
    root = parse(charts.stability_chart([("a", None, None, 0.3)]))

    assert by_class(root, "interval") == []
    assert "not computed (now 30%)" in texts(root)


def test_value_bar_svg_width_and_number() -> None:
    half = parse(charts.value_bar_svg(0.5))
    missing = parse(charts.value_bar_svg(None))

    assert bar_widths(half) == pytest.approx([55.0])  # half of the 110-unit track
    assert "0.50" in texts(half)
    assert bar_widths(missing) == []
    assert "missing" in texts(missing)
    assert missing.attrib["aria-label"] == "Value score: missing."


def test_palette_badge_text_contrast() -> None:
    # Text drawn on rank segments: whichever of dark/white contrasts more must reach AA.
    for colour in (*charts.RANK_COLOURS, charts.OTHER_RANKS):
        assert charts.contrast_ratio(charts.text_colour_on(colour), colour) >= 4.5
    assert charts.contrast_ratio(charts.MISSING, "#ffffff") >= 4.5
    assert charts.contrast_ratio(charts.MUTED, "#ffffff") >= 4.5
