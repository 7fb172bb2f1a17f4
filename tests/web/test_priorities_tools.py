"""The priorities page's weight tools without JavaScript: every form is submitted as a
browser would submit it (its own fields, as the page printed them), so a draft that a form
forgot to carry would be lost here too."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from fastapi.testclient import TestClient
from markupsafe import escape
from sqlmodel import Session

from app.models import Workspace
from app.services import workspaces as ws


class _Forms(HTMLParser):
    """Each form's action and the fields a browser would send (buttons excluded)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._select: str | None = None
        self._open = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append((a.get("action", ""), []))
            self._open = True
            return
        if not self._open or not a.get("name"):
            if tag == "option" and self._select and "selected" in a:
                self.forms[-1][1].append((self._select, a.get("value", "")))
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox") and "checked" not in a:
                return
            self.forms[-1][1].append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = a["name"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = False
        elif tag == "select":
            self._select = None


def form_fields(html: str, action_end: str) -> list[tuple[str, str]]:
    parser = _Forms()
    parser.feed(html)
    found = [fields for action, fields in parser.forms if action.endswith(action_end)]
    assert found, f"no form posting to ...{action_end}"
    return found[0]


def replace(fields: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    out = [(k, values.get(k, v)) for k, v in fields]
    out += [(k, v) for k, v in values.items() if k not in {name for name, _ in fields}]
    return out


def as_data(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data


def post(client: TestClient, url: str, data: list[tuple[str, str]]) -> Any:
    return client.post(url, data=as_data(data))


def slider(html: str, key: str) -> str:
    return dict(form_fields(html, "/priorities/preview"))[f"w_{key}"]


def test_up_and_down_buttons_reorder_and_roc_weights_follow(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    page = client.get(f"/workspaces/{demo.id}/priorities").text
    fields = form_fields(page, "/priorities/roc")
    order = dict(fields)["order"].split(",")
    assert len(order) == 15
    before = {k: slider(page, k) for k in order}
    second = order[1]
    moved = post(
        client, f"/workspaces/{demo.id}/priorities/move", data=[*fields, ("move", f"{second}:up")]
    )
    assert moved.status_code == 200
    new_order = dict(form_fields(moved.text, "/priorities/roc"))["order"].split(",")
    assert new_order == [second, order[0], *order[2:]]
    assert {k: slider(moved.text, k) for k in order} == before  # only the list moved
    # the moved criterion's row now shows the first position's 22.1 points
    assert f'data-key="{second}"' in moved.text.split('class="roc-row"')[1]
    first_row = moved.text.split('class="roc-row"')[1]
    assert "22.1" in first_row
    # moving the top one further up changes nothing
    same = post(
        client,
        f"/workspaces/{demo.id}/priorities/move",
        data=[*form_fields(moved.text, "/priorities/roc"), ("move", f"{second}:up")],
    )
    assert dict(form_fields(same.text, "/priorities/roc"))["order"].split(",") == new_order
    applied = post(
        client,
        f"/workspaces/{demo.id}/priorities/roc",
        data=form_fields(moved.text, "/priorities/roc"),
    )
    assert applied.status_code == 200
    assert slider(applied.text, second) == "22.1"
    assert slider(applied.text, new_order[-1]) == "0.4"
    assert dict(form_fields(applied.text, "/priorities/roc"))["order"].split(",") == new_order
    assert "These weights are not saved yet." in applied.text


def test_unsaved_weights_survive_switching_tools_and_choosing_ahp_criteria(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    keys = ws.framework_of(session, demo).keys
    page = client.get(f"/workspaces/{demo.id}/priorities").text
    edited = replace(form_fields(page, "/priorities/preview"), **{f"w_{keys[2]}": "87"})
    preview = post(client, f"/workspaces/{demo.id}/priorities/preview", data=edited)
    assert preview.status_code == 200
    assert slider(preview.text, keys[2]) == "87"
    for tool in ("/priorities/roc", "/priorities/swing", "/priorities/ahp"):
        assert dict(form_fields(preview.text, tool))[f"w_{keys[2]}"] == "87", tool
    # choose other AHP criteria: the page comes back with the draft, not the scenario
    ahp = [(k, v) for k, v in form_fields(preview.text, "/priorities/ahp") if k != "ahp"]
    chosen = post(
        client,
        f"/workspaces/{demo.id}/priorities/ahp",
        data=[*ahp, ("ahp", keys[0]), ("ahp", keys[5]), ("ahp", keys[7]), ("action", "choose")],
    )
    assert chosen.status_code == 200
    assert slider(chosen.text, keys[2]) == "87"
    assert f'name="pair_{keys[0]}__{keys[5]}"' in chosen.text
    assert f'name="pair_{keys[5]}__{keys[7]}"' in chosen.text
    # ... and the swing tool, used next, starts from (and keeps) the draft
    swing = form_fields(chosen.text, "/priorities/swing")
    assert dict(swing)[f"w_{keys[2]}"] == "87"
    # the history remembers the scenario's weights for "Undo last change"
    assert dict(swing)["history"]


def test_ahp_two_sided_scale_flags_the_inconsistent_pair(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    keys = ws.framework_of(session, demo).keys
    titles = dict(zip(keys, _titles(session, demo), strict=True))
    a, b, c, d = keys[:4]
    page = client.get(f"/workspaces/{demo.id}/priorities").text
    base = [(k, v) for k, v in form_fields(page, "/priorities/ahp") if k != "ahp"]
    chosen = post(
        client,
        f"/workspaces/{demo.id}/priorities/ahp",
        data=[*base, *[("ahp", k) for k in (a, b, c, d)], ("action", "choose")],
    )
    html = chosen.text
    # both sides in words, no reader has to flip: A first on the left, B first on the right
    assert f"{titles[a]} is strongly more important than {titles[b]}" in html
    assert f"{titles[b]} is strongly more important than {titles[a]}" in html
    assert f"{titles[a]} and {titles[b]} are equally important" in html
    assert "less important" not in html
    # consistent except c vs d, which says d extremely over c where the others imply c = d
    answers = {
        f"pair_{a}__{b}": "3",
        f"pair_{a}__{c}": "9",
        f"pair_{a}__{d}": "9",
        f"pair_{b}__{c}": "3",
        f"pair_{b}__{d}": "3",
        f"pair_{c}__{d}": "1/9",
    }
    fields = replace(form_fields(html, "/priorities/ahp"), **answers)
    fields = [(k, v) for k, v in fields if k != "action"] + [("action", "apply")]
    done = post(client, f"/workspaces/{demo.id}/priorities/ahp", data=fields)
    assert done.status_code == 200
    assert "Your comparisons contradict each other" in done.text
    flagged = done.text.split("ahp-pair-flagged")
    assert len(flagged) == 2  # exactly one pair highlighted
    assert f'id="pair_{c}__{d}"' in flagged[1][:80]
    assert f"you said “{titles[d]} is extremely more important than {titles[c]}”" in done.text
    assert f"Saying “{titles[c]} and {titles[d]} are equally important” instead" in done.text
    # the answers stay chosen; unchosen criteria keep their points
    assert re.search(rf'name="pair_{c}__{d}" value="1/9" data-sentence="[^"]*" checked', done.text)
    assert slider(done.text, keys[9]) == slider(html, keys[9])
    bad = post(
        client,
        f"/workspaces/{demo.id}/priorities/ahp",
        data=replace(fields, **{f"pair_{a}__{b}": "11"}),
    )
    assert bad.status_code == 422
    assert 'id="pair_' + f'{a}__{b}-error"' in bad.text


def test_undo_and_reset_without_javascript(
    client: TestClient, demo: Workspace, session: Session
) -> None:
    keys = ws.framework_of(session, demo).keys
    page = client.get(f"/workspaces/{demo.id}/priorities").text
    original = slider(page, keys[0])
    assert "disabled>Undo last change" in page.replace("\n", "").replace("  ", "")
    first = post(
        client,
        f"/workspaces/{demo.id}/priorities/preview",
        data=replace(form_fields(page, "/priorities/preview"), **{f"w_{keys[0]}": "71"}),
    )
    second = post(
        client,
        f"/workspaces/{demo.id}/priorities/preview",
        data=replace(form_fields(first.text, "/priorities/preview"), **{f"w_{keys[0]}": "33"}),
    )
    assert slider(second.text, keys[0]) == "33"
    fields = form_fields(second.text, "/priorities/preview")
    undone = post(client, f"/workspaces/{demo.id}/priorities/undo", data=fields)
    assert undone.status_code == 200
    assert slider(undone.text, keys[0]) == "71"
    undone2 = post(
        client,
        f"/workspaces/{demo.id}/priorities/undo",
        data=form_fields(undone.text, "/priorities/preview"),
    )
    assert slider(undone2.text, keys[0]) == original
    reset = post(client, f"/workspaces/{demo.id}/priorities/reset", data=fields)
    assert reset.status_code == 200
    assert slider(reset.text, keys[0]) == original
    assert "These are the scenario's weights." in reset.text
    back = post(
        client,
        f"/workspaces/{demo.id}/priorities/undo",
        data=form_fields(reset.text, "/priorities/preview"),
    )
    assert slider(back.text, keys[0]) == "33"  # a reset can be undone too
    # a mangled history or order is ignored, never a 500
    junk = replace(fields, history="x;1,2;;", order="nope,,")
    assert post(client, f"/workspaces/{demo.id}/priorities/undo", data=junk).status_code == 200
    assert post(client, f"/workspaces/{demo.id}/priorities/move", data=junk).status_code == 200
    unknown = post(client, f"/workspaces/{demo.id}/priorities/astrology", data=fields)
    assert unknown.status_code == 422


def _titles(session: Session, demo: Workspace) -> list[str]:
    from app import framework_text

    framework = ws.framework_of(session, demo)
    titles = framework_text.titles(framework)
    return [str(escape(titles[k])) for k in framework.keys]


class _Text(HTMLParser):
    """The text nodes of a page (scripts and styles left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, _attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.nodes.append(data.strip())


def _untranslated(html: str) -> list[str]:
    """Text outside every ``[~...~]`` of the pseudo-locale (numbers and signs allowed)."""
    start = html.index('<div id="workbench"')
    end = html.index('<section id="ranking"')
    tools = html.index('<section aria-labelledby="tools-h"')
    parser = _Text()
    parser.feed(html[start:end] + html[tools : html.index("</main>")])
    left = []
    for node in parser.nodes:
        text = node
        while True:
            stripped = re.sub(r"\[~(?:(?!\[~|~\]).)*~\]", "", text, flags=re.S)
            if stripped == text:
                break
            text = stripped
        if re.search(r"[A-Za-z]{2,}", text):
            left.append(node)
    return left


def test_every_string_of_the_weight_tools_is_translated(
    client: TestClient, demo: Workspace, session: Session, monkeypatch: Any
) -> None:
    from app import i18n

    keys = ws.framework_of(session, demo).keys
    page = client.get(f"/workspaces/{demo.id}/priorities").text
    fields = [(k, v) for k, v in form_fields(page, "/priorities/ahp") if k != "ahp"]
    answers = [("ahp", k) for k in keys[:4]] + [("action", "apply")]
    answers += [(f"pair_{a}__{b}", "9") for i, a in enumerate(keys[:4]) for b in keys[i + 1 : 4]]
    spanish = client.get(f"/workspaces/{demo.id}/priorities?lang=es").text
    assert "Deshacer el último cambio" in spanish
    assert "Ordenar los criterios" in spanish
    french = client.get(f"/workspaces/{demo.id}/priorities?lang=fr").text
    assert "Comparer les critères deux à deux" in french
    assert "compte infiniment plus que" in french
    client.get(f"/workspaces/{demo.id}/priorities?lang=en")
    monkeypatch.setattr(i18n, "negotiate", lambda *_args, **_kwargs: i18n.PSEUDO)
    pages = {
        "page": client.get(f"/workspaces/{demo.id}/priorities").text,
        "ahp": post(client, f"/workspaces/{demo.id}/priorities/ahp", fields + answers).text,
        "error": post(client, f"/workspaces/{demo.id}/priorities/ahp", fields).text,
    }
    assert "[~Undo last change~]" in pages["page"]
    assert "ahp-pair-flagged" in pages["ahp"]  # 9, 9, 9 ... cannot all hold
    for name, html in pages.items():
        assert _untranslated(html) == [], name


def test_share_out_100_points(client: TestClient, demo: Workspace, session: Session) -> None:
    keys = ws.framework_of(session, demo).keys
    page = client.get(f"/workspaces/{demo.id}/priorities").text
    fields = form_fields(page, "/priorities/hundred")
    shares = {k: float(v) for k, v in fields if k.startswith("hundred_")}
    assert sum(shares.values()) == 100  # the current weights, as whole points out of 100
    assert "All 100 points are shared out." in page
    over = post(
        client,
        f"/workspaces/{demo.id}/priorities/hundred",
        replace(fields, **{f"hundred_{keys[0]}": f"{shares[f'hundred_{keys[0]}'] + 7:g}"}),
    )
    assert over.status_code == 422
    assert "107 points shared out: 7 too many." in over.text
    assert slider(over.text, keys[0]) == slider(page, keys[0])  # nothing changed
    split = {f"hundred_{k}": "0" for k in keys} | {
        f"hundred_{keys[0]}": "40",
        f"hundred_{keys[2]}": "60",
    }
    done = post(client, f"/workspaces/{demo.id}/priorities/hundred", replace(fields, **split))
    assert done.status_code == 200
    assert slider(done.text, keys[0]) == "40"
    assert slider(done.text, keys[2]) == "60"
    assert slider(done.text, keys[1]) == "0"
    assert dict(form_fields(done.text, "/priorities/hundred"))["history"]
    bad_key = f"hundred_{keys[3]}"
    bad = post(
        client, f"/workspaces/{demo.id}/priorities/hundred", replace(fields, **{bad_key: "x"})
    )
    assert bad.status_code == 422
    assert f'id="{bad_key}-error"' in bad.text
