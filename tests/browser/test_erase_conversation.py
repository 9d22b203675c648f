"""A shopper on a shared computer erases the conversation from the widget, with the keyboard
only: a confirmation first (Escape cancels), then the transcript and Rasa's events are gone
from the desk and a fresh, empty conversation takes its place."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from devtools.desk import DeskServer
from tests.browser.conftest import shop_page

pytestmark = pytest.mark.browser

TIMEOUT_MS = 30_000
SECRET = "mon e-mail est lucie.erase@example.fr"
expect.set_options(timeout=TIMEOUT_MS)


def stored(desk: DeskServer, query: str, *args: str) -> list[tuple[Any, ...]]:
    database = Path(desk.stack.database_url.removeprefix("sqlite:///"))
    with sqlite3.connect(database) as connection:
        return connection.execute(query, args).fetchall()


def test_finding_18_a_shopper_erases_the_conversation_with_the_keyboard(
    browser: Any, desk_server: DeskServer, screenshots: Path
) -> None:
    page = shop_page(browser, desk_server.url)
    page.get_by_role("button", name="Une question ?").click()
    expect(page.locator(".status")).to_have_text("Assistant en ligne")  # the conversation exists
    page.get_by_label("Votre message").fill(SECRET)
    page.keyboard.press("Enter")
    expect(page.locator(".msg.bot")).not_to_have_count(0)
    [(conversation,)] = stored(
        desk_server, "SELECT conversation_id FROM desk_messages WHERE text = ?", SECRET
    )
    assert stored(desk_server, "SELECT id FROM events WHERE sender_id = ?", conversation)

    erase = page.get_by_role("button", name="Effacer cette conversation")
    erase.focus()
    page.keyboard.press("Enter")
    confirm = page.get_by_role("button", name="Oui, effacer")
    expect(confirm).to_be_focused()
    page.keyboard.press("Escape")  # changing one's mind: nothing happens
    expect(confirm).to_be_hidden()
    expect(erase).to_be_focused()
    expect(page.get_by_role("dialog")).to_be_visible()

    page.keyboard.press("Enter")
    expect(confirm).to_be_focused()
    page.screenshot(path=str(screenshots / "widget-erase-confirmation.png"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Votre conversation a été effacée.")
    expect(page.locator(".msg")).to_have_count(0)
    expect(page.get_by_label("Votre message")).to_be_focused()

    query = "SELECT DISTINCT text FROM desk_messages WHERE conversation_id = ?"
    texts = stored(desk_server, query, conversation)
    assert texts == [("[effacé]",)]
    assert stored(desk_server, "SELECT id FROM events WHERE sender_id = ?", conversation) == []

    page.reload()  # the next person at this computer sees nothing of it
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page.locator(".msg")).to_have_count(0)
    assert SECRET not in page.content()
    page.context.close()
