"""The full load and fault run (a benchmark, not a test): the product as ``scripts/serve.sh``
starts it, with 1 then 2 Rasa servers, Locust's shoppers through nginx.

For each size: 50, 200 and 500 conversations at a shopper's pace (a message every 5-15 s,
10 s on average), then a burst run (no pause: each shopper writes again as soon as the bot
answers) for the turns per second sustained; each run prints p50/p95/p99 of the bot's answer
time (send → answer reaching the shopper; for the whole run, and for the messages sent once
every shopper is in and past a first pause: the ramp opens conversations faster than the
steady state), turns/s, errors, CPU and memory per process (from
the supervisor's pids), and checks the database: every confirmed message stored once and
answered, no ticket duplicated. Then, with ``--faults``, the fault run under load: kill -9 each
kind of process, restart PostgreSQL and Redis, fill the spool's disk, with the time to recover.

    .venv/bin/python scripts/load_test.py [--rasa 1 2] [--users 50 200 500] [--run-time 120]
        [--desks 2] [--burst-users 60] [--faults [desk nginx ...]] [--json out.json]

The desks' per-client limits are off for the run (``loadtest/product.py``). Runs in ~6 min
per Rasa size on a 2-core machine; the machine's other work shows in the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loadtest.checks import check_run, read_journal
from loadtest.faults import FAULTS, SETTLE_S, run_faults, waiting_messages
from loadtest.product import ServedProduct

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class ProcessUsage:
    """CPU (share of one core, averaged over the run) and peak resident memory per program."""

    cpu: dict[str, float] = field(default_factory=dict)
    rss_mb: dict[str, float] = field(default_factory=dict)


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Rasa's and nginx's workers count with their program)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                children.setdefault(int(_stat(int(entry.name))[1]), []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


class UsageSampler(threading.Thread):
    """Samples every supervised program (children included) once a second, from /proc."""

    def __init__(self, product: ServedProduct) -> None:
        super().__init__(daemon=True)
        self.product = product
        self.stop_event = threading.Event()
        self.start_cpu: dict[str, float] = {}
        self.usage = ProcessUsage()
        self.started = 0.0
        self.pids: dict[str, int] = {}

    @staticmethod
    def _cpu(pid: int) -> float:
        """User + system CPU seconds of the program and its children so far: those running
        and those ended (PostgreSQL's server process per connection), which /proc adds to
        their parent's once it has waited for them."""
        total = 0.0
        for member in process_tree(pid):
            with contextlib.suppress(OSError, IndexError):
                fields = _stat(member)
                total += sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")
        return total

    @staticmethod
    def _rss(pid: int) -> float:
        total = 0
        for member in process_tree(pid):
            with contextlib.suppress(OSError, IndexError, ValueError):
                total += int(_stat(member)[21]) * os.sysconf("SC_PAGE_SIZE")
        return total / 2**20

    def run(self) -> None:
        self.pids = self.product.pids()
        self.start_cpu = {name: self._cpu(pid) for name, pid in self.pids.items()}
        self.started = time.monotonic()
        while not self.stop_event.wait(1.0):
            for name, pid in self.pids.items():
                self.usage.rss_mb[name] = max(self.usage.rss_mb.get(name, 0.0), self._rss(pid))

    def finish(self) -> ProcessUsage:
        self.stop_event.set()
        self.join()
        elapsed = time.monotonic() - self.started
        for name, pid in self.pids.items():
            used = self._cpu(pid) - self.start_cpu.get(name, 0.0)
            self.usage.cpu[name] = used / elapsed if elapsed else 0.0
        return self.usage


@dataclass
class RunResult:
    label: str
    rasa: int
    users: int
    think: str
    turns: int = 0
    failures: int = 0
    turns_per_s: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    # The same for the messages sent once every shopper is in (the ramp opens the conversations
    # three times as fast as the steady state does), from ``steady_from_s`` into the run.
    steady_from_s: float = 0.0
    steady_ms: tuple[float, float, float] = (0.0, 0.0, 0.0)
    usage: ProcessUsage = field(default_factory=ProcessUsage)
    check: dict[str, Any] = field(default_factory=dict)
    requests_failed: dict[str, int] = field(default_factory=dict)
    drain_s: float = 0.0  # after the run, until no message waited for the bot


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))] if values else 0.0


def three_percentiles(values: list[float]) -> tuple[float, float, float]:
    """p50, p95 and p99 of ``values``."""
    p50, p95, p99 = (percentile(values, q) for q in (0.5, 0.95, 0.99))
    return p50, p95, p99


def answer_stats(
    journal: Path, csv_prefix: Path, result: RunResult, window_start: float, window_end: float
) -> None:
    """Answer times from the shoppers' journal (every answer, exact percentiles); failed
    requests per kind from Locust's CSV."""
    lines = [entry for entries in read_journal(journal).values() for entry in entries]
    times = [line["answer_ms"] for line in lines if line["answer_ms"] is not None]
    result.turns = len(times)
    # Not answered in time, or never stored; a shopper stopped by the run's end does not count.
    result.failures = sum(
        1 for line in lines if line["stored"] is False or (line["stored"] and not line["answer_ms"])
    )
    result.p50_ms, result.p95_ms, result.p99_ms = three_percentiles(times)
    after_ramp = [
        line["answer_ms"]
        for line in lines
        if line["answer_ms"] is not None
        and window_start <= line["at"] - line["answer_ms"] / 1000 <= window_end
    ]
    result.steady_ms = three_percentiles(after_ramp)
    # Turns per second while every shopper is in: from the end of the ramp to the run's end.
    window = [line["at"] for line in lines if line["answer_ms"] is not None]
    steady = [at for at in window if window_start <= at <= window_end]
    result.turns_per_s = len(steady) / (window_end - window_start) if steady else 0.0
    with open(f"{csv_prefix}_stats.csv", encoding="utf-8") as stats:
        result.requests_failed = {
            f"{row['Type']} {row['Name']}": int(row["Failure Count"])
            for row in csv.DictReader(stats)
            if row["Name"] != "Aggregated" and int(row["Failure Count"])
        }


