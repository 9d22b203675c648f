"""Starlette 0.27's TestClient with httpx 0.28: the same client, built without ``app=``.

httpx 0.28 removed the ``app`` argument that Starlette 0.27 still passes to ``httpx.Client``;
both versions are pinned by Rasa 3.6 / FastAPI 0.99, so the tests build the client themselves
(same transport, same lifespan and WebSocket support). Like the widget, the client keeps each
conversation's token and sends it back: in a header over HTTP, as the first frame of a
WebSocket (``tokens`` holds them; a new client knows none).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx
from starlette.testclient import (
    TestClient,
    WebSocketTestSession,
    _AsyncBackend,
    _TestClientTransport,
)
from starlette.types import ASGIApp

from devtools.shopper import carry_conversation_tokens, conversation_of


class DeskTestClient(TestClient):
    __test__ = False

    def __init__(self, app: ASGIApp, base_url: str = "http://testserver") -> None:
        self.async_backend = _AsyncBackend(backend="asyncio", backend_options={})
        self.app = app
        self.app_state: dict[str, object] = {}
        transport = _TestClientTransport(
            self.app,
            portal_factory=self._portal_factory,
            raise_server_exceptions=True,
            root_path="",
            app_state=self.app_state,
        )
        httpx.Client.__init__(
            self,
            base_url=base_url,
            headers={"user-agent": "testclient"},
            transport=transport,
            follow_redirects=True,
        )
        self.tokens = carry_conversation_tokens(self)

    @contextmanager  # type: ignore[override]
    def websocket_connect(
        self, url: str, *args: Any, **kwargs: Any
    ) -> Iterator[WebSocketTestSession]:
        """The socket, already past its ``auth`` frame when the client knows the token."""
        with super().websocket_connect(url, *args, **kwargs) as session:
            conversation = conversation_of(urlsplit(url).path)
            if conversation in self.tokens:
                session.send_json({"type": "auth", "token": self.tokens[conversation]})
            yield session
