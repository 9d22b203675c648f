"""PrestaShop polling: pages of changed orders stored through the ingest, and a checkpoint that
lets a poll which died resume after the last page stored. PrestaShop's webservice is played by
``fake_platforms``; the store is a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from shop.clock import FixedClock
from shop.sources import platforms
from shop.sources.mappings import SourceSettings
from shop.sources.platforms import Connection
from shop.sources.polling import CHECKPOINT, poll_prestashop
from shop.sources.record import Platform
from shop.store import platform_requests
from shop.store.db import session_scope
from shop.store.models import Order, OrderStatus
from tests.sources.conftest import sample
from tests.sources.fake_platforms import PRESTASHOP_KEY, FakePlatforms, running

# Wednesday 2 December 2026, 10:00 in Paris.
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def fake() -> Iterator[FakePlatforms]:
    with running() as platforms_server:
        customer = sample("prestashop_customer.json")["customer"]
        platforms_server.state.presta_customers["4"] = customer
        yield platforms_server


def connection(fake: FakePlatforms) -> Connection:
    return Connection(Platform.PRESTASHOP, fake.url, PRESTASHOP_KEY)


def put_orders(fake: FakePlatforms, count: int, first_change: str = "2026-12-01 08:00:") -> None:
    """``count`` orders on the played PrestaShop, each changed a second after the last."""
    template = sample("prestashop_order.json")["order"]
    for index in range(count):
        order = copy.deepcopy(template)
        order["id"] = 100 + index
        order["reference"] = f"REF{index:06d}"
        order["date_upd"] = f"{first_change}{index:02d}"
        order["associations"]["order_rows"][0]["id"] = str(1000 + index)
        fake.state.presta_orders[str(order["id"])] = order


def stored(sessions: sessionmaker) -> dict[str, str]:
    with session_scope(sessions) as session:
        orders = session.execute(select(Order).where(Order.platform == "prestashop")).scalars()
        return {order.number: order.status.value for order in orders}


def checkpoint(sessions: sessionmaker) -> str | None:
    with session_scope(sessions) as session:
        return platform_requests.read_checkpoint(session, CHECKPOINT)


def order_listings(fake: FakePlatforms) -> list[dict[str, str]]:
    return [r.query for r in fake.state.requests if r.path == "/api/orders"]


def test_polling_stores_every_page_and_keeps_the_latest_change_as_checkpoint(
    sessions: sessionmaker, fake: FakePlatforms
) -> None:
    put_orders(fake, 7)
    report = poll_prestashop(sessions, connection(fake), FixedClock(NOW), page_size=3)
    assert (report.pages, len(report.results), report.skipped) == (3, 7, [])
    assert len(stored(sessions)) == 7
    assert set(stored(sessions).values()) == {OrderStatus.SHIPPED.value}
    assert checkpoint(sessions) == "2026-12-01 08:00:06"
    first = order_listings(fake)[0]
    assert first == {
        "display": "full",
        "filter[date_upd]": "[1970-01-01 00:00:00,2026-12-02 10:00:00]",
        "date": "1",
        "sort": "[date_upd_ASC,id_ASC]",
        "limit": "0,3",
        "output_format": "JSON",
    }
    assert [q["limit"] for q in order_listings(fake)] == ["0,3", "3,3", "6,3"]


def test_a_poll_that_dies_resumes_after_the_last_page_stored(
    sessions: sessionmaker, fake: FakePlatforms
) -> None:
    put_orders(fake, 7)
    fake.fail_next(1, status=500, path="/api/orders", after=1)  # the second page
    with pytest.raises(platforms.Unavailable, match="HTTP 500"):
        poll_prestashop(sessions, connection(fake), FixedClock(NOW), page_size=3)
    assert len(stored(sessions)) == 3
    assert checkpoint(sessions) == "2026-12-01 08:00:02"

    report = poll_prestashop(sessions, connection(fake), FixedClock(NOW), page_size=3)
    resumed = order_listings(fake)[2:]
    assert resumed[0]["filter[date_upd]"] == "[2026-12-01 08:00:02,2026-12-02 10:00:00]"
    assert len(stored(sessions)) == 7
    outcomes = [result.outcome.value for result in report.results]
    assert outcomes == ["unchanged", "created", "created", "created", "created"]
    assert checkpoint(sessions) == "2026-12-01 08:00:06"


def test_a_failing_webservice_keeps_the_checkpoint_where_it_was(
    sessions: sessionmaker, fake: FakePlatforms
) -> None:
    put_orders(fake, 2)
    fake.fail_next(1, status=503)
    with pytest.raises(platforms.Unavailable, match="HTTP 503"):
        poll_prestashop(sessions, connection(fake), FixedClock(NOW))
    assert checkpoint(sessions) is None and stored(sessions) == {}
    poll_prestashop(sessions, connection(fake), FixedClock(NOW))
    assert len(stored(sessions)) == 2


def test_the_next_poll_reads_only_what_changed_since_and_updates_it(
    sqlite_sessions: sessionmaker, fake: FakePlatforms
) -> None:
    put_orders(fake, 2)
    poll_prestashop(sqlite_sessions, connection(fake), FixedClock(NOW))
    changed = fake.state.presta_orders["101"]
    changed["current_state"] = "5"  # delivered
    changed["date_upd"] = "2026-12-02 09:15:00"
    report = poll_prestashop(sqlite_sessions, connection(fake), FixedClock(NOW))
    assert order_listings(fake)[-1]["filter[date_upd]"] == (
        "[2026-12-01 08:00:01,2026-12-02 10:00:00]"
    )
    assert [(r.number, r.outcome.value) for r in report.results] == [("REF000001", "updated")]
    assert stored(sqlite_sessions)["REF000001"] == OrderStatus.DELIVERED.value
    assert checkpoint(sqlite_sessions) == "2026-12-02 09:15:00"


def test_an_order_the_mapping_refuses_is_reported_and_the_others_are_stored(
    sqlite_sessions: sessionmaker, fake: FakePlatforms
) -> None:
    put_orders(fake, 3)
    fake.state.presta_orders["101"]["module"] = "ps_unknownpay"
    fake.state.presta_orders["101"]["payment"] = "Paiement mystère"
    report = poll_prestashop(sqlite_sessions, connection(fake), FixedClock(NOW))
    assert sorted(stored(sqlite_sessions)) == ["REF000000", "REF000002"]
    assert len(report.skipped) == 1
    assert report.skipped[0].startswith("order 101 (REF000001): payment method 'ps_unknownpay'")
    assert checkpoint(sqlite_sessions) == "2026-12-01 08:00:02"


def test_the_shop_s_own_states_apply_to_polled_orders(
    sqlite_sessions: sessionmaker, fake: FakePlatforms
) -> None:
    put_orders(fake, 1)
    fake.state.presta_orders["100"]["current_state"] = "14"
    fake.state.presta_orders["100"]["shipping_number"] = ""
    settings = SourceSettings.parse_obj({"statuses": {"14": "being_prepared"}})
    poll_prestashop(sqlite_sessions, connection(fake), FixedClock(NOW), settings)
    assert stored(sqlite_sessions) == {"REF000000": OrderStatus.BEING_PREPARED.value}


def test_a_wrong_webservice_key_is_refused_and_nothing_is_stored(
    sqlite_sessions: sessionmaker, fake: FakePlatforms
) -> None:
    put_orders(fake, 1)
    wrong = Connection(Platform.PRESTASHOP, fake.url, "NOTTHEKEY")
    with pytest.raises(platforms.Refused, match="HTTP 401"):
        poll_prestashop(sqlite_sessions, wrong, FixedClock(NOW))
    assert stored(sqlite_sessions) == {}


def test_a_poll_asked_to_stop_ends_after_the_page_it_stored_and_the_next_resumes(
    sessions: sessionmaker, fake: FakePlatforms
) -> None:
    put_orders(fake, 7)
    report = poll_prestashop(
        sessions, connection(fake), FixedClock(NOW), page_size=3, stopping=lambda: True
    )
    assert (report.pages, len(stored(sessions))) == (1, 3)
    assert checkpoint(sessions) == "2026-12-01 08:00:02"
    resumed = poll_prestashop(sessions, connection(fake), FixedClock(NOW), page_size=3)
    assert len(stored(sessions)) == 7 and resumed.checkpoint == "2026-12-01 08:00:06"
