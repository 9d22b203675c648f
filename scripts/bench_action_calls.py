"""Benchmark (not a test): the Rasa side's CPU for one call to the action server, with Rasa's
own session (a new connection a call) and with ``bot/action_connections.py`` (kept ones).

Starts the real action server on loopback and calls its ``/health`` through Rasa's
``EndpointConfig.request`` from this process, in alternating blocks of each kind (so that the
machine's drift falls on both); prints the median CPU (user + system) and wall time a call of
each kind, and the noise: the spread of the block medians of one kind.

    .venv/bin/python scripts/bench_action_calls.py [--blocks 10] [--calls 300]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rasa.utils.endpoints import EndpointConfig

from bot import action_connections
from devtools.servers import Stack

RASA_SESSION = EndpointConfig.session


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def block(endpoint: EndpointConfig, calls: int) -> tuple[float, float]:
    """CPU and wall milliseconds a call, over ``calls`` calls."""
    cpu, wall = cpu_s(), time.perf_counter()
    for _ in range(calls):
        await endpoint.request(method="get", subpath="health")
    return 1000 * (cpu_s() - cpu) / calls, 1000 * (time.perf_counter() - wall) / calls


async def measure(url: str, blocks: int, calls: int) -> dict[str, list[tuple[float, float]]]:
    endpoint = EndpointConfig(url=url)
    kinds = {"Rasa's session": RASA_SESSION, "kept connection": action_connections.session}
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in kinds}
    for session in kinds.values():  # warm-up
        EndpointConfig.session = session
        await block(endpoint, 50)
    for _ in range(blocks):
        for name, session in kinds.items():
            EndpointConfig.session = session
            results[name].append(await block(endpoint, calls))
    await action_connections.close_loop_connector()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--blocks", type=int, default=10)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bijou-action-calls-") as folder:
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
