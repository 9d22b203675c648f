"""The desk's client of the Rasa server: the REST channel and the resume event.

Every call has a short timeout. When Rasa cannot be reached the caller gets ``RasaUnavailable``
and decides what the shopper sees; nothing here ever loses the shopper's message (the desk
stores it before relaying). Bot messages are normalised into ``BotMessage`` values: text,
quick-reply buttons and the ``custom`` payload (where the handoff note and the request for a
rating travel). Rasa's REST channel sends an utterance's text and its ``custom`` payload as two
messages, so a request for a rating comes as its own message right after the answer it is
about (``actions.common``).

What the NLU understood of a message is not asked of Rasa: its server records it in
``bot_turns`` before it answers (``shop.store.learning.latest_turn_saying``), and a button's
payload names its intent itself (``intent_of_payload``). Asking Rasa's tracker endpoint for it
cost the Rasa server a read of the whole conversation, every session, on every turn.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import aiohttp

MAX_TOPIC = 160
RESUME_EVENTS = [{"event": "resume"}, {"event": "action", "name": "action_listen"}]
KEEPALIVE_S = 2.0  # idle connections to Rasa kept this long (see RasaClient)
# Names the conversation of every call, for nginx: it sends all of a conversation's calls to the
# same Rasa server (deploy/templates/nginx.conf.j2), whose kept tracker then stays current.
CONVERSATION_HEADER = "X-Bijou-Conversation"


# Rasa reads a message starting with "/" as an intent, maybe entities: "/inform{...}".
_PAYLOAD_INTENT = re.compile(r"^/([^{@\s]+)")


def intent_of_payload(text: str) -> str | None:
    """The intent a button's payload sends, as Rasa reads it (None for typed text)."""
    match = _PAYLOAD_INTENT.match(text.strip())
    return match.group(1) if match else None


class RasaUnavailable(Exception):
    """Rasa did not answer in time, or answered with an error."""


@dataclass(frozen=True)
class BotMessage:
    text: str = ""
    buttons: tuple[dict[str, str], ...] = ()
    custom: dict[str, Any] = field(default_factory=dict)

    @property
    def shows_something(self) -> bool:
        """A text, buttons or a handoff: something the shopper or an agent sees."""
        return bool(self.text or self.buttons) or self.handoff is not None

    @property
    def handoff(self) -> dict[str, Any] | None:
        note = self.custom.get("handoff") if isinstance(self.custom, dict) else None
        return note if isinstance(note, dict) else None

    @property
    def feedback_topic(self) -> str | None:
        """The topic (intent or ``faq/<entry>``) of the answer the bot asks the shopper to
        rate, when this message is such a request."""
        request = self.custom.get("feedback") if isinstance(self.custom, dict) else None
        topic = request.get("topic") if isinstance(request, dict) else None
        if not isinstance(topic, str) or not topic.strip():
            return None
        return topic.strip()[:MAX_TOPIC]


def parse_bot_messages(raw: Any) -> list[BotMessage]:
    """Rasa's REST channel output, keeping only what the desk understands."""
    messages: list[BotMessage] = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        buttons = tuple(
            {"title": str(b.get("title", ""))[:120], "payload": str(b.get("payload", ""))[:200]}
            for b in item.get("buttons") or []
            if isinstance(b, dict) and b.get("title")
        )
        raw_custom, raw_text = item.get("custom"), item.get("text")
        custom: dict[str, Any] = raw_custom if isinstance(raw_custom, dict) else {}
        text = raw_text if isinstance(raw_text, str) else ""
        if text or buttons or custom:
            messages.append(BotMessage(text=text, buttons=buttons, custom=custom))
    return messages


class RasaClient:
    """One aiohttp session for the running event loop, its connections kept between calls;
    ``aclose`` it when the app stops.

    aiohttp rather than httpx: a call cost the desk 2.0–2.8 ms of CPU with httpx's client and
    ~0.4 ms with this session, the same request to the same server
    (``scripts/bench_http_calls.py``).

    Every call is limited to ``timeout_s`` in all, its TCP connection to ``min(3, timeout_s)``:
    the recovery pass's lease counts on it. Idle connections are kept ``KEEPALIVE_S``, less than
    Rasa's own 5 s (Sanic's default, when the desk calls it directly) and nginx's 65 s: the
    server never closes a connection as the desk reuses it.
    """

    def __init__(self, base_url: str, token: str, timeout_s: float) -> None:
        self._base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=timeout_s, sock_connect=min(3.0, timeout_s))
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _client(self) -> aiohttp.ClientSession:
        """The session of the running loop (a session cannot serve another loop: tests start
        the app in several)."""
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout,
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S),
            )
            self._loop = loop
        return self._session

    async def aclose(self) -> None:
        if self._session is not None and self._loop is asyncio.get_running_loop():
            await self._session.close()
        self._session = None

    async def _post(
        self,
        path: str,
        conversation_id: str,
        body: Any,
        params: dict[str, str] | None = None,
        *,
        answer: bool = True,
    ) -> Any:
        """Rasa's JSON answer to ``body`` about the conversation (None without ``answer``: its
        body is only read); ``RasaUnavailable`` when it cannot give one."""
        headers = {CONVERSATION_HEADER: quote(conversation_id, safe="")}
        try:
            async with self._client().post(
                self._base_url + path, json=body, params=params, headers=headers
            ) as response:
                response.raise_for_status()
                if not answer:
                    await response.read()
                    return None
                return await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise RasaUnavailable(type(error).__name__) from error

    async def send(
        self,
        conversation_id: str,
        text: str,
        client_key: str | None = None,
        message_id: int | None = None,
    ) -> list[BotMessage]:
        """The shopper's message to the bot; the bot's answers of this turn.

        ``client_key`` (a pseudonym of the shopper's address) travels as the message's
        metadata: the identity check limits guessing per client address with it. So does
        ``message_id``, the desk's id of the message: sent again after a timeout or a crash,
        it is read once and answered with the first answers (``bot/repeated_messages.py``).
        """
        body: dict[str, Any] = {"sender": conversation_id, "message": text}
        metadata: dict[str, Any] = {}
        if client_key:
            metadata["client"] = client_key
        if message_id is not None:
            metadata["message_id"] = message_id
        if metadata:
            body["metadata"] = metadata
        return parse_bot_messages(await self._post("/webhooks/rest/webhook", conversation_id, body))

    async def resume(self, conversation_id: str) -> None:
        """The bot takes the conversation back (Rasa paused it when it handed over).

        ``action_listen`` follows ``resume``: the pause stopped the bot right after its handoff
        action, without the listen step, and without it Rasa's rules do not match the
        shopper's next message (the real server then falls back and hands over again).
        """
        await self._post(
            f"/conversations/{quote(conversation_id, safe='')}/tracker/events",
            conversation_id,
            RESUME_EVENTS,
            params={"token": self._token, "include_events": "NONE"},  # not the whole tracker
            answer=False,
        )
