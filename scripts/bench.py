"""Benchmark (not a test): how fast and how big the assistant is on this machine.

Prints, against the real servers on loopback: model load time and NLU parse latency in process
and over HTTP; full-turn latency (message in → answer out, with a custom action and a database
query) p50/p95 at 1, 10 and 50 concurrent conversations (all sending at the same instant, the
worst case) and with 50 conversations open at a shopper's pace, and the throughput; cold start
to the first answer; training time; the peak memory of each process. Each figure also as a ratio
against a simple baseline measured in the same run: a TF-IDF + logistic-regression intent
classifier trained on the same data.

    .venv/bin/python scripts/bench.py [--rounds 200] [--train] [--think 5] [--paced-for 60]

``--desk`` measures instead the path a widget message takes (desk → Rasa → action server →
database): CPU milliseconds per turn of each process, latency and turns/s through the desk's
HTTP API, and a turn early in a long conversation against one late in it; ``--py-spy PATH``
also records where each process spends its CPU during the concurrent run (collapsed stacks).

    .venv/bin/python scripts/bench.py --desk [--py-spy /tmp/venv/bin/py-spy] [--out DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from devtools.desk import DeskServer
from devtools.servers import Stack, model_path, new_sender
from devtools.services import free_port
from devtools.shopper import TOKEN_HEADER
from scripts.ensure_model import TRAINING_ENV, training_command
from shop.store.demo import DEMO_ORDERS

ROOT = Path(__file__).resolve().parent.parent

MESSAGES = [
    "slt jveux annulé ma cmd 482913",
    "où en est mon colis ?",
    "ma bague est trop petite, il me faudrait du 56",
    "le code BIENVENUE10 ne marche pas",
    "mon colis est marqué livré mais j'ai rien reçu",
    "je voudrais retourner un bracelet",
    "bonjour",
    "merci beaucoup",
    "je veux parler à un conseiller",
    "quel temps fait-il à Paris ?",
]
TRACKED = DEMO_ORDERS["shipped_on_time"]
# The measured journey: ask to track an order, then give the email (identity check, tracking
# decision and a database query in the action server).
TRACKING_JOURNEY = (f"où en est ma commande {TRACKED.number}", TRACKED.email)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def quiet_rasa() -> None:
    """Rasa logs every parse at debug level by default; a benchmark measures the work only."""
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)


@dataclass
class Baseline:
    """TF-IDF (word + char n-grams) and logistic regression on the same training examples."""

    train_s: float
    parse_p50_ms: float
    parse_p95_ms: float
    macro_f1: float


def baseline(rounds: int) -> Baseline:
    from rasa.shared.nlu.training_data.loading import load_data
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.pipeline import make_pipeline, make_union

    train = load_data(str(ROOT / "bot/data/nlu.yml")).intent_examples
    heldout = load_data(str(ROOT / "tests/nlu/heldout.yml")).intent_examples
    started = time.perf_counter()
    model = make_pipeline(
        make_union(
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
        ),
        LogisticRegression(max_iter=2000, C=10),
    )
    model.fit([m.get("text") for m in train], [m.get("intent") for m in train])
    train_s = time.perf_counter() - started
    predicted = model.predict([m.get("text") for m in heldout])
    gold = [m.get("intent") for m in heldout]
    timings = []
    for i in range(rounds):
        started = time.perf_counter()
        model.predict([MESSAGES[i % len(MESSAGES)]])
        timings.append((time.perf_counter() - started) * 1000)
    return Baseline(
        train_s,
        percentile(timings, 0.5),
        percentile(timings, 0.95),
        float(f1_score(gold, predicted, average="macro")),
    )


def in_process(model: Path, rounds: int) -> dict[str, float]:
    from rasa.core.agent import Agent

    quiet_rasa()
    started = time.perf_counter()
    agent = Agent.load(str(model))
    load_s = time.perf_counter() - started
    loop = asyncio.new_event_loop()
    for text in MESSAGES:  # warm-up
        loop.run_until_complete(agent.parse_message(text))
    timings = []
    for i in range(rounds):
        started = time.perf_counter()
        loop.run_until_complete(agent.parse_message(MESSAGES[i % len(MESSAGES)]))
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "load_s": load_s,
        "p50_ms": percentile(timings, 0.5),
        "p95_ms": percentile(timings, 0.95),
        "peak_mb": peak_rss_mb(os.getpid()),
    }


def parse_over_http(stack: Stack, rounds: int) -> tuple[float, float]:
    """One kept-alive connection, as the widget's server would hold: a new httpx client per
    request spends ~20 ms building its TLS context before it sends anything."""
    timings = []
    with httpx.Client(base_url=stack.rasa_url, params={"token": stack.token}) as client:
        for i in range(rounds):
            started = time.perf_counter()
            response = client.post("/model/parse", json={"text": MESSAGES[i % len(MESSAGES)]})
            response.raise_for_status()
            timings.append((time.perf_counter() - started) * 1000)
    return percentile(timings, 0.5), percentile(timings, 0.95)


async def conversation(client: httpx.AsyncClient, url: str, turns: list[float]) -> None:
    """The tracking journey, its second turn (the one with the action and the query) timed."""
    ask, email = TRACKING_JOURNEY
    sender = new_sender("bench")
    await client.post(url, json={"sender": sender, "message": ask})
    started = time.perf_counter()
    response = await client.post(url, json={"sender": sender, "message": email})
    response.raise_for_status()
    turns.append((time.perf_counter() - started) * 1000)


async def load(stack: Stack, concurrency: int, total: int) -> tuple[float, float, float]:
    url = f"{stack.rasa_url}/webhooks/rest/webhook"
    turns: list[float] = []
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        started = time.perf_counter()
        for start in range(0, total, concurrency):
            batch = range(start, min(total, start + concurrency))
            await asyncio.gather(*(conversation(client, url, turns) for _ in batch))
        elapsed = time.perf_counter() - started
    throughput = 2 * total / elapsed  # two turns per conversation
    return percentile(turns, 0.5), percentile(turns, 0.95), throughput


async def paced_conversation(
    client: httpx.AsyncClient, url: str, think_s: float, until: float, turns: list[float]
) -> None:
    """A shopper who reads each answer and types the next message: an exponential pause of
    mean ``think_s`` before every message, the tracking journey over and over, every turn timed."""
    rng = random.Random()
    while True:
        sender = new_sender("paced")
        for message in TRACKING_JOURNEY:
            await asyncio.sleep(rng.expovariate(1 / think_s))
            if time.perf_counter() >= until:
                return
            started = time.perf_counter()
            response = await client.post(url, json={"sender": sender, "message": message})
            response.raise_for_status()
            turns.append((time.perf_counter() - started) * 1000)


async def paced_load(
    stack: Stack, conversations: int, think_s: float, duration_s: float
) -> tuple[float, float, float, int]:
    """``conversations`` open at once at a shopper's pace, rather than all sending at the same
    instant as in ``load``: the turn latency a shop would see with that many chats open."""
    url = f"{stack.rasa_url}/webhooks/rest/webhook"
    turns: list[float] = []
    limits = httpx.Limits(max_connections=conversations)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        until = time.perf_counter() + duration_s
        await asyncio.gather(
            *(paced_conversation(client, url, think_s, until, turns) for _ in range(conversations))
        )
    return percentile(turns, 0.5), percentile(turns, 0.95), len(turns) / duration_s, len(turns)


# A shopper's visit through the widget: a greeting, the tracking journey (form, identity check,
# tracking decision), a FAQ question and thanks.
DESK_JOURNEY = ("bonjour", *TRACKING_JOURNEY, "je peux payer en plusieurs fois ?", "merci")
# A long conversation that never starts a form nor hands over: FAQ questions and small talk.
LONG_CHAT = (
    "je peux payer en plusieurs fois ?",
    "merci",
    "quels sont les délais de livraison ?",
    "bonjour",
    "vos bijoux sont en or massif ?",
    "ok merci beaucoup",
)


class DeskShopper:
    """One widget conversation over the desk's HTTP API (its token carried like the widget)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.path = ""
        self.headers: dict[str, str] = {}

    async def open(self) -> None:
        response = await self.client.post("/api/chat")
        response.raise_for_status()
        data = response.json()
        self.path = f"/api/chat/{data['id']}/messages"
        self.headers = {TOKEN_HEADER: data["token"]}

    async def say(self, text: str) -> float:
        """Milliseconds until the desk returns the bot's answers (it has stored them)."""
        started = time.perf_counter()
        response = await self.client.post(self.path, json={"text": text}, headers=self.headers)
        response.raise_for_status()
        if not any(m["author"] != "shopper" for m in response.json()["messages"]):
            raise RuntimeError(f"no answer to {text!r}")
        return (time.perf_counter() - started) * 1000


