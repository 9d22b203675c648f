"""The retention job inside the desk: once when it starts, then every 24 hours.

The desk is the one process every installation runs, so the retention periods apply without a
cron line to remember; ``SHOP_RETENTION_JOB=0`` turns it off for installations that prefer
cron (``python -m shop.privacy retain``, daily). The job only deletes what is older than a
cut-off, so two desk processes running it, or a cron run on top, delete nothing twice.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.orm import sessionmaker
from starlette.concurrency import run_in_threadpool

from shop.clock import Clock
from shop.privacy import audit
from shop.privacy.retention import RetentionSettings, retain
from shop.store.db import session_scope

EVERY_S = 24 * 3600.0
ACTOR = "retention"

logger = logging.getLogger("desk.retention")


def run_once(sessions: sessionmaker, clock: Clock, settings: RetentionSettings) -> dict[str, int]:
    """Apply the retention periods now; the audit log says what went (when anything did)."""
    with session_scope(sessions) as session:
        now = clock.now()
        counts = retain(session, settings, now).as_dict()
        if any(counts.values()):
            audit.record(session, ACTOR, audit.RETAIN, None, now, counts)
    return counts


async def run_safely(sessions: sessionmaker, clock: Clock, settings: RetentionSettings) -> None:
    try:
        counts = await run_in_threadpool(run_once, sessions, clock, settings)
    except Exception:  # a failed run must never stop the desk; the next one tries again
        logger.exception("retention run failed; next try in 24 hours")
        return
    logger.info("retention run: %s", counts)


async def run_daily(
    sessions: sessionmaker, clock: Clock, settings: RetentionSettings, every_s: float = EVERY_S
) -> None:
    """Every ``every_s`` seconds, forever (the desk cancels it when it stops)."""
    while True:
        await asyncio.sleep(every_s)
        await run_safely(sessions, clock, settings)
