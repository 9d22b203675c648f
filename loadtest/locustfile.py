"""Locust shoppers for the desk, through its public door (nginx in production): they open the
widget, follow real journeys and time the bot's answer from the moment they send a message to
the moment its answer reaches them.

Runs in Locust's own environment (``.var/load-venv``: gevent, websocket-client), not the
project's; it imports nothing from the project. The orders and e-mails come from the demo seed's
own listing (``python -m shop.store.seed --list``), so the journeys pass the identity check.

    .var/load-venv/bin/locust -f loadtest/locustfile.py --host http://127.0.0.1:8080 \
        --headless -u 50 -r 10 -t 2m [WebSocketShopper HttpShopper]

Two shoppers, as the widget behaves (``desk/static/widget.js``): ``WebSocketShopper`` (the
widget's usual transport: token as the first frame, Origin header, answers pushed as frames)
and ``HttpShopper`` (its fallback: POST the message, the answer comes in the response or, when
the bot is late, through the long poll). Locust shares the machine's cores with the product:
the sockets skip websocket-client's UTF-8 check written in Python (each text frame is still
decoded as strict UTF-8). The HTTP shopper stays on requests: Locust's ``FastHttpUser`` is
lighter, but geventhttpclient sends a request again by itself when its connection closes
before the answer, so a message the desk had stored would be sent twice (BENCHMARKS.md).
Settings (environment):

- ``LOAD_THINK_S``: the pause before each message, ``5-15`` (seconds, uniform; a shopper reads
  the answer and types) by default; ``0`` is burst mode (the next message as soon as the answer
  arrives), to find the turns per second sustained;
- ``LOAD_ANSWER_TIMEOUT_S`` (60): longer without an answer counts as a failure;
- ``LOAD_JOURNAL``: a file of JSON lines, one as each message leaves and one for what became
  of it (stored by the desk, answered by the bot, the answer time), for the checks against
  the database after the run (``loadtest/checks.py``).

The desk limits each client address (``DESK_MESSAGES_PER_MINUTE``...): every simulated shopper
comes from the load generator's one address, so a load run turns those limits off (``0``).

Each answer is a Locust request named after its journey's step (``track: e-mail``), of type
``WS`` or ``HTTP``; opening a conversation is ``POST /api/chat`` and ``WS connect``. A message
the desk refuses (503 or an ``unavailable`` frame: the database is away) is a failure, and the
shopper sends it again after a pause, as the widget keeps the text in its input.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import gevent
import requests
import websocket
from gevent.queue import Empty, Queue
from locust import HttpUser, User, task

ROOT = Path(__file__).resolve().parents[1]
TOKEN_HEADER = "X-Conversation-Token"
ANSWER_AUTHORS = ("bot", "system")
RESEND_AFTER_S = 2.0
MAX_SENDS = 30  # of one message refused by the desk (about a minute of an outage)


def think_range() -> tuple[float, float]:
    low, _, high = os.environ.get("LOAD_THINK_S", "5-15").partition("-")
    return float(low), float(high or low)


ANSWER_TIMEOUT_S = float(os.environ.get("LOAD_ANSWER_TIMEOUT_S", "60"))


@dataclass(frozen=True)
class DemoOrder:
    number: str
    email: str


def demo_orders() -> dict[str, DemoOrder]:
    """The demo seed's orders by scenario, read from its own listing."""
    listing = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "shop.store.seed", "--list"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pattern = re.compile(r"^\s+(\d{6})\s+(\S+@\S+)\s+([a-z0-9_]+):", re.MULTILINE)
    return {m.group(3): DemoOrder(m.group(1), m.group(2)) for m in pattern.finditer(listing)}


ORDERS = demo_orders()


class Step(NamedTuple):
    """One message of a journey: the name its answer time is reported under, and the text."""

    name: str
    text: str


FAQ_QUESTIONS = (
    "je peux payer en 3 fois ?",
    "quels sont les délais de livraison ?",
    "comment entretenir un bijou en argent ?",
    "vous livrez en Belgique ?",
    "combien de temps pour retourner un article ?",
    "vos bijoux sont en or massif ?",
    "est-ce que vous faites la gravure ?",
    "comment connaître ma taille de bague ?",
)
TRACKED = ("shipped_on_time", "being_prepared", "ready_to_ship_recent", "shipped_mondial_relay")
CANCELLED = ("past_cutoff", "being_prepared", "cancellable", "cancellable_paypal")
PROMO_CODES = ("BIENVENUE10", "NOEL25", "PRINTEMPS15", "LIVRAISON", "BIJOUX20")


