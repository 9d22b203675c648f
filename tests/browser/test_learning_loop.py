"""The learning loop in Chromium, through the real desk, Rasa server and action server: a
shopper says an answer did not help, the dashboard counts it, the message waits in the review
inbox with the shopper's name replaced, an editor labels it, and the export holds it without
the name, in files Rasa's validator accepts."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import Page, expect

from devtools.desk import DeskServer
from devtools.servers import ROOT
from shop.store.conversations import Role
from tests.browser.conftest import console_login, shop_page

pytestmark = pytest.mark.browser

TIMEOUT_MS = 30_000
expect.set_options(timeout=TIMEOUT_MS)
EDITOR, PASSWORD = "editrice-boucle", "une-editrice-dans-la-boucle"
# A FAQ question the model answers surely, with the shopper's name in it.
QUESTION = "bonjour, je suis Marie Dupont, vous acceptez quels moyens de paiement ?"
REDACTED = "je suis [nom]"
ENTRY = "faq/paiement_moyens"
RATING = "Cette réponse vous a-t-elle aidé ?"


def editor_console(browser: Any, desk: DeskServer) -> Page:
    desk.add_account(EDITOR, PASSWORD, Role.EDITOR, "Éditrice")
    page = console_login(browser, desk.url, EDITOR, PASSWORD)
    expect(page).to_have_url(desk.url + "/console/revue")
    return page


def thumbs_down_on(console: Page, desk: DeskServer, topic: str) -> int:
    """How many 👎 the dashboard's figures give ``topic`` over the last week."""
    response = console.request.get(desk.url + "/console/api/metrics?days=7")
    assert response.ok
    rows = response.json()["satisfaction"]["per_faq_entry"]
    return sum(int(row["down"]) for row in rows if row["topic"] == topic)


def exported_examples(root: Path) -> dict[str, list[str]]:
    """Every example of the export's training and held-out files, by intent."""
    examples: dict[str, list[str]] = {}
    for path in (root / "bot/data/reviewed.yml", root / "tests/nlu/reviewed_heldout.yml"):
        if path.exists():
            for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
                lines = [line[2:] for line in item["examples"].splitlines() if line.strip()]
                examples.setdefault(item["intent"], []).extend(lines)
    return examples


def test_a_misunderstood_message_goes_from_the_widget_to_the_training_data(
    browser: Any, desk_server: DeskServer, screenshots: Path
) -> None:
    console = editor_console(browser, desk_server)
    dislikes_before = thumbs_down_on(console, desk_server, ENTRY)

    shopper = shop_page(browser, desk_server.url)
    shopper.get_by_role("button", name="Une question ?").click()
    expect(shopper.locator(".status")).to_have_text("Assistant en ligne")  # conversation ready
    shopper.get_by_label("Votre message").fill(QUESTION)
    shopper.keyboard.press("Enter")
    answer = shopper.locator(".msg.bot").last
    expect(answer).to_contain_text("carte")
    rating = answer.get_by_role("group", name=RATING)
    rating.get_by_role("button", name="Non, elle ne m'a pas aidé").click()
    expect(rating.get_by_role("status")).to_have_text("Merci pour votre avis.")
    shopper.context.close()

    assert thumbs_down_on(console, desk_server, ENTRY) == dislikes_before + 1
    console.goto(desk_server.url + "/console/dashboard?days=7")
    expect(console.locator("table", has_text="Moyens de paiement").first).to_be_visible()

    console.goto(desk_server.url + "/console/revue")
    group = console.locator("li.group", has_text=REDACTED)
    expect(group).to_have_count(1)
    expect(group).to_contain_text("👎")
    content = console.content()
    assert "Marie" not in content and "Dupont" not in content
    group.locator("button[data-shortcut='1']").filter(has_text="paiement_moyens").click()
    expect(console.get_by_role("status")).to_contain_text("étiqueté")
    expect(console.locator("li.group", has_text=REDACTED)).to_have_count(0)

    console.get_by_role("button", name="Exporter").click()
    report = console.locator("#export-report")
    expect(report).to_contain_text("Export effectué")
    console.screenshot(path=str(screenshots / "console-review-export.png"), full_page=True)
    console.context.close()

    root = desk_server.export_root
    mine = [text for text in exported_examples(root).get(ENTRY, []) if "moyens de paiement" in text]
    assert any(re.match(r"bonjour, je suis [\w ]+, vous acceptez", text) for text in mine), mine
    written = "".join(p.read_text() for p in root.rglob("*.yml"))
    assert "Marie" not in written and "Dupont" not in written
    files = [
        str(p)
        for p in (root / "bot/data/reviewed.yml", root / "tests/nlu/reviewed_heldout.yml")
        if p.exists()
    ]
    validated = subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "data",
            "validate",
            "--domain",
            "domain.yml",
            "--data",
            "bot/data",
            *files,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert validated.returncode == 0, validated.stdout[-2000:] + validated.stderr[-2000:]
