"""Nothing is lost when the database or Rasa fails: a message the desk cannot store is refused
(503, an ``unavailable`` frame) so the widget keeps it; a message Rasa missed is relayed when it
is back, once, in order, or reaches the agents after a long outage; a request the action server
kept on disk reaches the agents' queue. The database really goes away (its folder is moved) and
the fake Rasa really stops answering."""

from __future__ import annotations

import concurrent.futures
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from desk.deps import Desk
from desk.recovery import Recovery
from desk.security import hash_password
from devtools.servers import FROZEN_NOW
from shop.clock import FixedClock
from shop.store import conversation_repository as repo
from shop.store import spool
from shop.store.conversations import Handoff, Message, MessageAuthor
from shop.store.db import make_engine, make_session_factory, session_scope
from shop.store.seed import reset_and_seed
from tests.desk.conftest import AGENT, AGENT_PASSWORD, login, say, start
from tests.desk.fake_rasa import GREETING, FakeRasa

QUIET = {"relay_retry_s": 3600.0}  # the background pass runs at start only; tests drive the rest


@pytest.fixture()
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The seeded database alone in its folder, so that moving the folder takes it away."""
    path = tmp_path / "db" / "shop.db"
    engine = make_engine(f"sqlite:///{path}")
    reset_and_seed(engine, FROZEN_NOW)
    with session_scope(make_session_factory(engine)) as session:
        repo.create_agent(session, AGENT, hash_password(AGENT_PASSWORD), "Louise", FROZEN_NOW)
    engine.dispose()
    monkeypatch.setenv("SHOP_NOW", FROZEN_NOW.isoformat())
    monkeypatch.setenv("SHOP_TICKET_SPOOL", str(tmp_path / "spool" / "tickets.jsonl"))
    yield f"sqlite:///{path}"


class DatabaseSwitch:
    def __init__(self, url: str) -> None:
        self.folder = Path(url.removeprefix("sqlite:///")).parent
        self.away = self.folder.with_name("db-away")

    def stop(self) -> None:
        shutil.move(self.folder, self.away)

    def start(self) -> None:
        shutil.move(self.away, self.folder)


@pytest.fixture()
def database(database_url: str) -> Iterator[DatabaseSwitch]:
    switch = DatabaseSwitch(database_url)
    yield switch
    if switch.away.exists():
        switch.start()


@pytest.fixture()
def quiet_client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(**QUIET)


def desk_of(client: TestClient) -> Desk:
    desk: Desk = client.app.state.desk  # type: ignore[attr-defined]
    return desk


def recover(client: TestClient) -> bool:
    """One pass of the desk's recovery task, on the app's own event loop."""
    assert client.portal is not None
    return bool(client.portal.call(Recovery(desk_of(client).service).run_once))


def shopper_messages(db: sessionmaker) -> list[Message]:
    with db() as session:
        query = select(Message).where(Message.author == MessageAuthor.SHOPPER)
        return list(session.execute(query.order_by(Message.id)).scalars())


def texts(client: TestClient, conversation: str) -> list[tuple[str, str]]:
    history = client.get(f"/api/chat/{conversation}/messages").json()["messages"]
    return [(m["author"], m["text"]) for m in history]


# --- the database is down ----------------------------------------------------------------------


def test_finding_05_a_message_the_database_cannot_store_is_refused_with_503_in_french(
    quiet_client: TestClient, database: DatabaseSwitch, db: sessionmaker, fake_rasa: FakeRasa
) -> None:
    conversation = start(quiet_client)
    database.stop()
    url = f"/api/chat/{conversation}/messages"
    refused = quiet_client.post(url, json={"text": "où est ma commande ?"})
    database.start()

    assert refused.status_code == 503
    assert "n'a pas pu être enregistré" in refused.json()["detail"]
    assert "réessayez" in refused.json()["detail"]
    assert refused.headers["retry-after"] == "5"
    assert shopper_messages(db) == [] and fake_rasa.received == []  # refused, not half-kept

    turn = say(quiet_client, conversation, "où est ma commande ?")  # the widget sends it again
    assert [m["author"] for m in turn["messages"]] == ["shopper", "bot"]
    assert [m.text for m in shopper_messages(db)] == ["où est ma commande ?"]


def test_finding_05_the_websocket_answers_unavailable_and_works_again_when_the_database_is_back(
    quiet_client: TestClient, database: DatabaseSwitch, db: sessionmaker
) -> None:
    conversation = start(quiet_client)
    with quiet_client.websocket_connect(f"/ws/{conversation}") as socket:
        assert socket.receive_json() == {"type": "mode", "mode": "bot"}
        database.stop()
        socket.send_json({"type": "message", "text": "bonjour"})
        error = socket.receive_json()
        database.start()
        assert error["type"] == "error" and error["code"] == "unavailable"
        assert "n'a pas pu être enregistré" in error["detail"]
        assert shopper_messages(db) == []

        socket.send_json({"type": "message", "text": "bonjour"})
        seen: list[tuple[str, str]] = []
        while len([a for a, _ in seen if a != "typing"]) < 2:
            frame = socket.receive_json()
            if frame["type"] == "message":
                seen.append((frame["message"]["author"], frame["message"]["text"]))
    assert seen == [("shopper", "bonjour"), ("bot", GREETING)]
    assert [m.relayed for m in shopper_messages(db)] == [True]


def test_a_socket_opened_while_the_database_is_down_refuses_each_message_then_works_again(
    quiet_client: TestClient, database: DatabaseSwitch, db: sessionmaker
) -> None:
    """The widget (re)connects during the outage: its message gets the French refusal, so
    the shopper sees why the text stayed in the input, and the same socket works once the
    database is back."""
    conversation = start(quiet_client)
    database.stop()
    try:
        with quiet_client.websocket_connect(f"/ws/{conversation}") as socket:
            socket.send_json({"type": "message", "text": "bonjour"})
            error = socket.receive_json()
            assert error["type"] == "error" and error["code"] == "unavailable"
            assert "n'a pas pu être enregistré" in error["detail"]
            database.start()
            socket.send_json({"type": "message", "text": "bonjour"})
            frames = []
            while not any(
                f["type"] == "message" and f["message"]["author"] == "bot" for f in frames
            ):
                frames.append(socket.receive_json())
    finally:
        if database.away.exists():
            database.start()
    assert [m.relayed for m in shopper_messages(db)] == [True]


def test_finding_05_the_widget_clears_its_input_only_once_the_desk_stored_the_message() -> None:
    """The widget's code path (the browser tests drive it for real): the submit handler no
    longer empties the input; only the desk's copy of the message does."""
    widget = (Path(__file__).resolve().parents[2] / "desk" / "static" / "widget.js").read_text()
    submit = widget.split('form.addEventListener("submit"')[1].split("});")[0]
    assert 'input.value = ""' not in submit
    stored = widget.split("function typedStored()")[1].split("\n  }\n")[0]
    assert 'input.value = ""' in stored
    assert "typedRefused()" in widget.split('data.type === "error"')[1].split("};")[0]


