"""A shopper and an agent in Chromium: widget, quick replies, reloads, handoff, claim, reply,
hand back; screenshots of the widget (desktop and phone) and of the console."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from devtools.desk import DeskServer
from tests.browser.conftest import shop_page

pytestmark = pytest.mark.browser

TIMEOUT_MS = 30_000
GREETING = "Je suis l'assistant de la boutique"
expect.set_options(timeout=TIMEOUT_MS)


def open_widget(page: Page) -> None:
    page.get_by_role("button", name="Une question ?").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page.get_by_label("Votre message")).to_be_focused()


def write(page: Page, text: str) -> None:
    page.get_by_label("Votre message").fill(text)
    page.get_by_role("button", name="Envoyer").click()


def conversation_id(page: Page, desk: DeskServer) -> str:
    value = page.evaluate(f"localStorage.getItem('bijou-desk-conversation:{desk.url}')")
    assert value
    return str(value)


def test_shopper_chats_with_the_bot_using_quick_replies(
    browser: Any, desk_server: DeskServer, screenshots: Path
) -> None:
    page = shop_page(browser, desk_server.url)
    expect(page.get_by_text("Des bijoux qui racontent votre histoire")).to_be_visible()
    open_widget(page)
    expect(page.get_by_role("link", name="Vos données")).to_be_visible()
    write(page, "bonjour")
    expect(page.locator(".msg.shopper").last).to_have_text("Vous : bonjour")
    expect(page.locator(".msg.bot").last).to_contain_text(GREETING)

    write(page, "quelle est la capitale du Pérou ?")
    quick = page.get_by_role("group", name="Réponses suggérées")
    expect(quick).to_be_visible()
    quick.get_by_role("button", name="Suivre ma commande").click()
    expect(page.locator(".msg.shopper").last).to_contain_text("Suivre ma commande")
    expect(page.locator(".msg.bot").last).to_contain_text("numéro de commande")
    expect(page.get_by_label("Votre message")).to_be_focused()
    page.screenshot(path=str(screenshots / "widget-desktop.png"))

    count = page.locator(".msg").count()
    page.reload()
    expect(page.get_by_role("dialog")).to_be_visible()  # reopened after the reload
    expect(page.locator(".msg")).to_have_count(count)
    page.context.close()


def test_widget_fits_a_phone_screen(
    browser: Any, desk_server: DeskServer, screenshots: Path
) -> None:
    page = shop_page(
        browser,
        desk_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    open_widget(page)
    write(page, "bonjour")
    expect(page.locator(".msg.bot").last).to_contain_text(GREETING)
    box = page.get_by_role("dialog").bounding_box()
    assert box is not None and box["width"] <= 390 and box["x"] >= 0
    page.screenshot(path=str(screenshots / "widget-phone.png"))
    page.context.close()


def test_handoff_agent_claims_replies_and_hands_back(
    browser: Any, desk_server: DeskServer, screenshots: Path
) -> None:
    shopper = shop_page(browser, desk_server.url)
    open_widget(shopper)
    write(shopper, "je veux parler à un conseiller")
    expect(shopper.locator(".msg.system").last).to_contain_text("Un conseiller va vous répondre")
    expect(shopper.get_by_text("En attente d'un conseiller", exact=True)).to_be_visible()
    conversation = conversation_id(shopper, desk_server)
    write(shopper, "ma bague est trop petite, pouvez-vous m'aider ?")

    agent = browser.new_context(locale="fr-FR").new_page()
    agent.set_default_timeout(TIMEOUT_MS)
    agent.goto(desk_server.url + "/console")
    expect(agent).to_have_url(f"{desk_server.url}/console/login?next=/console")
    agent.get_by_label("Identifiant").fill("agent")
    agent.get_by_label("Mot de passe").fill(desk_server.agent_password)
    agent.get_by_role("button", name="Se connecter").click()
    expect(agent.get_by_role("heading", name="File d'attente")).to_be_visible()
    row = agent.locator("tr", has=agent.locator(f"a[href='/console/conversations/{conversation}']"))
    expect(row).to_contain_text("Le client a demandé à parler à un conseiller")
    agent.screenshot(path=str(screenshots / "console-queue.png"), full_page=True)
    row.get_by_role("link", name="Ouvrir").click()

    expect(agent.locator("#transcript")).to_contain_text("ma bague est trop petite")
    expect(agent.locator("#transcript")).to_contain_text("human_handoff")  # the intent, shown
    agent.get_by_role("button", name="Prendre la conversation").click()
    expect(agent.locator("#transcript")).to_contain_text("a rejoint la conversation")
    expect(shopper.locator(".msg.system").last).to_contain_text("a rejoint la conversation")

    agent.get_by_label("Réponse type").select_option("bonjour")
    expect(agent.get_by_label("Votre réponse au client")).to_have_value(
        "Bonjour, je suis conseiller du service client. J'ai lu votre échange avec notre "
        "assistant : je regarde votre demande tout de suite."
    )
    agent.get_by_label("Votre réponse au client").fill(
        "Bonjour, je suis Camille. Quelle taille souhaitez-vous ?"
    )
    agent.get_by_role("button", name="Envoyer").click()
    expect(shopper.locator(".msg.agent").last).to_contain_text("Quelle taille souhaitez-vous ?")
    expect(shopper.get_by_text("Un conseiller vous répond", exact=True)).to_be_visible()

    write(shopper, "du 54 s'il vous plaît")
    expect(agent.locator("#transcript")).to_contain_text("du 54 s'il vous plaît")
    agent.get_by_label("Nouvelle note (jamais visible par le client)").fill("Taille 54 demandée.")
    agent.get_by_role("button", name="Ajouter la note").click()
    expect(agent.locator("#notes")).to_contain_text("Taille 54 demandée.")
    agent.screenshot(path=str(screenshots / "console-conversation.png"), full_page=True)
    shopper.screenshot(path=str(screenshots / "widget-agent-reply.png"))

    agent.get_by_role("button", name="Rendre la main à l'assistant").click()
    expect(agent.get_by_role("heading", level=1)).to_contain_text("Assistant")
    expect(shopper.locator(".msg.system").last).to_contain_text("assistant automatique")
    write(shopper, "bonjour")
    expect(shopper.locator(".msg.bot").last).to_contain_text(GREETING)

    agent.goto(desk_server.url + "/console/dashboard")
    expect(agent.locator("svg.chart")).to_have_count(5)
    agent.screenshot(path=str(screenshots / "console-dashboard.png"), full_page=True)
    shopper.context.close()
    agent.context.close()


def test_finding_03_a_browser_with_the_id_alone_starts_a_new_conversation(
    browser: Any, desk_server: DeskServer
) -> None:
    owner = shop_page(browser, desk_server.url)
    sent: list[Any] = []
    owner.on("websocket", lambda socket: socket.on("framesent", lambda frame: sent.append(frame)))
    open_widget(owner)
    write(owner, "bonjour")
    expect(owner.locator(".msg.bot").last).to_contain_text(GREETING)
    frames = [json.loads(frame) for frame in sent]
    assert frames[0]["type"] == "auth" and frames[0]["token"]  # the token opens the socket
    assert {"type": "message", "text": "bonjour"} in frames  # and the socket carried the text
    conversation = conversation_id(owner, desk_server)
    count = owner.locator(".msg").count()

    stranger = shop_page(browser, desk_server.url)
    stranger.evaluate(
        f"localStorage.setItem('bijou-desk-conversation:{desk_server.url}', '{conversation}')"
    )
    stranger.reload()
    expect(stranger.get_by_role("dialog")).to_be_visible()
    stranger.wait_for_function(f"localStorage.getItem('bijou-desk-token:{desk_server.url}')")
    assert conversation_id(stranger, desk_server) != conversation
    expect(stranger.locator(".msg")).to_have_count(0)  # nothing of the owner's conversation
    write(stranger, "bonjour")
    expect(stranger.locator(".msg.bot").last).to_contain_text(GREETING)

    owner.reload()
    expect(owner.locator(".msg")).to_have_count(count)  # the owner's conversation is untouched
    assert conversation_id(owner, desk_server) == conversation
    owner.context.close()
    stranger.context.close()
