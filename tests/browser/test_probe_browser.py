"""The Probe panel in a real browser against a real Haraka on loopback: the canonical mistake
diagnosed from a pasted plugins file, then proven on the running server - the recipient taken by
rcpt_to.in_host_list, and the simulator, given what the server accepted, says nothing is stored."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from .test_app_browser import fill, open_app, wait_idle

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "haraka_plugins"
LOCAL, OUTSIDE = "alice@example.com", "nobody@other.test"


@pytest.fixture(scope="module")
def canonical_haraka(tmp_path_factory):
    from e2e.harness import HarakaServer
    from haraka_install import require_haraka
    install = require_haraka()
    config = {"plugins": "rcpt_to.in_host_list\nwildduck\n", "host_list": "example.com\n",
              "wildduck_users": f"{LOCAL}\n"}
    with HarakaServer(config, {"wildduck.js": (FIXTURES / "wildduck.js").read_text()}, install_dir=install,
                      workdir=tmp_path_factory.mktemp("probe-browser") / "run") as haraka:
        yield haraka


def test_probe_panel_proves_the_canonical_mistake_on_a_running_haraka(server, page, output_dir, canonical_haraka):
    open_app(page, server["url"])
    fill(page, "config/plugins", "rcpt_to.in_host_list\nwildduck\n")
    fill(page, re.compile(r"^Other config files"), "==> config/host_list <==\nexample.com\n")
    page.get_by_role("button", name="Diagnose").click()
    page.get_by_text("MXD101").first.wait_for(timeout=180_000)
    wait_idle(page)
    page.get_by_text("Probe a running server (SMTP)").first.click()
    wait_idle(page)
    page.get_by_label("Server (host name or address)").fill("127.0.0.1")
    port = page.get_by_label("Port", exact=True)
    port.fill(str(canonical_haraka.port))
    port.press("Enter")
    rcpts = page.get_by_label("Recipients (comma-separated)")
    rcpts.fill(f"{LOCAL}, {OUTSIDE}")
    rcpts.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Probe", exact=True).click()
    page.get_by_text(re.compile("WildDuck never stores it")).first.wait_for(timeout=60_000)
    wait_idle(page)
    panel = page.get_by_test_id("stExpander").filter(has_text="Probe a running server").first
    text = panel.inner_text()
    assert "rcpt_to.in_host_list" in text and "220" in text and "550" in text, text
    page.screenshot(path=str(output_dir / "diagnose-probe.png"), full_page=True)
