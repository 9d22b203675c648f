"""A tiny real HTTP server that answers like Rasa's REST channel and HTTP API (API tests only).

It speaks over a loopback socket, so the desk's real HTTP client, timeouts and error handling
are exercised; the browser tests use the real Rasa server instead. Given the desk's
``database_url``, it records each message's turn in ``bot_turns`` before it answers, as the real
server's tracker store does (the desk reads what the bot understood there).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from sqlalchemy.orm import sessionmaker

from devtools.servers import FROZEN_NOW
from shop.store.db import make_engine, session_scope
from shop.store.learning import BotTurn, Doubt

TOKEN = "test-rasa-token"
GREETING = "Bonjour ! Je suis l'assistant de Bijou Éclat. Que puis-je faire pour vous ?"
NOT_UNDERSTOOD = "Je n'ai pas bien compris votre demande."


HANDOFF_TEXTS = ("/human_handoff", "parler à un conseiller", "je veux parler à un conseiller")


@dataclass
class FakeRasa:
    """Canned bot answers keyed on the shopper's text; records every call it receives."""

    handoff: dict[str, Any] = field(
        default_factory=lambda: {
            "reason": "shopper_request",
            "ticket": None,
            "intent": "track_order",
            "confidence": 0.93,
            "verified": False,
            "order_number": None,
            "decision": None,
        }
    )
    down: bool = False
    silent: bool = False  # answers nothing, as Rasa does when its action server fails mid-turn
    answer_delay_s: float = 0.0  # a slow bot: this long before each answer
    received: list[dict[str, Any]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # "METHOD /path" of every call
    resumed: list[str] = field(default_factory=list)
    resume_events: list[Any] = field(default_factory=list)
    latest: dict[str, tuple[str, float]] = field(default_factory=dict)
    database_url: str | None = None  # where to record turns, as Rasa's tracker store does
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def answer(self, sender: str, text: str) -> list[dict[str, Any]]:
        lowered = text.lower()
        if lowered in HANDOFF_TEXTS:
            self.latest[sender] = ("human_handoff", 0.98)
            reply = f"J'ai ouvert le dossier {self.handoff.get('ticket') or 'SAV-000999'}."
            return [
                {"recipient_id": sender, "text": reply},
                {"recipient_id": sender, "custom": {"handoff": self.handoff}},
            ]
        if "bonjour" in lowered:
            self.latest[sender] = ("greet", 0.99)
            return [
                {
                    "recipient_id": sender,
                    "text": GREETING,
                    "buttons": [
                        {"title": "Suivre ma commande", "payload": "/track_order"},
                        {"title": "Parler à un conseiller", "payload": "/human_handoff"},
                    ],
                }
            ]
        self.latest[sender] = ("nlu_fallback", 0.31)
        return [{"recipient_id": sender, "text": NOT_UNDERSTOOD}]

    def record_turn(self, sender: str, text: str) -> None:
        """The ``bot_turns`` row Rasa's recorder writes (none for a button's payload)."""
        if self.database_url is None or text.startswith("/"):
            return
        intent, confidence = self.latest.get(sender, ("greet", 1.0))
        engine = make_engine(self.database_url)
        try:
            with session_scope(sessionmaker(engine)) as session:
                session.add(
                    BotTurn(
                        conversation_id=sender,
                        text=text,
                        intent=intent,
                        confidence=confidence,
                        doubt=Doubt.FALLBACK.value if intent == "nlu_fallback" else None,
                        created_at=FROZEN_NOW,
                    )
                )
        finally:
            engine.dispose()

    def start(self) -> FakeRasa:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def _send(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> Any:
                length = int(self.headers.get("Content-Length") or 0)
                return json.loads(self.rfile.read(length) or b"null")

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                url = urlparse(self.path)
                fake.requests.append(f"POST {url.path}")
                if fake.down:
                    self._send(503, {"error": "down"})
                    return
                if url.path == "/webhooks/rest/webhook":
                    body = self._body()
                    fake.received.append(body)
                    time.sleep(fake.answer_delay_s)
                    answers = [] if fake.silent else fake.answer(body["sender"], body["message"])
                    fake.record_turn(body["sender"], body["message"])
                    self._send(200, answers)
                    return
                parts = url.path.strip("/").split("/")
                if (
                    len(parts) == 4
                    and parts[0] == "conversations"
                    and parts[2:]
                    == [
                        "tracker",
                        "events",
                    ]
                ):
                    if parse_qs(url.query).get("token") != [TOKEN]:
                        self._send(401, {"error": "token"})
                        return
                    events = self._body()
                    if events and events[0] == {"event": "resume"}:
                        fake.resumed.append(parts[1])
                        fake.resume_events.append(events)
                    self._send(200, {"sender_id": parts[1]})
                    return
                self._send(404, {})

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                fake.requests.append(f"GET {urlparse(self.path).path}")
                self._send(404, {})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
