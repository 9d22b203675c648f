"""The platforms write amounts and times in several shapes; each is read exactly or refused."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from shop.sources.record import SourceError
from shop.sources.values import cents, timestamp, unix_or_utc_time

UTC = timezone.utc


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("199.00", 19900),
        (145, 14500),
        ("254.900000", 25490),  # PrestaShop's webservice
        ("254,90 €", 25490),  # PrestaShop's French back office
        ("1 250,00 €", 125000),
        ("1\u202f250,00\u00a0€", 125000),
        ("1.250,00", 125000),
        ("1,250.00", 125000),
        ("0.005", 1),
    ],
)
def test_amounts_are_read_in_cents(written: object, expected: int) -> None:
    assert cents(written, "total") == expected


@pytest.mark.parametrize("written", ["", None, "gratuit", "12,50,3"])
def test_what_is_not_an_amount_is_refused_with_the_field(written: object) -> None:
    with pytest.raises(SourceError, match="^total: "):
        cents(written, "total")


@pytest.mark.parametrize(
    ("written", "zone", "expected"),
    [
        ("2026-11-30T10:12:44+01:00", None, datetime(2026, 11, 30, 9, 12, 44, tzinfo=UTC)),
        ("2026-11-30T09:12:44Z", None, datetime(2026, 11, 30, 9, 12, 44, tzinfo=UTC)),
        ("2026-11-30 10:12:44 +0100", None, datetime(2026, 11, 30, 9, 12, 44, tzinfo=UTC)),
        ("2026-07-01 10:00:00", "Europe/Paris", datetime(2026, 7, 1, 8, 0, tzinfo=UTC)),
        ("28/11/2026 15:47:20", "Europe/Paris", datetime(2026, 11, 28, 14, 47, 20, tzinfo=UTC)),
    ],
)
def test_times_become_aware_utc(written: str, zone: str | None, expected: datetime) -> None:
    assert timestamp(written, "date", local_zone=zone) == expected


def test_a_wall_time_without_its_zone_is_refused() -> None:
    with pytest.raises(SourceError, match="date: a time without its time zone"):
        timestamp("2026-11-30 10:12:44", "date")
    with pytest.raises(SourceError, match="date: missing time"):
        timestamp("0000-00-00 00:00:00", "date", local_zone="Europe/Paris")


def test_woocommerce_tracking_dates_are_seconds_or_utc_wall_times() -> None:
    assert unix_or_utc_time("1764576000", "date_shipped") == datetime(2025, 12, 1, 8, 0, tzinfo=UTC)
    assert unix_or_utc_time("2026-12-01 14:30:00", "date_shipped") == datetime(
        2026, 12, 1, 14, 30, tzinfo=UTC
    )
