"""The order store against a real temporary SQLite file: schema, demo seed, queries, tickets."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from shop.policy.decision import Clause, Decision
from shop.store import db, repository
from shop.store.demo import DEMO_ORDERS, DEMO_PROMO_CODES
from shop.store.models import (
    Customer,
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    PromoCode,
    TicketStatus,
)
from shop.store.repository import StoreError
from shop.store.seed import main as seed_main
from shop.store.seed import reset_and_seed, seed_demo, tracking_number

PARIS = ZoneInfo("Europe/Paris")
# Wednesday 12 March 2025, 10:00 in Paris (09:00 UTC).
NOW = datetime(2025, 3, 12, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'store' / 'shop.db'}")
    db.create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker:
    return db.make_session_factory(engine)


@pytest.fixture
def seeded(engine: Engine, factory: sessionmaker) -> sessionmaker:
    reset_and_seed(engine, NOW)
    return factory


@pytest.fixture
def session(seeded: sessionmaker) -> Iterator[Session]:
    with db.session_scope(seeded) as session:
        yield session


def _order(session: Session, key: str) -> Order:
    demo = DEMO_ORDERS[key]
    order = repository.find_order(session, demo.number, demo.email)
    assert order is not None, key
    return order


def _paris_date(instant: datetime) -> date:
    return instant.astimezone(PARIS).date()


def _dump(factory: sessionmaker) -> list[tuple[Any, ...]]:
    with db.session_scope(factory) as session:
        orders = session.execute(select(Order).order_by(Order.number)).scalars().all()
        return [
            (
                order.number,
                order.customer.email,
                order.status,
                order.placed_at,
                order.status_changed_at,
                order.total_cents,
                [(line.sku, line.size, line.unit_price_cents) for line in order.lines],
                [(s.tracking_number, s.shipped_at, s.delivered_at) for s in order.shipments],
            )
            for order in orders
        ]


def _decision() -> Decision:
    return Decision(
        topic="tracking",
        outcome="escalate",
        reason_code="ready_to_ship_too_long",
        clause=Clause(
            shop="bijou_eclat",
            rule="tracking.ready_to_ship_alert_days",
            text="Prête à être expédiée depuis plus de 7 jours : contactez-nous.",
        ),
        facts={"since": NOW - timedelta(days=10), "status": OrderStatus.READY_TO_SHIP},
        needs_human=True,
    )


# --- database set-up ---------------------------------------------------------------------


def test_database_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOP_DATABASE_URL", "postgresql://shop@db/shop")
    assert db.database_url() == "postgresql://shop@db/shop"


def test_database_url_defaults_to_a_file_under_var_in_the_repo(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SHOP_DATABASE_URL", raising=False)
    url = db.database_url()
    assert url == f"sqlite:///{db.REPO_ROOT / '.var' / 'shop.db'}"
    assert (db.REPO_ROOT / ".var").is_dir()


def test_sqlite_engine_uses_wal_foreign_keys_and_a_busy_timeout(engine: Engine) -> None:
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_engine_creates_the_folder_of_a_new_sqlite_file(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'a' / 'b' / 'shop.db'}")
    db.create_schema(engine)
    engine.dispose()
    assert (tmp_path / "a" / "b" / "shop.db").exists()


def test_in_memory_database_keeps_its_tables_across_connections() -> None:
    engine = db.make_engine("sqlite://")
    db.create_schema(engine)
    with db.session_scope(db.make_session_factory(engine)) as session:
        assert session.execute(select(func.count()).select_from(Order)).scalar_one() == 0


def test_foreign_keys_are_enforced(factory: sessionmaker) -> None:
    with pytest.raises(IntegrityError), db.session_scope(factory) as session:
        session.add(
            OrderLine(order_id=999, sku="X", title="Bague", kind="ring", unit_price_cents=1)
        )


def test_session_scope_commits_on_success(factory: sessionmaker) -> None:
    with db.session_scope(factory) as session:
        session.add(Customer(email="a@free.fr", first_name="Anne", last_name="Petit"))
    with db.session_scope(factory) as session:
        assert repository.find_customer_by_email(session, "a@free.fr") is not None


def test_session_scope_rolls_back_on_error(factory: sessionmaker) -> None:
    with pytest.raises(RuntimeError), db.session_scope(factory) as session:
        session.add(Customer(email="a@free.fr", first_name="Anne", last_name="Petit"))
        session.flush()
        raise RuntimeError("boom")
    with db.session_scope(factory) as session:
        assert repository.find_customer_by_email(session, "a@free.fr") is None


# --- demo seed ---------------------------------------------------------------------------


def test_seed_creates_at_least_45_orders_for_about_20_customers(session: Session) -> None:
    orders = session.execute(select(func.count()).select_from(Order)).scalar_one()
    customers = session.execute(select(func.count()).select_from(Customer)).scalar_one()
    assert orders >= 45
    assert 18 <= customers <= 25


def test_seed_covers_every_status_payment_method_and_carrier(session: Session) -> None:
    orders = session.execute(select(Order)).scalars().all()
    assert {order.status for order in orders} == set(OrderStatus)
    assert {order.payment_method for order in orders} == set(PaymentMethod)
    carriers = {shipment.carrier for order in orders for shipment in order.shipments}
    assert carriers == {"colissimo", "chronopost", "mondial_relay", "lettre_suivie", "dhl"}


def test_every_demo_order_is_found_with_its_email(session: Session) -> None:
    for key, demo in DEMO_ORDERS.items():
        order = repository.find_order(session, demo.number, demo.email)
        assert order is not None, key
        assert order.customer.email == demo.email


def test_every_demo_promo_code_exists_and_nominative_code_belongs_to_its_customer(
    session: Session,
) -> None:
    for demo in DEMO_PROMO_CODES.values():
        assert repository.find_promo_code(session, demo.code) is not None, demo.key
    nominative = repository.find_promo_code(session, DEMO_PROMO_CODES["nominative"].code)
    assert nominative is not None and nominative.customer is not None
    assert nominative.customer.email == DEMO_PROMO_CODES["nominative"].email


def test_demo_numbers_are_unique_six_digit_numbers() -> None:
    numbers = [demo.number for demo in DEMO_ORDERS.values()]
    assert len(set(numbers)) == len(numbers)
    assert all(len(number) == 6 and number.isdigit() for number in numbers)


def test_datetimes_come_back_aware_utc(session: Session) -> None:
    order = _order(session, "delivered_recent_ring")
    session.expire_all()
    stored = session.execute(select(Order).where(Order.id == order.id)).scalar_one()
    for value in (stored.placed_at, stored.status_changed_at, stored.shipments[0].delivered_at):
        assert value.tzinfo is not None
        assert value.utcoffset() == timedelta(0)


def test_cancellable_orders_were_placed_this_morning_minutes_before_now(session: Session) -> None:
    assert _order(session, "cancellable").placed_at == NOW - timedelta(minutes=40)
    for key in ("cancellable", "cancellable_paypal", "cancellable_instalments_3x"):
        order = _order(session, key)
        assert order.status == OrderStatus.PAYMENT_AUTHORISED
        assert _paris_date(order.placed_at) == _paris_date(NOW)
        assert not order.shipments


def test_past_cutoff_orders_were_placed_yesterday_before_and_after_1500(session: Session) -> None:
    before = _order(session, "past_cutoff").placed_at.astimezone(PARIS)
    after = _order(session, "ordered_yesterday_after_1500").placed_at.astimezone(PARIS)
    yesterday = _paris_date(NOW) - timedelta(days=1)
    assert (before.date(), before.hour) == (yesterday, 11)
    assert after.date() == yesterday and after.hour >= 15


def test_payment_scenarios_use_the_right_means_of_payment(session: Session) -> None:
    expected = {
        "awaiting_bank_transfer": PaymentMethod.BANK_TRANSFER,
        "awaiting_cheque": PaymentMethod.CHEQUE,
        "cancellable_paypal": PaymentMethod.PAYPAL,
        "cancellable_instalments_3x": PaymentMethod.INSTALMENTS_3X,
        "paid_instalments_4x": PaymentMethod.INSTALMENTS_4X,
    }
    for key, method in expected.items():
        assert _order(session, key).payment_method == method, key
    assert _order(session, "awaiting_bank_transfer").status == OrderStatus.AWAITING_PAYMENT


def test_ready_to_ship_orders_changed_status_2_and_10_days_ago(session: Session) -> None:
    recent = _order(session, "ready_to_ship_recent")
    stuck = _order(session, "ready_to_ship_stuck")
    assert (NOW - recent.status_changed_at).days == 1  # 2 calendar days, at 15:00
    assert _paris_date(NOW) - _paris_date(recent.status_changed_at) == timedelta(days=2)
    assert _paris_date(NOW) - _paris_date(stuck.status_changed_at) == timedelta(days=10)
    assert recent.status == stuck.status == OrderStatus.READY_TO_SHIP


def test_late_parcel_was_shipped_12_working_days_ago_and_not_delivered(session: Session) -> None:
    shipment = _order(session, "shipped_late").shipments[0]
    assert _paris_date(shipment.shipped_at) == date(2025, 2, 24)  # 12 working days before 12/03
    assert shipment.delivered_at is None
    on_time = _order(session, "shipped_on_time").shipments[0]
    assert _paris_date(on_time.shipped_at) == date(2025, 3, 11)


def test_international_parcels_go_inside_and_outside_the_eu(session: Session) -> None:
    countries = {
        key: _order(session, key).shipments[0].destination_country
        for key in ("shipped_switzerland", "shipped_usa", "shipped_belgium", "shipped_germany")
    }
    assert countries == {
        "shipped_switzerland": "CH",
        "shipped_usa": "US",
        "shipped_belgium": "BE",
        "shipped_germany": "DE",
    }
    outside = _order(session, "delivered_not_received_outside_eu")
    assert outside.shipping_country == "CH" and outside.status == OrderStatus.DELIVERED


def test_partly_shipped_order_has_one_line_without_shipment(session: Session) -> None:
    order = _order(session, "partly_shipped")
    assert order.status == OrderStatus.SHIPPED
    assert [line.shipment is not None for line in order.lines] == [True, False]


@pytest.mark.parametrize(
    ("key", "days"),
    [
        ("delivered_recent_ring", 3),
        ("delivered_10_days", 10),
        ("delivered_14_days", 14),
        ("delivered_15_days", 15),
        ("delivered_20_days", 20),
        ("delivered_29_days", 29),
        ("delivered_31_days", 31),
        ("delivered_45_days", 45),
    ],
)
def test_delivered_orders_were_delivered_the_given_number_of_days_ago(
    session: Session, key: str, days: int
) -> None:
    order = _order(session, key)
    delivered_at = order.shipments[0].delivered_at
    assert order.status == OrderStatus.DELIVERED
    assert _paris_date(NOW) - _paris_date(delivered_at) == timedelta(days=days)
    assert order.placed_at < order.shipments[0].shipped_at < delivered_at


def test_special_items_are_flagged(session: Session) -> None:
    ring = _order(session, "delivered_recent_ring").lines[0]
    assert (ring.kind.value, ring.size, ring.engraved) == ("ring", "54", False)
    assert _order(session, "delivered_engraved_ring").lines[0].engraved
    bracelet = _order(session, "delivered_made_to_measure_bracelet").lines[0]
    assert bracelet.made_to_measure and bracelet.kind.value == "bracelet"
    assert _order(session, "delivered_earrings").lines[0].kind.value == "earrings"
    assert _order(session, "delivered_watch").lines[0].kind.value == "watch"
    assert _order(session, "delivered_necklace").lines[0].kind.value == "necklace"
    discounted = _order(session, "discounted_items").lines
    assert [line.discounted for line in discounted] == [True, False]


def test_delivered_without_date_has_no_delivery_instant(session: Session) -> None:
    order = _order(session, "delivered_without_date")
    assert order.status == OrderStatus.DELIVERED
    assert order.shipments[0].delivered_at is None


def test_after_sales_statuses(session: Session) -> None:
    assert _order(session, "returned").status == OrderStatus.RETURNED
    assert _order(session, "refunded").status == OrderStatus.REFUNDED
    cancelled = _order(session, "cancelled")
    assert cancelled.status == OrderStatus.CANCELLED
    assert cancelled.cancelled_at is not None and not cancelled.shipments


def test_promo_code_scenarios_hold_on_the_seed_date(session: Session) -> None:
    def code(key: str) -> PromoCode:
        found = repository.find_promo_code(session, DEMO_PROMO_CODES[key].code)
        assert found is not None
        return found

    welcome = code("active_welcome")
    assert welcome.active and welcome.single_use and welcome.value == 10 and not welcome.uses
    assert welcome.valid_from <= NOW <= welcome.valid_until
    assert code("expired").valid_until < NOW
    assert code("not_yet_valid").valid_from > NOW
    used = code("already_used")
    assert used.single_use and [u.customer.email for u in used.uses] == [
        DEMO_PROMO_CODES["already_used"].email
    ]
    assert used.uses[0].order_id == _order(session, "with_promo_code").id
    assert _order(session, "with_promo_code").promo_code is not None
    assert code("minimum_basket").min_basket_cents == 8_000
    assert not code("not_on_discounted_items").applies_to_discounted
    inactive = code("inactive")
    assert not inactive.active and inactive.valid_from <= NOW <= inactive.valid_until


def test_tracking_numbers_look_like_each_carrier() -> None:
    assert len(tracking_number("colissimo", "482913")) == 13
    assert tracking_number("chronopost", "482913").endswith("FR")
    assert len(tracking_number("mondial_relay", "482913")) == 8
    assert len(tracking_number("dhl", "482913")) == 10
    with pytest.raises(ValueError):
        tracking_number("pigeon", "482913")


def test_seed_is_deterministic(tmp_path: Path) -> None:
    dumps = []
    for name in ("one.db", "two.db"):
        engine = db.make_engine(f"sqlite:///{tmp_path / name}")
        reset_and_seed(engine, NOW)
        dumps.append(_dump(db.make_session_factory(engine)))
        engine.dispose()
    assert dumps[0] == dumps[1]


def test_seed_does_nothing_on_a_database_that_has_data(seeded: sessionmaker) -> None:
    before = _dump(seeded)
    with db.session_scope(seeded) as session:
        seed_demo(session, NOW + timedelta(days=3))
    assert _dump(seeded) == before


def test_reset_and_seed_restores_the_demo_data(engine: Engine, seeded: sessionmaker) -> None:
    demo = DEMO_ORDERS["cancellable"]
    with db.session_scope(seeded) as session:
        repository.cancel_order(session, _order(session, "cancellable"), NOW)
    reset_and_seed(engine, NOW)
    with db.session_scope(seeded) as session:
        order = repository.find_order(session, demo.number, demo.email)
        assert order is not None and order.status == OrderStatus.PAYMENT_AUTHORISED


def test_seed_refuses_a_naive_now(factory: sessionmaker) -> None:
    with pytest.raises(ValueError), db.session_scope(factory) as session:
        seed_demo(session, datetime(2025, 3, 12, 10, 0))


def test_seed_cli_creates_and_seeds_the_configured_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SHOP_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert seed_main(["--reset", "--now", "2025-03-12T10:00"]) == 0
    output = capsys.readouterr().out
    assert "482913" in output and "claire.martin@gmail.com" in output and "BIENVENUE10" in output
    assert "2025-03-12 10:00" in output
    assert seed_main([]) == 0
    assert "already holds data" in capsys.readouterr().out
    engine = db.make_engine()
    with db.session_scope(db.make_session_factory(engine)) as session:
        order = _order(session, "cancellable")
        assert order.placed_at == NOW - timedelta(minutes=40)
    engine.dispose()


# --- order look-up -----------------------------------------------------------------------


def test_find_order_with_the_right_pair_returns_a_fully_loaded_order(seeded: sessionmaker) -> None:
    demo = DEMO_ORDERS["partly_shipped"]
    with db.session_scope(seeded) as session:
        order = repository.find_order(session, demo.number, demo.email)
    assert order is not None
    # Readable once the session is closed: the policy engine works on detached objects.
    assert order.customer.email == demo.email
    assert [line.shipment is None for line in order.lines] == [False, True]
    assert order.shipments[0].lines[0].order is order
    assert order.lines[0].order is order and order.promo_code is None


def test_find_order_with_a_wrong_email_looks_like_an_unknown_number(session: Session) -> None:
    demo = DEMO_ORDERS["cancellable"]
    other = DEMO_ORDERS["past_cutoff"]
    assert repository.find_order(session, demo.number, other.email) is None
    assert repository.find_order(session, demo.number, "inconnu@gmail.com") is None
    assert repository.find_order(session, "999999", demo.email) is None
    assert repository.find_order(session, demo.number, "") is None
    assert repository.find_order(session, "", demo.email) is None


def test_order_exists_exactly_when_find_order_finds_it(session: Session) -> None:
    demo = DEMO_ORDERS["cancellable"]
    other = DEMO_ORDERS["past_cutoff"]
    pairs = [
        (demo.number, demo.email),
        ("n° " + demo.number, demo.email.upper()),
        (demo.number, other.email),
        (demo.number, "inconnu@gmail.com"),
        ("999999", demo.email),
        (demo.number, ""),
        ("", demo.email),
        (None, None),
    ]
    found = [repository.find_order(session, n, e) is not None for n, e in pairs]
    assert [repository.order_exists(session, n, e) for n, e in pairs] == found
    assert found[:3] == [True, True, False]


def test_find_order_accepts_spaced_numbers_and_upper_case_emails(session: Session) -> None:
    demo = DEMO_ORDERS["cancellable"]
    for number in ("482 913", "n° 482913", "N°482913", "#482913"):
        assert repository.find_order(session, number, demo.email) is not None, number
    found = repository.find_order(session, "482913", "  CLAIRE.Martin@Gmail.COM ")
    assert found is not None and found.number == demo.number


def test_find_order_by_postal_code(session: Session) -> None:
    demo = DEMO_ORDERS["cancellable"]
    assert repository.find_order_by_postal_code(session, demo.number, "75 011") is not None
    assert repository.find_order_by_postal_code(session, demo.number, "69003") is None


def test_find_customer_by_email_ignores_case_and_spaces(session: Session) -> None:
    customer = repository.find_customer_by_email(session, " Sophie.Dubois@FREE.fr")
    assert customer is not None and customer.last_name == "Dubois"
    assert repository.find_customer_by_email(session, "personne@free.fr") is None


# --- cancellation ------------------------------------------------------------------------


def test_cancel_order_changes_the_stored_row(seeded: sessionmaker) -> None:
    later = NOW + timedelta(minutes=5)
    with db.session_scope(seeded) as session:
        cancelled = repository.cancel_order(session, _order(session, "cancellable"), later)
        assert cancelled.status == OrderStatus.CANCELLED
    with db.session_scope(seeded) as session:
        order = _order(session, "cancellable")
        assert order.status == OrderStatus.CANCELLED
        assert order.cancelled_at == later
        assert order.status_changed_at == later


def test_cancel_order_refuses_to_cancel_twice(seeded: sessionmaker) -> None:
    with db.session_scope(seeded) as session:
        order = _order(session, "cancellable")
        repository.cancel_order(session, order, NOW)
        with pytest.raises(StoreError, match="already cancelled"):
            repository.cancel_order(session, order, NOW + timedelta(minutes=1))
    with db.session_scope(seeded) as session:
        assert _order(session, "cancellable").cancelled_at == NOW


def test_cancel_order_refuses_a_stale_copy_cancelled_elsewhere(seeded: sessionmaker) -> None:
    with db.session_scope(seeded) as session:
        stale = _order(session, "cancellable")  # detached once the session closes
    with db.session_scope(seeded) as session:
        repository.cancel_order(session, _order(session, "cancellable"), NOW)
    with pytest.raises(StoreError, match="already cancelled"), db.session_scope(seeded) as s:
        repository.cancel_order(s, stale, NOW)


@pytest.mark.parametrize("key", ["shipped_on_time", "partly_shipped", "delivered_recent_ring"])
def test_cancel_order_refuses_an_order_that_has_shipped(seeded: sessionmaker, key: str) -> None:
    with pytest.raises(StoreError, match="cannot be cancelled"), db.session_scope(seeded) as s:
        repository.cancel_order(s, _order(s, key), NOW)
    with db.session_scope(seeded) as session:
        assert _order(session, key).cancelled_at is None


def test_cancel_order_needs_an_aware_instant(session: Session) -> None:
    with pytest.raises(ValueError):
        repository.cancel_order(session, _order(session, "cancellable"), datetime(2025, 3, 12))


# --- promo codes -------------------------------------------------------------------------


def test_promo_lookup_ignores_case_and_spaces(seeded: sessionmaker) -> None:
    with db.session_scope(seeded) as session:
        for typed in ("BIENVENUE10", "bienvenue10", " Bienvenue 10 "):
            found = repository.find_promo_code(session, typed)
            assert found is not None and found.code == "BIENVENUE10", typed
        used = repository.find_promo_code(session, "anniv10")
        assert repository.find_promo_code(session, "BIENVENU10") is None
        assert repository.find_promo_code(session, "  ") is None
    assert used is not None and len(used.uses) == 1  # uses loaded before the session closed


def test_list_promo_codes_gives_every_code_sorted(session: Session) -> None:
    codes = repository.list_promo_codes(session)
    assert codes == sorted(codes)
    assert set(codes) == {demo.code for demo in DEMO_PROMO_CODES.values()}


# --- tickets -----------------------------------------------------------------------------


def test_open_ticket_stores_a_row_with_a_friendly_number(seeded: sessionmaker) -> None:
    with db.session_scope(seeded) as session:
        order = _order(session, "ready_to_ship_stuck")
        first = repository.open_ticket(
            session,
            kind="tracking",
            now=NOW,
            due_at=NOW + timedelta(hours=48),
            facts={"order_number": order.number, "asked_on": NOW.date()},
            order=order,
            conversation_id="conv-1",
            decision=_decision(),
            priority=1,
        )
        second = repository.open_ticket(
            session,
            kind="resize",
            now=NOW,
            due_at=NOW + timedelta(days=2),
            facts={},
            conversation_id="conv-1",
        )
        numbers = (first.number, second.number)
        first_id = first.id
    assert numbers == (f"SAV-{first_id:06d}", f"SAV-{first_id + 1:06d}")
    with db.session_scope(seeded) as session:
        ticket = repository.find_ticket(session, numbers[0])
        assert ticket is not None
        assert ticket.status == TicketStatus.OPEN
        assert (
            ticket.order is not None
            and ticket.order.number == DEMO_ORDERS["ready_to_ship_stuck"].number
        )
        assert ticket.customer is not None
        assert ticket.customer.email == DEMO_ORDERS["ready_to_ship_stuck"].email
        assert (ticket.outcome, ticket.reason_code) == ("escalate", "ready_to_ship_too_long")
        assert ticket.clause == _decision().clause.text
        assert ticket.priority == 1 and ticket.conversation_id == "conv-1"
        assert ticket.created_at == NOW and ticket.due_at == NOW + timedelta(hours=48)
        assert ticket.facts["order_number"] == ticket.order.number
        assert ticket.facts["asked_on"] == "2025-03-12"
        assert ticket.facts["decision"]["reason_code"] == "ready_to_ship_too_long"
        assert ticket.facts["decision"]["facts"]["status"] == "ready_to_ship"
        assert ticket.facts["decision"]["facts"]["since"] == "2025-03-02T09:00:00+00:00"
        json.dumps(ticket.facts)


def test_open_ticket_without_decision_leaves_outcome_empty(session: Session) -> None:
    ticket = repository.open_ticket(
        session, kind="human", now=NOW, due_at=NOW + timedelta(hours=4), facts={"asked": "humain"}
    )
    assert ticket.outcome is None and ticket.reason_code is None and ticket.clause is None
    assert ticket.facts == {"asked": "humain"} and ticket.number is not None


def test_open_ticket_checks_priority_and_instants(session: Session) -> None:
    with pytest.raises(ValueError):
        repository.open_ticket(session, kind="x", now=NOW, due_at=NOW, facts={}, priority=7)
    with pytest.raises(ValueError):
        repository.open_ticket(session, kind="x", now=datetime(2025, 3, 12), due_at=NOW, facts={})


def test_find_ticket_accepts_loose_spellings(session: Session) -> None:
    ticket = repository.open_ticket(
        session, kind="human", now=NOW, due_at=NOW + timedelta(hours=4), facts={}
    )
    number = int(ticket.number.split("-")[1])
    for typed in (ticket.number, ticket.number.lower(), f"SAV {number:06d}", str(number)):
        assert repository.find_ticket(session, typed) is ticket, typed
    assert repository.find_ticket(session, "SAV-999999") is None
    assert repository.find_ticket(session, "n'importe quoi") is None


def test_tickets_for_conversation_come_oldest_first(session: Session) -> None:
    for minutes, kind in ((10, "second"), (0, "first")):
        repository.open_ticket(
            session,
            kind=kind,
            now=NOW + timedelta(minutes=minutes),
            due_at=NOW + timedelta(days=1),
            facts={},
            conversation_id="conv-9",
        )
    repository.open_ticket(
        session, kind="other", now=NOW, due_at=NOW, facts={}, conversation_id="conv-8"
    )
    kinds = [t.kind for t in repository.tickets_for_conversation(session, "conv-9")]
    assert kinds == ["first", "second"]
    assert repository.tickets_for_conversation(session, "nobody") == []