def faq_journey() -> list[Step]:
    questions = random.sample(FAQ_QUESTIONS, 2)
    return [
        Step("faq: hello", "bonjour"),
        Step("faq: question", questions[0]),
        Step("faq: question", questions[1]),
        Step("faq: goodbye", "merci au revoir"),
    ]


def track_journey() -> list[Step]:
    order = ORDERS[random.choice(TRACKED)]
    return [
        Step("track: order number", f"où en est ma commande {order.number} ?"),
        Step("track: e-mail", order.email),
        Step("track: thanks", "merci beaucoup, bonne journée"),
    ]


def cancel_journey() -> list[Step]:
    order = ORDERS[random.choice(CANCELLED)]
    return [
        Step("cancel: order number", f"slt jveux annulé ma cmd {order.number}"),
        Step("cancel: e-mail", order.email),
        Step("cancel: answer", random.choice(("non, je la garde", "oui"))),
    ]


def promo_journey() -> list[Step]:
    return [
        Step("promo: code", f"le code {random.choice(PROMO_CODES)} ne marche pas"),
        Step("promo: thanks", "ok merci"),
    ]


def lost_parcel_journey() -> list[Step]:
    order = ORDERS["delivered_not_received"]
    return [
        Step("lost: parcel", "mon colis est marqué livré mais j'ai rien reçu"),
        Step("lost: order number", order.number),
        Step("lost: e-mail", order.email),
        Step("lost: thanks", "merci"),
    ]


def small_talk_journey() -> list[Step]:
    return [
        Step("small talk: hello", "salut"),
        Step("small talk: bot?", "tu es un robot ?"),
        Step("small talk: thanks", "merci"),
    ]


def person_journey() -> list[Step]:
    """A request for a person: the conversation goes to the agents' queue (a ticket)."""
    return [
        Step("person: hello", "bonjour"),
        Step("person: request", "je veux parler à un conseiller"),
    ]


JOURNEYS: tuple[tuple[Callable[[], list[Step]], int], ...] = (
    (faq_journey, 30),
    (track_journey, 25),
    (cancel_journey, 10),
    (promo_journey, 10),
    (lost_parcel_journey, 5),
    (small_talk_journey, 15),
    (person_journey, 5),
)


def next_journey() -> list[Step]:
    journeys = [journey for journey, _ in JOURNEYS]
    return random.choices(journeys, [weight for _, weight in JOURNEYS])[0]()


def _write(line: dict[str, Any]) -> None:
    path = os.environ.get("LOAD_JOURNAL")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")


def sending(conversation: str, transport: str, text: str) -> None:
    """Before a message leaves: a shopper stopped at the end of the run may never learn its
    fate, and the checks must know it was sent."""
    _write({"phase": "send", "conversation": conversation, "transport": transport, "text": text})


def journal(
    conversation: str, transport: str, text: str, stored: bool, answered_since: float | None
) -> None:
    """What became of the message just sent, for the checks against the database after the
    run, with the bot's answer time (``answered_since``: when it was sent, if answered)."""
    line = {
        "phase": "result",
        "conversation": conversation,
        "transport": transport,
        "text": text,
        "stored": stored,
        "at": time.time(),
        "answered": answered_since is not None,
        "answer_ms": (
            None if answered_since is None else (time.perf_counter() - answered_since) * 1000
        ),
    }
    _write(line)


class Shopper:
    """What both transports share: the journey, the think time, the answer's timing."""

    transport = ""
    environment: Any

    def think(self) -> None:
        low, high = think_range()
        if high > 0:
            gevent.sleep(random.uniform(low, high))

    def record(
        self, name: str, started: float, exception: Exception | None = None, length: int = 0
    ) -> None:
        self.environment.events.request.fire(
            request_type=self.transport,
            name=name,
            response_time=(time.perf_counter() - started) * 1000,
            response_length=length,
            exception=exception,
            context={},
        )


