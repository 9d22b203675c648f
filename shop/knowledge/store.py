"""The knowledge base as the running assistant sees it: reloaded from disk, never broken.

Editors change answers while the bot runs. ``LiveKnowledge`` looks at the files' size and
modification time at most every ``check_interval`` seconds (a stat per file, no parsing), and
only when something changed does it validate the folder again. A valid folder replaces the
current version in one assignment; an invalid one is logged (file, line, reason: content only,
never shopper data) and the last good version keeps answering. The same broken state is logged
once, not every interval.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Callable, Sequence

from shop.knowledge.loader import KnowledgeError, faq_files
from shop.knowledge.model import KnowledgeBase
from shop.knowledge.placeholders import fill
from shop.knowledge.validator import check, load_valid
from shop.policy.profile import ShopProfile

LOGGER = logging.getLogger(__name__)
DEFAULT_CHECK_INTERVAL = 2.0

Fingerprint = tuple[tuple[str, int, int, int], ...]


def fingerprint(folder: Path) -> Fingerprint:
    """Name, inode, size and mtime of every file: changes when any file is edited or replaced."""
    items = []
    for path in faq_files(folder) if folder.is_dir() else []:
        try:
            stat = path.stat()
        except OSError:
            continue
        items.append((path.name, stat.st_ino, stat.st_size, stat.st_mtime_ns))
    return tuple(items)


class LiveKnowledge:
    """The last good version of a knowledge folder, reloaded when its files change.

    Thread-safe: readers never wait for a reload (a reload in progress in another thread is
    simply not repeated), and a version is swapped in whole. The first load must succeed:
    there is no "last good version" to fall back on yet.
    """

    def __init__(
        self,
        folder: str | os.PathLike[str],
        profiles: Sequence[ShopProfile] | None = None,
        check_interval: float = DEFAULT_CHECK_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.folder = Path(folder)
        self.check_interval = check_interval
        self._profiles = profiles
        self._clock = clock
        self._lock = threading.Lock()
        self._fingerprint = fingerprint(self.folder)
        self._knowledge = load_valid(self.folder, profiles, allow_drafts=True)
        self._last_check = clock()
        self._last_errors: tuple[KnowledgeError, ...] = ()

    @property
    def last_errors(self) -> tuple[KnowledgeError, ...]:
        """The problems of the latest rejected version on disk (empty when disk is valid)."""
        return self._last_errors

    def current(self) -> KnowledgeBase:
        """The knowledge base to answer from, after a reload if the files changed."""
        now = self._clock()
        if now - self._last_check >= self.check_interval:
            self._refresh(now)
        return self._knowledge

    def answer(self, entry_id: str, profile: ShopProfile) -> str:
        """The entry's answer filled for this shop (``KeyError`` for an unknown id)."""
        return fill(self.current().entry(entry_id).answer, profile)

    def reload(self) -> tuple[KnowledgeError, ...]:
        """Check the files now, whatever the interval; returns the problems (empty if none)."""
        with self._lock:
            self._reload(fingerprint(self.folder))
        return self._last_errors

    def _refresh(self, now: float) -> None:
        if not self._lock.acquire(blocking=False):
            return
        try:
            if now - self._last_check < self.check_interval:
                return
            self._last_check = now
            current = fingerprint(self.folder)
            if current != self._fingerprint:
                self._reload(current)
        finally:
            self._lock.release()

    def _reload(self, current: Fingerprint) -> None:
        self._fingerprint = current
        knowledge, errors = check(self.folder, self._profiles, allow_drafts=True)
        if knowledge is None:
            self._last_errors = tuple(errors)
            LOGGER.error(
                "knowledge files rejected, keeping the last good version (%d entries):\n%s",
                len(self._knowledge),
                "\n".join(str(error) for error in errors),
            )
            return
        self._last_errors = ()
        self._knowledge = knowledge
        LOGGER.info("knowledge reloaded: %d entries", len(knowledge))
