"""Benchmark (not a test): the Rasa server's CPU for a turn early and late in a long conversation.

In one process, the trained model with the product's tracker store (``bot/tracker_store.py``,
on a temporary SQLite file) and Rasa's turn changed as every Rasa server changes it
(``scripts/rasa_run.py``'s ``change_turns``; ``--rasas-own`` measures Rasa's own turn instead):
``--conversations`` conversations of ``--length`` messages, greetings and thanks in turn (the
bot answers them with responses: no action server), and the process's CPU milliseconds for
each message. Prints the median of the conversations at messages 1–10, in the middle and at the
last ten, and the growth. Whole-product figures through the desk: ``scripts/bench.py --desk``.

    .venv/bin/python scripts/bench_conversation_length.py [--length 150] [--conversations 3]
        [--rasas-own]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.rasa_run import block_unused, change_turns, one_compute_thread  # noqa: E402

MESSAGES = ("bonjour", "merci beaucoup", "bonjour !", "merci", "salut")


async def cpu_ms_by_message(length: int, conversations: int) -> list[list[float]]:
    """CPU ms of each message (outer list) in each conversation (inner list)."""
    from rasa.core.agent import load_agent
    from rasa.core.channels import UserMessage
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog
    from rasa.utils.tensorflow.environment import setup_tf_environment

    from bot.tracker_store import CountFreeSQLTrackerStore
    from devtools.servers import model_path

    configure_logging_and_warnings(logging.INFO)  # as `rasa run` without --debug
    configure_structlog(logging.INFO)
    setup_tf_environment()  # as `rasa run`: TensorFlow's threads from the environment
    agent = await load_agent(model_path=str(model_path()))
    with tempfile.TemporaryDirectory() as folder:
        store = CountFreeSQLTrackerStore(agent.domain, dialect="sqlite", db=f"{folder}/t.db")
        agent.tracker_store = agent.processor.tracker_store = store
        await agent.handle_message(UserMessage("bonjour", sender_id="warm-up"))
        by_message: list[list[float]] = [[] for _ in range(length)]
        for conversation in range(conversations):
            for index in range(length):
                message = UserMessage(MESSAGES[index % len(MESSAGES)], sender_id=f"c{conversation}")
                started = time.process_time()
                await agent.handle_message(message)
                by_message[index].append((time.process_time() - started) * 1000)
    return by_message


def median_of(by_message: list[list[float]], first: int, last: int) -> float:
    """The median over conversations of the mean CPU ms of messages ``first``..``last``."""
    means = [
        statistics.fmean(by_message[i][c] for i in range(first - 1, last))
        for c in range(len(by_message[0]))
    ]
    return statistics.median(means)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=int, default=150, help="messages a conversation")
    parser.add_argument("--conversations", type=int, default=3)
    parser.add_argument("--rasas-own", action="store_true", help="Rasa's turn, not the product's")
    args = parser.parse_args()
    if args.length < 30:
        parser.error("--length: at least 30 messages")
    block_unused()
    one_compute_thread()
    if not args.rasas_own:
        change_turns()
    by_message = asyncio.run(cpu_ms_by_message(args.length, args.conversations))
    middle = args.length // 2
    early = median_of(by_message, 1, 10)
    rows = [
        ("messages 1-10", early),
        (f"messages {middle - 9}-{middle}", median_of(by_message, middle - 9, middle)),
        (
            f"messages {args.length - 9}-{args.length}",
            median_of(by_message, args.length - 9, args.length),
        ),
    ]
    turn = "Rasa's own turn" if args.rasas_own else "the product's turn"
    print(
        f"{turn}, {args.conversations} conversations of {args.length} messages, CPU ms a message:"
    )
    for label, ms in rows:
        print(f"  {label:<18} {ms:6.1f} ms  ({(ms / early - 1) * 100:+.0f} % on messages 1-10)")


if __name__ == "__main__":
    main()
