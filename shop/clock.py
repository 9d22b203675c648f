"""Injected time: rules never read the wall clock themselves.

Every datetime handled by the domain is timezone-aware UTC; shop-local wall times
(cut-off hours, opening hours) are computed from the shop profile's timezone.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Protocol

from shop.settings import ShopSettings, current_settings


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The real clock (UTC)."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock:
    """A clock frozen at one instant, for tests and reproducible demo data."""

    def __init__(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._instant = instant.astimezone(timezone.utc)

    def now(self) -> datetime:
        return self._instant

    def set(self, instant: datetime) -> None:
        self._instant = instant.astimezone(timezone.utc)


def as_utc(value: datetime) -> datetime:
    """Naive datetimes are taken as UTC (that is how the store writes them)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def require_aware(value: datetime, name: str = "datetime") -> datetime:
    """The same instant in UTC; a naive datetime is refused (the store writes UTC instants)."""
    if value.tzinfo is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return value.astimezone(timezone.utc)


def clock_from_env(environ: Mapping[str, str] | None = None) -> Clock:
    """SHOP_NOW=<ISO 8601 with offset> freezes time (demos, end-to-end tests); else real time.
    ``environ``: an explicit environment instead of the process's settings."""
    settings = current_settings() if environ is None else ShopSettings.from_environ(environ)
    return SystemClock() if settings.now is None else FixedClock(settings.now)
