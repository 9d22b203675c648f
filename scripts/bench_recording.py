"""Benchmark (not a test): what recording a turn (``bot_turns``) adds to Rasa's tracker save.

Saves the same realistic turns (full parse data, actions, a bot answer) through the tracker
store the Rasa server uses (``bot/tracker_store.py``), on a temporary SQLite file, with the
recorder on and off in alternating blocks (so that drift hits both alike). Prints the time the
recorder itself takes in a save (timed around it: the direct figure), the median save time
with and without it, and the noise: the spread of the block medians of one kind.

    .venv/bin/python scripts/bench_recording.py [--conversations 20] [--turns 10] [--blocks 20]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

import bot.tracker_store as tracker_store
from bot.turn_recorder import record_new_events

ROOT = Path(__file__).resolve().parent.parent

INTENTS = ["track_order", "cancel_order", "return_item", "faq", "greet", "thanks", "inform"]


def parse_data(step: int) -> dict[str, Any]:
    ranking = [{"name": name, "confidence": 0.9 / (i + 1)} for i, name in enumerate(INTENTS)]
    return {
        "intent": ranking[step % len(INTENTS)],
        "intent_ranking": ranking,
        "entities": [{"entity": "order_number", "value": "482913", "start": 0, "end": 6}],
        "response_selector": {
            "faq": {"response": {"intent_response_key": "faq/livraison_delais", "confidence": 0.7}}
        },
        "faq_candidates": [{"faq_id": "livraison_delais", "confidence": 0.3}] * 3,
    }


async def run_block(store: Any, senders: list[str], turns: int, clock: list[float]) -> list[float]:
    """Each conversation's ``turns`` turns, saved one by one; the seconds of each save."""
    durations = []
    for turn in range(turns):
        for sender in senders:
            tracker = await store.get_or_create_tracker(sender)
            clock[0] += 1.0
            parse = parse_data(turn)
            tracker.update(
                UserUttered(
                    "où en est ma commande 482913 ?",
                    parse["intent"],
                    parse_data=parse,
                    timestamp=clock[0],
                )
            )
            tracker.update(ActionExecuted("track_form", timestamp=clock[0] + 0.1))
            tracker.update(SlotSet("order_number", "482913", timestamp=clock[0] + 0.2))
            tracker.update(BotUttered("Quelle est l'adresse e-mail ?", timestamp=clock[0] + 0.3))
            tracker.update(ActionExecuted("action_listen", timestamp=clock[0] + 0.4))
            started = time.perf_counter()
            await store.save(tracker)
            durations.append(time.perf_counter() - started)
    return durations


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--blocks", type=int, default=20, help="alternating on/off blocks")
    args = parser.parse_args()
    domain = Domain.load(ROOT / "domain.yml")
    recorder_s: list[float] = []

    def timed_recorder(*args: Any) -> None:
        started = time.perf_counter()
        record_new_events(*args)
        recorder_s.append(time.perf_counter() - started)

    results: dict[bool, list[float]] = {True: [], False: []}
    block_medians: dict[bool, list[float]] = {True: [], False: []}
    with tempfile.TemporaryDirectory() as workdir:
        store = tracker_store.CountFreeSQLTrackerStore(domain, db=str(Path(workdir) / "b.db"))
        clock = [1_800_000_000.0]
        for block in range(args.blocks):
            recording = block % 2 == 0
            recorder = timed_recorder if recording else (lambda *_: None)
            tracker_store.record_new_events = recorder  # type: ignore[assignment]
            senders = [f"b{block}-c{i}" for i in range(args.conversations)]
            durations = asyncio.run(run_block(store, senders, args.turns, clock))
            results[recording].extend(durations)
            block_medians[recording].append(statistics.median(durations))
        tracker_store.record_new_events = record_new_events
    on, off = (statistics.median(results[flag]) * 1000 for flag in (True, False))
    noise = max(
        max(medians) - min(medians) for medians in block_medians.values() if len(medians) > 1
    )
    saves = len(results[True]) + len(results[False])
    print(
        f"tracker saves: {saves} ({args.conversations} conversations x {args.turns} turns "
        f"x {args.blocks} blocks), SQLite file"
    )
    inside = sorted(recorder_s)
    print(
        f"recorder inside a save: median {statistics.median(inside) * 1000:.3f} ms, "
        f"p95 {inside[int(0.95 * (len(inside) - 1))] * 1000:.3f} ms"
    )
    print(f"median save with recording:    {on:.3f} ms")
    print(f"median save without recording: {off:.3f} ms")
    print(f"recording adds:                {on - off:+.3f} ms per turn")
    print(f"noise (spread of block medians of one kind): {noise * 1000:.3f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
