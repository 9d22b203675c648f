"""The fuzzer's side of the desk: send one hostile input, check the answer, keep the books.

The same code drives the desk in the test suite (a ``TestClient`` on the real app, a fake Rasa)
and in ``scripts/fuzz.py`` (``python -m desk`` with the real Rasa and action servers): an
``httpx.Client`` for HTTP, a ``Socket`` for the WebSocket. Every answer must be an answer or a
clear refusal (never a 5xx, a French ``detail`` for a refused widget call, a well-formed page
for the console), and the books (every shopper message and agent reply the desk accepted)
are compared at the end with the rows in the database.
"""

from __future__ import annotations

import csv
import io
import json
import queue
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from desk.service import MAX_AGENT_TEXT, MAX_SHOPPER_TEXT, InvalidMessage, clean_text
from devtools.fuzz.inputs import ENGLISH_DETAILS, MARKER
from shop.store.conversations import Agent, Message, MessageAuthor
from shop.store.db import session_scope
from shop.store.learning import Feedback, ReviewLabel

TOKEN_HEADER = "X-Conversation-Token"
# Kept as they are in a URL: every printable ASCII character but space, quotes and "#".
PRINTABLE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '"#<>\\^`{|}')
FRENCH_WORDS = {
    "le", "la", "les", "de", "des", "du", "un", "une", "est", "votre", "vous", "pas", "ou",
    "et", "invalide", "introuvable", "inconnue", "requise", "trop", "merci", "message",
}  # fmt: skip
UNESCAPED = [f"<script>{MARKER}", f"<img src=x onerror={MARKER}", f"<svg/onload={MARKER}"]
REFUSALS = (4401, 4403, 4404)  # the desk's close codes: unauthorized, forbidden, not found
WS_TYPES = {"message", "mode", "typing", "error", "pong"}
TRACEBACK = b"Traceback (most recent call last)"


class FuzzFailure(AssertionError):
    """An answer that breaks the desk's promise; ``signature`` groups the same failure."""

    def __init__(self, endpoint: str, what: str, detail: str = "") -> None:
        super().__init__(f"{endpoint}: {what}" + (f" ({detail[:300]})" if detail else ""))
        self.signature = f"{endpoint}: {what}"


def looks_french(detail: Any) -> bool:
    if not isinstance(detail, str) or not detail.strip() or detail in ENGLISH_DETAILS:
        return False
    words = set(re.findall(r"[a-zà-ÿ]+", detail.lower()))
    return bool(words & FRENCH_WORDS) or any(char in detail for char in "éèêàçùôîâ«»")


@dataclass
class Answer:
    status: int
    headers: httpx.Headers
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Socket(Protocol):
    """A WebSocket client: frames out, frames in (``None`` when closed, with ``close_code``)."""

    close_code: int | None

    def send_text(self, text: str) -> None: ...
    def send_bytes(self, data: bytes) -> None: ...
    def receive(self, timeout_s: float) -> str | None: ...
    def close(self) -> None: ...


class ServerError(Exception):
    """The server side of a socket failed (an exception in the app, a 1011 close)."""


@dataclass
class Books:
    """What the fuzzer sent and what the desk accepted."""

    inputs: Counter[str] = field(default_factory=Counter)
    statuses: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    shopper_messages: Counter[str] = field(default_factory=Counter)
    agent_messages: Counter[str] = field(default_factory=Counter)
    conversations: set[str] = field(default_factory=set)
    # (conversation, rated message id or "agent") -> the feedback view of the last accepted
    # rating: every other rating the desk refused must have stored nothing.
    ratings: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    labels: Counter[str] = field(default_factory=Counter)  # review labels written, per editor
    accounts: dict[str, str] = field(default_factory=dict)  # account created or changed -> role
    accounts_before: dict[str, str] | None = None  # account -> role when the fuzzing began

    def count(self, endpoint: str, status: int | str) -> None:
        self.inputs[endpoint] += 1
        self.statuses[endpoint][str(status)] += 1


