"""A tiny real HTTP server that answers like Rasa's REST channel and HTTP API (API tests only).

It speaks over a loopback socket, so the desk's real HTTP client, timeouts and error handling
are exercised; the browser tests use the real Rasa server instead.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

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
    received: list[dict[str, Any]] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    resume_events: list[Any] = field(default_factory=list)
    latest: dict[str, tuple[str, float]] = field(default_factory=dict)
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
                if fake.down:
                    self._send(503, {"error": "down"})
                    return
                if url.path == "/webhooks/rest/webhook":
                    body = self._body()
                    fake.received.append(body)
                    self._send(200, fake.answer(body["sender"], body["message"]))
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
                url = urlparse(self.path)
                parts = url.path.strip("/").split("/")
                if len(parts) == 3 and parts[0] == "conversations" and parts[2] == "tracker":
                    if parse_qs(url.query).get("token") != [TOKEN]:
                        self._send(401, {"error": "token"})
                        return
                    name, confidence = fake.latest.get(parts[1], ("greet", 1.0))
                    self._send(
                        200,
                        {"latest_message": {"intent": {"name": name, "confidence": confidence}}},
                    )
                    return
                self._send(404, {})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
