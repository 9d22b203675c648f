"""The shopper's side: conversations, relay to Rasa, persistence, bad input, WebSocket."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from shop.store.conversations import Message, MessageAuthor
from tests.desk.conftest import carry_tokens_of, say, start
from tests.desk.fake_rasa import GREETING, FakeRasa


def test_a_new_conversation_has_a_random_unguessable_id(client: TestClient) -> None:
    first, second = start(client), start(client)
    assert first != second and len(first) >= 30
    assert client.get(f"/api/chat/{first}/messages").json() == {
        "mode": "bot",
        "typing": False,
        "messages": [],
    }


def test_unknown_or_malformed_conversation_is_404(client: TestClient) -> None:
    carry_tokens_of(client, "not-a-real-conversation-id", "x")  # say, an erased conversation
    assert client.get("/api/chat/not-a-real-conversation-id/messages").status_code == 404
    assert client.post("/api/chat/x/messages", json={"text": "bonjour"}).status_code == 404


def test_message_is_relayed_and_the_bot_answer_comes_back_with_buttons(
    client: TestClient, fake_rasa: FakeRasa
) -> None:
    conversation = start(client)
    turn = say(client, conversation, "bonjour")
    assert [m["author"] for m in turn["messages"]] == ["shopper", "bot"]
    bot = turn["messages"][1]
    assert bot["text"] == GREETING
    assert bot["buttons"][0] == {"title": "Suivre ma commande", "payload": "/track_order"}
    [relayed] = fake_rasa.received
    assert (relayed["sender"], relayed["message"]) == (conversation, "bonjour")


def test_button_payload_goes_to_rasa_and_its_title_to_the_transcript(
    client: TestClient, fake_rasa: FakeRasa
) -> None:
    conversation = start(client)
    say(client, conversation, "bonjour")  # the bot offers « Suivre ma commande »
    turn = say(client, conversation, "Suivre ma commande", payload="/track_order")
    assert turn["messages"][0]["text"] == "Suivre ma commande"
    assert fake_rasa.received[-1]["message"] == "/track_order"


def test_finding_01_typed_rasa_commands_reach_the_bot_as_plain_words(
    client: TestClient, fake_rasa: FakeRasa
) -> None:
    conversation = start(client)
    for typed in ("/restart", "/session_start", " / /back", '/track_order{"email": "a@b.fr"}'):
        say(client, conversation, typed)
        assert not fake_rasa.received[-1]["message"].startswith("/"), typed
    say(client, conversation, "///")
    assert fake_rasa.received[-1]["message"] == "?"


def test_finding_01_only_a_payload_the_bot_offered_is_sent_as_an_intent(
    client: TestClient, fake_rasa: FakeRasa
) -> None:
    conversation = start(client)
    say(client, conversation, "Suivre ma commande", payload="/track_order")  # not offered yet
    assert fake_rasa.received[-1]["message"] == "Suivre ma commande"
    say(client, conversation, "bonjour")
    say(client, conversation, "recommencer", payload="/restart")  # never offered
    assert fake_rasa.received[-1]["message"] == "recommencer"
    say(client, conversation, "Suivre ma commande", payload="/track_order")
    assert fake_rasa.received[-1]["message"] == "/track_order"


def test_messages_and_intents_are_persisted(
    client: TestClient, db: sessionmaker, fake_rasa: FakeRasa, database_url: str
) -> None:
    fake_rasa.database_url = database_url  # it records what it understood, as Rasa does
    conversation = start(client)
    say(client, conversation, "bonjour")
    say(client, conversation, "xkcd blabla")
    with db() as session:
        rows = session.execute(
            select(Message).where(Message.conversation_id == conversation).order_by(Message.id)
        ).scalars()
        stored = [(m.author, m.text, m.intent, m.relayed) for m in rows]
    assert stored == [
        (MessageAuthor.SHOPPER, "bonjour", "greet", True),
        (MessageAuthor.BOT, GREETING, None, None),
        (MessageAuthor.SHOPPER, "xkcd blabla", "nlu_fallback", True),
        (MessageAuthor.BOT, "Je n'ai pas bien compris votre demande.", None, None),
    ]


def test_history_after_a_cursor(client: TestClient) -> None:
    conversation = start(client)
    first = say(client, conversation, "bonjour")["messages"]
    say(client, conversation, "et encore bonjour")
    history = client.get(f"/api/chat/{conversation}/messages").json()["messages"]
    assert len(history) == 4
    after = client.get(
        f"/api/chat/{conversation}/messages", params={"after": first[-1]["id"]}
    ).json()["messages"]
    assert [m["text"] for m in after] == ["et encore bonjour", GREETING]


def test_rasa_down_keeps_the_message_and_answers_politely(
    client: TestClient, fake_rasa: FakeRasa, db: sessionmaker
) -> None:
    conversation = start(client)
    fake_rasa.down = True
    turn = say(client, conversation, "où est mon colis ?")
    assert [m["author"] for m in turn["messages"]] == ["shopper", "system"]
    assert "momentanément indisponible" in turn["messages"][1]["text"]
    assert "bien enregistré" in turn["messages"][1]["text"]
    with db() as session:
        kept = session.execute(
            select(Message).where(Message.author == MessageAuthor.SHOPPER)
        ).scalar_one()
    assert kept.text == "où est mon colis ?" and kept.relayed is False


def test_rasa_unreachable_is_the_same_polite_answer(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(rasa_url="http://127.0.0.1:9")
    conversation = start(client)
    turn = say(client, conversation, "bonjour")
    assert "momentanément indisponible" in turn["messages"][-1]["text"]


def test_bad_input_gets_a_clear_french_answer(client: TestClient, fake_rasa: FakeRasa) -> None:
    conversation = start(client)
    url = f"/api/chat/{conversation}/messages"
    empty = client.post(url, json={"text": "   "})
    assert empty.status_code == 422 and empty.json()["detail"] == "Votre message est vide."
    huge = client.post(url, json={"text": "a" * 50_000})
    assert huge.status_code == 422 and "trop long" in huge.json()["detail"]
    assert client.post(url, content=b"\x00\xff" * 10).status_code == 422
    assert client.post(url, json=["liste"]).status_code == 400
    assert client.post(url, content=b"x" * 70_000).status_code == 413
    html = say(client, conversation, "<script>alert(1)</script>\x07")
    assert html["messages"][0]["text"] == "<script>alert(1)</script>"
    assert say(client, conversation, "💍💍")["messages"][0]["text"] == "💍💍"
    assert all(len(r["message"]) < 100 for r in fake_rasa.received)


def test_an_invented_payload_is_not_sent_as_a_command(
    client: TestClient, fake_rasa: FakeRasa
) -> None:
    conversation = start(client)
    say(client, conversation, "bonjour", payload="<b>pas une commande</b>")
    assert fake_rasa.received[-1]["message"] == "bonjour"


def test_websocket_sends_history_then_the_bot_answers(
    client: TestClient, fake_rasa: FakeRasa
) -> None:
    conversation = start(client)
    say(client, conversation, "bonjour")
    with client.websocket_connect(f"/ws/{conversation}?after=0") as socket:
        seen = [socket.receive_json(), socket.receive_json(), socket.receive_json()]
        assert [e["type"] for e in seen] == ["message", "message", "mode"]
        socket.send_json({"type": "message", "text": "bonjour encore"})
        texts: list[str] = []
        while len(texts) < 2:
            event = socket.receive_json()
            if event["type"] == "message":
                texts.append(event["message"]["text"])
        assert texts == ["bonjour encore", GREETING]
        socket.send_json({"type": "message", "text": ""})
        while (event := socket.receive_json())["type"] != "error":
            pass
        assert event["detail"] == "Votre message est vide."


def test_websocket_on_unknown_conversation_says_not_found(client: TestClient) -> None:
    carry_tokens_of(client, "unknown-conversation-id-0000")
    with client.websocket_connect("/ws/unknown-conversation-id-0000") as socket:
        assert socket.receive_json()["code"] == "not_found"


def test_restart_keeps_every_conversation(
    make_client: Callable[..., TestClient], fake_rasa: FakeRasa
) -> None:
    first = make_client()
    conversation = start(first)
    say(first, conversation, "bonjour")
    before = first.get(f"/api/chat/{conversation}/messages").json()
    first.__exit__(None, None, None)

    second = make_client()
    second.tokens.update(first.tokens)  # the browser keeps them across the desk's restart
    after = second.get(f"/api/chat/{conversation}/messages").json()
    assert after == before and len(after["messages"]) == 2
    assert say(second, conversation, "bonjour")["messages"][0]["id"] > before["messages"][-1]["id"]


def test_widget_config_and_demo_pages(client: TestClient) -> None:
    config = client.get("/api/widget/config").json()
    assert config["shop"] == "Bijou Éclat" and config["open"] is True
    assert config["privacy_url"] == "/confidentialite"
    page = client.get("/")
    assert page.status_code == 200
    assert 'src="http://testserver/static/widget.js" data-desk="http://testserver"' in page.text
    assert client.get("/confidentialite").status_code == 200
    assert client.get("/static/widget.js").status_code == 200


def test_finding_01_the_bot_gets_a_pseudonym_of_the_shoppers_address_to_limit_guessing(
    client: TestClient, fake_rasa: FakeRasa
) -> None:
    first, second = start(client), start(client)
    say(client, first, "bonjour")
    say(client, second, "bonjour")
    keys = [body["metadata"]["client"] for body in fake_rasa.received]
    assert keys[0] == keys[1] and len(keys[0]) >= 16  # one address, one key
    assert "testclient" not in keys[0] and "127.0.0.1" not in keys[0]