def cpu_of(pids: dict[str, int]) -> dict[str, float]:
    return {name: cpu_seconds(pid) for name, pid in pids.items()}


def cpu_ms_per_turn(before: dict[str, float], after: dict[str, float], turns: int) -> str:
    spent = {name: (after[name] - before[name]) * 1000 / turns for name in before}
    each = ", ".join(f"{name} {ms:.1f}" for name, ms in spent.items())
    return f"{each} (total {sum(spent.values()):.1f})"


async def desk_visits(url: str, concurrency: int, visits: int) -> tuple[list[float], float]:
    """``visits`` shoppers, ``concurrency`` at once, each through ``DESK_JOURNEY``."""
    turns: list[float] = []
    queue = list(range(visits))
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:

        async def worker() -> None:
            while queue:
                queue.pop()
                shopper = DeskShopper(client)
                await shopper.open()
                for text in DESK_JOURNEY:
                    turns.append(await shopper.say(text))

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return turns, time.perf_counter() - started


async def long_chats(
    url: str, pids: dict[str, int], chats: int, length: int
) -> list[tuple[dict[str, float], list[float]]]:
    """``chats`` conversations that each send ``length`` messages, message by message in
    step: the CPU each process spent on every step, and the steps' latencies."""
    steps: list[tuple[dict[str, float], list[float]]] = []
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        shoppers = [DeskShopper(client) for _ in range(chats)]
        for shopper in shoppers:
            await shopper.open()
        for step in range(length):
            before = cpu_of(pids)
            latencies = await asyncio.gather(
                *(s.say(LONG_CHAT[step % len(LONG_CHAT)]) for s in shoppers)
            )
            after = cpu_of(pids)
            steps.append(({n: (after[n] - before[n]) * 1000 / chats for n in pids}, latencies))
    return steps


