"""Benchmark (not a test): the caller's CPU for one HTTP call between the product's programs,
with each client the product used and uses.

- Rasa server -> action server: Rasa's own session (a new connection a call) against
  ``bot/action_connections.py`` (connections kept);
- desk -> Rasa server: httpx's ``AsyncClient`` (the desk's client before) against the desk's
  ``RasaClient`` session (aiohttp).

Starts the real action server on loopback and calls its ``/health`` from this process, in
alternating blocks of each kind (so that the machine's drift falls on all alike); prints the
median CPU (user + system) and wall time a call of each kind, and the spread of its block
medians (the noise).

    .venv/bin/python scripts/bench_http_calls.py [--blocks 10] [--calls 300]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from rasa.utils.endpoints import EndpointConfig

from bot import action_connections
from desk.relay import RasaClient
from devtools.servers import Stack

RASA_SESSION = EndpointConfig.session
Call = Callable[[], Awaitable[object]]


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def block(call: Call, calls: int) -> tuple[float, float]:
    """CPU and wall milliseconds a call, over ``calls`` calls."""
    cpu, wall = cpu_s(), time.perf_counter()
    for _ in range(calls):
        await call()
    return 1000 * (cpu_s() - cpu) / calls, 1000 * (time.perf_counter() - wall) / calls


def rasa_endpoint_call(url: str, session: Callable[..., object]) -> Call:
    endpoint = EndpointConfig(url=url)

    async def call() -> object:
        EndpointConfig.session = session
        return await endpoint.request(method="get", subpath="health")

    return call


def httpx_call(client: httpx.AsyncClient) -> Call:
    async def call() -> object:
        response = await client.get("/health")
        response.raise_for_status()
        return response.json()

    return call


def desk_relay_call(url: str, relay: RasaClient) -> Call:
    async def call() -> object:
        async with relay._client().get(url + "/health") as response:
            response.raise_for_status()
            return await response.json()

    return call


async def measure(url: str, blocks: int, calls: int) -> dict[str, list[tuple[float, float]]]:
    client = httpx.AsyncClient(base_url=url, timeout=httpx.Timeout(15, connect=3))
    relay = RasaClient(url, "token", 15)
    kinds = {
        "Rasa -> actions, Rasa's session": rasa_endpoint_call(url, RASA_SESSION),
        "Rasa -> actions, kept connection": rasa_endpoint_call(url, action_connections.session),
        "desk -> Rasa, httpx (before)": httpx_call(client),
        "desk -> Rasa, the desk's aiohttp session": desk_relay_call(url, relay),
    }
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in kinds}
    try:
        for call in kinds.values():  # warm-up
            await block(call, 50)
        for _ in range(blocks):
            for name, call in kinds.items():
                results[name].append(await block(call, calls))
    finally:
        await client.aclose()
        await relay.aclose()
        await action_connections.close_loop_connector()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--blocks", type=int, default=10)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bijou-http-calls-") as folder:
        stack = Stack(Path(folder))
        stack.seed()
        stack.start_actions()
        try:
            url = f"http://127.0.0.1:{stack.actions_port}"
            results = asyncio.run(measure(url, args.blocks, args.calls))
        finally:
            stack.stop_all()
    for name, figures in results.items():
        cpu = [c for c, _ in figures]
        wall = [w for _, w in figures]
        print(
            f"{name}: {statistics.median(cpu):.3f} ms CPU a call (blocks"
            f" {min(cpu):.3f}–{max(cpu):.3f}), {statistics.median(wall):.3f} ms wall",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
