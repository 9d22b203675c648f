"""Console logins throttled: too many wrong passwords lock a username, or a client address.

Each refused login is a row (``desk_login_failures``), so a lock survives a restart of the desk
and holds across several desk processes sharing the database. A username is locked after
``max_failures`` failures within ``window``, for ``lockout`` after the last of them; an address
likewise after ``max_failures_per_address`` (one address cannot try many usernames). While
locked, an attempt is refused before any password is checked (one indexed query, no scrypt)
and is not counted. Unknown usernames are counted and locked like real ones, and the refusal
says nothing of whether the username exists.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from desk.settings import Settings
from shop.voice import say_to_agent


@dataclass(frozen=True)
class LoginGuard:
    max_failures: int = 5  # per username; 0: no limit
    max_failures_per_address: int = 20  # per client address; 0: no limit
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginGuard:
        return cls(
            max_failures=settings.login_max_failures,
            max_failures_per_address=settings.login_max_failures_per_address,
            window=timedelta(minutes=settings.login_window_minutes),
            lockout=timedelta(minutes=settings.login_lockout_minutes),
        )

    @property
    def memory(self) -> timedelta:
        """How far back failures matter (older rows may be deleted)."""
        return self.window + self.lockout

    def locked_until(
        self, by_username: Sequence[datetime], by_address: Sequence[datetime], now: datetime
    ) -> datetime | None:
        """The end of the lock on this username or address (the later one), or None."""
        ends = [
            end
            for end in (
                self._lock_end(by_username, self.max_failures, now),
                self._lock_end(by_address, self.max_failures_per_address, now),
            )
            if end is not None
        ]
        return max(ends, default=None)

    def _lock_end(self, failures: Sequence[datetime], limit: int, now: datetime) -> datetime | None:
        """``limit`` failures within the window lock until ``lockout`` after the last one."""
        if limit <= 0:
            return None
        times = sorted(failures)
        end = None
        for last in range(limit - 1, len(times)):
            within = times[last] - times[last - limit + 1] <= self.window
            if within and now < times[last] + self.lockout:
                end = times[last] + self.lockout
        return end


def locked_message(until: datetime, now: datetime) -> str:
    """The agent's French sentence; the same whether the username exists or not."""
    minutes = max(math.ceil((until - now).total_seconds() / 60), 1)
    key = "sign_in.locked_many" if minutes > 1 else "sign_in.locked_one"
    return say_to_agent(key, minutes=minutes)
