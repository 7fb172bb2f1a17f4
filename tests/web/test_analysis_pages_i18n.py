"""The dashboard and the analysis pages speak Spanish and French, and nothing on them escapes
translation.

Two kinds of test:

- each page in ``es`` and ``fr`` contains none of the English phrases it prints in English;
- a pseudo-locale run: every message is wrapped as ``[~message~]`` (`app.i18n.PSEUDO`, served
  through the same middleware and catalogue lookup as a real language), the page's ``<main>``
  is parsed, and any visible text left outside a wrapper that is not data (network names,
  numbers, money, dates, the workspace's own records) fails the test. `PSEUDO_PAGES` lists the
  pages it covers: add a page there (with the element ids still owned by another page's
  translation work, if any) to bring it under the check.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app import i18n
from app.models import Assessment, Membership, Network, Outcome, Workspace
from app.services import catalogue
from app.services import workspaces as ws

Url = Callable[[Workspace, Session], str]


def _with_lang(url: str, locale: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}lang={locale}"


def _scenarios(session: Session, demo: Workspace) -> list[int]:
    return [s.id or 0 for s in ws.list_scenarios(session, demo)]


def _network(session: Session, demo: Workspace) -> str:
    """A member with assessments, renewal dates and outcomes (the fullest network page)."""
    members = [m for m, _n in ws.list_memberships(session, demo) if m.status == "member"]
    return members[0].network_id


PAGES: dict[str, Url] = {
    "dashboard": lambda demo, _s: f"/workspaces/{demo.id}",
    "dashboard, another scenario": lambda demo, s: (
        f"/workspaces/{demo.id}?scenario={_scenarios(s, demo)[-1]}"
    ),
    "network": lambda demo, s: f"/workspaces/{demo.id}/networks/{_network(s, demo)}",
    "scenarios": lambda demo, _s: f"/workspaces/{demo.id}/scenarios",
    "compare": lambda demo, s: (
        f"/workspaces/{demo.id}/scenarios/compare?"
        + "&".join(f"ids={i}" for i in _scenarios(s, demo)[:3])
    ),
    "robustness": lambda demo, _s: f"/workspaces/{demo.id}/robustness?samples=200",
    "portfolio": lambda demo, _s: f"/workspaces/{demo.id}/portfolio",
    "methods": lambda demo, _s: f"/workspaces/{demo.id}/methods",
    "overlap": lambda demo, _s: f"/workspaces/{demo.id}/overlap",
}

ENGLISH: dict[str, tuple[str, ...]] = {
    "dashboard": (
        "recommendations",
        "Points to check",
        "Ranked recommendations",
        "How this value adds up",
        "Budget use of the recommended portfolio",
        "Weights used",
        "Staff time",
        "Fee/year",
        "Robustness",
        "Change priorities",
        "per value point",
        "Details",
        "Annual fees",
        "recommended",
        "Keep ",
    ),
    "dashboard, another scenario": (
        "What changed against",
        "action changed",
        "changed rank only",
        "Scenario",
        "fee budget",
        "weight samples",
    ),
    "network": (
        "Recommendation",
        "How the value adds up",
        "Membership record",
        "Annual fee",
        "Notice period",
        "Outcomes by year",
        "Evidence",
        "Assessor",
        "Edit assessments",
        "Ideal (all",
        "This network",
        "Average network",
        "avg ",
        "Rank ",
    ),
    "scenarios": (
        "Saved scenarios",
        "Compare the ticked scenarios",
        "Duplicate",
        "Heaviest weights",
        "Do the methods agree",
        "fee budget",
        "weight samples",
        "costs of changing",
        "largely agree",
    ),
    "compare": (
        "Compare scenarios",
        "Settings, budgets and totals",
        "Fees of the recommended portfolio",
        "Ranks and actions side by side",
        "Weights side by side",
        "not ranked",
        "value 0.",
        "fee budget",
    ),
    "robustness": (
        "Rank acceptability",
        "weight samples",
        "How far each weight can move",
        "Expected rank",
        "In words",
        "holds from",
        "Run again",
    ),
    "portfolio": (
        "In the portfolio",
        "Left out, and why",
        "Staff time:",
        "Fees:",
        "No lock",
        "Must keep",
        "budget use",
        "below its bar",
    ),
    "methods": (
        "How this method ranks",
        "Ranking by this method",
        "Rank reversal on your data",
        "Pairs reordered",
        "Weighted sum normalisation",
    ),
    "overlap": ("Overlap between networks", "Most overlapping pairs", "Highest overlap"),
}


@pytest.fixture
def pseudo_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """Serve ``?lang=qps`` as a language: every message comes back as ``[~message~]``."""
    monkeypatch.setattr(i18n, "LOCALES", (*i18n.LOCALES, i18n.PSEUDO))


class _Text(HTMLParser):
    """Visible text of ``<main>`` (text nodes, aria-label, title, placeholder, alt), skipping
    scripts, styles and subtrees with a listed id or declared ``lang="en"``."""

    VOID = frozenset(
        {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    )

    def __init__(self, skip_ids: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.skip_ids = skip_ids
        self.stack: list[tuple[str, bool]] = []
        self.in_main = False
        self.texts: list[str] = []

    def _skipping(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "main":
            self.in_main = True
        skip = tag in ("script", "style") or a.get("id") in self.skip_ids or a.get("lang") == "en"
        if self.in_main and not skip and not self._skipping():
            self.texts += [a[k] for k in ("aria-label", "title", "placeholder", "alt") if a.get(k)]
        if tag not in self.VOID:
            self.stack.append((tag, skip))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.in_main = False
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        if self.in_main and not self._skipping() and data.strip():
            self.texts.append(data)


def _data_strings(session: Session, demo: Workspace) -> list[str]:
    """What a page may print untranslated: the workspace's and the catalogue's own records."""
    out: set[str] = {demo.name, "Network Compass"}
    memberships = session.exec(select(Membership).where(Membership.workspace_id == demo.id)).all()
    ids = {m.network_id for m in memberships}
    for m in memberships:
        out.update(m.roles or [])
        out.add(m.notes or "")
        for o in session.exec(select(Outcome).where(Outcome.membership_id == m.id)).all():
            out.add(o.title)
    for n in session.exec(select(Network)).all():
        if n.id not in ids:
            continue
        out.update({n.id, n.name, n.acronym or "", n.scope or "", n.governance_type or ""})
        out.update({str(n.membership_fee or ""), n.eligibility or "", n.website or ""})
        out.update({n.member_unit or "", n.founded or ""})
        out.update(n.themes or [])
        out.update(n.services or [])
    for sources in catalogue.sources_of(session, sorted(ids)).values():
        out.update(sources)
    for s in ws.list_scenarios(session, demo):
        out.update({s.name, s.description or ""})
    for a in session.exec(select(Assessment).where(Assessment.workspace_id == demo.id)).all():
        out.update({a.assessor or "", a.evidence or "", a.source_url or ""})
    return sorted((x for x in out if x and len(x) > 1), key=len, reverse=True)


CUT = re.compile(r"\[~(?:(?!\[~|~\]).)*?…", re.DOTALL)
"""A wrapped message a chart cut short with an ellipsis (its closing mark is gone)."""
DATE = re.compile(r"\b[A-Z][a-z]{2} \d{1,2}, \d{4}\b")
INNERMOST = re.compile(r"\[~((?:(?!\[~|~\]).)*)~\]", re.DOTALL)
"""A wrapped message holding no other wrapper (messages nest: a label inside a sentence)."""
SEPARATOR = "\u241e"  # between text nodes: a wrapper may span nodes (chart labels on lines)
# Left after data and wrapped messages are removed: numbers, money, dates, units, symbols.
ALLOWED_WORDS = frozenset({"EUR", "h", "Network", "Compass"})
WORD = re.compile(r"[^\W\d_]{2,}")


def untranslated(html: str, data: list[str], skip_ids: frozenset[str] = frozenset()) -> list[str]:
    """Visible texts of ``<main>`` that hold a word outside every ``[~...~]`` wrapper and
    outside the workspace's data."""
    parser = _Text(skip_ids)
    parser.feed(html)
    rest = SEPARATOR.join(" ".join(t.split()) for t in parser.texts)
    rest = DATE.sub(" ", CUT.sub(" ", rest))
    while True:
        stripped = INNERMOST.sub(" ", rest)
        if stripped == rest:
            break
        rest = stripped
    for item in data:
        rest = rest.replace(item, " ")
    found = []
    for text in rest.split(SEPARATOR):
        words = [w for w in WORD.findall(text) if w not in ALLOWED_WORDS]
        if words:
            found.append(" ".join(text.split()))
    return found


