"""Starlette 0.27's TestClient with httpx 0.28: the same client, built without ``app=``.

httpx 0.28 removed the ``app`` argument that Starlette 0.27 still passes to ``httpx.Client``;
both versions are pinned by Rasa 3.6 / FastAPI 0.99, so the tests build the client themselves
(same transport, same lifespan and WebSocket support).
"""

from __future__ import annotations

import httpx
from starlette.testclient import TestClient, _AsyncBackend, _TestClientTransport
from starlette.types import ASGIApp


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
