"""Shopper satisfaction in Chromium, through the real desk, Rasa server and action server: a
FAQ answer asks « Cette réponse vous a-t-elle aidé ? », the shopper answers 👎 with the
keyboard and leaves a comment; after an agent closed the conversation, the shopper rates the
help 1–5 with the arrow keys. Each rating is in ``desk_feedback`` with its topic and survives
a reload of the page."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from devtools.desk import DeskServer
from tests.browser.conftest import shop_page

pytestmark = pytest.mark.browser

TIMEOUT_MS = 30_000
expect.set_options(timeout=TIMEOUT_MS)
QUESTION = "Cette réponse vous a-t-elle aidé ?"
AGENT_QUESTION = "Comment évaluez-vous l'aide de notre conseiller ?"


def stored(desk: DeskServer, query: str, *args: Any) -> list[tuple[Any, ...]]:
    database = Path(desk.stack.database_url.removeprefix("sqlite:///"))
    with sqlite3.connect(database) as connection:
        return connection.execute(query, args).fetchall()


def conversation_of(page: Page, desk: DeskServer) -> str:
    value = page.evaluate(f"localStorage.getItem('bijou-desk-conversation:{desk.url}')")
    assert value
    return str(value)


def offset(inner: Locator, outer: Locator) -> float:
    """Where ``inner`` sits in ``outer``, vertically (pixels)."""
    inner_box, outer_box = inner.bounding_box(), outer.bounding_box()
    assert inner_box is not None and outer_box is not None
    return float(inner_box["y"] - outer_box["y"])


def open_and_write(page: Page, text: str) -> None:
    page.get_by_role("button", name="Une question ?").click()
    expect(page.locator(".status")).to_have_text("Assistant en ligne")  # the conversation exists
    page.get_by_label("Votre message").fill(text)
    page.keyboard.press("Enter")


def test_a_shopper_says_a_faq_answer_did_not_help_and_why(
    browser: Any, desk_server: DeskServer, screenshots: Path
) -> None:
    page = shop_page(browser, desk_server.url)
    open_and_write(page, "vous acceptez quels moyens de paiement ?")
    answer = page.locator(".msg.bot").last
    expect(answer).to_contain_text("carte")
    rating = answer.get_by_role("group", name=QUESTION)
    expect(rating).to_be_visible()
    expect(page.get_by_role("group", name=QUESTION)).to_have_count(1)
    no = rating.get_by_role("button", name="Non, elle ne m'a pas aidé")
    yes = rating.get_by_role("button", name="Oui, cette réponse m'a aidé")

    # Measured once the answer's entry animation is over, so that only the thanks could move it.
    answer.evaluate("el => Promise.all(el.getAnimations().map(a => a.finished))")
    offset_before = offset(no, answer)
    page.get_by_label("Votre message").focus()
    page.keyboard.press("Shift+Tab")  # the keyboard reaches the latest answer's rating
    expect(no).to_be_focused()
    page.keyboard.press("Enter")
    expect(rating.get_by_role("status")).to_have_text("Merci pour votre avis.")
    expect(no).to_have_attribute("aria-pressed", "true")
    expect(yes).to_be_disabled()
    # The thanks took a line kept for it (within a pixel: sub-pixel layout).
    assert offset(no, answer) == pytest.approx(offset_before, abs=1)
    comment = page.get_by_label("Qu'est-ce qui vous a manqué ? (facultatif)")
    expect(comment).to_be_focused()
    page.screenshot(path=str(screenshots / "widget-rating-comment.png"))
    comment.fill("Je voulais savoir si le paiement en 4 fois existe.")
    page.keyboard.press("Enter")
    expect(rating.get_by_role("status")).to_contain_text("Merci, votre commentaire")
    expect(comment).to_be_hidden()

    conversation = conversation_of(page, desk_server)
    [(score, kind, topic, text, message_topic)] = stored(
        desk_server,
        "SELECT f.score, f.kind, f.topic, f.comment, m.feedback_topic FROM desk_feedback f "
        "JOIN desk_messages m ON m.id = f.message_id WHERE f.conversation_id = ?",
        conversation,
    )
    assert (score, kind, text) == (
        -1,
        "answer",
        "Je voulais savoir si le paiement en 4 fois existe.",
    )
    assert topic == message_topic and topic.startswith("faq/paiement")

    page.reload()  # the state comes back from the desk's history
    rating = page.locator(".msg.bot").last.get_by_role("group", name=QUESTION)
    expect(rating.get_by_role("button", name="Non, elle ne m'a pas aidé")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(rating.get_by_role("button", name="Oui, cette réponse m'a aidé")).to_be_disabled()
    expect(rating.get_by_role("status")).to_have_text("Merci pour votre avis.")
    page.context.close()


def test_after_an_agent_closed_the_conversation_the_shopper_rates_the_help(
    browser: Any, desk_server: DeskServer, screenshots: Path
) -> None:
    shopper = shop_page(browser, desk_server.url)
    open_and_write(shopper, "je veux parler à un conseiller")
    expect(shopper.get_by_text("En attente d'un conseiller", exact=True)).to_be_visible()
    conversation = conversation_of(shopper, desk_server)

    agent = browser.new_context(locale="fr-FR").new_page()
    agent.set_default_timeout(TIMEOUT_MS)
    agent.goto(f"{desk_server.url}/console/conversations/{conversation}")
    agent.get_by_label("Identifiant").fill("agent")
    agent.get_by_label("Mot de passe").fill(desk_server.agent_password)
    agent.get_by_role("button", name="Se connecter").click()
    agent.get_by_role("button", name="Prendre la conversation").click()
    agent.get_by_label("Votre réponse au client").fill("Bonjour, c'est réglé pour vous.")
    agent.get_by_role("button", name="Envoyer").click()
    expect(shopper.locator(".msg.agent").last).to_contain_text("c'est réglé")
    agent.get_by_label("Issue").select_option("resolved")
    agent.get_by_role("button", name="Clore la conversation").click()

    expect(shopper.get_by_text("Conversation terminée", exact=True)).to_be_visible()
    scale = shopper.get_by_role("radiogroup", name=AGENT_QUESTION)
    expect(scale).to_be_visible()
    first = scale.get_by_role("radio", name="1 sur 5, pas du tout satisfait")
    first.focus()
    for _ in range(3):
        shopper.keyboard.press("ArrowRight")
    four = scale.get_by_role("radio", name="4 sur 5")
    expect(four).to_be_focused()
    expect(four).to_have_attribute("aria-checked", "true")
    expect(first).to_have_attribute("aria-checked", "false")
    shopper.keyboard.press("Tab")
    comment = shopper.get_by_label("Un commentaire ? (facultatif)")
    expect(comment).to_be_focused()
    comment.fill("Rapide et aimable.")
    shopper.screenshot(path=str(screenshots / "widget-agent-rating.png"))
    shopper.keyboard.press("Enter")
    status = shopper.locator(".msg.system").last.get_by_role("status")
    expect(status).to_contain_text("Merci, votre commentaire")

    assert stored(
        desk_server,
        "SELECT kind, score, topic, comment FROM desk_feedback WHERE conversation_id = ?",
        conversation,
    ) == [("agent", 4, "shopper_request", "Rapide et aimable.")]

    shopper.reload()
    scale = shopper.get_by_role("radiogroup", name=AGENT_QUESTION)
    expect(scale.get_by_role("radio", name="4 sur 5")).to_have_attribute("aria-checked", "true")
    expect(shopper.locator(".msg.system").last.get_by_role("status")).to_have_text(
        "Merci pour votre avis."
    )
    shopper.context.close()
    agent.context.close()


def test_a_rating_that_could_not_be_sent_keeps_the_choice_and_says_so(
    browser: Any, desk_server: DeskServer
) -> None:
    page = shop_page(browser, desk_server.url)
    open_and_write(page, "vous acceptez quels moyens de paiement ?")
    rating = page.locator(".msg.bot").last.get_by_role("group", name=QUESTION)
    yes = rating.get_by_role("button", name="Oui, cette réponse m'a aidé")
    page.route("**/feedback", lambda route: route.abort())  # the network drops
    yes.click()
    expect(rating.get_by_role("status")).to_have_text(
        "Votre avis n'a pas pu être envoyé : votre choix est gardé, réessayez."
    )
    expect(yes).to_have_attribute("aria-pressed", "true")
    expect(yes).to_be_enabled()
    conversation = conversation_of(page, desk_server)
    query = "SELECT score FROM desk_feedback WHERE conversation_id = ?"
    assert stored(desk_server, query, conversation) == []

    page.unroute("**/feedback")
    yes.click()
    expect(rating.get_by_role("status")).to_have_text("Merci pour votre avis.")
    assert stored(desk_server, query, conversation) == [(1,)]
    page.context.close()