# --- Rasa is down ------------------------------------------------------------------------------


def test_finding_15_messages_rasa_missed_are_relayed_once_and_in_order_when_it_is_back(
    quiet_client: TestClient, fake_rasa: FakeRasa, db: sessionmaker, database_url: str
) -> None:
    fake_rasa.database_url = database_url  # it records what it understood, as Rasa does
    conversation = start(quiet_client)
    fake_rasa.down = True
    first = say(quiet_client, conversation, "bonjour")
    second = say(quiet_client, conversation, "où est mon colis ?")
    notices = [t for a, t in texts(quiet_client, conversation) if a == "system"]
    assert len(notices) == 1 and "dès son retour" in notices[0]  # told once, honestly
    assert "Réessayez" not in notices[0] and first["messages"][-1]["text"] == notices[0]
    assert [m["author"] for m in second["messages"]] == ["shopper"]
    assert recover(quiet_client) is False  # still down: nothing sent, nothing told again
    assert len([a for a, _ in texts(quiet_client, conversation) if a == "system"]) == 1

    fake_rasa.down = False
    assert recover(quiet_client) is True
    assert recover(quiet_client) is True  # a second pass finds nothing left to send

    assert [r["message"] for r in fake_rasa.received] == ["bonjour", "où est mon colis ?"]
    assert [m.relayed for m in shopper_messages(db)] == [True, True]
    assert [m.intent for m in shopper_messages(db)] == ["greet", "nlu_fallback"]
    authors = [a for a, _ in texts(quiet_client, conversation)]
    assert authors == ["shopper", "system", "shopper", "bot", "bot"]


