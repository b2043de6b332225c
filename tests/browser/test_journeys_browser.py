"""The first journey in a real browser: the verdict is above the fold on a desktop and on a phone,
and a reload keeps the paste and the conversation."""
from __future__ import annotations

import pytest

from app.core.examples import example_files

from .test_app_browser import open_app, wait_idle


@pytest.mark.parametrize("width,height", [(1400, 1000), (390, 844)])
def test_the_headline_is_above_the_fold(server, browser, output_dir, width, height):
    ctx = browser.new_context(viewport={"width": width, "height": height})
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    try:
        open_app(page, server["url"])
        page.get_by_role("button", name="Load example").click()
        head = page.get_by_text("Haraka accepts the mail, but WildDuck never stores it").first
        head.wait_for()
        wait_idle(page)
        box = head.bounding_box()
        assert box is not None and box["y"] + box["height"] <= height, (box, height)
        page.screenshot(path=str(output_dir / f"headline-{width}.png"))
        fix = page.get_by_role("button", name="Download fixed config/plugins").first
        fix.scroll_into_view_if_needed()
        assert fix.is_visible()
        assert not page.get_by_test_id("stException").count()
    finally:
        ctx.close()


def test_a_reload_keeps_the_paste_and_the_conversation(server, page, output_dir):
    open_app(page, server["url"])
    box = page.get_by_label("config/plugins", exact=True)
    box.fill(example_files("canonical")["config/plugins"])
    box.press("Control+Enter")
    wait_idle(page)
    page.get_by_role("button", name="Diagnose").first.click()
    page.get_by_text("Haraka accepts the mail, but WildDuck never stores it").first.wait_for()
    page.get_by_role("link", name="Ask").first.click()
    chat = page.get_by_test_id("stChatInputTextArea")
    chat.fill("why is mail not arriving?")
    chat.press("Enter")
    page.get_by_test_id("stChatMessage").nth(1).get_by_text("WildDuck never stores it").first.wait_for()
    wait_idle(page)
    assert "s=" in page.url
    page.reload()
    page.locator("h1").first.wait_for()
    wait_idle(page)
    page.get_by_test_id("stChatMessage").nth(1).get_by_text("WildDuck never stores it").first.wait_for()
    page.get_by_role("link", name="Diagnose").first.click()
    page.get_by_text("Haraka accepts the mail, but WildDuck never stores it").first.wait_for()
    page.screenshot(path=str(output_dir / "after-reload.png"), full_page=True)
