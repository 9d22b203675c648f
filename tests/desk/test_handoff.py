"""Handoff to a person: the note, the queue, claim, reply, notes, hand back, close."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from desk.handoff import outcome_label
from devtools.servers import FROZEN_NOW
from shop.kinds import CloseOutcome
from shop.policy.profile import load_active_profile
from shop.store import repository
from shop.store.conversations import Conversation, ConversationMode, Handoff
from shop.store.demo import DEMO_ORDERS
from shop.store.models import Ticket, TicketStatus
from tests.desk.conftest import AGENT, login, say, start
from tests.desk.fake_rasa import FakeRasa


@pytest.fixture()
def ticket(db: sessionmaker, fake_rasa: FakeRasa) -> str:
    """A real ticket on a real order, as the action server opens it before handing over."""
    demo = DEMO_ORDERS["past_cutoff"]
    profile = load_active_profile()
    with db() as session:
        order = repository.find_order(session, demo.number, demo.email)
        opened = repository.open_ticket(
            session,
            kind="cancellation",
            now=FROZEN_NOW,
            due_at=profile.ticket_due_at(FROZEN_NOW, 1),
            facts={"reason": "policy"},
            order=order,
            priority=1,
        )
        session.commit()
        number = str(opened.number)
    fake_rasa.handoff = {
        "reason": "policy",
        "ticket": number,
        "intent": "cancel_order",
        "confidence": 0.91,
        "verified": True,
        "order_number": demo.number,
        "decision": {
            "topic": "cancellation",
            "outcome": "refused",
            "reason_code": "cutoff_passed",
            "clause": {"shop": "bijou_eclat", "rule": "cancellation.cutoff", "text": "Avant 13h."},
            "facts": {},
            "needs_human": True,
        },
    }
    return number


def handed_over(client: TestClient) -> str:
    conversation = start(client)
    say(client, conversation, "bonjour")
    turn = say(client, conversation, "Parler à un conseiller")
    assert turn["mode"] == "waiting_agent"
    return conversation


def claimed(client: TestClient) -> tuple[str, str]:
    """A conversation handed over, then claimed by the agent now logged in: its id and the
    session's CSRF token."""
    conversation = handed_over(client)
    csrf = login(client)
    client.post(f"/console/conversations/{conversation}/claim", data={"csrf_token": csrf})
    return conversation, csrf


def test_handoff_switches_mode_records_the_note_and_tells_the_shopper(
    client: TestClient, db: sessionmaker, ticket: str
) -> None:
    conversation = start(client)
    turn = say(client, conversation, "Parler à un conseiller")
    texts = [m["text"] for m in turn["messages"]]
    assert turn["mode"] == "waiting_agent"
    assert texts[1] == f"J'ai ouvert le dossier {ticket}."
    assert texts[2].startswith("Un conseiller va vous répondre")
    assert ticket in texts[2]
    assert not any("handoff" in text for text in texts)  # the custom payload is not shown
    with db() as session:
        handoff = session.execute(select(Handoff)).scalar_one()
    note = handoff.note
    assert (handoff.reason, handoff.ticket_number, handoff.priority) == ("policy", ticket, 1)
    assert note["intent"] == "cancel_order" and note["confidence"] == 0.91
    assert note["verified"] is True
    assert note["order"]["number"] == DEMO_ORDERS["past_cutoff"].number
    assert note["order"]["status_label"]
    assert note["decision"]["reason_code"] == "cutoff_passed"
    assert note["decision"]["clause"] == "Avant 13h."


def test_outside_opening_hours_the_shopper_gets_the_ticket_and_the_due_time(
    make_client: Callable[..., TestClient],
    monkeypatch: pytest.MonkeyPatch,
    ticket: str,
) -> None:
    monkeypatch.setenv("SHOP_NOW", "2026-11-24T21:30:00+01:00")
    client = make_client()
    conversation = start(client)
    notice = say(client, conversation, "Parler à un conseiller")["messages"][-1]
    assert notice["author"] == "system"
    assert "fermé pour le moment" in notice["text"]
    assert ticket in notice["text"]
    assert "au plus tard le mardi 24 novembre à 14h" in notice["text"]


def test_while_waiting_or_held_messages_go_to_the_agent_not_to_rasa(
    client: TestClient, fake_rasa: FakeRasa
) -> None:
    conversation = handed_over(client)
    sent = len(fake_rasa.received)
    say(client, conversation, "vous êtes là ?")
    csrf = login(client)
    client.post(f"/console/conversations/{conversation}/claim", data={"csrf_token": csrf})
    turn = say(client, conversation, "merci de m'aider")
    assert [m["author"] for m in turn["messages"]] == ["shopper"]
    assert len(fake_rasa.received) == sent
    view = client.get(f"/console/api/conversations/{conversation}").json()
    assert [m["text"] for m in view["messages"]][-2:] == [
        "Louise, de notre service client, a rejoint la conversation.",
        "merci de m'aider",
    ]


