"""Personal data in the console: export and erasure by e-mail (CSRF, confirmation, audit), the
audit of every conversation an agent opens, the retention periods applied when the desk starts
and written on the privacy page."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from desk.routers.console import REPORT_LABELS
from devtools.servers import FROZEN_NOW
from shop.privacy import audit, platform
from shop.privacy.subject import ERASED
from shop.store import conversation_repository as repo
from shop.store.audit import AuditEvent
from shop.store.db import session_scope
from shop.store.models import Customer
from tests.desk.conftest import ADMIN, ADMIN_PASSWORD, AGENT, login, say, start
from tests.support.conversations import desk_conversation, wait_for_agent
from tests.support.tracker_events import store_tracker, tracker_senders, turn

CLAIRE = "claire.martin@gmail.com"


def conversation_with(db: sessionmaker, text: str, days_ago: int = 0) -> str:
    at = FROZEN_NOW - timedelta(days=days_ago)
    return desk_conversation(db, text, at=at, answer="Merci, je regarde.")


def audit_log(db: sessionmaker) -> list[tuple[str, str, str | None]]:
    with session_scope(db) as session:
        rows = session.query(AuditEvent).order_by(AuditEvent.id).all()
        return [(row.actor, row.action, row.target) for row in rows]


def test_finding_18_an_admin_downloads_a_shoppers_data_and_the_export_is_audited(
    client: TestClient, db: sessionmaker
) -> None:
    conversation = conversation_with(db, f"bonjour, mon e-mail est {CLAIRE}")
    csrf = login(client, ADMIN, ADMIN_PASSWORD)
    page = client.get("/console/donnees-personnelles")
    assert page.status_code == 200 and "Exporter les données d'un client" in page.text

    refused = client.post(
        "/console/donnees-personnelles/export", data={"email": CLAIRE}, follow_redirects=False
    )
    assert refused.status_code == 403
    response = client.post(
        "/console/donnees-personnelles/export", data={"email": CLAIRE, "csrf_token": csrf}
    )
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["customer"]["email"] == CLAIRE
    assert [c["id"] for c in data["conversations"]] == [conversation]
    assert audit_log(db) == [(ADMIN, audit.EXPORT, audit.email_hash(CLAIRE))]

    wrong = client.post(
        "/console/donnees-personnelles/export", data={"email": "claire", "csrf_token": csrf}
    )
    assert wrong.status_code == 422 and "adresse e-mail du client (par exemple" in wrong.text


def test_finding_18_an_admin_erases_a_shopper_after_a_preview_and_a_confirmation(
    client: TestClient, db: sessionmaker
) -> None:
    conversation = conversation_with(db, f"mon adresse : {CLAIRE}")
    wait_for_agent(db, conversation, note={"order": {"number": "482913"}})
    csrf = login(client, ADMIN, ADMIN_PASSWORD)
    form = {"email": CLAIRE, "csrf_token": csrf}

    preview = client.post("/console/donnees-personnelles/erase", data={**form, "preview": "1"})
    assert preview.status_code == 200 and "Aperçu (rien n'a été effacé)" in preview.text
    assert "Fiche client anonymisée" in report_labels(preview.text)
    assert set(report_labels(preview.text)) <= set(REPORT_LABELS.values())
    unconfirmed = client.post("/console/donnees-personnelles/erase", data=form)
    assert unconfirmed.status_code == 422 and "Je confirme" in unconfirmed.text
    with session_scope(db) as session:
        assert repo.last_shopper_text(session, conversation) == f"mon adresse : {CLAIRE}"

    done = client.post("/console/donnees-personnelles/erase", data={**form, "confirm": "oui"})
    assert done.status_code == 200 and "Effacement effectué" in done.text
    with session_scope(db) as session:
        assert repo.last_shopper_text(session, conversation) == ERASED
        assert session.query(Customer).filter(Customer.email == CLAIRE).count() == 0
    target = audit.email_hash(CLAIRE)
    assert audit_log(db) == [
        (ADMIN, audit.PREVIEW_ERASE, target),
        (ADMIN, audit.ERASE, target),
    ]
    assert target in client.get("/console/donnees-personnelles").text
    console_view = client.get(f"/console/conversations/{conversation}").text
    assert "Effacée à la demande du client" in console_view and CLAIRE not in console_view


def report_labels(page: str) -> list[str]:
    """The first column of the erasure report on the personal data page."""
    report = page.split('id="erase-report"')[1].split("</tbody>")[0]
    return re.findall(r"<tr><td>([^<]*)</td>", report)


def test_every_table_an_erasure_reports_has_a_french_label() -> None:
    assert {platform.DELIVERIES, platform.REQUESTS} <= REPORT_LABELS.keys()
    assert not [table for table, label in REPORT_LABELS.items() if label == table]


def test_finding_18_opening_a_conversation_in_the_console_is_audited(
    client: TestClient, db: sessionmaker
) -> None:
    conversation = conversation_with(db, "ma bague est trop petite")
    login(client)
    assert client.get(f"/console/conversations/{conversation}").status_code == 200
    assert client.get(f"/console/api/conversations/{conversation}").status_code == 200
    last = client.get(f"/console/api/conversations/{conversation}?after=1")
    assert last.status_code == 200  # the next messages of an open page: no new entry
    view = (AGENT, audit.VIEW_CONVERSATION, conversation)
    assert audit_log(db) == [view, view]


def test_finding_18_the_desk_applies_the_retention_periods_when_it_starts(
    make_client: Callable[..., TestClient], db: sessionmaker
) -> None:
    old = conversation_with(db, "question d'il y a plus d'un an", days_ago=400)
    recent = conversation_with(db, "question récente", days_ago=10)
    client = make_client()
    with session_scope(db) as session:
        assert repo.get_conversation(session, old) is None
        assert repo.get_conversation(session, recent) is not None
    assert audit_log(db) == [("retention", audit.RETAIN, None)]
    page = client.get("/confidentialite")
    assert "365 jours après son dernier message" in page.text
    assert ": 30 jours" in page.text


def test_finding_18_a_shopper_erases_the_conversation_from_the_widget(
    make_client: Callable[..., TestClient], db: sessionmaker, database_url: str
) -> None:
    shopper = make_client()
    conversation = start(shopper)
    say(shopper, conversation, f"je suis {CLAIRE}, où est ma commande ?")
    database = Path(database_url.removeprefix("sqlite:///"))
    store_tracker(database, conversation, turn(f"je suis {CLAIRE}", FROZEN_NOW))

    stranger = make_client()  # another browser: it does not hold the conversation's token
    assert stranger.post(f"/api/chat/{conversation}/erase").status_code == 401
    erased = shopper.post(f"/api/chat/{conversation}/erase")
    assert erased.status_code == 200 and erased.json() == {"erased": True}

    history = shopper.get(f"/api/chat/{conversation}/messages").json()
    assert history["mode"] == "closed"
    assert {m["text"] for m in history["messages"]} == {ERASED}
    assert conversation not in tracker_senders(database)
    assert ("shopper", audit.ERASE_CONVERSATION, conversation) in audit_log(db)
    assert shopper.post(f"/api/chat/{conversation}/erase").status_code == 200  # twice is fine
