"""Tests for the UI foundation templates: base.html, macros.html and error.html.

They render with the same Jinja options as the app (autoescape, StrictUndefined), so a
variable the layout forgets to guard fails here rather than on a live page.
"""

from __future__ import annotations

import json
import re
from enum import StrEnum
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from app.i18n import use_locale
from app.templating import make_environment

ROOT = Path(__file__).resolve().parents[2]
ENV = make_environment(ROOT / "templates")  # the app's own options: autoescape, strict, i18n
MACROS = (
    '{% from "macros.html" import action_badge, value_bar, field_error, input_field, '
    "select_field, csrf_input, flag_list, money, pct with context %}"
)
WORKSPACE = SimpleNamespace(id=7, name="Demo <City>", fictional=True, notice="Invented figures.")
USER = SimpleNamespace(email="ana@example.org")


class Action(StrEnum):
    JOIN = "join"
    NOT_ELIGIBLE = "not_eligible"


def macro(source: str, **context: Any) -> str:
    """Render a snippet that can call every macro."""
    return ENV.from_string(MACROS + source).render(**context).strip()


def page(template: str = "base.html", **context: Any) -> str:
    return ENV.get_template(template).render(**context)


class Tags(HTMLParser):
    """Collects start tags with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(html: str, name: str) -> list[dict[str, str | None]]:
    parser = Tags()
    parser.feed(html)
    return [attrs for tag, attrs in parser.tags if tag == name]


# ----------------------------------------------------------------- base.html


def test_base_renders_without_any_optional_variable() -> None:
    html = page()

    assert html.startswith("<!doctype html>")
    assert '<html lang="en">' in html
    assert 'href="/login"' in html
    assert 'href="/networks"' in html
    assert "/workspaces/" not in html
    assert "notice-fictional" not in html
    assert '<meta name="csrf-token" content="">' in html


def test_base_workspace_navigation_marks_the_current_page() -> None:
    html = page(workspace=WORKSPACE, user=USER, nav_active="portfolio", csrf_token="tok")

    links = {a["href"]: a for a in tags(html, "a")}
    for path in ("", "/priorities", "/portfolio", "/scenarios", "/robustness", "/overlap"):
        assert f"/workspaces/7{path}" in links
    assert "/workspaces/7/profile" in links
    assert "/workspaces/7/audit" in links
    current = [href for href, a in links.items() if a.get("aria-current") == "page"]
    assert current == ["/workspaces/7/portfolio"]
    assert "Demo &lt;City&gt;" in html


def test_base_signed_in_user_gets_a_sign_out_form_with_csrf() -> None:
    html = page(user=USER, csrf_token="tok-123")

    form = tags(html, "form")[0]
    hidden = [i for i in tags(html, "input") if i.get("name") == "csrf_token"]

    assert (form["method"], form["action"]) == ("post", "/logout")
    assert hidden[0]["value"] == "tok-123"
    assert "ana@example.org" in html
    assert 'href="/login"' not in html
    assert '<meta name="csrf-token" content="tok-123">' in html


def test_base_none_user_means_signed_out() -> None:
    assert 'href="/login"' in page(user=None)


def test_base_shows_the_fictional_data_notice() -> None:
    html = page(workspace=WORKSPACE)

    assert "notice-fictional" in html
    assert "Invented figures." in html


def test_base_fictional_notice_has_a_default_text() -> None:
    workspace = SimpleNamespace(id=1, name="Demo", fictional=True)  # no .notice attribute

    assert "invented figures" in page(workspace=workspace)


def test_base_real_workspace_has_no_notice() -> None:
    workspace = SimpleNamespace(id=1, name="Real", fictional=False, notice=None)

    assert "notice-fictional" not in page(workspace=workspace)


def test_base_has_no_inline_script_style_or_hx_on() -> None:
    html = page(workspace=WORKSPACE, user=USER, csrf_token="t")

    scripts = tags(html, "script")
    assert [s["src"] for s in scripts] == ["/static/vendor/htmx.min.js", "/static/js/app.js"]
    assert all("defer" in s for s in scripts)
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None
    assert " style=" not in html
    assert "hx-on" not in html


def test_base_htmx_config_lets_422_swap_and_disables_injected_styles() -> None:
    meta = next(m for m in tags(page(), "meta") if m.get("name") == "htmx-config")

    config = json.loads(meta["content"] or "")

    assert config["responseHandling"][0] == {"code": "422", "swap": True}
    assert config["includeIndicatorStyles"] is False
    assert config["allowEval"] is False


def test_base_has_skip_link_main_landmark_and_api_link() -> None:
    html = page()

    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html
    assert 'href="/docs"' in html


def test_base_app_version_in_footer() -> None:
    assert "Network Compass 1.2.3" in page(app_version="1.2.3")


# ----------------------------------------------------------------- macros


@pytest.mark.parametrize(
    ("action", "css", "text"),
    [
        ("join", "badge-join", "Join"),
        ("STAY", "badge-stay", "Stay"),
        ("leave", "badge-leave", "Leave"),
        ("not_recommended", "badge-not_recommended", "Not recommended"),
        (Action.NOT_ELIGIBLE, "badge-not_eligible", "Not eligible"),
        (Action.JOIN, "badge-join", "Join"),
        ("<b>odd</b>", "badge-neutral", "&lt;b&gt;odd&lt;/b&gt;"),
        (None, "badge-neutral", "No recommendation"),
    ],
)
def test_action_badge(action: object, css: str, text: str) -> None:
    html = macro("{{ action_badge(a) }}", a=action)

    assert html == f'<span class="badge {css}">{text}</span>'


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (1250000, "€12,500"),
        (1250050, "€12,500.50"),
        (5, "€0.05"),
        (0, "€0"),
        (-99900, "-€999"),
        (123456789, "€1,234,567.89"),
    ],
)
def test_money(amount: int, expected: str) -> None:
    assert macro('{{ money(x, "EUR") }}', x=amount) == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("es", "12.500,50\xa0€"), ("fr", "12\u202f500,50\xa0€")],
)
def test_money_in_the_readers_locale(locale: str, expected: str) -> None:
    with use_locale(locale):
        assert macro('{{ money(1250050, "EUR") }}') == expected


def test_money_missing() -> None:
    assert "not set" in macro('{{ money(none, "EUR") }}')


@pytest.mark.parametrize(
    ("x", "digits", "expected"), [(0.234, 0, "23%"), (0.2345, 1, "23.4%"), (1, 0, "100%")]
)
def test_pct(x: float, digits: int, expected: str) -> None:
    assert macro("{{ pct(x, d) }}", x=x, d=digits) == expected


def test_pct_missing_and_nan() -> None:
    assert "missing" in macro("{{ pct(none) }}")
    assert "missing" in macro("{{ pct(x) }}", x=float("nan"))


def test_value_bar_prints_number_and_clamps_width() -> None:
    html = macro("{{ value_bar(0.724) }}{{ value_bar(1.7) }}")

    rects = [r for r in tags(html, "rect") if r.get("class") == "fill"]

    assert "0.72" in html
    assert [r["width"] for r in rects] == ["72.4", "100.0"]


def test_value_bar_missing() -> None:
    html = macro('{{ value_bar(none, "Value") }}')

    assert "Value: missing" in html
    assert "<svg" not in html


def test_input_field_with_error_is_invalid_and_described() -> None:
    html = macro(
        '{{ input_field("name", "Scenario name", value=v, errors=e, hint="Short.", required=true) }}',
        v='"><script>',
        e={"name": "Already taken."},
    )

    field = tags(html, "input")[0]
    error = tags(html, "p")[0]

    assert field["aria-invalid"] == "true"
    assert field["aria-describedby"] == "name-hint name-error"
    assert field["value"] == '"><script>'  # escaped in the markup, intact as a value
    assert "<script>" not in html
    assert "required" in field
    assert (error["id"], error["role"], error["class"]) == ("name-error", "alert", "field-error")
    assert '<label for="name">' in html


def test_input_field_without_error_and_extra_attributes() -> None:
    html = macro(
        '{{ input_field("fee", "Fee", value=0, type="number", attrs={"min": 0, "step": "any", "readonly": true}) }}'
    )

    field = tags(html, "input")[0]

    assert "aria-invalid" not in field
    assert (field["type"], field["value"], field["min"], field["step"]) == (
        "number",
        "0",
        "0",
        "any",
    )
    assert "readonly" in field
    assert "field-error" not in html


def test_password_input_never_echoes_its_value() -> None:
    html = macro('{{ input_field("password", "Password", value="secret", type="password") }}')

    assert "secret" not in html


def test_select_field_marks_selected_option() -> None:
    html = macro(
        '{{ select_field("method", "Method", [("weighted_sum", "Weighted sum"), "topsis"], '
        'selected="topsis", errors={"method": ["Unknown.", "Pick one."]}) }}'
    )

    options = tags(html, "option")

    assert [o["value"] for o in options] == ["weighted_sum", "topsis"]
    assert "selected" in options[1]
    assert "selected" not in options[0]
    assert tags(html, "select")[0]["aria-invalid"] == "true"
    assert "Unknown. Pick one." in html


def test_field_error_renders_nothing_without_an_error() -> None:
    assert macro('{{ field_error(none, "x") }}{{ field_error({"y": "bad"}, "x") }}') == ""


def test_csrf_input_reads_the_callers_context() -> None:
    html = macro("{{ csrf_input() }}", csrf_token="abc")

    assert html == '<input type="hidden" name="csrf_token" value="abc">'


def test_flag_list_accepts_strings_objects_and_mappings() -> None:
    flags = [
        "Re-engage",
        SimpleNamespace(message="Uncertain", level="warning"),
        {"text": "Note", "kind": "info"},
    ]

    html = macro("{{ flag_list(f) }}", f=flags)

    classes = [li["class"] for li in tags(html, "li")]
    assert classes == ["flag", "flag flag-warning", "flag flag-info"]
    assert [t in html for t in ("Re-engage", "Uncertain", "Note")] == [True, True, True]
    assert macro("{{ flag_list([]) }}") == ""


# ----------------------------------------------------------------- error.html


def test_error_page_shows_status_title_and_message() -> None:
    html = page(
        "error.html", status_code=404, title="Not found", message="No workspace <7>.", user=None
    )

    assert "Error 404" in html
    assert '<h1 id="error-title">Not found</h1>' in html
    assert "No workspace &lt;7&gt;." in html
    assert 'href="/"' in html
    assert "<title>Not found · Network Compass</title>" in html


def test_error_page_renders_with_nothing_in_context() -> None:
    html = page("error.html")

    assert "Error 500" in html
    assert "Something went wrong" in html