def test_queue_lists_open_handoffs_most_urgent_first(
    client: TestClient, fake_rasa: FakeRasa, ticket: str
) -> None:
    urgent_note = fake_rasa.handoff
    fake_rasa.handoff = {"reason": "fallback", "ticket": None, "intent": "nlu_fallback"}
    normal = start(client)
    say(client, normal, "Parler à un conseiller")
    fake_rasa.handoff = urgent_note
    urgent = start(client)
    say(client, urgent, "Parler à un conseiller")
    bot_only = start(client)
    say(client, bot_only, "bonjour")
    login(client)
    queue = client.get("/console/api/queue").json()["queue"]
    assert [row["conversation_id"] for row in queue] == [urgent, normal]
    assert [row["priority_label"] for row in queue] == ["Urgente", "Normale"]
    assert queue[1]["reason_label"] == "L'assistant n'a pas compris deux fois de suite"
    assert queue[1]["last_text"] == "Parler à un conseiller"
    page = client.get("/console").text
    assert urgent in page and normal in page and bot_only not in page


def test_agent_claims_replies_and_the_shopper_sees_the_reply(
    client: TestClient, db: sessionmaker, ticket: str
) -> None:
    conversation = handed_over(client)
    csrf = login(client)
    page = client.get(f"/console/conversations/{conversation}")
    assert page.status_code == 200
    assert "Prendre la conversation" in page.text
    assert "cutoff_passed" in page.text and DEMO_ORDERS["past_cutoff"].number in page.text
    claimed = client.post(
        f"/console/conversations/{conversation}/claim",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert claimed.status_code == 303
    reply = client.post(
        f"/console/conversations/{conversation}/reply",
        json={"text": "Bonjour, je regarde votre commande."},
        headers={"X-CSRF-Token": csrf},
    )
    assert reply.json() == {"ok": True}
    shopper_view = client.get(f"/api/chat/{conversation}/messages").json()
    assert shopper_view["mode"] == "agent"
    assert shopper_view["messages"][-1]["author"] == "agent"
    assert shopper_view["messages"][-1]["text"] == "Bonjour, je regarde votre commande."
    assert "agent" not in shopper_view["messages"][-1]  # no agent username for shoppers
    with db() as session:
        stored = session.execute(select(Ticket).where(Ticket.number == ticket)).scalar_one()
        assert (stored.status, stored.assignee) == (TicketStatus.IN_PROGRESS, AGENT)


def test_canned_answer_is_sent_when_the_text_is_empty(client: TestClient, ticket: str) -> None:
    conversation = handed_over(client)
    csrf = login(client)
    page = client.get(f"/console/conversations/{conversation}").text
    assert "Saluer" in page
    assert "(FAQ)" in page  # the knowledge files' answers are offered too
    client.post(
        f"/console/conversations/{conversation}/reply",
        data={"csrf_token": csrf, "text": "", "canned": "autre_chose"},
    )
    last = client.get(f"/api/chat/{conversation}/messages").json()["messages"][-1]
    assert last["text"] == "Puis-je vous aider pour autre chose ?"


def test_canned_answers_survive_a_missing_faq_folder(
    make_client: Callable[..., TestClient],
    tmp_path,
    ticket: str,  # type: ignore[no-untyped-def]
) -> None:
    client = make_client(knowledge_dir=tmp_path / "absent")
    conversation = handed_over(client)
    login(client)
    page = client.get(f"/console/conversations/{conversation}")
    assert page.status_code == 200 and "Saluer" in page.text and "(FAQ)" not in page.text


def test_a_second_agent_cannot_take_a_held_conversation(
    make_client: Callable[..., TestClient], db: sessionmaker, ticket: str
) -> None:
    from desk.security import hash_password
    from shop.store import conversation_repository as repo

    with db() as session:
        repo.create_agent(
            session, "marc", hash_password("mot-de-passe-de-marc"), "Marc", FROZEN_NOW
        )
        session.commit()
    first, second = make_client(), make_client()
    conversation = handed_over(first)
    csrf_first = login(first)
    first.post(f"/console/conversations/{conversation}/claim", data={"csrf_token": csrf_first})
    csrf_second = login(second, "marc", "mot-de-passe-de-marc")
    refused = second.post(
        f"/console/conversations/{conversation}/reply",
        json={"text": "moi aussi"},
        headers={"X-CSRF-Token": csrf_second},
    )
    assert refused.status_code == 409
    assert refused.json()["detail"] == "Un autre conseiller a déjà pris cette conversation."


def test_hand_back_resumes_rasa_and_the_bot_answers_again(
    client: TestClient, fake_rasa: FakeRasa, db: sessionmaker, ticket: str
) -> None:
    conversation, csrf = claimed(client)
    back = client.post(
        f"/console/conversations/{conversation}/hand-back",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert back.status_code == 303
    assert fake_rasa.resumed == [conversation]
    assert fake_rasa.resume_events == [
        [{"event": "resume"}, {"event": "action", "name": "action_listen"}]
    ]
    turn = say(client, conversation, "bonjour")
    assert turn["mode"] == "bot" and turn["messages"][-1]["author"] == "bot"
    with db() as session:
        handoff = session.execute(select(Handoff)).scalar_one()
        assert handoff.outcome == "handed_back" and handoff.closed_at is not None
        assert (
            session.execute(select(Ticket.status).where(Ticket.number == ticket)).scalar_one()
            == TicketStatus.CLOSED
        )
    assert client.get("/console/api/queue").json()["queue"] == []


def test_hand_back_while_rasa_is_down_keeps_the_agent_in_charge(
    client: TestClient, fake_rasa: FakeRasa, ticket: str
) -> None:
    conversation, csrf = claimed(client)
    fake_rasa.down = True
    refused = client.post(
        f"/console/conversations/{conversation}/hand-back",
        headers={"X-CSRF-Token": csrf},
        json={},
    )
    assert refused.status_code == 409 and "reste avec vous" in refused.json()["detail"]
    assert client.get(f"/api/chat/{conversation}/messages").json()["mode"] == "agent"


def test_close_with_outcome_ends_the_conversation(
    client: TestClient, db: sessionmaker, ticket: str
) -> None:
    conversation, csrf = claimed(client)
    bad = client.post(
        f"/console/conversations/{conversation}/close",
        data={"csrf_token": csrf, "outcome": "n'importe quoi"},
    )
    assert bad.status_code == 422
    client.post(
        f"/console/conversations/{conversation}/close",
        data={"csrf_token": csrf, "outcome": "follow_up"},
    )
    shopper = client.get(f"/api/chat/{conversation}/messages").json()
    assert shopper["mode"] == "closed"
    assert "La conversation est terminée" in shopper["messages"][-1]["text"]
    closed = client.post(f"/api/chat/{conversation}/messages", json={"text": "allô ?"})
    assert closed.status_code == 409
    with db() as session:
        assert session.get(Conversation, conversation).mode == ConversationMode.CLOSED
        handoff = session.execute(select(Handoff)).scalar_one()
        assert handoff.outcome == "follow_up"
        status = session.execute(select(Ticket.status).where(Ticket.number == ticket))
        assert status.scalar_one() == TicketStatus.IN_PROGRESS  # follow-up keeps it open


def test_private_notes_are_never_shown_to_the_shopper(client: TestClient, ticket: str) -> None:
    conversation = handed_over(client)
    csrf = login(client)
    client.post(
        f"/console/conversations/{conversation}/note",
        data={"csrf_token": csrf, "text": "Cliente fidèle, geste commercial possible."},
    )
    assert "geste commercial" in client.get(f"/console/conversations/{conversation}").text
    shopper = client.get(f"/api/chat/{conversation}/messages").text
    assert "geste commercial" not in shopper


def test_order_panel_shows_status_lines_shipments_and_tickets(
    client: TestClient, ticket: str
) -> None:
    conversation = handed_over(client)
    login(client)
    shipped = DEMO_ORDERS["shipped_on_time"].number
    view = client.get(f"/console/conversations/{conversation}").text
    assert ticket in view and "Articles" in view
    other = client.get(f"/console/conversations/{conversation}", params={"order": shipped}).text
    assert "expédiée" in other and "laposte.fr" in other
    missing = client.get(f"/console/conversations/{conversation}", params={"order": "000000"})
    assert "Aucune commande 000000." in missing.text


def test_agent_html_escapes_shopper_text(client: TestClient, ticket: str) -> None:
    conversation = handed_over(client)
    say(client, conversation, "<img src=x onerror=alert(1)>")
    login(client)
    page = client.get(f"/console/conversations/{conversation}").text
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_every_way_a_handoff_ends_has_a_french_label() -> None:
    for outcome in CloseOutcome:
        assert outcome_label(outcome) not in ("", outcome.value), outcome
    assert outcome_label(CloseOutcome.HANDED_BACK) == "Rendu à l'assistant"
    assert outcome_label(None) == ""