@dataclass
class Fuzzer:
    """One desk under fuzz: ``client`` reaches it over HTTP, ``connect`` opens a socket;
    ``sign`` makes the conversation token of any id (the desk's own key), so that inputs get
    past the token check and reach the code behind it."""

    client: httpx.Client
    connect: Callable[[str], Socket]
    sign: Callable[[str], str]
    agent: tuple[str, str] = ("", "")  # an agent's username and password, for the console
    books: Books = field(default_factory=Books)
    csrf: str | None = None
    known: set[str] = field(default_factory=set)  # failure signatures recorded, not raised
    rated_messages: dict[int, str] = field(
        default_factory=dict
    )  # bot answer asking -> its conversation
    failures: list[FuzzFailure] = field(default_factory=list)

    # --- sending --------------------------------------------------------------------------

    def http(
        self,
        endpoint: str,
        method: str,
        path: str,
        *,
        body: bytes | Iterator[bytes] | None = None,
        content_type: str | None = None,
        headers: dict[str, bytes] | None = None,
        cookies: bool = True,
    ) -> Answer:
        sent: dict[str, str | bytes] = dict(headers or {})
        if content_type is not None:
            sent["content-type"] = content_type
        saved = None
        if not cookies:  # a visitor without the agent's cookies, on the same client
            saved = list(self.client.cookies.jar)
            self.client.cookies.clear()
        try:
            response = self.client.request(
                method,
                quote(path, safe=PRINTABLE),
                content=body,
                headers=sent,  # type: ignore[arg-type]  # httpx takes str and bytes values alike
                follow_redirects=False,
            )
        except httpx.HTTPError as error:
            self.books.count(endpoint, "no answer")
            self.fail(endpoint, "no answer", f"{type(error).__name__}: {error}")
            return Answer(0, httpx.Headers(), b"{}")
        finally:
            if saved is not None:
                self.client.cookies.clear()
                for cookie in saved:
                    self.client.cookies.jar.set_cookie(cookie)
        answer = Answer(response.status_code, response.headers, response.content)
        self.books.count(endpoint, answer.status)
        return answer

    def fail(self, endpoint: str, what: str, detail: str = "") -> None:
        failure = FuzzFailure(endpoint, what, detail)
        if failure.signature in self.known:
            self.failures.append(failure)
            return
        raise failure

    # --- checks ---------------------------------------------------------------------------

    def check_widget(self, endpoint: str, answer: Answer) -> Any:
        """A JSON answer; a 4xx carries a French ``detail``, a 429 a Retry-After."""
        if answer.status == 0:  # no answer at all, already recorded
            return None
        self._no_server_error(endpoint, answer)
        try:
            data = answer.json()
        except ValueError:
            self.fail(endpoint, f"{answer.status} not JSON", answer.body[:200].decode("latin-1"))
            return None
        if answer.status >= 400:
            detail = data.get("detail") if isinstance(data, dict) else None
            if not looks_french(detail):
                self.fail(endpoint, f"{answer.status} without a French detail", repr(data))
            if answer.status == 429 and not answer.headers.get("retry-after", "").isdigit():
                self.fail(endpoint, "429 without Retry-After")
        return data

    def check_console(self, endpoint: str, answer: Answer) -> None:
        """A page, a redirect inside the console, or JSON with a French ``detail``."""
        if answer.status == 0:  # no answer at all, already recorded
            return
        self._no_server_error(endpoint, answer)
        content_type = answer.headers.get("content-type", "")
        if answer.status in (302, 303, 307):
            location = answer.headers.get("location", "")
            if not urlsplit(location).path.startswith("/console"):
                self.fail(endpoint, "redirect outside the console", location)
            return
        if content_type.startswith("text/html"):
            page = answer.body.decode("utf-8", "replace")
            if "</html>" not in page.lower():
                self.fail(endpoint, f"{answer.status} page cut short", page[-200:])
            for raw in UNESCAPED:
                if raw in page:
                    self.fail(endpoint, "shopper text unescaped in a page", raw)
            return
        if content_type.startswith("text/csv") and answer.status == 200:
            try:
                text = answer.body.decode("utf-8-sig")
                rows = list(csv.reader(io.StringIO(text), delimiter=";"))
            except (UnicodeDecodeError, csv.Error) as error:
                self.fail(endpoint, "a CSV that does not read", str(error))
                return
            if not rows or len({len(row) for row in rows[1:]} | {len(rows[0])}) != 1:
                self.fail(endpoint, "a CSV with ragged rows", repr(rows[:3])[:200])
            return
        if content_type.startswith("application/json"):
            data = json.loads(answer.body)
            if answer.status >= 400:
                detail = data.get("detail") if isinstance(data, dict) else None
                if not looks_french(detail):
                    self.fail(endpoint, f"{answer.status} without a French detail", repr(data))
            return
        self.fail(endpoint, f"{answer.status} {content_type or 'no content type'}")

    def _no_server_error(self, endpoint: str, answer: Answer) -> None:
        if answer.status >= 500:
            self.fail(endpoint, f"server error {answer.status}", answer.body[:300].decode())
        if TRACEBACK in answer.body:
            at = answer.body.index(TRACEBACK)
            self.fail(endpoint, "a traceback in the body", answer.body[at : at + 300].decode())

    # --- the shopper's side ---------------------------------------------------------------

    def start_conversation(
        self, body: bytes | None = None, content_type: str | None = None
    ) -> str | None:
        answer = self.http(
            "POST /api/chat", "POST", "/api/chat", body=body, content_type=content_type
        )
        data = self.check_widget("POST /api/chat", answer)
        if answer.status == 429:
            return None
        if answer.status != 201 or not isinstance(data, dict) or not data.get("token"):
            self.fail(
                "POST /api/chat", f"{answer.status} instead of a new conversation", repr(data)
            )
            return None
        self.books.conversations.add(str(data["id"]))
        return str(data["id"])

    def post_message(
        self,
        conversation_id: str,
        content_type: str | None,
        body: bytes | Iterator[bytes] | None,
        token: str | None = "valid",
        expected_text: Any = None,
    ) -> Answer:
        """POST a message; when the desk accepts it, it is in the books (and must be stored)."""
        endpoint = "POST /api/chat/{id}/messages"
        answer = self.http(
            endpoint,
            "POST",
            f"/api/chat/{quote(conversation_id, safe='')}/messages",
            body=body,
            content_type=content_type,
            headers=self._token_header(conversation_id, token),
        )
        data = self.check_widget(endpoint, answer)
        if answer.status == 200:
            self.books.shopper_messages[conversation_id] += 1
            messages = data.get("messages") if isinstance(data, dict) else None
            first = messages[0] if isinstance(messages, list) and messages else {}
            if first.get("author") != "shopper":
                self.fail(endpoint, "accepted without the shopper's message first", repr(data))
            elif expected_text is not None and first.get("text") != expected_text:
                self.fail(endpoint, "stored text differs", f"{first.get('text')!r}")
        elif answer.status not in (400, 401, 404, 409, 413, 422, 429):
            self.fail(endpoint, f"unexpected {answer.status}", answer.body[:200].decode())
        return answer

    def _token_header(self, conversation_id: str, token: str | None) -> dict[str, bytes]:
        if token is None:
            return {}
        value = self.sign(conversation_id) if token == "valid" else token
        return _raw({TOKEN_HEADER: value})

    def get_messages(self, conversation_id: str, query: str, token: str | None = "valid") -> Answer:
        endpoint = "GET /api/chat/{id}/messages"
        answer = self.http(
            endpoint,
            "GET",
            f"/api/chat/{quote(conversation_id, safe='')}/messages?{query}",
            headers=self._token_header(conversation_id, token),
        )
        data = self.check_widget(endpoint, answer)
        if answer.status == 200 and not isinstance(data.get("messages"), list):
            self.fail(endpoint, "200 without messages", repr(data))
        return answer

    def erase(
        self, conversation_id: str, token: str | None, body: bytes | Iterator[bytes] | None
    ) -> Answer:
        endpoint = "POST /api/chat/{id}/erase"
        answer = self.http(
            endpoint,
            "POST",
            f"/api/chat/{quote(conversation_id, safe='')}/erase",
            body=body,
            headers=self._token_header(conversation_id, token),
        )
        self.check_widget(endpoint, answer)
        return answer

    def rate(
        self,
        conversation_id: str,
        content_type: str | None,
        body: bytes,
        token: str | None = "valid",
    ) -> Answer:
        """POST a rating; when the desk accepts it, its feedback view is in the books (a rating
        of another conversation's message, or without the token, is a failure)."""
        endpoint = "POST /api/chat/{id}/feedback"
        answer = self.http(
            endpoint,
            "POST",
            f"/api/chat/{quote(conversation_id, safe='')}/feedback",
            body=body,
            content_type=content_type,
            headers=self._token_header(conversation_id, token),
        )
        data = self.check_widget(endpoint, answer)
        if answer.status == 200:
            target = self._rated(body)
            feedback = data.get("feedback") if isinstance(data, dict) else None
            if token != "valid":
                self.fail(endpoint, "a rating accepted without the conversation's token")
            elif target is None:
                self.fail(endpoint, "a rating accepted for no message", repr(body[:200]))
            elif target != "agent" and self.rated_messages.get(int(target)) != conversation_id:
                self.fail(endpoint, "a rating accepted for another conversation's message")
            elif not isinstance(feedback, dict) or feedback.get("given") is not True:
                self.fail(endpoint, "a rating accepted but not given", repr(data)[:200])
            else:
                self.books.ratings[(conversation_id, target)] = feedback
        elif answer.status not in (400, 401, 404, 409, 413, 422, 429):
            self.fail(endpoint, f"unexpected {answer.status}", answer.body[:200].decode())
        return answer

    @staticmethod
    def _rated(body: bytes) -> str | None:
        """What a rating's body names, read as the desk reads it: "agent" or a message id."""
        try:
            data = json.loads(body or b"{}")
        except (ValueError, RecursionError):
            return None
        if not isinstance(data, dict):
            return None
        if data.get("kind", "answer") == "agent":
            return "agent"
        message_id = data.get("message_id")
        if isinstance(message_id, int) and not isinstance(message_id, bool):
            return str(message_id)
        return None

    def socket(
        self,
        conversation_id: str,
        query: str,
        first_frame: str | bytes | None,
        frames: Iterable[str | bytes],
        messages_expected: Callable[[str | bytes], Any] | None = None,
    ) -> None:
        """Open ``/ws/{id}``, send ``first_frame`` (``None``: the valid ``auth`` frame) then
        ``frames``, each followed by a ping: every frame is answered before its pong."""
        endpoint = "WS /ws/{id}"
        path = f"/ws/{quote(conversation_id, safe='')}" + (f"?{query}" if query else "")
        path = quote(path, safe=PRINTABLE)
        try:
            socket = self.connect(path)
        except ServerError as error:
            self.books.count(endpoint, "server error")
            self.fail(endpoint, "server error on connect", str(error))
            return
        except Exception as error:  # refused before accept (a query the desk refuses)
            self.books.count(endpoint, f"refused {type(error).__name__}")
            return
        try:
            self._talk(
                endpoint, socket, conversation_id, first_frame, list(frames), messages_expected
            )
        except ServerError as error:
            self.fail(endpoint, "server error", str(error))
        finally:
            try:
                socket.close()
            except ServerError as error:
                self.fail(endpoint, "server error on close", str(error))

    def _talk(
        self,
        endpoint: str,
        socket: Socket,
        conversation_id: str,
        first_frame: str | bytes | None,
        frames: list[str | bytes],
        messages_expected: Callable[[str | bytes], Any] | None,
    ) -> None:
        if first_frame is None:
            socket.send_text(json.dumps({"type": "auth", "token": self.sign(conversation_id)}))
        elif isinstance(first_frame, bytes):
            socket.send_bytes(first_frame)
        else:
            socket.send_text(first_frame)
        for frame in frames:
            if isinstance(frame, bytes):
                socket.send_bytes(frame)
            else:
                socket.send_text(frame)
            socket.send_text('{"type": "ping"}')
            answers = self._until_pong(endpoint, socket)
            if answers is None:  # closed: only as a refusal (bad token, origin or id)
                self.books.count(endpoint, f"closed {socket.close_code}")
                if socket.close_code not in REFUSALS:
                    self.fail(endpoint, f"closed {socket.close_code}", repr(frame)[:200])
                return
            errors = [a for a in answers if a.get("type") == "error"]
            self.books.count(endpoint, "error frame" if errors else "ok")
            accepted = messages_expected(frame) if messages_expected else None
            if accepted is not None and not errors:
                self.books.shopper_messages[conversation_id] += 1
        if not frames:
            self.books.count(endpoint, "no frame")

    def _until_pong(self, endpoint: str, socket: Socket) -> list[dict[str, Any]] | None:
        answers: list[dict[str, Any]] = []
        while True:
            raw = socket.receive(timeout_s=20)
            if raw is None:
                if socket.close_code is None:
                    self.fail(endpoint, "no pong within 20 s")
                return None
            try:
                data = json.loads(raw)
            except ValueError:
                self.fail(endpoint, "a frame that is not JSON", repr(raw)[:200])
                continue
            if not isinstance(data, dict) or data.get("type") not in WS_TYPES:
                self.fail(endpoint, "a frame of unknown shape", repr(data)[:200])
                continue
            if data["type"] == "error" and not looks_french(data.get("detail")):
                self.fail(endpoint, "an error frame without a French detail", repr(data))
            if data["type"] == "pong":
                return answers
            answers.append(data)

    # --- the console ----------------------------------------------------------------------

    def log_in(self, username: str, password: str) -> None:
        page = self.client.get("/console/login")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        response = self.client.post(
            "/console/login",
            data={"csrf_token": token, "username": username, "password": password},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        console = self.client.get("/console")
        self.csrf = console.text.split('name="csrf_token" value="')[1].split('"')[0]

    def console_post(
        self,
        endpoint: str,
        path: str,
        content_type: str,
        body: bytes | Iterator[bytes],
        csrf: str | None,
        cookies: bool = True,
    ) -> Answer:
        headers = {"x-csrf-token": csrf} if csrf else {}
        answer = self.http(
            endpoint,
            "POST",
            path,
            body=body,
            content_type=content_type,
            headers=_raw(headers),
            cookies=cookies,
        )
        self.check_console(endpoint, answer)
        return answer

    def console_get(self, endpoint: str, path: str, cookies: bool = True) -> Answer:
        answer = self.http(endpoint, "GET", path, cookies=cookies)
        self.check_console(endpoint, answer)
        return answer

    # --- the end of a run -----------------------------------------------------------------

    def check_books(self, session: Session) -> list[str]:
        """Every accepted shopper message and agent reply stored exactly once."""
        rows = session.execute(
            select(Message.conversation_id, Message.author, func.count())
            .where(Message.conversation_id.in_(self.books.conversations))
            .group_by(Message.conversation_id, Message.author)
        ).all()
        stored: dict[tuple[str, MessageAuthor], int] = {(c, a): n for c, a, n in rows}
        problems = []
        for conversation in sorted(self.books.conversations):
            for author, expected in (
                (MessageAuthor.SHOPPER, self.books.shopper_messages[conversation]),
                (MessageAuthor.AGENT, self.books.agent_messages[conversation]),
            ):
                actual = stored.get((conversation, author), 0)
                if actual != expected:
                    problems.append(
                        f"{conversation}: {expected} {author.value} messages accepted, "
                        f"{actual} stored"
                    )
        return problems

    def check_learning_books(self, session: Session) -> list[str]:
        """Ratings, review labels and accounts: what the desk accepted is stored, and a refusal
        stored nothing (no other rating, label or account; no changed score, role or comment)."""
        problems = []
        rows = session.scalars(
            select(Feedback).where(Feedback.conversation_id.in_(self.books.conversations))
        ).all()
        stored: dict[tuple[str, str], list[Feedback]] = defaultdict(list)
        for row in rows:
            target = "agent" if row.kind == "agent" else str(row.message_id)
            stored[(str(row.conversation_id), target)].append(row)
        for key in sorted(set(stored) | set(self.books.ratings)):
            found, view = stored.get(key, []), self.books.ratings.get(key)
            if view is None:
                problems.append(f"{key}: a rating stored although every one was refused")
            elif len(found) != 1:
                problems.append(f"{key}: {len(found)} ratings stored for one accepted")
            elif found[0].score != view.get("score") or (
                (found[0].comment is not None) != bool(view.get("commented"))
            ):
                problems.append(
                    f"{key}: stored score {found[0].score}, comment {found[0].comment is not None}"
                    f" after the last accepted rating {view}"
                )
        for editor, expected in self.books.labels.items():
            actual = session.scalar(
                select(func.count()).select_from(ReviewLabel).where(ReviewLabel.editor == editor)
            )
            if actual != expected:
                problems.append(f"{editor}: {expected} review labels accepted, {actual} stored")
        if self.books.accounts_before is not None:
            roles = {str(n): r for n, r in session.execute(select(Agent.username, Agent.role))}
            accepted = {**self.books.accounts_before, **self.books.accounts}
            for name in sorted(set(roles) ^ set(accepted)):
                problems.append(f"account {name!r}: stored {name in roles}, accepted the opposite")
            for name, role in sorted(accepted.items()):
                if name in roles and str(roles[name]) != role:
                    problems.append(f"account {name!r}: role {roles[name]}, accepted {role}")
            if "admin" not in {str(role) for role in roles.values()}:
                problems.append("no administrator left")
        return problems

    def final_problems(self, sessions: sessionmaker, received: Iterable[str]) -> list[str]:
        """After a run: the books against the database, no command reached the bot, and the
        desk still answers."""
        with session_scope(sessions) as session:
            problems = self.check_books(session) + self.check_learning_books(session)
            offered = self.offered_payloads(session)
        problems += [
            f"the bot received the command {t!r}" for t in commands_sent(received, offered)
        ]
        try:
            config = self.client.get("/api/widget/config")
            if config.status_code != 200 or "shop" not in config.json():
                problems.append(f"/api/widget/config answers {config.status_code}")
        except httpx.HTTPError as error:
            problems.append(f"/api/widget/config does not answer: {error}")
        return problems

    def offered_payloads(self, session: Session) -> set[str]:
        buttons = session.execute(
            select(Message.buttons)
            .where(Message.author == MessageAuthor.BOT)
            .where(Message.buttons.is_not(None))
        ).scalars()
        return {str(button.get("payload")) for row in buttons for button in row or []}


def commands_sent(received: Iterable[str], offered: set[str]) -> list[str]:
    """Texts the bot received as a command although no button of the bot offered them."""
    return [text for text in received if text.strip().startswith("/") and text not in offered]


def expected_shopper_text(text: Any) -> str | None:
    """The text the desk stores for ``text``, or ``None`` when it must refuse it."""
    try:
        return clean_text(text, MAX_SHOPPER_TEXT)
    except InvalidMessage:
        return None


def expected_agent_text(text: Any) -> str | None:
    try:
        return clean_text(text, MAX_AGENT_TEXT)
    except InvalidMessage:
        return None


def _raw(headers: dict[str, str]) -> dict[str, bytes]:
    """Header values as bytes: any text, whatever its encoding, less what HTTP/1.1 forbids
    in a header (control characters), which no client can send."""
    return {
        name: bytes(
            byte for byte in value.encode("utf-8", "surrogatepass") if byte >= 0x20 and byte != 0x7F
        ).strip()
        for name, value in headers.items()
    }


# --- sockets ----------------------------------------------------------------------------------


class TestClientSocket:
    """A socket of Starlette's TestClient, with a time limit on every read."""

    __test__ = False

    def __init__(self, session: Any) -> None:
        self._session = session
        self.close_code: int | None = None

    def send_text(self, text: str) -> None:
        self._session.send({"type": "websocket.receive", "text": text})

    def send_bytes(self, data: bytes) -> None:
        self._session.send({"type": "websocket.receive", "bytes": data})

    def receive(self, timeout_s: float) -> str | None:
        if self.close_code is not None:
            return None
        try:
            # The session's own receive() waits forever; its queue takes a timeout.
            message = self._session._send_queue.get(timeout=timeout_s)
        except queue.Empty:
            return None
        if isinstance(message, BaseException):
            raise ServerError(f"{type(message).__name__}: {message}")
        if message["type"] == "websocket.close":
            self.close_code = int(message.get("code", 1000))
            return None
        text = message.get("text")
        return text if text is not None else message.get("bytes", b"").decode("latin-1")

    def close(self) -> None:
        try:
            self._session.__exit__(None, None, None)
        except BaseException as error:  # noqa: BLE001 - an exception the app raised
            if not isinstance(error, Exception) or type(error).__name__ == "WebSocketDisconnect":
                return
            raise ServerError(f"{type(error).__name__}: {error}") from error
