"""Rasa's calls to an action server keep their connection (``bot/action_connections.py``),
against a real aiohttp server on loopback: one connection for many calls, a broken one is
not sent again, and Rasa's shutdown closes what is kept."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
import rasa.core.run
from aiohttp import web
from rasa.utils.endpoints import EndpointConfig

from bot import action_connections
from tests.support.threads import in_own_thread

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@pytest.fixture(autouse=True)
def installed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Installed for the test only: the other tests of the process keep Rasa's own code."""
    monkeypatch.setattr(EndpointConfig, "session", EndpointConfig.session)
    monkeypatch.setattr(rasa.core.run, "close_resources", rasa.core.run.close_resources)
    action_connections.install()
    yield


class ActionServer:
    """Answers ``{"events": []}`` and notes each request's client port (one per connection)."""

    def __init__(self, broken: set[int] | None = None) -> None:
        self.ports: list[int] = []
        self.broken = broken or set()  # these requests (1-based) lose their connection

    async def webhook(self, request: web.Request) -> web.StreamResponse:
        self.ports.append(request.transport.get_extra_info("peername")[1])
        if len(self.ports) in self.broken:
            request.transport.close()  # the action server dies mid-call
        return web.json_response({"events": [], "responses": []})

    async def calls(self, work: Callable[[EndpointConfig], Awaitable[Any]]) -> Any:
        app = web.Application()
        app.router.add_post("/webhook", self.webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        try:
            return await work(EndpointConfig(url=f"http://127.0.0.1:{port}/webhook"))
        finally:
            await runner.cleanup()


async def call(endpoint: EndpointConfig) -> Any:
    return await endpoint.request(json={"next_action": "action_track_order"}, method="post")


def test_a_rasa_servers_calls_to_the_action_server_share_one_connection() -> None:
    server = ActionServer()

    async def three_calls(endpoint: EndpointConfig) -> list[Any]:
        answers = [await call(endpoint) for _ in range(3)]
        await action_connections.close_loop_connector()
        return answers

    answers = in_own_thread(asyncio.run, server.calls(three_calls))
    assert answers == [{"events": [], "responses": []}] * 3
    assert len(server.ports) == 3 and len(set(server.ports)) == 1


def test_a_call_whose_connection_breaks_fails_once_and_the_next_one_connects_again() -> None:
    server = ActionServer(broken={2})

    async def calls(endpoint: EndpointConfig) -> list[str]:
        outcomes = []
        for _ in range(3):
            try:
                await call(endpoint)
                outcomes.append("answered")
            except aiohttp.ClientError:
                outcomes.append("failed")
        await action_connections.close_loop_connector()
        return outcomes

    assert in_own_thread(asyncio.run, server.calls(calls)) == ["answered", "failed", "answered"]
    assert len(server.ports) == 3, "the broken call was sent again"
    assert server.ports[0] == server.ports[1] != server.ports[2]


def test_rasas_shutdown_closes_the_kept_connections() -> None:
    server = ActionServer()

    async def call_then_stop(endpoint: EndpointConfig) -> tuple[bool, bool]:
        await call(endpoint)
        async with endpoint.session() as session:  # closing a session leaves its connector
            used = session.connector
        assert used is not None
        open_after_calls = not used.closed
        app = SimpleNamespace(ctx=SimpleNamespace(agent=None))
        await rasa.core.run.close_resources(app, asyncio.get_running_loop())
        return open_after_calls, used.closed

    assert in_own_thread(asyncio.run, server.calls(call_then_stop)) == (True, True)
