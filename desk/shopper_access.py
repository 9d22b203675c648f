"""Who may use a conversation, and which pages may open the widget's WebSocket.

A conversation id alone opens nothing: it travels in URLs, which proxies and logs keep. When
the desk creates a conversation it also signs a token naming it (``desk.security.Signer``,
purpose ``widget``); the browser that started the conversation keeps both and sends the token
on every call: the ``X-Conversation-Token`` header over HTTP, and the first frame over the
WebSocket (``{"type": "auth", "token": ...}``), because a browser cannot set headers on a
WebSocket and a query string would be written to the access logs with the path.
"""

from __future__ import annotations

from desk.security import Signer
from shop.voice import say

TOKEN_HEADER = "X-Conversation-Token"
TOKEN_PURPOSE = "widget"
UNAUTHORIZED = say("widget.not_accessible")
ORIGIN_REFUSED = say("widget.origin_refused")


def conversation_token(signer: Signer, conversation_id: str) -> str:
    return signer.sign(TOKEN_PURPOSE, {"c": conversation_id})


def client_pseudonym(signer: Signer, address: str) -> str:
    """The shopper's address as the bot may see it: stable, keyed, not reversible."""
    return signer.token_for("client", address)[:22]


def token_opens(signer: Signer, conversation_id: str, token: str | None, max_age_s: int) -> bool:
    """True when ``token`` was signed by this desk for this very conversation, and is fresh."""
    payload = signer.unsign(TOKEN_PURPOSE, token, max_age_s)
    return payload is not None and payload.get("c") == conversation_id


def origin_allowed(origin: str | None, allowed: tuple[str, ...], own_origin: str) -> bool:
    """A page may connect when it sent no Origin (not a browser), is the desk's own page, or is
    listed in ``DESK_WIDGET_ORIGINS`` (``*``: any page)."""
    if origin is None or "*" in allowed:
        return True
    origin = origin.rstrip("/").lower()
    return origin == own_origin.lower() or origin in (o.rstrip("/").lower() for o in allowed)
