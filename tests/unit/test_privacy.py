"""A shopper's data: found by e-mail across the desk, the order store and Rasa's tracker events,
exported, erased (twice changes nothing), kept no longer than the retention periods, and every
use written to the audit log. Tracker events are stored by Rasa's own SQL tracker store."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import sessionmaker

from devtools.servers import FROZEN_NOW
from shop.clock import FixedClock
from shop.privacy import audit
from shop.privacy.__main__ import main
from shop.privacy.retention import RetentionSettings, retain
from shop.privacy.subject import ERASED, erase_subject, export_subject
from shop.settings import SettingsError
from shop.store import conversation_repository as repo
from shop.store import repository
from shop.store.conversations import ConversationMode
from shop.store.db import session_scope
from shop.store.models import Customer, Order, Ticket
from tests.support.conversations import desk_conversation, wait_for_agent
from tests.support.databases import seeded_sqlite, sessions_of
from tests.support.tracker_events import store_tracker, tracker_senders, turn

ROOT = Path(__file__).resolve().parents[2]
CLAIRE = "claire.martin@gmail.com"  # owns the demo order 482913
CLAIRE_ORDER = "482913"
INES = "ines.faure@gmail.com"


@pytest.fixture()
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = seeded_sqlite(tmp_path / "shop.db")
    monkeypatch.setenv("SHOP_DATABASE_URL", f"sqlite:///{path}")
    yield path


@pytest.fixture()
def sessions(database: Path) -> Iterator[sessionmaker]:
    yield from sessions_of(database)


@pytest.fixture()
def claire(database: Path, sessions: sessionmaker) -> dict[str, str]:
    """Claire's traces everywhere, and Inès's conversation that must never be touched."""
    typed = desk_conversation(
        sessions, "bonjour ma commande 482913", "mon mail c'est Claire.Martin@Gmail.com"
    )
    with session_scope(sessions) as session:
        conversation = repo.get_conversation(session, typed)
        assert conversation is not None
        repo.add_note(session, conversation, "louise", "Cliente inquiète, rappeler.", FROZEN_NOW)
    note = {"order": {"number": CLAIRE_ORDER}, "verified": True}
    wait_for_agent(sessions, typed, note=note, due_in=timedelta(hours=4))
    store_tracker(database, typed, turn("c'est Claire.Martin@Gmail.com", FROZEN_NOW))
    verified_only = "rest-channel-shopper"
    store_tracker(
        database,
        verified_only,
        turn("482913", FROZEN_NOW, ("order_number", CLAIRE_ORDER), ("verified_order", "482913")),
    )
    ticketed = desk_conversation(sessions, "je veux parler à quelqu'un")
    with session_scope(sessions) as session:
        order = repository.find_order(session, CLAIRE_ORDER, CLAIRE)
        ticket = repository.open_ticket(
            session,
            kind="handoff",
            now=FROZEN_NOW,
            due_at=FROZEN_NOW + timedelta(days=1),
            facts={"reason": "shopper_request", "previous_intent": "handoff", "phone": "0612"},
            order=order,
            conversation_id=ticketed,
        )
        ticket_number = str(ticket.number)
    other = desk_conversation(sessions, f"je suis {INES}, commande 482957")
    store_tracker(database, other, turn(f"{INES}", FROZEN_NOW, ("verified_order", "482957")))
    return {
        "typed": typed,
        "verified_only": verified_only,
        "ticketed": ticketed,
        "other": other,
        "ticket": ticket_number,
    }


def test_finding_18_export_gathers_every_trace_of_the_shopper(
    sessions: sessionmaker, claire: dict[str, str]
) -> None:
    with session_scope(sessions) as session:
        data = export_subject(session, " CLAIRE.martin@gmail.com ", FROZEN_NOW)
    found = {c["id"]: c for c in data["conversations"]}
    assert set(found) == {claire["typed"], claire["verified_only"], claire["ticketed"]}
    typed = found[claire["typed"]]
    assert "mon mail c'est Claire.Martin@Gmail.com" in [
        m["text"] for m in typed["desk"]["messages"]
    ]
    assert typed["desk"]["agent_notes"][0]["text"] == "Cliente inquiète, rappeler."
    assert typed["desk"]["handoffs"][0]["note"]["order"]["number"] == CLAIRE_ORDER
    assert typed["tracker_events"][0]["data"]["text"] == "c'est Claire.Martin@Gmail.com"
    assert found[claire["verified_only"]]["desk"] is None
    assert {"verified_order"} <= {
        e["data"].get("name") for e in found[claire["verified_only"]]["tracker_events"]
    }
    assert data["customer"]["email"] == CLAIRE
    assert CLAIRE_ORDER in [o["number"] for o in data["orders"]]
    assert claire["ticket"] in [t["number"] for t in data["tickets"]]
    json.dumps(data)  # plain JSON all the way down


def test_finding_18_erase_anonymises_the_shopper_everywhere_and_keeps_the_accounts(
    database: Path, sessions: sessionmaker, claire: dict[str, str]
) -> None:
    with session_scope(sessions) as session:
        report = erase_subject(session, CLAIRE, FROZEN_NOW)
    counts = report.as_dict()
    assert counts["desk_messages"] == 6 and counts["desk_agent_notes"] == 1
    assert counts["customers"] == 1 and counts["tickets"] == 1 and counts["events"] >= 8

    with session_scope(sessions) as session:
        for conversation_id in (claire["typed"], claire["ticketed"]):
            texts = {m.text for m in repo.messages_after(session, conversation_id)}
            assert texts == {ERASED}
            conversation = repo.get_conversation(session, conversation_id)
            assert conversation is not None and conversation.mode == ConversationMode.CLOSED
        assert {n.text for n in repo.notes_of(session, claire["typed"])} == {ERASED}
        handoff = repo.handoffs_of(session, claire["typed"])[0]
        assert handoff.note == {"reason": "shopper_request", "ticket": None}
        assert handoff.closed_at is not None
        other = {m.text for m in repo.messages_after(session, claire["other"])}
        assert f"je suis {INES}, commande 482957" in other
        customer = session.query(Customer).filter(Customer.email.like("erased-%")).one()
        assert (customer.first_name, customer.last_name, customer.postal_code) == (
            ERASED,
            ERASED,
            None,
        )
        order = session.query(Order).filter(Order.number == CLAIRE_ORDER).one()
        assert order.customer_id == customer.id and order.total_cents > 0
        ticket = session.query(Ticket).filter(Ticket.number == claire["ticket"]).one()
        assert ticket.facts == {"reason": "shopper_request"}
        assert ticket.kind == "handoff" and ticket.order_id == order.id
    assert tracker_senders(database) == {claire["other"]}

    with session_scope(sessions) as session:
        again = erase_subject(session, CLAIRE, FROZEN_NOW)
        assert again.total == 0
        assert export_subject(session, CLAIRE, FROZEN_NOW)["conversations"] == []


def run_cli(*argv: str) -> str:
    out = io.StringIO()
    assert main(list(argv), out=out, clock=FixedClock(FROZEN_NOW)) == 0
    return out.getvalue()


def test_finding_18_erase_dry_run_counts_changes_nothing_and_is_audited(
    database: Path, sessions: sessionmaker, claire: dict[str, str]
) -> None:
    printed = run_cli("erase", "--email", CLAIRE, "--dry-run")
    assert "dry run" in printed and "desk_messages: 6" in printed and "customers: 1" in printed
    with session_scope(sessions) as session:
        assert CLAIRE in json.dumps(export_subject(session, CLAIRE, FROZEN_NOW))
    assert claire["verified_only"] in tracker_senders(database)

    assert "customers: 1" in run_cli("erase", "--email", CLAIRE)
    assert "0 rows changed" in run_cli("erase", "--email", CLAIRE)
    log = run_cli("audit", "--since", "2026-11-01", "--email", CLAIRE)
    assert [line.split()[2] for line in log.splitlines()] == [
        audit.PREVIEW_ERASE,
        audit.ERASE,
        audit.ERASE,
    ]
    assert CLAIRE not in log and audit.email_hash(CLAIRE) in log


def test_finding_18_export_to_a_file_readable_by_its_owner_only(
    tmp_path: Path, claire: dict[str, str]
) -> None:
    target = tmp_path / "claire.json"
    printed = run_cli("export", "--email", CLAIRE, "--out", str(target))
    assert "3 conversations" in printed and CLAIRE not in printed
    assert os.stat(target).st_mode & 0o777 == 0o600
    assert json.loads(target.read_text(encoding="utf-8"))["customer"]["email"] == CLAIRE
    assert "data.export" in run_cli("audit", "--since", "2026-11-24")


def test_retention_periods_are_the_products_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The periods and the daily job's switch are read once, by ``shop.settings``: a blank
    value keeps the default, a switch says off as every switch does, a bad value is refused
    with its variable named."""
    settings = RetentionSettings.from_env(
        {
            "SHOP_RETENTION_DAYS": "90",
            "SHOP_TRACKER_RETENTION_DAYS": " 7 ",
            "SHOP_AUDIT_RETENTION_DAYS": "  ",
            "SHOP_RETENTION_JOB": "no",
        }
    )
    assert settings == RetentionSettings(90, 7, 365, daily_job=False)
    assert RetentionSettings.from_env({"SHOP_RETENTION_JOB": "0"}).daily_job is False
    assert RetentionSettings.from_env({"SHOP_RETENTION_JOB": ""}).daily_job is True
    with pytest.raises(SettingsError, match="SHOP_TRACKER_RETENTION_DAYS='0'"):
        RetentionSettings.from_env({"SHOP_TRACKER_RETENTION_DAYS": "0"})
    with pytest.raises(SettingsError, match="SHOP_AUDIT_RETENTION_DAYS='un an'"):
        RetentionSettings.from_env({"SHOP_AUDIT_RETENTION_DAYS": "un an"})

    monkeypatch.setenv("SHOP_RETENTION_DAYS", "120")
    monkeypatch.setenv("SHOP_RETENTION_JOB", "false")
    assert RetentionSettings.from_env() == RetentionSettings(120, daily_job=False)