def one_run(
    product: ServedProduct, label: str, users: int, think: str, run_time_s: int, folder: Path
) -> RunResult:
    result = RunResult(label, product.rasa, users, think)
    journal = folder / f"{label}.jsonl"
    prefix = folder / label
    sampler = UsageSampler(product)
    sampler.start()
    started = time.time()
    spawn_rate = max(5.0, users / 20)  # everyone in within ~20 s
    product.locust(users, run_time_s, journal, think, spawn_rate, prefix, stop_timeout_s=60).wait()
    result.usage = sampler.finish()
    # Steady state: every shopper in, each past a first pause.
    ramp_s = users / spawn_rate + float(think.rpartition("-")[2])
    window_start = started + min(ramp_s, run_time_s / 2)
    result.steady_from_s = window_start - started
    answer_stats(journal, prefix, result, window_start, started + run_time_s)
    # The messages the bot missed (a relay timed out) are relayed by the desks' recovery pass.
    settled = time.monotonic()
    conversations = read_journal(journal)
    while (
        waiting_messages(product.database_url, conversations)
        and time.monotonic() < settled + SETTLE_S
    ):
        time.sleep(2)
    result.drain_s = time.monotonic() - settled
    result.check = check_run(product.database_url, journal).as_dict()
    return result


def print_run(result: RunResult, product: ServedProduct) -> None:
    check = result.check
    print(
        f"\n[{result.label}] Rasa x{result.rasa}, {result.users} conversations, think "
        f"{result.think} s: {result.turns} answers, {result.turns_per_s:.1f} turns/s, "
        f"p50 {result.p50_ms:.0f} ms, p95 {result.p95_ms:.0f} ms, p99 {result.p99_ms:.0f} ms, "
        f"{result.failures} failed answers"
    )
    p50, p95, p99 = result.steady_ms
    print(
        f"  sent after the ramp (from {result.steady_from_s:.0f} s): p50 {p50:.0f} ms, "
        f"p95 {p95:.0f} ms, p99 {p99:.0f} ms"
    )
    print(
        f"  database: {check['stored']} stored / {check['sent']} sent, {check['answered']} "
        f"answered, {check['waiting']} waiting, {check['with_agent']} with an agent, "
        f"{check['tickets']} tickets, problems: {len(check['problems'])}; backlog drained in "
        f"{result.drain_s:.0f} s"
    )
    for problem in check["problems"][:10]:
        print(f"    {problem}")
    if result.requests_failed:
        print(f"  failed requests: {result.requests_failed}")
        print(product.problems_logged())  # who closed or refused what (the logs go at the end)
    for name in sorted(result.usage.cpu):
        print(
            f"  {name:<12} CPU {100 * result.usage.cpu[name]:5.1f} % of a core, "
            f"peak RSS {result.usage.rss_mb.get(name, 0):7.0f} MB"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rasa", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--users", type=int, nargs="+", default=[50, 200, 500])
    parser.add_argument("--desks", type=int, default=2, help="desk workers")
    parser.add_argument("--run-time", type=int, default=120, help="seconds per paced run")
    parser.add_argument("--burst-users", type=int, default=60)
    parser.add_argument("--burst-time", type=int, default=60)
    parser.add_argument(
        "--faults",
        nargs="*",
        choices=FAULTS,
        help="also the fault run, on the last size (no name: every fault)",
    )
    parser.add_argument("--json", type=Path, help="write every figure there")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bijou-load-results-"))
    results: list[RunResult] = []
    recoveries: list[dict[str, Any]] = []
    for rasa in args.rasa:
        product = ServedProduct(rasa=rasa, actions=1, desks=args.desks)
        try:
            product.start()
            print(f"\n==> Rasa x{rasa}: serve.sh ready in {product.ready_s:.0f} s", flush=True)
            for users in args.users:
                result = one_run(product, f"r{rasa}-u{users}", users, "5-15", args.run_time, folder)
                print_run(result, product)
                results.append(result)
            burst = one_run(
                product, f"r{rasa}-burst", args.burst_users, "0", args.burst_time, folder
            )
            print_run(burst, product)
            results.append(burst)
            if args.faults is not None and rasa == args.rasa[-1]:
                for fault in run_faults(product, folder, args.faults or FAULTS):
                    recoveries.append(fault)
                    print(f"  fault {fault['fault']}: {json.dumps(fault, ensure_ascii=False)}")
        finally:
            product.remove()
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "runs": [r.__dict__ | {"usage": r.usage.__dict__} for r in results],
                    "faults": recoveries,
                },
                indent=1,
                ensure_ascii=False,
            )
        )
    print(f"\nLocust logs and journals in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
