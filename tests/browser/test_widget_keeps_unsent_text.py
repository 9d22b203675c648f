"""The database goes away while a shopper writes in the widget (Chromium, the real desk in
uvicorn, a fake Rasa): the desk refuses the message in French and the text stays in the input;
once the database is back, the same Enter sends it and only then the input is emptied."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import expect

from desk.app import create_app
from desk.settings import Settings
from devtools.servers import FROZEN_NOW, ROOT
from devtools.services import free_port
from tests.browser.conftest import shop_page
from tests.desk.fake_rasa import TOKEN, FakeRasa
from tests.support.databases import seeded_sqlite

pytestmark = pytest.mark.browser

TIMEOUT_MS = 20_000
TEXT = "Bonjour, où en est ma commande 482913 ?"
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture()
def database(tmp_path: Path) -> Path:
    return seeded_sqlite(tmp_path / "db" / "shop.db")


@pytest.fixture()
def desk_url(tmp_path: Path, database: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The desk served by uvicorn on loopback, relaying to a fake Rasa."""
    monkeypatch.setenv("SHOP_NOW", FROZEN_NOW.isoformat())
    fake = FakeRasa().start()
    settings = Settings(
        port=free_port(),
        rasa_url=fake.url,
        rasa_token=TOKEN,
        rasa_timeout_s=3.0,
        database_url=f"sqlite:///{database}",
        secret_key="s" * 48,
        var_dir=tmp_path / "var",
        knowledge_dir=ROOT / "knowledge" / "faq",
        create_demo_agent=False,
    )
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings),
            host="127.0.0.1",
            port=settings.port,
            ws="wsproto",  # as ``python -m desk``: Rasa pins a websockets too old for uvicorn
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{settings.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        fake.stop()


def test_finding_05_the_widget_keeps_the_text_the_desk_could_not_store(
    browser: Any, desk_url: str, database: Path
) -> None:
    page = shop_page(browser, desk_url)
    page.get_by_role("button", name="Une question ?").click()
    expect(page.locator(".status")).to_have_text("Assistant en ligne")
    box = page.get_by_label("Votre message")

    away = database.parent.with_name("db-away")
    shutil.move(database.parent, away)
    try:
        box.fill(TEXT)
        page.keyboard.press("Enter")
        expect(page.locator(".error")).to_contain_text("n'a pas pu être enregistré")
        expect(box).to_have_value(TEXT)  # nothing to type again
        expect(page.locator(".msg.shopper")).to_have_count(0)
    finally:
        shutil.move(away, database.parent)

    box.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".msg.shopper")).to_have_text([f"Vous : {TEXT}"])
    expect(box).to_have_value("")
    expect(page.locator(".msg.bot")).to_have_count(1)
    page.context.close()