class HttpShopper(Shopper, HttpUser):
    """The widget's HTTP fallback: POST each message; the bot's answer comes in the response,
    or later through the long poll when the bot is late (an outage)."""

    transport = "HTTP"
    weight = 1

    def wait_time(self) -> float:
        low, high = think_range()
        return random.uniform(low, high)

    @task
    def conversation(self) -> None:
        created = self.client.post("/api/chat", name="POST /api/chat")
        if created.status_code != 201:
            return
        conversation, token = created.json()["id"], created.json()["token"]
        headers = {TOKEN_HEADER: token}
        cursor = 0
        for name, text in next_journey():
            self.think()
            cursor = self._say(conversation, headers, cursor, name, text)
            if cursor < 0:
                return

    def _say(
        self, conversation: str, headers: dict[str, str], cursor: int, name: str, text: str
    ) -> int:
        """Send until stored, wait for the answer; the last message id seen, or -1 when the
        conversation cannot go on (handed over, never stored, no answer)."""
        sending(conversation, self.transport, text)
        started = time.perf_counter()
        stored: dict[str, Any] | None = None
        mode: str | None = "bot"
        for _ in range(MAX_SENDS):
            with self.client.post(
                f"/api/chat/{conversation}/messages",
                json={"text": text},
                headers=headers,
                name="POST message",
                catch_response=True,
            ) as response:
                if response.status_code == 200:
                    response.success()
                    body = response.json()
                    stored, mode, turn = body["messages"][0], body.get("mode"), body["messages"]
                    break
                response.failure(f"{response.status_code}: not stored")
            gevent.sleep(RESEND_AFTER_S)
            # A proxy error or a cut connection may hide a message the desk did store.
            turn = self._messages_after(conversation, headers, cursor)
            stored = next((m for m in turn if m["author"] == "shopper" and m["text"] == text), None)
            if stored is not None:
                turn = [m for m in turn if int(m["id"]) >= int(stored["id"])]
                break
        if stored is None:
            journal(conversation, self.transport, text, False, None)
            self.record(name, started, RuntimeError("never stored"))
            return -1
        mine = int(stored["id"])
        if mode not in (None, "bot") and len(turn) == 1:
            journal(conversation, self.transport, text, True, None)
            return -1  # with an agent now: no bot answer is due
        answers = [m for m in turn[1:] if m["author"] in ANSWER_AUTHORS]
        if not answers:
            answers = self._poll_answer(conversation, headers, mine)
        journal(conversation, self.transport, text, True, started if answers else None)
        self.record(name, started, None if answers else TimeoutError("no answer"))
        if not answers or mode not in (None, "bot"):
            return -1
        return max(int(m["id"]) for m in answers)

    def _messages_after(
        self, conversation: str, headers: dict[str, str], after: int, wait: float = 0
    ) -> list[dict[str, Any]]:
        response = self.client.get(
            f"/api/chat/{conversation}/messages?after={after}&wait={wait:g}",
            headers=headers,
            name="GET messages (long poll)" if wait else "GET messages",
        )
        return list(response.json()["messages"]) if response.status_code == 200 else []

    def _poll_answer(
        self, conversation: str, headers: dict[str, str], mine: int
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + ANSWER_TIMEOUT_S
        while time.monotonic() < deadline:
            wait = min(20.0, max(deadline - time.monotonic(), 1.0))
            messages = self._messages_after(conversation, headers, mine, wait)
            answers = [m for m in messages if m["author"] in ANSWER_AUTHORS]
            if answers:
                return answers
            if not messages:
                gevent.sleep(0.5)
        return []


class WebSocketShopper(Shopper, User):
    """The widget's WebSocket: the token as the first frame, every message pushed as a frame;
    when the socket drops (a desk or nginx restarts) it reconnects from the last message seen,
    and sends the text again only if the desk never stored it, as the widget does."""

    transport = "WS"
    weight = 3

    def wait_time(self) -> float:
        low, high = think_range()
        return random.uniform(low, high)

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        self.http = requests.Session()
        self.frames: Queue[dict[str, Any]] = Queue()
        self.socket: websocket.WebSocket | None = None
        self.reader: gevent.Greenlet | None = None
        self.conversation_id = ""
        self.token = ""
        self.cursor = 0
        self.mode = "bot"

    @task
    def conversation(self) -> None:
        started = time.perf_counter()
        try:
            created = self.http.post(f"{self.host}/api/chat", timeout=ANSWER_TIMEOUT_S)
            created.raise_for_status()
        except requests.RequestException as error:
            self.record("POST /api/chat", started, error)
            return
        self.record("POST /api/chat", started)
        self.conversation_id, self.token = created.json()["id"], created.json()["token"]
        self.cursor, self.mode = 0, "bot"
        try:
            if not self._connect():
                return
            for name, text in next_journey():
                self.think()
                if not self._say(name, text) or self.mode != "bot":
                    return
        finally:
            self._disconnect()

    def _connect(self) -> bool:
        self._disconnect()
        started = time.perf_counter()
        url = re.sub(r"^http", "ws", self.host or "")
        url += f"/ws/{self.conversation_id}?after={self.cursor}"
        try:
            socket = websocket.create_connection(
                url, origin=self.host, timeout=ANSWER_TIMEOUT_S, skip_utf8_validation=True
            )
            socket.send(json.dumps({"type": "auth", "token": self.token}))
            socket.settimeout(None)  # a slow answer is timed by _say, never a dropped socket
        except (OSError, websocket.WebSocketException) as error:
            self.record("WS connect", started, error)
            return False
        self.record("WS connect", started)
        self.socket, self.frames = socket, Queue()
        self.reader = gevent.spawn(self._read, socket, self.frames)
        return True

    def _disconnect(self) -> None:
        if self.reader is not None:
            self.reader.kill()
            self.reader = None
        if self.socket is not None:
            self.socket.close()
            self.socket = None

    @staticmethod
    def _read(socket: websocket.WebSocket, frames: Queue[dict[str, Any]]) -> None:
        while True:
            try:
                raw = socket.recv()
            except (OSError, websocket.WebSocketException, UnicodeDecodeError) as error:
                frames.put({"type": "closed", "why": f"{type(error).__name__}: {error}"})
                return
            if raw:
                frames.put(json.loads(raw))

    def _send(self, text: str) -> None:
        try:
            if self.socket is not None:
                self.socket.send(json.dumps({"type": "message", "text": text}))
        except (OSError, websocket.WebSocketException) as error:
            self.frames.put({"type": "closed", "why": f"sending: {type(error).__name__}: {error}"})

    def _say(self, name: str, text: str) -> bool:
        """Send until stored, then wait for the bot's answer; False when the conversation
        cannot go on (handed to a person, no answer in time)."""
        sending(self.conversation_id, self.transport, text)
        started = time.perf_counter()
        deadline = time.monotonic() + ANSWER_TIMEOUT_S
        mine: int | None = None
        resend_at: float | None = None
        self._send(text)
        while time.monotonic() < deadline:
            if mine is None and resend_at is not None and time.monotonic() >= resend_at:
                self._send(text)
                resend_at = None
            wait = (resend_at or deadline) - time.monotonic()
            try:
                frame = self.frames.get(timeout=max(wait, 0.01))
            except Empty:
                continue
            kind = frame.get("type")
            if kind == "closed":
                self.record("WS dropped", started, ConnectionError(frame.get("why", "closed")))
                gevent.sleep(RESEND_AFTER_S)
                if self._connect() and mine is None:
                    resend_at = time.monotonic() + RESEND_AFTER_S  # unless its echo comes back
            elif kind == "mode":
                self.mode = frame["mode"]
            elif kind == "error" and mine is None:
                # Refused (the database is away): the widget keeps the text; send it again.
                self.record("WS refused", started, RuntimeError(frame.get("code") or "error"))
                resend_at = time.monotonic() + RESEND_AFTER_S
            elif kind == "message":
                message = frame["message"]
                self.cursor = max(self.cursor, int(message["id"]))
                if mine is None and message["author"] == "shopper" and message["text"] == text:
                    mine, resend_at = int(message["id"]), None
                    if self.mode != "bot":
                        journal(self.conversation_id, self.transport, text, True, None)
                        return False  # with an agent now: no bot answer is due
                elif mine is not None and message["author"] in ANSWER_AUTHORS:
                    journal(self.conversation_id, self.transport, text, True, started)
                    self.record(name, started)
                    self._settle()
                    return True
        journal(self.conversation_id, self.transport, text, mine is not None, None)
        self.record(name, started, TimeoutError("no answer") if mine else RuntimeError("lost"))
        return False

    def _settle(self) -> None:
        """Read the rest of the turn's frames (a second bot message, a change of mode)."""
        gevent.sleep(0.05)
        while not self.frames.empty():
            frame = self.frames.get_nowait()
            if frame.get("type") == "mode":
                self.mode = frame["mode"]
            elif frame.get("type") == "message":
                self.cursor = max(self.cursor, int(frame["message"]["id"]))