PSEUDO_PAGES: dict[str, frozenset[str]] = {
    # page: ids of elements still owned by another page's translation work
    "dashboard": frozenset(),
    "dashboard, another scenario": frozenset(),
    "network": frozenset({"functions", "family"}),  # templates/networks/_catalogue_facts.html
    "scenarios": frozenset(),
    "compare": frozenset(),
    "robustness": frozenset(),
    "portfolio": frozenset(),
    "methods": frozenset(),
    "overlap": frozenset(),
}
"""The pages the pseudo-locale test renders; add a page (and its URL in `PAGES`) to cover it."""


def test_the_pseudo_locale_covers_the_listed_pages() -> None:
    assert set(PSEUDO_PAGES) <= set(PAGES), set(PSEUDO_PAGES) - set(PAGES)


@pytest.mark.parametrize("page", sorted(PSEUDO_PAGES))
def test_every_visible_text_is_translated(
    page: str, client: TestClient, demo: Workspace, session: Session, pseudo_locale: None
) -> None:
    url = PAGES[page](demo, session)
    response = client.get(_with_lang(url, i18n.PSEUDO))
    assert response.status_code == 200, response.text[:500]
    assert "[~" in response.text  # the pseudo-locale is in force
    left = untranslated(response.text, _data_strings(session, demo), PSEUDO_PAGES[page])
    assert not left, f"{page}: text outside a translation: {left[:15]}"


def test_the_pseudo_check_catches_an_untranslated_phrase() -> None:
    html = "<main><p>[~Ranked~] C40</p><p>Points to check</p><p>€12,500 · 3 h</p></main>"
    assert untranslated(html, ["C40"]) == ["Points to check"]
    assert untranslated(html, ["C40", "Points to check"]) == []


@pytest.mark.parametrize("locale", ["es", "fr"])
@pytest.mark.parametrize("page", sorted(PAGES))
def test_pages_have_no_english_in_spanish_and_french(
    page: str, locale: str, client: TestClient, demo: Workspace, session: Session
) -> None:
    url = PAGES[page](demo, session)
    english = client.get(_with_lang(url, "en")).text
    phrases = [p for p in ENGLISH[page] if p in english]
    assert phrases, f"{page}: the English page lost every phrase this test looks for"
    translated = client.get(_with_lang(url, locale))
    assert translated.status_code == 200
    parser = _Text(PSEUDO_PAGES.get(page, frozenset()))
    parser.feed(translated.text)
    text = " ".join(" ".join(t.split()) for t in parser.texts)
    for item in _data_strings(session, demo):  # scenario descriptions etc. are the city's own
        text = text.replace(item, " ")
    found = [p for p in phrases if p in text]
    assert not found, f"{page} in {locale} still says {found}"
