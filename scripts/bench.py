"""Benchmark (not a test): print how fast and how big the assistant is on this machine.

Figures: model load time in process, NLU parse latency p50/p95 in process and over HTTP, full
turn latency over HTTP (a turn that runs a custom action and queries the database), server cold
start to first answer, training time (last measured by scripts/ensure_model.py, or measured now
with --train), and the peak resident memory of each process.

    .venv/bin/python scripts/bench.py [--turns 200] [--train]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.servers import Stack, model_path, new_sender  # noqa: E402

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


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def self_peak_rss_mb() -> float:
    return peak_rss_mb(os.getpid())


def quiet_rasa() -> None:
    """Rasa logs every parse at debug level by default; a benchmark measures the work only."""
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)


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
        text = MESSAGES[i % len(MESSAGES)]
        started = time.perf_counter()
        loop.run_until_complete(agent.parse_message(text))
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "load_s": load_s,
        "p50_ms": percentile(timings, 0.5),
        "p95_ms": percentile(timings, 0.95),
        "peak_mb": self_peak_rss_mb(),
    }


def over_http(stack: Stack, rounds: int) -> dict[str, float]:
    parse = []
    for i in range(rounds):
        started = time.perf_counter()
        stack.parse(MESSAGES[i % len(MESSAGES)])
        parse.append((time.perf_counter() - started) * 1000)
    turns = []
    for _ in range(max(1, rounds // 4)):
        sender = new_sender("bench")
        stack.say(sender, "où en est ma commande 482913 ?")
        started = time.perf_counter()
        stack.say(sender, "claire.martin@gmail.com")  # identity check + tracking decision
        turns.append((time.perf_counter() - started) * 1000)
    return {
        "parse_p50_ms": percentile(parse, 0.5),
        "parse_p95_ms": percentile(parse, 0.95),
        "turn_p50_ms": percentile(turns, 0.5),
        "turn_p95_ms": percentile(turns, 0.95),
        "turns": float(len(turns)),
    }


def last_training_seconds(model: Path) -> float | None:
    record = model.with_suffix("").with_suffix(".train-seconds")
    return float(record.read_text()) if record.exists() else None


def measure_training() -> float:
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        subprocess.run(
            [str(ROOT / ".venv/bin/rasa"), "train", "--out", out, "--data", "bot/data"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--train", action="store_true", help="also time a full training")
    args = parser.parse_args()
    model = model_path()

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, model {model.name}")
    local = in_process(model, args.rounds)
    print(f"model load (in process)        {local['load_s']:.1f} s")
    print(
        f"NLU parse in process           p50 {local['p50_ms']:.1f} ms  p95 {local['p95_ms']:.1f} ms"
    )
    print(f"peak memory, in-process agent  {local['peak_mb']:.0f} MB")

    with tempfile.TemporaryDirectory() as workdir:
        stack = Stack(Path(workdir))
        stack.seed()
        stack.start_actions()
        started = time.perf_counter()
        stack.start_rasa(model)
        stack.say(new_sender("bench"), "bonjour")
        cold_start = time.perf_counter() - started
        try:
            http = over_http(stack, args.rounds)
            print(f"cold start to first answer     {cold_start:.1f} s")
            print(
                f"NLU parse over HTTP            p50 {http['parse_p50_ms']:.1f} ms  "
                f"p95 {http['parse_p95_ms']:.1f} ms"
            )
            print(
                f"full turn over HTTP (action+DB) p50 {http['turn_p50_ms']:.1f} ms  "
                f"p95 {http['turn_p95_ms']:.1f} ms  ({http['turns']:.0f} turns)"
            )
            for name, process in stack.processes.items():
                print(f"peak memory, {name:<17} {peak_rss_mb(process.pid):.0f} MB")
        finally:
            stack.stop_all()

    trained = measure_training() if args.train else last_training_seconds(model)
    label = "measured now" if args.train else "last training of this model"
    print(f"training time ({label})  " + (f"{trained:.0f} s" if trained else "unknown"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
