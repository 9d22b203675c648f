"""Benchmark (not a test): the desk's own CPU for the database work of a shopper's turn.

Runs the desk's service (``desk.service.DeskService``) in this process against a PostgreSQL
server of its own: each turn stores the shopper's message and claims it, stores the bot's
answer and reads the turn back as the widget does (three transactions); then the widget's
push read of a ten-turn conversation's last turn alone. The bot is a stand-in answering at
once like Rasa's REST channel (a text, buttons every other turn, a request for a rating every
third), so that only the desk's database work and its thread hops are measured; the whole
product under load is ``scripts/bench_turn_cpu.py``'s. Conversations have ten turns each.

Prints this process's CPU (user + system, all threads) a turn for each block and their median;
the spread of the blocks is the noise. Compare two versions of the code by running it on each,
alternately.

    .venv/bin/python scripts/bench_desk_db.py [--blocks 6] [--turns 300]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from desk.notifier import Notifier
from desk.relay import BotMessage, RasaClient
from desk.service import DeskService
from devtools.services import PostgresServer
from shop.clock import clock_from_env
from shop.policy.profile import load_profile, resolve_profile_path
from shop.store.db import create_schema, make_engine, make_session_factory

TURNS_A_CONVERSATION = 10


class AnsweringBot(RasaClient):
    """Answers every message at once, as Rasa's REST channel would shape it (no HTTP call)."""

    def __init__(self) -> None:
        super().__init__("http://127.0.0.1:9", "", 1.0)
        self.turns = 0

    async def send(
        self,
        conversation_id: str,
        text: str,
        client_key: str | None = None,
        message_id: int | None = None,
    ) -> list[BotMessage]:
        self.turns += 1
        buttons = ({"title": "Oui", "payload": "/affirm"},) if self.turns % 2 else ()
        rating = {"feedback": {"topic": "faq/livraison"}} if self.turns % 3 == 0 else {}
        return [BotMessage(text="Votre commande part sous 48 h.", buttons=buttons, custom=rating)]


def blocks_of(label: str, figures: list[float]) -> None:
    shown = " ".join(f"{figure:.2f}" for figure in figures)
    print(f"{label}: median {statistics.median(figures):.2f} ms (blocks: {shown})", flush=True)


async def measure(url: str, blocks: int, turns: int) -> None:
    engine = make_engine(url)
    create_schema(engine)
    profile = load_profile(resolve_profile_path(""))
    service = DeskService(
        make_session_factory(engine), clock_from_env(), profile, AnsweringBot(), Notifier()
    )
    conversation = ""

    async def turn(index: int) -> None:
        nonlocal conversation
        if index % TURNS_A_CONVERSATION == 0:
            conversation = await service.start_conversation()
        await service.shopper_says(conversation, f"où est ma commande ? ({index})")

    for index in range(100):  # warm-up: connections, compiled statements
        await turn(index)
    per_turn = []
    for _ in range(blocks):
        started = time.process_time()
        for index in range(turns):
            await turn(index)
        per_turn.append(1000 * (time.process_time() - started) / turns)
    blocks_of("CPU a turn (store and claim, answers, the turn read back)", per_turn)
    _, read = await service.history(conversation)
    last_turn = int(read[-3]["id"])
    per_read = []
    for _ in range(blocks):
        started = time.process_time()
        for _ in range(turns):
            await service.history(conversation, last_turn)
        per_read.append(1000 * (time.process_time() - started) / turns)
    blocks_of("CPU a push read of a conversation's last turn", per_read)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=6)
    parser.add_argument("--turns", type=int, default=300)
    args = parser.parse_args()
    server = PostgresServer().start()
    try:
        asyncio.run(measure(server.url, args.blocks, args.turns))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