def test_a_turn_rasa_answered_with_nothing_is_kept_and_answered_when_the_bot_is_back(
    quiet_client: TestClient, fake_rasa: FakeRasa, db: sessionmaker
) -> None:
    """Rasa's action server restarting (or its lock store failing) mid-turn: Rasa took the
    message and answered nothing. The message waits like one Rasa missed, the shopper is told
    once, and the next pass gets the answer."""
    conversation = start(quiet_client)
    fake_rasa.silent = True
    say(quiet_client, conversation, "bonjour")
    assert [m.relayed for m in shopper_messages(db)] == [False]
    notices = [t for a, t in texts(quiet_client, conversation) if a == "system"]
    assert len(notices) == 1 and "dès son retour" in notices[0]

    fake_rasa.silent = False
    assert recover(quiet_client) is True
    assert [m.relayed for m in shopper_messages(db)] == [True]
    assert [a for a, _ in texts(quiet_client, conversation)] == ["shopper", "system", "bot"]


def test_a_message_a_desk_claimed_and_never_answered_is_relayed_once_its_claim_is_stale(
    quiet_client: TestClient, fake_rasa: FakeRasa, db: sessionmaker
) -> None:
    """A desk killed (or cut from the database) between sending a message to the bot and
    storing the answer: another desk's recovery pass sends it again once the claim is older
    than its lease, never while it may still be in flight."""
    conversation = start(quiet_client)
    with session_scope(db) as session:
        stored = repo.add_message(
            session,
            conversation,
            MessageAuthor.SHOPPER,
            "bonjour",
            FROZEN_NOW,
            relayed=False,
        )
        assert repo.claim_relay(
            session, str(stored.conversation_id), int(stored.id)
        )  # then the desk died
        message_id = int(stored.id)

    def claimed_ago(seconds: float) -> None:
        with session_scope(db) as session:
            message = session.get(Message, message_id)
            message.relay_claimed_at = message.relay_claimed_at - timedelta(seconds=seconds)

    service = desk_of(quiet_client).service
    recovery = Recovery(service, claim_lease_s=45)
    assert quiet_client.portal is not None
    claimed_ago(30)  # may still be in flight: left alone
    quiet_client.portal.call(recovery.run_once)
    assert fake_rasa.received == []
    claimed_ago(20)  # 50 s: its desk is gone
    assert quiet_client.portal.call(recovery.run_once) is True
    assert [r["message"] for r in fake_rasa.received] == ["bonjour"]
    assert [a for a, _ in texts(quiet_client, conversation)] == ["shopper", "bot"]
    quiet_client.portal.call(recovery.run_once)
    assert len(fake_rasa.received) == 1  # answered: never sent again
    [message] = shopper_messages(db)
    assert message.relayed is True and message.relay_claimed_at is None


def test_finding_15_the_next_message_sends_the_missed_ones_first(
    quiet_client: TestClient, fake_rasa: FakeRasa
) -> None:
    conversation = start(quiet_client)
    fake_rasa.down = True
    say(quiet_client, conversation, "premier message")
    fake_rasa.down = False
    say(quiet_client, conversation, "bonjour")
    assert [r["message"] for r in fake_rasa.received] == ["premier message", "bonjour"]


def test_finding_15_a_late_handoff_keeps_the_next_waiting_messages_for_the_agent(
    quiet_client: TestClient, fake_rasa: FakeRasa, db: sessionmaker
) -> None:
    conversation = start(quiet_client)
    fake_rasa.down = True
    say(quiet_client, conversation, "je veux parler à un conseiller")
    say(quiet_client, conversation, "c'est urgent, merci")
    fake_rasa.down = False
    recover(quiet_client)
    assert [r["message"] for r in fake_rasa.received] == ["je veux parler à un conseiller"]
    history = quiet_client.get(f"/api/chat/{conversation}/messages").json()
    assert history["mode"] == "waiting_agent"
    assert [m["text"] for m in history["messages"] if m["author"] == "shopper"] == [
        "je veux parler à un conseiller",
        "c'est urgent, merci",
    ]
    # Read by the bot; then a person's: no longer owed to the bot, never relayed later.
    assert [m.relayed for m in shopper_messages(db)] == [True, None]


