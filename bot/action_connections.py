"""Rasa's calls to the action servers keep their connections open from one call to the next.

Rasa 3.6 makes a new aiohttp session, and so a new TCP connection, for every request to an
endpoint (``EndpointConfig.request``): each custom action of a turn (two or three) connected to
nginx's action balancer and closed the connection again: ~0.85 ms of the Rasa server's CPU
a call, against ~0.5 ms on a kept connection (``scripts/bench_http_calls.py``). Here the
sessions borrow the running loop's one connector, which keeps idle connections for
``KEEPALIVE_S``, less than the action server's own 5 s (Sanic's default, when Rasa calls it
directly) and nginx's 65 s: the server never closes a connection as Rasa reuses it. Rasa's
shutdown closes the connector.

A request is never sent twice: a call whose connection breaks fails as it did, since an action
may have opened a ticket before the break. Installed by ``scripts/rasa_run.py``, the command
every Rasa server is started with.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import rasa.core.run
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

KEEPALIVE_S = 2.0
# The connector and its loop (a Rasa server runs one loop; another loop gets a new connector).
_current: tuple[asyncio.AbstractEventLoop, aiohttp.TCPConnector] | None = None


def loop_connector() -> aiohttp.TCPConnector:
    """The running event loop's connector (a new one after it was closed)."""
    global _current
    loop = asyncio.get_running_loop()
    if _current is None or _current[0] is not loop or _current[1].closed:
        _current = (loop, aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S))
    return _current[1]


async def close_loop_connector() -> None:
    global _current
    if _current is not None and _current[0] is asyncio.get_running_loop():
        await _current[1].close()
        _current = None


def session(endpoint: EndpointConfig) -> aiohttp.ClientSession:
    """Rasa's session for ``endpoint`` (same headers, authentication and time limit) on the
    loop's connector, which closing the session leaves open."""
    auth = (
        aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
        if endpoint.basic_auth
        else None
    )
    return aiohttp.ClientSession(
        headers=endpoint.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=loop_connector(),
        connector_owner=False,
    )


def install() -> None:
    """Replace ``EndpointConfig.session`` and close the connector when Rasa's server stops
    (once)."""
    if EndpointConfig.session is session:
        return
    EndpointConfig.session = session
    close_resources = rasa.core.run.close_resources

    async def close_resources_and_connections(app: Any, loop: asyncio.AbstractEventLoop) -> None:
        try:
            await close_resources(app, loop)
        finally:
            await close_loop_connector()

    rasa.core.run.close_resources = close_resources_and_connections