def spy(py_spy: str, pid: int, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            py_spy,
            "record",
            "--pid",
            str(pid),
            "--format",
            "raw",
            "--rate",
            "200",
            "--output",
            str(out),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def desk_bench(args: argparse.Namespace, model: Path) -> None:
    """The widget's path, desk included: CPU per turn per process, latency, turns/s."""
    with tempfile.TemporaryDirectory() as workdir:
        stack = Stack(Path(workdir), rasa_port=free_port(), actions_port=free_port())
        stack.seed()
        stack.start_actions()
        stack.start_rasa(model)
        desk = DeskServer(stack).start()
        try:
            assert desk.process is not None
            pids = {"desk": desk.process.pid}
            pids.update({name: process.pid for name, process in stack.processes.items()})
            asyncio.run(desk_visits(desk.url, 2, 4))  # warm-up
            for concurrency, visits in ((1, 10), (10, 40)):
                spies = []
                if args.py_spy and concurrency > 1:
                    args.out.mkdir(parents=True, exist_ok=True)
                    spies = [
                        spy(args.py_spy, pid, args.out / f"{name}.txt")
                        for name, pid in pids.items()
                    ]
                before = cpu_of(pids)
                turns, elapsed = asyncio.run(desk_visits(desk.url, concurrency, visits))
                after = cpu_of(pids)
                for process in spies:
                    process.send_signal(signal.SIGINT)
                    process.wait(timeout=60)
                row(
                    f"desk turn, {concurrency} conversations at once",
                    f"p50 {percentile(turns, 0.5):.0f} ms p95 {percentile(turns, 0.95):.0f} ms",
                    f"{len(turns) / elapsed:.1f} turns/s, {len(turns)} turns",
                )
                row("  CPU ms per turn", cpu_ms_per_turn(before, after, len(turns)))
            steps = asyncio.run(long_chats(desk.url, pids, args.long_chats, args.long_length))
            for label, chosen in (
                ("messages 1-10", steps[:10]),
                (f"messages {len(steps) - 9}-{len(steps)}", steps[-10:]),
            ):
                cpu = {n: sum(s[0][n] for s in chosen) / len(chosen) for n in pids}
                latencies = [ms for s in chosen for ms in s[1]]
                row(
                    f"long conversation, {label}",
                    f"p50 {percentile(latencies, 0.5):.0f} ms",
                    "CPU ms/turn " + ", ".join(f"{n} {ms:.1f}" for n, ms in cpu.items()),
                )
            for name, pid in pids.items():
                row(f"peak memory, {name}", f"{peak_rss_mb(pid):.0f} MB")
        finally:
            desk.stop()
            stack.stop_all()


def last_training_seconds(model: Path) -> float | None:
    record = model.with_suffix("").with_suffix(".train-seconds")
    return float(record.read_text()) if record.exists() else None


def measure_training() -> float:
    """A full training from scratch, as scripts/ensure_model.py runs it."""
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        subprocess.run(
            training_command(Path(out), "bench"),
            cwd=ROOT,
            check=True,
            capture_output=True,
            env={**os.environ, **TRAINING_ENV},
        )
        return time.perf_counter() - started


def row(label: str, value: str, ratio: str = "") -> None:
    print(f"  {label:<44} {value:<26} {ratio}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--train", action="store_true", help="also time a full training")
    parser.add_argument("--model", type=Path, help="another model archive to measure")
    parser.add_argument(
        "--think", type=float, default=5.0, help="mean pause between a shopper's messages (s)"
    )
    parser.add_argument(
        "--paced-for", type=float, default=60.0, help="length of the shopper-pace run (s)"
    )
    parser.add_argument("--desk", action="store_true", help="measure the widget's path only")
    parser.add_argument("--py-spy", help="with --desk: py-spy to profile each process with")
    parser.add_argument("--out", type=Path, default=ROOT / ".var" / "reports" / "turn-profile")
    parser.add_argument("--long-chats", type=int, default=5, help="with --desk")
    parser.add_argument("--long-length", type=int, default=60, help="with --desk")
    args = parser.parse_args()
    model = args.model or model_path()
    if args.desk:
        print(f"machine: {os.cpu_count()} cores; model: {model.name}")
        desk_bench(args, model)
        return 0

    python = platform.python_version()
    print(f"machine: {os.cpu_count()} cores, {platform.platform()}, Python {python}")
    print(f"model: {model.name}\n")
    # Trained first, while this process holds no model and no server runs.
    trained = measure_training() if args.train else last_training_seconds(model)
    base = baseline(args.rounds)
    local = in_process(model, args.rounds)
    row("baseline TF-IDF+LR: training", f"{base.train_s:.1f} s")
    row("baseline TF-IDF+LR: held-out macro-F1", f"{base.macro_f1:.3f}")
    row("baseline TF-IDF+LR: parse in process", f"p50 {base.parse_p50_ms:.2f} ms")
    row("model load in process", f"{local['load_s']:.1f} s")
    row(
        "NLU parse in process",
        f"p50 {local['p50_ms']:.1f} ms p95 {local['p95_ms']:.1f} ms",
        f"×{local['p50_ms'] / base.parse_p50_ms:.0f} baseline p50",
    )
    row("peak memory, in-process agent", f"{local['peak_mb']:.0f} MB")

    with tempfile.TemporaryDirectory() as workdir:
        stack = Stack(Path(workdir))
        stack.seed()
        stack.start_actions()
        started = time.perf_counter()
        stack.start_rasa(model)
        stack.say(new_sender("bench"), "bonjour")
        cold_start = time.perf_counter() - started
        try:
            row("cold start to first answer (Rasa server)", f"{cold_start:.1f} s")
            p50, p95 = parse_over_http(stack, args.rounds)
            row(
                "NLU parse over HTTP",
                f"p50 {p50:.1f} ms p95 {p95:.1f} ms",
                f"×{p50 / base.parse_p50_ms:.0f} baseline p50",
            )
            pids = {name: process.pid for name, process in stack.processes.items()}
            for concurrency in (1, 10, 50):
                total = max(concurrency * 2, 20)
                cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
                t50, t95, rate = asyncio.run(load(stack, concurrency, total))
                row(
                    f"full turn, {concurrency} concurrent conversations",
                    f"p50 {t50:.0f} ms p95 {t95:.0f} ms",
                    f"{rate:.1f} turns/s",
                )
                # Each server handles one turn at a time: its CPU per turn bounds the queue.
                per_turn = {
                    name: (cpu_seconds(pid) - cpu_before[name]) * 1000 / (2 * total)
                    for name, pid in pids.items()
                }
                row(
                    "  CPU per turn",
                    ", ".join(f"{name} {ms:.0f} ms" for name, ms in per_turn.items()),
                )
            t50, t95, rate, count = asyncio.run(paced_load(stack, 50, args.think, args.paced_for))
            row(
                f"full turn, 50 open at shopper pace ({args.think:g} s)",
                f"p50 {t50:.0f} ms p95 {t95:.0f} ms",
                f"{rate:.1f} turns/s, {count} turns",
            )
            for name, process in stack.processes.items():
                row(f"peak memory, {name} server", f"{peak_rss_mb(process.pid):.0f} MB")
        finally:
            stack.stop_all()

    label = "from scratch, now" if args.train else "last run, Rasa's cache may help"
    value = f"{trained:.0f} s" if trained else "unknown"
    ratio = f"×{trained / base.train_s:.0f} baseline" if trained else ""
    row(f"full training ({label})", value, ratio)
    return 0


if __name__ == "__main__":
    sys.exit(main())