def test_finding_15_a_long_rasa_outage_puts_the_conversation_in_the_agents_queue(
    quiet_client: TestClient, fake_rasa: FakeRasa, db: sessionmaker
) -> None:
    conversation = start(quiet_client)
    clock = desk_of(quiet_client).clock
    assert isinstance(clock, FixedClock)
    fake_rasa.down = True
    say(quiet_client, conversation, "je veux changer mon adresse de livraison")
    clock.set(FROZEN_NOW + timedelta(seconds=119))
    assert recover(quiet_client) is False
    assert quiet_client.get(f"/api/chat/{conversation}/messages").json()["mode"] == "bot"

    clock.set(FROZEN_NOW + timedelta(seconds=121))
    recover(quiet_client)

    history = quiet_client.get(f"/api/chat/{conversation}/messages").json()
    assert history["mode"] == "waiting_agent"
    notice = history["messages"][-1]
    assert notice["author"] == "system" and "conseiller" in notice["text"]
    csrf = login(quiet_client)
    rows = quiet_client.get("/console/api/queue").json()["queue"]
    assert [(r["conversation_id"], r["reason"]) for r in rows] == [
        (conversation, "bot_unavailable")
    ]
    recover(quiet_client)  # nothing more to say: one notice, one handoff
    with db() as session:
        assert len(session.execute(select(Handoff)).scalars().all()) == 1

    # Rasa back: the agent has the conversation, the bot does not read it behind their back.
    fake_rasa.down = False
    recover(quiet_client)
    assert fake_rasa.received == []
    action = f"/console/conversations/{conversation}/hand-back"
    quiet_client.post(action, data={"csrf_token": csrf}, headers={"Accept": "application/json"})
    recover(quiet_client)
    assert fake_rasa.received == []  # read by a person, never replayed to the bot later


def test_a_later_message_waits_while_an_earlier_one_is_with_the_bot_on_another_desk(
    quiet_client: TestClient, fake_rasa: FakeRasa, db: sessionmaker
) -> None:
    """Two messages Rasa missed; another desk process has taken the first to the bot and
    waits for its answer: this desk's recovery pass must not send the second meanwhile (the
    bot would read it first, or after a handoff the first answer opens)."""
    conversation = start(quiet_client)
    with session_scope(db) as session:
        first, second = (
            repo.add_message(
                session, conversation, MessageAuthor.SHOPPER, text, FROZEN_NOW, relayed=False
            )
            for text in ("bonjour", "où est ma commande ?")
        )
        ids = int(first.id), int(second.id)
    with session_scope(db) as session:
        assert repo.claim_relay(session, conversation, ids[0])  # the other desk's turn
        assert not repo.claim_relay(session, conversation, ids[1])

    recover(quiet_client)
    assert fake_rasa.received == []

    with session_scope(db) as session:  # the other desk stored the bot's answer
        repo.mark_relayed(session, ids[0], True, None, None)
    recover(quiet_client)
    assert [r["message"] for r in fake_rasa.received] == ["où est ma commande ?"]


def test_finding_15_two_desk_processes_relay_a_missed_message_only_once(
    make_client: Callable[..., TestClient], fake_rasa: FakeRasa
) -> None:
    one, two = make_client(**QUIET), make_client(**QUIET)
    conversations = [start(one) for _ in range(4)]
    fake_rasa.down = True
    for conversation in conversations:
        say(one, conversation, "bonjour")
    fake_rasa.down = False

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        list(pool.map(recover, [one, two]))

    sent = sorted(r["sender"] for r in fake_rasa.received)
    assert sent == sorted(conversations)


def test_finding_15_a_desk_that_starts_relays_what_rasa_missed_before(
    make_client: Callable[..., TestClient], fake_rasa: FakeRasa, db: sessionmaker
) -> None:
    first = make_client(**QUIET)
    conversation = start(first)
    fake_rasa.down = True
    say(first, conversation, "bonjour")
    fake_rasa.down = False

    make_client()  # a new desk process: its recovery task runs at start
    deadline = time.monotonic() + 10
    while not fake_rasa.received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [r["message"] for r in fake_rasa.received] == ["bonjour"]


# --- requests the action server kept on disk ---------------------------------------------------


def test_finding_06_the_desk_replays_a_kept_request_into_the_agents_queue(
    quiet_client: TestClient, db: sessionmaker
) -> None:
    conversation = start(quiet_client)
    say(quiet_client, conversation, "bonjour")
    spool.spool_ticket(
        "handoff", conversation, {"action": "action_human_handoff", "verified": False}, FROZEN_NOW
    )

    assert recover(quiet_client) is True

    history = quiet_client.get(f"/api/chat/{conversation}/messages").json()
    assert history["mode"] == "waiting_agent"
    with db() as session:
        [handoff] = session.execute(select(Handoff)).scalars().all()
    assert handoff.ticket_number and handoff.reason == "kept_request"
    assert handoff.ticket_number in history["messages"][-1]["text"]
    login(quiet_client)
    page = quiet_client.get(f"/console/conversations/{conversation}")
    assert page.status_code == 200 and handoff.ticket_number in page.text
    assert "Demande gardée pendant une panne" in page.text
    assert not spool.pending()
