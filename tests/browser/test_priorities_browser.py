"""Browser test of the priorities page's weight tools (Playwright, headless Chromium).

At desktop width and at 390 px: reorder the criteria by keyboard (Space, arrows, Space; and
Alt+arrow) and by dragging a row's handle, use the ranking, move a slider, switch to the
pairwise comparison, choose other criteria and check the unsaved weights survived, answer
the comparisons inconsistently and see the pair to revisit, undo, reset. No console errors
(the CSP blocks inline scripts and styles). Screenshots go to ``$NC_SCREENSHOTS``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright import sync_api as playwright_sync
from playwright.sync_api import Page

from tests.browser.test_browser import ARGS, CHROMIUM, SHOTS, _axe, _sign_in, server

pytestmark = pytest.mark.browser
__all__ = ["server"]

VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture(scope="module")
def signed_in(server: tuple[str, str]) -> Iterator[tuple[playwright_sync.Browser, str, dict]]:  # type: ignore[type-arg]
    base, db_url = server
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        _sign_in(page, base, db_url)
        href = page.locator('a[href^="/workspaces/"]').first.get_attribute("href")
        assert href is not None
        state = context.storage_state()
        context.close()
        yield browser, f"{base}/workspaces/{int(href.split('/')[2])}", dict(state)
        browser.close()


def _order(page: Page) -> list[str]:
    return page.eval_on_selector_all(  # type: ignore[no-any-return]
        "#roc-list .roc-row", "rows => rows.map(r => r.dataset.key)"
    )


def _shot(page: Page, selector: str, name: str) -> None:
    """A screenshot of one element (or the whole page), then the empty ``style=""`` that
    Playwright's screenshot leaves on elements removed: htmx copies ``style`` onto swapped-in
    elements with the same id, which the CSP would report as an error of the app's."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = str(SHOTS / f"{name}.png")
    if selector == "viewport":
        page.screenshot(path=path)
    elif selector:
        page.locator(selector).screenshot(path=path)
    else:
        page.screenshot(path=path, full_page=True)
    page.evaluate(
        "document.querySelectorAll('[style=\"\"]').forEach(e => e.removeAttribute('style'))"
    )


