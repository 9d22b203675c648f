"""The first load: each platform's standard order export stores its orders, reports every
skipped row with file:line and the reason, and never half-stores an order."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from devtools.servers import ROOT
from shop.sources.importer import import_export
from shop.sources.mappings import SourceSettings
from shop.sources.record import Platform, SourceError
from shop.store.db import session_scope
from shop.store.models import Order, OrderStatus, PaymentMethod
from tests.sources.conftest import SAMPLES

SHOPIFY_CSV = SAMPLES / "shopify_orders_export.csv"
WOOCOMMERCE_CSV = SAMPLES / "woocommerce_orders_export.csv"
PRESTASHOP_CSV = SAMPLES / "prestashop_orders_export.csv"
PRESTASHOP_CUSTOMERS = SAMPLES / "prestashop_customers_export.csv"


def stored_orders(sessions: sessionmaker) -> dict[str, Order]:
    with session_scope(sessions) as session:
        orders = session.execute(select(Order)).scalars().all()
        for order in orders:  # loaded before the session closes
            _ = (order.customer.email, list(order.lines), list(order.shipments))
        return {order.number: order for order in orders}


def test_the_shopify_export_stores_its_orders_and_reports_the_rows_it_skipped(
    sessions: sessionmaker,
) -> None:
    report = import_export(sessions, SHOPIFY_CSV, Platform.SHOPIFY)
    assert (report.rows, report.taken_rows, report.skipped_rows) == (6, 4, 2)
    assert [(s.where, s.reason) for s in report.skipped] == [
        (
            "shopify_orders_export.csv:5",
            "Lineitem quantity: not a quantity: 'deux'",
        ),
        ("shopify_orders_export.csv:7", "no Name: the row belongs to no order"),
    ]
    orders = stored_orders(sessions)
    assert sorted(orders) == ["1001", "1002", "1004"]
    first = orders["1001"]
    assert (first.platform_order_id, first.customer.email) == (
        "5829461459001",
        "claire.dupont@example.fr",
    )
    assert (first.status, first.payment_method, first.total_cents) == (
        OrderStatus.PAYMENT_AUTHORISED,
        PaymentMethod.CARD,
        91900,
    )
    assert first.customer.postal_code == "69003"  # Shopify's leading apostrophe dropped
    assert [(line.title, line.size, line.discounted) for line in first.lines] == [
        ("Bague Solitaire Or", "54", False),
        ("Boucles d'oreilles Perle", None, True),  # compare-at price above the price
    ]
    assert (orders["1002"].status, orders["1002"].shipments) == (OrderStatus.SHIPPED, [])
    assert (orders["1004"].source_status, orders["1004"].status_unknown) == (
        "financial:expired",
        True,
    )
    lines = report.lines()
    assert lines[0] == (
        "Import of shopify_orders_export.csv (shopify): 6 rows read, 4 taken "
        "(3 orders: 3 created), 2 skipped."
    )
    assert (
        "  taken   shopify_orders_export.csv:6: shopify order 1004: created; status "
        "'financial:expired' has no mapping: kept as is and flagged"
    ) in lines
    assert (
        "  skipped shopify_orders_export.csv:5 (order #1003): Lineitem quantity: not a "
        "quantity: 'deux'"
    ) in lines


def test_importing_the_same_export_again_changes_nothing(sessions: sessionmaker) -> None:
    import_export(sessions, SHOPIFY_CSV, Platform.SHOPIFY)
    before = {n: (o.id, [line.id for line in o.lines]) for n, o in stored_orders(sessions).items()}
    again = import_export(sessions, SHOPIFY_CSV, Platform.SHOPIFY)
    assert [result.outcome.value for _, result in again.results] == ["unchanged"] * 3
    after = {n: (o.id, [line.id for line in o.lines]) for n, o in stored_orders(sessions).items()}
    assert after == before


def test_the_woocommerce_export_stores_its_orders_and_reports_the_rows_it_skipped(
    sessions: sessionmaker,
) -> None:
    report = import_export(sessions, WOOCOMMERCE_CSV, Platform.WOOCOMMERCE)
    assert [(s.where, s.order) for s in report.skipped] == [
        ("woocommerce_orders_export.csv:5", "104522"),
        ("woocommerce_orders_export.csv:6", "104523"),
    ]
    assert report.skipped[0].reason.startswith("payment method 'cod' has no mapping")
    assert report.skipped[1].reason == "email: not an e-mail address: 'tom.petit-at-example.fr'"
    orders = stored_orders(sessions)
    assert sorted(orders) == ["104520", "104521"]
    order = orders["104520"]
    assert order.placed_at.isoformat() == "2026-11-29T13:03:27+00:00"  # Paris wall time
    assert (order.payment_method, order.carrier) == (PaymentMethod.BANK_TRANSFER, "colissimo")
    assert order.discounts == [{"code": "NOEL10", "amount_cents": 2400, "kind": "amount"}]
    ring, earrings = order.lines
    assert (ring.size, ring.engraved, ring.unit_price_cents) == ("56", True, 14400)
    assert (earrings.quantity, earrings.unit_price_cents) == (2, 3600)
    assert (orders["104521"].source_status, orders["104521"].status_unknown) == (
        "en-gravure",
        True,
    )


def test_a_shops_own_status_mapping_applies_to_the_import(sessions: sessionmaker) -> None:
    settings = SourceSettings(
        statuses={"en-gravure": "being_prepared"}, payment_methods={"cod": "cheque"}
    )
    report = import_export(sessions, WOOCOMMERCE_CSV, Platform.WOOCOMMERCE, settings)
    assert [s.order for s in report.skipped] == ["104523"]
    orders = stored_orders(sessions)
    assert (orders["104521"].status, orders["104521"].status_unknown) == (
        OrderStatus.BEING_PREPARED,
        False,
    )


def test_the_prestashop_export_stores_its_orders_with_the_customers_emails(
    sessions: sessionmaker,
) -> None:
    report = import_export(
        sessions, PRESTASHOP_CSV, Platform.PRESTASHOP, customers_path=PRESTASHOP_CUSTOMERS
    )
    assert [(s.where, s.reason[:48]) for s in report.skipped] == [
        ("prestashop_orders_export.csv:4", "customer 'L. Martin' matches 2 customers in the "),
        ("prestashop_orders_export.csv:5", "payment method 'Alma - Paiement en 3 fois' has n"),
    ]
    orders = stored_orders(sessions)
    assert sorted(orders) == ["POIUYTREZ", "QWERTYUIO", "XKBKNABJK"]
    shipped = orders["XKBKNABJK"]
    assert (shipped.customer.email, shipped.status, shipped.total_cents) == (
        "sophie.lefevre@example.fr",
        OrderStatus.SHIPPED,
        25490,
    )
    assert orders["QWERTYUIO"].shipping_country == "BE"
    assert orders["POIUYTREZ"].total_cents == 125000
    assert (orders["POIUYTREZ"].source_status, orders["POIUYTREZ"].status_unknown) == (
        "En cours de gravure",
        True,
    )


def test_the_prestashop_export_without_its_customers_is_refused(sessions: sessionmaker) -> None:
    with pytest.raises(SourceError, match="--customers"):
        import_export(sessions, PRESTASHOP_CSV, Platform.PRESTASHOP)


def test_another_platforms_file_is_refused_whole(sessions: sessionmaker) -> None:
    with pytest.raises(SourceError, match="missing columns: \\['order_id'"):
        import_export(sessions, SHOPIFY_CSV, Platform.WOOCOMMERCE)
    assert stored_orders(sessions) == {}


def test_a_malformed_row_refuses_its_whole_order_and_stores_nothing_of_it(
    sessions: sessionmaker, tmp_path: Path
) -> None:
    """#1001's second line item has a price that is no amount: neither of its rows is stored,
    not even its first line, and the other orders are."""
    broken = tmp_path / "orders_export.csv"
    text = SHOPIFY_CSV.read_text(encoding="utf-8").replace(",120.00,150.00,", ",cent vingt,,")
    broken.write_text(text, encoding="utf-8")
    report = import_export(sessions, broken, Platform.SHOPIFY)
    assert report.skipped[0].where == "orders_export.csv:2-3"
    assert report.skipped[0].reason == "Lineitem price: not an amount: 'cent vingt'"
    assert sorted(stored_orders(sessions)) == ["1002", "1004"]


def test_an_order_the_store_refuses_is_rolled_back_alone(
    sessions: sessionmaker, tmp_path: Path
) -> None:
    """The PrestaShop reference of order 6 is the number a Shopify order already holds."""
    import_export(sessions, SHOPIFY_CSV, Platform.SHOPIFY)
    clash = tmp_path / "orders.csv"
    clash.write_text(
        PRESTASHOP_CSV.read_text(encoding="utf-8").replace("QWERTYUIO", "1002"), encoding="utf-8"
    )
    report = import_export(
        sessions, clash, Platform.PRESTASHOP, customers_path=PRESTASHOP_CUSTOMERS
    )
    assert ("orders.csv:3", "order number 1002 already belongs to shopify order 5829461459002") in [
        (s.where, s.reason) for s in report.skipped
    ]
    orders = stored_orders(sessions)
    assert orders["1002"].platform == "shopify"
    assert "mathieu.bernard@example.be" not in {o.customer.email for o in orders.values()}


def test_the_command_imports_a_file_into_the_given_database(tmp_path: Path) -> None:
    database = tmp_path / "shop.db"
    export = tmp_path / "orders_export.csv"
    shutil.copy(SHOPIFY_CSV, export)
    command = [
        sys.executable,
        "-m",
        "shop.sources",
        "import",
        "--platform",
        "shopify",
        str(export),
        "--database-url",
        f"sqlite:///{database}",
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr  # two rows skipped
    assert result.stdout.splitlines()[0].startswith("Import of orders_export.csv (shopify)")
    assert "skipped orders_export.csv:5 (order #1003)" in result.stdout
    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "3 orders: 3 unchanged" in again.stdout

    missing = subprocess.run(
        command[:6] + [str(tmp_path / "nowhere.csv")] + command[7:],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert missing.returncode == 2
    assert "Import refused:" in missing.stderr and "nowhere.csv" in missing.stderr


def test_the_command_applies_the_shops_own_mappings_and_refuses_a_wrong_one(
    tmp_path: Path,
) -> None:
    database = tmp_path / "shop.db"
    shop_mappings = tmp_path / "mappings.yml"
    shop_mappings.write_text(
        "statuses:\n  en-gravure: being_prepared\npayment_methods:\n  cod: cheque\n",
        encoding="utf-8",
    )
    command = [
        sys.executable,
        "-m",
        "shop.sources",
        "import",
        "--platform",
        "woocommerce",
        str(WOOCOMMERCE_CSV),
        "--mappings",
        str(shop_mappings),
        "--database-url",
        f"sqlite:///{database}",
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr  # the malformed e-mail is still skipped
    assert "woocommerce order 104521: created\n" in result.stdout  # mapped: not flagged
    assert "woocommerce order 104522: created" in result.stdout

    shop_mappings.write_text("statuses:\n  en-gravure: gravure\n", encoding="utf-8")
    refused = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2
    assert "mappings.yml: not a shop's mappings" in refused.stderr
    assert "statuses.en-gravure: value is not a valid enumeration member" in refused.stderr
