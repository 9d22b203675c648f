"""Shopper satisfaction through the desk's API: which bot answers ask for a rating (the bot's
``feedback`` request, then the desk's rules), the 👍/👎 and its comment, the 1–5 after an agent
closed the conversation, and every refusal, which stores nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from shop.store.conversations import Message
from shop.store.learning import Feedback
from tests.desk.conftest import login, say, start
from tests.desk.fake_rasa import FakeRasa

PAYMENT = "Oui, vous pouvez payer en 3 fois sans frais dès 150 €."
DELIVERY = "La livraison prend 2 à 3 jours ouvrés."


def asking(text: str, topic: str) -> list[dict[str, Any]]:
    """An answer followed by the bot's request for a rating, as Rasa's REST channel sends it."""
    return [{"text": text}, {"custom": {"feedback": {"topic": topic}}}]


SCRIPT: dict[str, list[dict[str, Any]]] = {
    "payer en 3 fois ?": asking(PAYMENT, "faq/paiement_plusieurs_fois"),
    "et en 4 fois ?": asking(PAYMENT, "faq/paiement_plusieurs_fois"),
    "délai de livraison ?": asking(DELIVERY, "faq/livraison_delais"),
    "où est ma commande ?": [
        # Rasa splits a text with blank lines: the request is about the message just before it.
        {"text": "Votre colis est parti hier."},
        {"text": "Suivez-le ici : https://www.laposte.fr/outils/suivre-vos-envois"},
        {"custom": {"feedback": {"topic": "track_order"}}},
    ],
    "merci": [{"text": "Avec plaisir !"}],
    "requête abîmée": [
        {"custom": {"feedback": {"topic": "faq/avant_tout_message"}}},  # nothing to attach to
        {"text": "Une réponse."},
        {"custom": {"feedback": "faq/pas_un_objet"}},
        {"custom": {"feedback": {"topic": 42}}},
        {"custom": {"feedback": {"topic": "   "}}},
    ],
    "sujet trop long": asking("Une réponse.", "faq/" + "x" * 400),
}


@pytest.fixture()
def bot(fake_rasa: FakeRasa) -> FakeRasa:
    """The fake Rasa, answering the scripted questions as the real bot and actions would."""
    canned = fake_rasa.answer

    def answer(sender: str, text: str) -> list[dict[str, Any]]:
        if text in SCRIPT:
            fake_rasa.latest[sender] = ("faq", 0.95)
            return [{"recipient_id": sender, **message} for message in SCRIPT[text]]
        return canned(sender, text)

    fake_rasa.answer = answer  # type: ignore[method-assign]
    return fake_rasa


def bot_answer(turn: dict[str, Any]) -> dict[str, Any]:
    return [m for m in turn["messages"] if m["author"] == "bot"][-1]


def rate(client: TestClient, conversation: str, **body: Any) -> Any:
    return client.post(f"/api/chat/{conversation}/feedback", json=body)


def ratings(db: sessionmaker) -> list[tuple[Any, ...]]:
    with db() as session:
        rows = session.execute(select(Feedback).order_by(Feedback.id)).scalars()
        return [(r.message_id, r.kind, r.score, r.topic, r.comment) for r in rows]


def history(client: TestClient, conversation: str) -> list[dict[str, Any]]:
    return list(client.get(f"/api/chat/{conversation}/messages").json()["messages"])


def test_a_faq_answer_asks_and_the_request_is_not_a_message(
    client: TestClient, bot: FakeRasa, db: sessionmaker
) -> None:
    conversation = start(client)
    turn = say(client, conversation, "payer en 3 fois ?")
    assert [m["author"] for m in turn["messages"]] == ["shopper", "bot"]
    answer = bot_answer(turn)
    assert answer["text"] == PAYMENT
    assert answer["feedback"] == {
        "kind": "answer",
        "given": False,
        "score": None,
        "commented": False,
    }
    assert turn["messages"][0]["feedback"] is None
    with db() as session:
        stored = session.get(Message, answer["id"])
        assert stored.feedback_topic == "faq/paiement_plusieurs_fois"


def test_the_request_goes_to_the_last_part_of_an_answer_split_by_rasa(
    client: TestClient, bot: FakeRasa
) -> None:
    conversation = start(client)
    turn = say(client, conversation, "où est ma commande ?")
    first, last = [m for m in turn["messages"] if m["author"] == "bot"]
    assert first["feedback"] is None
    assert last["feedback"] is not None and last["feedback"]["kind"] == "answer"


def test_malformed_requests_ask_nothing_and_a_long_topic_is_cut(
    client: TestClient, bot: FakeRasa, db: sessionmaker
) -> None:
    conversation = start(client)
    turn = say(client, conversation, "requête abîmée")
    assert [m["feedback"] for m in turn["messages"]] == [None, None]
    long = bot_answer(say(client, conversation, "sujet trop long"))
    with db() as session:
        assert session.get(Message, long["id"]).feedback_topic == ("faq/" + "x" * 400)[:160]


def test_a_thumbs_down_then_a_comment_are_stored_with_the_topic(
    client: TestClient, bot: FakeRasa, db: sessionmaker
) -> None:
    conversation = start(client)
    answer = bot_answer(say(client, conversation, "payer en 3 fois ?"))
    response = rate(client, conversation, message_id=answer["id"], score=-1)
    assert response.status_code == 200, response.text
    assert response.json()["feedback"]["given"] is True
    assert ratings(db) == [(answer["id"], "answer", -1, "faq/paiement_plusieurs_fois", None)]

    response = rate(client, conversation, message_id=answer["id"], comment=" Et sans frais ?\x07 ")
    assert response.status_code == 200, response.text
    assert response.json()["feedback"] == {
        "kind": "answer",
        "given": True,
        "score": -1,
        "commented": True,
    }
    assert ratings(db)[0][4] == "Et sans frais ?"
    # After a reload, the history says what was given.
    [again] = [m for m in history(client, conversation) if m["id"] == answer["id"]]
    assert again["feedback"] == response.json()["feedback"]

    second = rate(client, conversation, message_id=answer["id"], comment="autre chose")
    assert second.status_code == 409
    assert ratings(db)[0][4] == "Et sans frais ?"


def test_a_thumbs_up_with_its_comment_in_one_call(
    client: TestClient, bot: FakeRasa, db: sessionmaker
) -> None:
    conversation = start(client)
    answer = bot_answer(say(client, conversation, "payer en 3 fois ?"))
    ok = rate(client, conversation, message_id=answer["id"], score=1, comment="Parfait")
    assert ok.status_code == 200
    assert ratings(db) == [(answer["id"], "answer", 1, "faq/paiement_plusieurs_fois", "Parfait")]


def test_never_asked_twice_in_a_row(client: TestClient, bot: FakeRasa) -> None:
    conversation = start(client)
    assert bot_answer(say(client, conversation, "payer en 3 fois ?"))["feedback"] is not None
    assert bot_answer(say(client, conversation, "délai de livraison ?"))["feedback"] is None
    assert bot_answer(say(client, conversation, "merci"))["feedback"] is None
    assert bot_answer(say(client, conversation, "délai de livraison ?"))["feedback"] is not None


def test_never_asked_again_for_a_topic_already_rated(
    client: TestClient, bot: FakeRasa, db: sessionmaker
) -> None:
    conversation = start(client)
    answer = bot_answer(say(client, conversation, "payer en 3 fois ?"))
    assert rate(client, conversation, message_id=answer["id"], score=1).status_code == 200
    say(client, conversation, "merci")
    assert bot_answer(say(client, conversation, "et en 4 fois ?"))["feedback"] is None
    say(client, conversation, "merci")
    assert bot_answer(say(client, conversation, "délai de livraison ?"))["feedback"] is not None


def test_a_topic_asked_but_not_rated_may_be_asked_again_later(
    client: TestClient, bot: FakeRasa
) -> None:
    conversation = start(client)
    say(client, conversation, "payer en 3 fois ?")
    say(client, conversation, "merci")
    assert bot_answer(say(client, conversation, "et en 4 fois ?"))["feedback"] is not None


def test_a_second_answer_on_a_topic_rated_meanwhile_is_refused(
    client: TestClient, bot: FakeRasa, db: sessionmaker
) -> None:
    conversation = start(client)
    first = bot_answer(say(client, conversation, "payer en 3 fois ?"))
    say(client, conversation, "merci")
    second = bot_answer(say(client, conversation, "et en 4 fois ?"))
    assert rate(client, conversation, message_id=second["id"], score=1).status_code == 200
    refused = rate(client, conversation, message_id=first["id"], score=-1)
    assert refused.status_code == 409
    assert len(ratings(db)) == 1


def asked_answer(client: TestClient) -> tuple[str, dict[str, Any]]:
    conversation = start(client)
    return conversation, bot_answer(say(client, conversation, "payer en 3 fois ?"))


REFUSALS: dict[str, tuple[Callable[[dict[str, Any], int], dict[str, Any]], int]] = {
    "unknown message": (lambda a, s: {"message_id": a["id"] + 1000, "score": 1}, 404),
    "the shopper's own message": (lambda a, s: {"message_id": s, "score": 1}, 409),
    "no message id": (lambda a, s: {"score": 1}, 422),
    "a huge message id": (lambda a, s: {"message_id": 10**30, "score": 1}, 422),
    "a message id as text": (lambda a, s: {"message_id": str(a["id"]), "score": 1}, 422),
    "score zero": (lambda a, s: {"message_id": a["id"], "score": 0}, 422),
    "score two": (lambda a, s: {"message_id": a["id"], "score": 2}, 422),
    "score as text": (lambda a, s: {"message_id": a["id"], "score": "1"}, 422),
    "score true": (lambda a, s: {"message_id": a["id"], "score": True}, 422),
    "score 1.0": (lambda a, s: {"message_id": a["id"], "score": 1.0}, 422),
    "a comment of 1001 characters": (
        lambda a, s: {"message_id": a["id"], "score": -1, "comment": "é" * 1001},
        422,
    ),
    "a comment that is not text": (
        lambda a, s: {"message_id": a["id"], "score": -1, "comment": ["non"]},
        422,
    ),
    "a comment before any rating": (lambda a, s: {"message_id": a["id"], "comment": "bof"}, 422),
    "nothing to store": (lambda a, s: {"message_id": a["id"]}, 422),
    "a comment of control characters only": (
        lambda a, s: {"message_id": a["id"], "comment": "\x00\x1b\u200e"},
        422,
    ),
    "an unknown kind": (lambda a, s: {"kind": "bot", "message_id": a["id"], "score": 1}, 422),
    "an agent rating while the bot answers": (lambda a, s: {"kind": "agent", "score": 5}, 409),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_a_refused_rating_stores_nothing(
    client: TestClient, bot: FakeRasa, db: sessionmaker, case: str
) -> None:
    conversation, answer = asked_answer(client)
    shopper_message = answer["id"] - 1
    body, status = REFUSALS[case]
    response = rate(client, conversation, **body(answer, shopper_message))
    assert response.status_code == status, response.text
    assert isinstance(response.json()["detail"], str) and response.json()["detail"]
    assert ratings(db) == []


def test_a_message_that_did_not_ask_cannot_be_rated(
    client: TestClient, bot: FakeRasa, db: sessionmaker
) -> None:
    conversation = start(client)
    answer = bot_answer(say(client, conversation, "merci"))
    response = rate(client, conversation, message_id=answer["id"], score=1)
    assert response.status_code == 409
    assert response.json()["detail"] == "Ce message ne demande pas d'évaluation."
    assert ratings(db) == []


def test_an_answer_of_another_conversation_cannot_be_rated(
    client: TestClient, bot: FakeRasa, db: sessionmaker
) -> None:
    _, answer = asked_answer(client)
    mine = start(client)
    assert rate(client, mine, message_id=answer["id"], score=1).status_code == 404
    assert ratings(db) == []


def test_rating_twice_is_refused_and_keeps_the_first(
    client: TestClient, bot: FakeRasa, db: sessionmaker
) -> None:
    conversation, answer = asked_answer(client)
    assert rate(client, conversation, message_id=answer["id"], score=1).status_code == 200
    again = rate(client, conversation, message_id=answer["id"], score=-1)
    assert again.status_code == 409
    after_a_thumbs_up = rate(client, conversation, message_id=answer["id"], comment="en fait non")
    assert after_a_thumbs_up.status_code == 409
    assert ratings(db) == [(answer["id"], "answer", 1, "faq/paiement_plusieurs_fois", None)]


def test_unreadable_bodies_are_refused(client: TestClient, bot: FakeRasa, db: sessionmaker) -> None:
    conversation, _ = asked_answer(client)
    url = f"/api/chat/{conversation}/feedback"
    headers = {"Content-Type": "application/json"}
    assert client.post(url, content=b"{not json", headers=headers).status_code == 400
    assert client.post(url, json=[1, 2]).status_code == 400
    assert client.post(url, content=b"[" * 100_000, headers=headers).status_code == 413
    assert ratings(db) == []


def test_the_conversation_token_is_required(
    client: TestClient, make_client: Callable[..., TestClient], bot: FakeRasa, db: sessionmaker
) -> None:
    conversation, answer = asked_answer(client)
    stranger = make_client()  # another browser: no token for this conversation
    assert rate(stranger, conversation, message_id=answer["id"], score=1).status_code == 401
    other = start(stranger)
    forged = stranger.post(
        f"/api/chat/{conversation}/feedback",
        json={"message_id": answer["id"], "score": 1},
        headers={"X-Conversation-Token": stranger.tokens[other]},  # type: ignore[attr-defined]
    )
    assert forged.status_code == 401
    assert ratings(db) == []


def test_ratings_count_with_the_messages_limit(
    make_client: Callable[..., TestClient], bot: FakeRasa, db: sessionmaker
) -> None:
    client = make_client(messages_per_minute=2)
    conversation, answer = asked_answer(client)  # one message
    assert rate(client, conversation, message_id=answer["id"], score=-1).status_code == 200
    limited = rate(client, conversation, message_id=answer["id"], comment="trop tard")
    assert limited.status_code == 429 and "Retry-After" in limited.headers
    assert ratings(db)[0][4] is None


# --- the agent's 1–5 ----------------------------------------------------------------------------


def closed_by_an_agent(client: TestClient, claim: bool = True) -> str:
    conversation = start(client)
    assert say(client, conversation, "Parler à un conseiller")["mode"] == "waiting_agent"
    csrf = login(client)
    if claim:
        client.post(f"/console/conversations/{conversation}/claim", data={"csrf_token": csrf})
        client.post(
            f"/console/conversations/{conversation}/reply",
            data={"csrf_token": csrf, "text": "Je m'en occupe."},
        )
    closed = client.post(
        f"/console/conversations/{conversation}/close",
        data={"csrf_token": csrf, "outcome": "resolved"},
    )
    assert closed.status_code in (200, 303), closed.text
    return conversation


def test_after_an_agent_closed_the_conversation_the_shopper_rates_the_help(
    client: TestClient, bot: FakeRasa, db: sessionmaker
) -> None:
    conversation = closed_by_an_agent(client)
    notice = history(client, conversation)[-1]
    assert notice["author"] == "system"
    assert notice["feedback"] == {
        "kind": "agent",
        "given": False,
        "score": None,
        "commented": False,
    }

    response = rate(client, conversation, kind="agent", score=4)
    assert response.status_code == 200, response.text
    assert rate(client, conversation, kind="agent", comment="Très patiente").status_code == 200
    assert ratings(db) == [(notice["id"], "agent", 4, "shopper_request", "Très patiente")]
    assert history(client, conversation)[-1]["feedback"] == {
        "kind": "agent",
        "given": True,
        "score": 4,
        "commented": True,
    }
    assert rate(client, conversation, kind="agent", score=5).status_code == 409
    assert rate(client, conversation, kind="agent", comment="encore").status_code == 409
    assert ratings(db) == [(notice["id"], "agent", 4, "shopper_request", "Très patiente")]


@pytest.mark.parametrize("score", [0, 6, -1, "5", 4.5])
def test_an_agent_score_outside_one_to_five_is_refused(
    client: TestClient, bot: FakeRasa, db: sessionmaker, score: Any
) -> None:
    conversation = closed_by_an_agent(client)
    assert rate(client, conversation, kind="agent", score=score).status_code == 422
    assert ratings(db) == []


def test_no_agent_rating_before_the_close_or_without_an_agent(
    client: TestClient, bot: FakeRasa, db: sessionmaker
) -> None:
    waiting = start(client)
    say(client, waiting, "Parler à un conseiller")
    early = rate(client, waiting, kind="agent", score=5)
    assert early.status_code == 409 and "terminée" in early.json()["detail"]

    unclaimed = closed_by_an_agent(client, claim=False)
    assert history(client, unclaimed)[-1]["feedback"] is None
    assert rate(client, unclaimed, kind="agent", score=5).status_code == 409
    assert ratings(db) == []
