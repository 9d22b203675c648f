"""Browser tests: Debian's Chromium driven by Playwright against the real desk, Rasa server and
action server (``desk_server`` in ``tests/conftest.py``) on one temporary database with a frozen
clock. Playwright only drives the system browser (``/usr/bin/chromium``); it never downloads one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, sync_playwright

from devtools.servers import ROOT

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / ".var" / "artifacts" / "screenshots"
PAGE_TIMEOUT_MS = 30_000


def shop_page(browser: Any, url: str, **options: Any) -> Page:
    """The shop's home page at ``url`` in a fresh French browser context (its own storage)."""
    context = browser.new_context(locale="fr-FR", **options)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    page.goto(url + "/")
    return page


def console_login(browser: Any, url: str, username: str, password: str) -> Page:
    """The console's login form filled in a fresh French browser context; the page it lands on."""
    context = browser.new_context(locale="fr-FR")
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    page.goto(url + "/console/login")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    return page


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():  # scripts/setup.sh installs it: a missing browser is a failure
        pytest.fail(f"no Chromium at {CHROMIUM}: run scripts/setup.sh (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