def test_finding_18_retention_deletes_old_transcripts_and_tracker_events_only(
    database: Path, sessions: sessionmaker
) -> None:
    now = FROZEN_NOW
    old = desk_conversation(sessions, "vieille question", at=now - timedelta(days=400))
    old_waiting = desk_conversation(sessions, "toujours en attente", at=now - timedelta(days=400))
    wait_for_agent(
        sessions, old_waiting, reason="fallback", at=now - timedelta(days=400), due_in=timedelta(1)
    )
    recent = desk_conversation(sessions, "question récente", at=now - timedelta(days=300))
    store_tracker(database, recent, turn("ancien tour", now - timedelta(days=31)))
    store_tracker(database, "fresh", turn("tour récent", now - timedelta(days=29)))
    settings = RetentionSettings.from_env({})
    assert (settings.conversation_days, settings.tracker_days) == (365, 30)

    with session_scope(sessions) as session:
        report = retain(session, settings, now).as_dict()
    assert report["desk_conversations"] == 1 and report["desk_messages"] == 2
    assert report["events"] == 3  # the three events of the 31-day-old turn
    with session_scope(sessions) as session:
        assert repo.get_conversation(session, old) is None
        assert repo.get_conversation(session, old_waiting) is not None
        assert repo.get_conversation(session, recent) is not None
    assert tracker_senders(database) == {"fresh"}

    with session_scope(sessions) as session:
        assert retain(session, settings, now).total == 0
    printed = run_cli("retain")
    assert "0 rows changed" in printed and "365 days" in printed
