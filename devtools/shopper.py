"""A shopper's HTTP client, as the widget behaves: it keeps the token the desk returns with each
new conversation and sends it back with every call on that conversation."""

from __future__ import annotations

import re

import httpx

TOKEN_HEADER = "X-Conversation-Token"
_CONVERSATION_PATH = re.compile(r"^/(?:api/chat|ws)/([^/?]+)")


def conversation_of(path: str) -> str | None:
    match = _CONVERSATION_PATH.match(path)
    return match.group(1) if match else None


def carry_conversation_tokens(client: httpx.Client) -> dict[str, str]:
    """Hooks ``client`` so that it keeps and sends conversation tokens; returns its tokens by
    conversation id (copy them into another client to resume in a "new tab")."""
    tokens: dict[str, str] = {}

    def send_token(request: httpx.Request) -> None:
        conversation = conversation_of(request.url.path)
        if conversation in tokens and TOKEN_HEADER not in request.headers:
            request.headers[TOKEN_HEADER] = tokens[conversation]

    def keep_token(response: httpx.Response) -> None:
        request = response.request
        if request.method == "POST" and request.url.path == "/api/chat" and response.is_success:
            response.read()
            data = response.json()
            if "token" in data:
                tokens[str(data["id"])] = str(data["token"])

    client.event_hooks = {
        "request": [*client.event_hooks["request"], send_token],
        "response": [*client.event_hooks["response"], keep_token],
    }
    return tokens
