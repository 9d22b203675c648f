"""An editor in Chromium reviews by keyboard: the login lands on the review inbox, j moves to a
group, 1 confirms the bot's first guess (the group leaves the inbox), u undoes it (the group is
back), and the group in hand is always focused and marked."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from devtools.desk import DeskServer
from devtools.servers import FROZEN_NOW
from shop.store.conversations import Role
from shop.store.db import make_engine, make_session_factory, session_scope
from shop.store.learning import BotTurn
from tests.browser.conftest import console_login

pytestmark = pytest.mark.browser

TIMEOUT_MS = 30_000
EDITOR = "relectrice"
PASSWORD = "la-relectrice-du-navigateur"
MINE = "est-ce que la bague saturne existe en or rose"
expect.set_options(timeout=TIMEOUT_MS)


def seed(database_url: str) -> None:
    """Three wordings of one question the bot hesitated on (it thought of a product
    question in the FAQ, then of tracking), and another message after it."""
    engine = make_engine(database_url)
    with session_scope(make_session_factory(engine)) as session:
        texts = [MINE + " ?", MINE.capitalize() + " svp", MINE + " ou en argent"]
        for minutes, text in enumerate(texts, start=30):
            session.add(
                BotTurn(
                    conversation_id=f"navigateur-{minutes}",
                    text=text,
                    intent="track_order",
                    confidence=0.38,
                    entities=[],
                    actions=[],
                    doubt="fallback",
                    created_at=FROZEN_NOW - timedelta(minutes=minutes),
                )
            )
        session.add(
            BotTurn(
                conversation_id="navigateur-autre",
                text="vous faites les colliers prénom personnalisés",
                entities=[],
                actions=[],
                doubt="fallback",
                created_at=FROZEN_NOW - timedelta(minutes=20),
            )
        )
    engine.dispose()


def test_an_editor_labels_a_group_with_1_and_brings_it_back_with_u(
    browser,
    desk_server: DeskServer,
    screenshots: Path,  # type: ignore[no-untyped-def]
) -> None:
    seed(desk_server.stack.database_url)
    desk_server.add_account(EDITOR, PASSWORD, Role.EDITOR, "Relectrice")
    page = console_login(browser, desk_server.url, EDITOR, PASSWORD)
    expect(page).to_have_url(desk_server.url + "/console/revue")
    expect(page.get_by_role("heading", name=re.compile("^Revue"))).to_be_visible()

    groups = page.locator("li.group")
    mine = groups.filter(has_text=MINE)
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("3 messages")
    expect(mine.get_by_role("button", name=re.compile("Suivre une commande"))).to_be_visible()
    expect(groups.first).to_be_focused()
    position = [text for text in groups.all_inner_texts()].index(mine.inner_text())
    for _ in range(position):
        page.keyboard.press("j")
    expect(mine).to_be_focused()
    expect(mine).to_have_class(re.compile(r"\bcurrent\b"))
    page.screenshot(path=str(screenshots / "console-review.png"), full_page=True)

    page.keyboard.press("1")
    expect(page.get_by_role("status")).to_have_text("3 messages étiquetés.")
    expect(page.locator("li.group").filter(has_text=MINE)).to_have_count(0)
    expect(page.locator("#recent")).to_contain_text("Suivre une commande")

    page.keyboard.press("u")
    expect(page.get_by_role("status")).to_contain_text("3 messages de retour dans la revue")
    expect(page.locator("li.group").filter(has_text=MINE)).to_have_count(1)

    page.keyboard.press("/")
    expect(page.locator("li.group.current [data-search]")).to_be_focused()
    page.context.close()
