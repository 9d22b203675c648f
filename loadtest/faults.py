"""Faults under load on the served product: while Locust's shoppers write through nginx, kill -9
one process of each kind (supervisord restarts it), restart PostgreSQL and Redis, fill the disk
of the ticket spool; then check the database (``loadtest.checks``) once the recovery pass had
its chance, and measure the time to recover:

- ``back_s``: until the supervisor runs the program again and it answers its health check;
- ``answering_s``: until a new shopper gets the bot's answer through nginx again.

The spool's disk is a 64 KiB tmpfs mounted on the spool's folder and filled (we run as root);
if the mount is refused the fault is reported as skipped, never faked.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, or_, select

from loadtest.checks import check_run, read_journal
from loadtest.product import ServedProduct
from shop.store.conversations import Message, MessageAuthor
from shop.store.db import make_engine, make_session_factory

FAULTS = ("desk", "nginx", "actions", "rasa", "redis", "postgres", "spool_full")
SETTLE_S = 120  # the recovery pass backs off to 30 s: a few passes
TOKEN_HEADER = "X-Conversation-Token"


def bot_answers(product: ServedProduct, timeout_s: float = 10) -> bool:
    """A new conversation through nginx gets the bot's answer in the response."""
    try:
        with httpx.Client(base_url=product.url, timeout=timeout_s) as client:
            created = client.post("/api/chat")
            if created.status_code != 201:
                return False
            data = created.json()
            said = client.post(
                f"/api/chat/{data['id']}/messages",
                json={"text": "bonjour"},
                headers={TOKEN_HEADER: data["token"]},
            )
            messages = said.json().get("messages", []) if said.status_code == 200 else []
            return any(m["author"] == "bot" for m in messages)
    except (httpx.HTTPError, ValueError):
        return False


def time_until_answering(product: ServedProduct, since: float, limit_s: float = 240) -> float:
    while time.monotonic() - since < limit_s:
        if bot_answers(product):
            return time.monotonic() - since
        time.sleep(0.5)
    return float("inf")


def waiting_messages(database_url: str, conversations: Iterable[str]) -> int:
    """Shopper messages of these conversations still owed to the bot: waiting (``relayed``
    false) or claimed by a desk and not answered yet (a dead desk's claim waits for its
    lease, then the recovery pass sends it again)."""
    ids = list(conversations)
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            total = 0
            for chunk in range(0, len(ids), 500):
                total += session.execute(
                    select(func.count())
                    .select_from(Message)
                    .where(Message.conversation_id.in_(ids[chunk : chunk + 500]))
                    .where(Message.author == MessageAuthor.SHOPPER)
                    .where(or_(Message.relayed.is_(False), Message.relay_claimed_at.isnot(None)))
                ).scalar_one()
            return int(total)
    finally:
        engine.dispose()


class SpoolDisk:
    """A full 64 KiB tmpfs on the spool's folder for the length of a ``with`` block."""

    def __init__(self, spool: Path) -> None:
        self.folder = spool.parent
        self.mounted = False

    def __enter__(self) -> SpoolDisk:
        self.folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", str(self.folder)],
            capture_output=True,
            text=True,
        )
        self.mounted = done.returncode == 0
        if self.mounted:
            # ENOSPC: full, as wanted
            with contextlib.suppress(OSError), open(self.folder / "filler", "wb") as filler:
                while True:
                    filler.write(b"\0" * 4096)
                    filler.flush()
        return self

    def __exit__(self, *_: object) -> None:
        if self.mounted:
            kept = self.folder.parent / "spool-kept"
            shutil.rmtree(kept, ignore_errors=True)
            kept.mkdir()
            for item in self.folder.iterdir():
                if item.name != "filler":
                    shutil.copy2(item, kept / item.name)
            subprocess.run(["umount", str(self.folder)], check=False)
            for item in kept.iterdir():  # what the spool kept goes back in place for replay
                shutil.copy2(item, self.folder / item.name)
            shutil.rmtree(kept, ignore_errors=True)


def inject(product: ServedProduct, fault: str) -> dict[str, Any]:
    """Cause ``fault``; measure, side by side, the time until a new shopper gets an answer
    through nginx and the time until the program is back."""
    if fault in ("desk", "actions", "rasa"):
        program = f"{fault}-0"
    elif fault in ("nginx", "redis"):
        program = fault
    else:
        program = "postgres"
    old_pid = product.pids()[program]
    result: dict[str, Any] = {"program": program}
    if fault in ("postgres", "spool_full"):
        since = time.monotonic()
        restart = threading.Thread(
            target=product.serve, args=("ctl", "restart", "postgres"), kwargs={"check": False}
        )
        restart.start()
    else:
        since = product.kill9(program)
        restart = None
    probe = threading.Thread(
        target=lambda: result.update(answering_s=round(time_until_answering(product, since), 2))
    )
    probe.start()
    product.wait_back(program, old_pid)
    result["back_s"] = round(time.monotonic() - since, 2)
    probe.join()
    if restart is not None:
        restart.join()
    return result


def one_fault(
    product: ServedProduct, fault: str, folder: Path, users: int, before_s: float, run_time_s: int
) -> dict[str, Any]:
    journal = folder / f"fault-{fault}.jsonl"
    locust = product.locust(users, run_time_s, journal, think="2-5", spawn_rate=users)
    result: dict[str, Any] = {"fault": fault}
    try:
        time.sleep(before_s)
        if fault == "spool_full":
            with SpoolDisk(product.spool) as disk:
                if not disk.mounted:
                    return {**result, "skipped": "mount of a tmpfs refused"}
                result.update(inject(product, fault))
        else:
            result.update(inject(product, fault))
    finally:
        locust.wait()
    conversations = read_journal(journal)
    deadline = time.monotonic() + SETTLE_S
    while waiting_messages(product.database_url, conversations) and time.monotonic() < deadline:
        time.sleep(2)
    check = check_run(product.database_url, journal)
    result.update(
        sent=check.sent,
        stored=check.stored,
        answered=check.answered,
        waiting=check.waiting,
        with_agent=check.with_agent,
        tickets=check.tickets,
        problems=check.problems,
        settled_s=round(SETTLE_S - max(deadline - time.monotonic(), 0), 1),
    )
    return result


def run_faults(
    product: ServedProduct,
    folder: Path,
    faults: Iterable[str] = FAULTS,
    users: int = 20,
    before_s: float = 10,
    run_time_s: int = 45,
) -> list[dict[str, Any]]:
    return [one_fault(product, fault, folder, users, before_s, run_time_s) for fault in faults]