def _slider(page: Page, key: str) -> str:
    return page.locator(f"#w_{key}").input_value()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_reorder_switch_tools_undo_and_reset(
    signed_in: tuple[playwright_sync.Browser, str, dict],  # type: ignore[type-arg]
    viewport: str,
) -> None:
    browser, url, state = signed_in
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height}, storage_state=state)
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(m.text + " @ " + str(m.location)) if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{url}/priorities")
        original = {k: _slider(page, k) for k in _order(page)}
        page.click("#tool-roc summary")
        start = _order(page)
        assert len(start) == 15

        # Keyboard: pick up the third row, two up, drop: it is first.
        third = page.locator("#roc-list .roc-row").nth(2)
        third.focus()
        page.keyboard.press("Space")
        assert "picked up" in page.locator("#roc-live").inner_text()
        page.keyboard.press("ArrowUp")
        page.keyboard.press("ArrowUp")
        page.keyboard.press("Space")
        assert _order(page)[0] == start[2]
        assert "position 1 of 15" in page.locator("#roc-live").inner_text()
        first_points = page.locator("#roc-list .roc-row").first.locator(".js-roc-points")
        assert first_points.inner_text() == "22.1"
        # Alt+ArrowDown moves at once; Escape after a pick-up puts it back.
        page.keyboard.press("Alt+ArrowDown")
        assert _order(page)[1] == start[2]
        page.keyboard.press("Space")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Escape")
        assert _order(page)[1] == start[2]
        assert "cancelled" in page.locator("#roc-live").inner_text()

        # Drag the fifth row by its handle to the top.
        page.locator("#roc-list").scroll_into_view_if_needed()
        page.evaluate("document.getElementById('roc-list').scrollIntoView()")
        last_key = _order(page)[4]
        handle = page.locator("#roc-list .roc-row").nth(4).locator(".roc-handle")
        box = handle.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        top = page.locator("#roc-list .roc-row").first.bounding_box()
        assert top is not None
        for step in range(1, 21):  # small steps, as a hand would
            y = box["y"] + (top["y"] + 2 - box["y"]) * step / 20
            page.mouse.move(box["x"] + box["width"] / 2, y)
        page.mouse.up()
        order = _order(page)
        assert order[0] == last_key
        assert page.locator("input[name=order]").input_value() == ",".join(order)
        _shot(page, "#tool-roc", f"priorities-rank-{viewport}")

        with page.expect_response(lambda r: r.url.endswith("/priorities/roc")):
            page.click("#tool-roc button:has-text('Use these weights')")
        page.wait_for_selector(f"#w_{last_key}[value='22.1']")
        assert _order(page) == order  # the list keeps the order it was given
        assert not page.locator(".js-undo").is_disabled()

        # Move a slider (not saved), then switch to AHP and choose other criteria.
        slider_key = order[5]
        page.locator(f"#w_{slider_key}").fill("77")
        page.locator(f"#w_{slider_key}").dispatch_event("change")
        page.wait_for_timeout(400)
        # The 100-point tool starts from the draft and counts as you type.
        page.click("#tool-hundred summary")
        field = page.locator(f"#hundred_{slider_key}")
        assert int(field.input_value()) > 30  # 77 of about 170 points
        field.fill(str(int(field.input_value()) + 5))
        assert "5 too many" in page.locator("#hundred-total").inner_text()
        page.click("#tool-ahp summary")
        boxes = page.locator("#tool-ahp input[name=ahp]")
        values = [boxes.nth(i).get_attribute("value") for i in range(boxes.count())]
        chosen = [v for v in values if v != slider_key][:4]
        for i, value in enumerate(values):
            boxes.nth(i).set_checked(value in chosen)
        with page.expect_response(lambda r: r.url.endswith("/priorities/ahp")):
            page.click("#tool-ahp button[value=choose]")
        page.wait_for_selector(".ahp-pair")
        assert _slider(page, slider_key) == "77"
        assert _slider(page, last_key) == "22.1"
        assert page.locator(".ahp-pair").count() == 6

        # Answer in words; the "Reads" line follows; one answer contradicts the others.
        pairs = page.locator(".ahp-pair")
        answers = ["3", "9", "9", "3", "3", "1/9"]
        for i, value in enumerate(answers):
            pairs.nth(i).locator(f"input[value='{value}']").check()
        reads = pairs.nth(0).locator(".js-ahp-reads").inner_text()
        assert "moderately more important" in reads
        with page.expect_response(lambda r: r.url.endswith("/priorities/ahp")):
            page.click("#tool-ahp button[value=apply]")
        page.wait_for_selector("#ahp-result")
        assert "contradict" in page.locator("#ahp-result").inner_text()
        # htmx applies the swapped-in fieldsets' classes after its settle delay: wait for it.
        page.wait_for_selector(".ahp-pair-flagged")
        assert page.locator(".ahp-pair-flagged").count() == 1
        assert _slider(page, slider_key) == "77"  # not compared: kept
        page.locator(".ahp-pair-flagged").scroll_into_view_if_needed()
        _shot(page, "#tool-ahp", f"priorities-ahp-{viewport}")
        _shot(page, "", f"priorities-after-ahp-{viewport}")
        if viewport == "phone":
            assert page.evaluate("document.documentElement.scrollWidth") <= width

        # Undo goes back to before the comparison; reset to the scenario.
        compared = page.locator(".ahp-pair").first.get_attribute("id") or ""
        a_key = compared.removeprefix("pair_").split("__")[0]
        after_ahp = _slider(page, a_key)
        with page.expect_response(lambda r: r.url.endswith("/priorities/undo")):
            page.click(".js-undo")
        page.wait_for_timeout(200)
        assert _slider(page, a_key) != after_ahp
        assert _slider(page, slider_key) == "77"
        with page.expect_response(lambda r: r.url.endswith("/priorities/reset")):
            page.click("button:has-text('Reset to the scenario')")
        page.wait_for_timeout(200)
        assert {k: _slider(page, k) for k in original} == original
        page.evaluate("window.scrollTo(0, 0)")
        _shot(page, "viewport", f"priorities-top-{viewport}")
        assert not errors, errors
        _axe(page, f"priorities-tools-{viewport}")
    finally:
        context.close()
