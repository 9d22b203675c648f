"""Deterministic demo data: about twenty French customers and fifty orders covering every case.

Every date is computed from one instant ``now`` (a fixed clock in tests), so the same scenario
holds whenever the data is seeded: "placed 40 minutes ago", "delivered 14 days ago"... The
named scenarios come from ``shop.store.demo``; this module turns them into rows.

Run ``python -m shop.store.seed [--reset] [--now ISO8601]`` to fill the database configured by
``SHOP_DATABASE_URL`` and print the scenarios to try in the chat. ``--reset`` drops every
table, so it refuses a database that may be a real one (not SQLite, or holding agents,
conversations or customers beyond the demo) unless ``--i-know-this-deletes-everything``.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from shop.clock import SystemClock
from shop.store.conversations import Agent, Conversation
from shop.store.db import (
    create_schema,
    database_url,
    drop_schema,
    make_engine,
    make_session_factory,
    session_scope,
)
from shop.store.demo import DEMO_ORDERS, DEMO_PROMO_CODES
from shop.store.models import (
    Base,
    Customer,
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    ProductKind,
    PromoCode,
    PromoCodeUse,
    PromoKind,
    Shipment,
)

PARIS = ZoneInfo("Europe/Paris")
FORCE_RESET_FLAG = "--i-know-this-deletes-everything"
DEMO_AGENT_USERNAME = "agent"  # the account the desk creates on a fresh database
FREE_SHIPPING_FROM_CENTS = 10_000

# email -> (first name, last name, postal code, loyalty points)
CUSTOMERS: dict[str, tuple[str, str, str, int]] = {
    "claire.martin@gmail.com": ("Claire", "Martin", "75011", 412),
    "julien.bernard@orange.fr": ("Julien", "Bernard", "69003", 236),
    "sophie.dubois@free.fr": ("Sophie", "Dubois", "33000", 1025),
    "thomas.petit@laposte.net": ("Thomas", "Petit", "59000", 159),
    "camille.durand@gmail.com": ("Camille", "Durand", "44000", 88),
    "nicolas.leroy@sfr.fr": ("Nicolas", "Leroy", "31000", 129),
    "emilie.moreau@hotmail.fr": ("Émilie", "Moreau", "13006", 119),
    "antoine.lefevre@yahoo.fr": ("Antoine", "Lefèvre", "67000", 349),
    "manon.girard@gmail.com": ("Manon", "Girard", "34000", 517),
    "lucas.fournier@free.fr": ("Lucas", "Fournier", "35000", 0),
    "chloe.lambert@orange.fr": ("Chloé", "Lambert", "06000", 215),
    "hugo.rousseau@gmail.com": ("Hugo", "Rousseau", "21000", 1290),
    "lea.bonnet@wanadoo.fr": ("Léa", "Bonnet", "37000", 604),
    "maxime.garnier@outlook.fr": ("Maxime", "Garnier", "76000", 59),
    "ines.faure@gmail.com": ("Inès", "Faure", "38000", 640),
    "mathieu.mercier@free.fr": ("Mathieu", "Mercier", "54000", 0),
    "sarah.blanc@orange.fr": ("Sarah", "Blanc", "29200", 377),
    "pauline.chevalier@bluewin.ch": ("Pauline", "Chevalier", "1204", 342),
    "marc.dupont@gmail.com": ("Marc", "Dupont", "10001", 0),
    "anne.vandenberghe@skynet.be": ("Anne", "Vandenberghe", "1050", 0),
    "nathalie.weber@gmx.de": ("Nathalie", "Weber", "10115", 0),
    "elodie.roux@free.fr": ("Élodie", "Roux", "92100", 1577),
    "baptiste.morel@laposte.net": ("Baptiste", "Morel", "49000", 312),
}

# sku -> (title, kind, unit price in cents)
CATALOGUE: dict[str, tuple[str, ProductKind, int]] = {
    "BG-SOL-OR18": ("Bague solitaire or jaune 18 carats", ProductKind.RING, 89_000),
    "BG-SOL-DIAM30": ("Bague solitaire diamant 0,30 carat or blanc", ProductKind.RING, 129_000),
    "BG-ALL-OB18": ("Alliance or blanc 18 carats", ProductKind.RING, 45_900),
    "BG-SAPHIR-OB": ("Bague saphir et diamants or blanc", ProductKind.RING, 98_000),
    "BG-TOPAZE-ARG": ("Bague argent 925 et topaze bleue", ProductKind.RING, 8_900),
    "BG-CHEVAL-ARG": ("Chevalière argent 925 gravée aux initiales", ProductKind.RING, 11_900),
    "BG-JONC-OR9": ("Bague jonc or rose 9 carats", ProductKind.RING, 24_900),
    "BO-CREOLES-ARG": ("Créoles argent 925", ProductKind.EARRINGS, 4_900),
    "BO-CREOLES-OR18": ("Créoles or jaune 18 carats", ProductKind.EARRINGS, 32_000),
    "BO-PUCES-DIAM": ("Boucles d'oreilles puces diamant or blanc", ProductKind.EARRINGS, 54_000),
    "BO-PERLES": ("Boucles d'oreilles perles de culture", ProductKind.EARRINGS, 6_900),
    "MT-ACIER-CUIR": ("Montre acier bracelet cuir", ProductKind.WATCH, 15_900),
    "MT-AUTO-MILANAIS": ("Montre automatique acier bracelet milanais", ProductKind.WATCH, 34_900),
    "MT-FEMME-OR": ("Montre femme acier doré cadran nacre", ProductKind.WATCH, 12_900),
    "BR-JONC-SURMESURE": ("Bracelet jonc or jaune sur mesure", ProductKind.BRACELET, 64_000),
    "BR-FORCAT-ARG": ("Bracelet maille forçat argent 925", ProductKind.BRACELET, 5_900),
    "BR-JONC-ARG": ("Bracelet jonc argent 925", ProductKind.BRACELET, 7_900),
    "BR-GOURMETTE": ("Gourmette argent 925 gravée", ProductKind.BRACELET, 6_900),
    "CO-DIAM-OB": ("Collier pendentif diamant or blanc", ProductKind.NECKLACE, 49_000),
    "CO-PERLES-EAU": ("Collier de perles d'eau douce", ProductKind.NECKLACE, 12_900),
    "CO-CHAINE-VEN": ("Chaîne argent 925 maille vénitienne 45 cm", ProductKind.NECKLACE, 2_900),
    "PD-COEUR-ARG": ("Pendentif cœur argent et oxydes de zirconium", ProductKind.PENDANT, 3_900),
    "PD-MEDAILLE-OR": ("Médaille de baptême or jaune 18 carats", ProductKind.PENDANT, 21_000),
    "AC-MANCHETTE": ("Boutons de manchette argent 925", ProductKind.OTHER, 7_900),
}

SHIPPING_CENTS: dict[str, int] = {
    "colissimo": 490,
    "lettre_suivie": 290,
    "mondial_relay": 390,
    "chronopost": 1_290,
    "dhl": 2_490,
}


@dataclass(frozen=True)
class _Item:
    sku: str
    size: str | None = None
    quantity: int = 1
    engraved: bool = False
    made_to_measure: bool = False
    sale_price_cents: int | None = None  # set for a discounted item


def tracking_number(carrier: str, order_number: str, index: int = 0) -> str:
    """A tracking number in the carrier's usual shape, derived from the order number."""
    digits = f"{(int(order_number) * 2_654_435_761 + index * 104_729) % 10**11:011d}"
    if carrier == "colissimo":
        return "6A" + digits
    if carrier == "lettre_suivie":
        return "1L" + digits
    if carrier == "chronopost":
        return "XW" + digits[:9] + "FR"
    if carrier == "mondial_relay":
        return digits[:8]
    if carrier == "dhl":
        return digits[:10]
    raise ValueError(f"unknown carrier {carrier!r}")


def _working_days_before(day: date, count: int) -> date:
    while count > 0:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


class _Seeder:
    """Builds rows for one ``now``; times are Paris wall-clock times turned into aware UTC."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now.astimezone(timezone.utc)
        self.today = self.now.astimezone(PARIS).date()
        self.customers: dict[str, Customer] = {}
        self.promo_codes: dict[str, PromoCode] = {}

    def on(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=PARIS).astimezone(timezone.utc)

    def days_ago(self, days: int, hour: int, minute: int = 0) -> datetime:
        return self.on(self.today - timedelta(days=days), hour, minute)

    def working_days_ago(self, days: int, hour: int, minute: int = 0) -> datetime:
        return self.on(_working_days_before(self.today, days), hour, minute)

    def minutes_ago(self, minutes: int) -> datetime:
        return self.now - timedelta(minutes=minutes)

    def add_customers(self) -> None:
        for email, (first_name, last_name, postal_code, points) in CUSTOMERS.items():
            customer = Customer(
                email=email,
                first_name=first_name,
                last_name=last_name,
                postal_code=postal_code,
                loyalty_points=points,
            )
            self.session.add(customer)
            self.customers[email] = customer

    def add_promo_code(
        self,
        key: str,
        kind: PromoKind,
        value: int,
        *,
        valid_from_days: int,
        valid_until_days: int,
        single_use: bool = True,
        min_basket_cents: int = 0,
        applies_to_discounted: bool = False,
        active: bool = True,
    ) -> None:
        demo = DEMO_PROMO_CODES[key]
        code = PromoCode(
            code=demo.code,
            kind=kind,
            value=value,
            valid_from=self.on(self.today + timedelta(days=valid_from_days), 0, 0),
            valid_until=self.on(self.today + timedelta(days=valid_until_days), 23, 59),
            min_basket_cents=min_basket_cents,
            single_use=single_use,
            customer=self.customers[demo.email] if key == "nominative" and demo.email else None,
            applies_to_discounted=applies_to_discounted,
            active=active,
        )
        self.session.add(code)
        self.promo_codes[demo.code] = code

    def order(
        self,
        key_or_number: str,
        status: OrderStatus,
        items: Sequence[_Item],
        *,
        placed_at: datetime,
        email: str | None = None,
        status_changed_at: datetime | None = None,
        payment: PaymentMethod = PaymentMethod.CARD,
        carrier: str = "colissimo",
        country: str = "FR",
        promo_code: str | None = None,
    ) -> Order:
        """A demo scenario (by key) or a background order (by number, with ``email``)."""
        if key_or_number in DEMO_ORDERS:
            demo = DEMO_ORDERS[key_or_number]
            number, email = demo.number, demo.email
        elif email is None:
            raise ValueError(f"{key_or_number!r} is no demo scenario and has no email")
        else:
            number = key_or_number
        lines = [self._line(item) for item in items]
        subtotal = sum(line.unit_price_cents * line.quantity for line in lines)
        promo = self.promo_codes[promo_code] if promo_code else None
        discount = self._discount(promo, lines) if promo else 0
        domestic = country == "FR" and carrier != "chronopost"
        free = domestic and subtotal >= FREE_SHIPPING_FROM_CENTS
        shipping = 0 if free else SHIPPING_CENTS[carrier]
        order = Order(
            number=number,
            customer=self.customers[email],
            status=status,
            status_changed_at=status_changed_at or placed_at,
            placed_at=placed_at,
            payment_method=payment,
            total_cents=subtotal - discount + shipping,
            shipping_cents=shipping,
            shipping_country=country,
            carrier=carrier,
            promo_code=promo,
            lines=lines,
        )
        if status == OrderStatus.CANCELLED:
            order.cancelled_at = order.status_changed_at
        self.session.add(order)
        if promo is not None:
            self.session.flush()  # the use records the order's id
            self.session.add(
                PromoCodeUse(
                    promo_code=promo, customer=order.customer, order_id=order.id, used_at=placed_at
                )
            )
        return order

    def ship(
        self,
        order: Order,
        shipped_at: datetime,
        delivered_at: datetime | None = None,
        *,
        lines: Sequence[OrderLine] | None = None,
    ) -> Shipment:
        shipment = Shipment(
            carrier=order.carrier,
            tracking_number=tracking_number(order.carrier, order.number, len(order.shipments)),
            destination_country=order.shipping_country,
            shipped_at=shipped_at,
            delivered_at=delivered_at,
            lines=list(lines if lines is not None else order.lines),
        )
        order.shipments.append(shipment)
        return shipment

    def delivered(
        self,
        key_or_number: str,
        items: Sequence[_Item],
        *,
        days_ago: int,
        email: str | None = None,
        status: OrderStatus = OrderStatus.DELIVERED,
        status_changed_at: datetime | None = None,
        payment: PaymentMethod = PaymentMethod.CARD,
        carrier: str = "colissimo",
        country: str = "FR",
        promo_code: str | None = None,
        transit_working_days: int = 2,
    ) -> Order:
        """An order delivered ``days_ago`` days ago at 11:30, shipped and placed before that."""
        delivered_at = self.days_ago(days_ago, 11, 30)
        shipped_day = _working_days_before(
            delivered_at.astimezone(PARIS).date(), transit_working_days
        )
        shipped_at = self.on(shipped_day, 16, 45)
        placed_at = self.on(shipped_day - timedelta(days=1), 20, 15)
        order = self.order(
            key_or_number,
            status,
            items,
            placed_at=placed_at,
            email=email,
            status_changed_at=status_changed_at or delivered_at,
            payment=payment,
            carrier=carrier,
            country=country,
            promo_code=promo_code,
        )
        self.ship(order, shipped_at, delivered_at)
        return order

    def _line(self, item: _Item) -> OrderLine:
        title, kind, price = CATALOGUE[item.sku]
        return OrderLine(
            sku=item.sku,
            title=title,
            kind=kind,
            size=item.size,
            quantity=item.quantity,
            unit_price_cents=item.sale_price_cents or price,
            engraved=item.engraved,
            made_to_measure=item.made_to_measure,
            discounted=item.sale_price_cents is not None,
        )

    @staticmethod
    def _discount(promo: PromoCode, lines: Sequence[OrderLine]) -> int:
        eligible = sum(
            line.unit_price_cents * line.quantity
            for line in lines
            if promo.applies_to_discounted or not line.discounted
        )
        if promo.kind == PromoKind.PERCENT:
            return eligible * promo.value // 100
        return min(promo.value, eligible)


# The demo's orders laid out as tables, one case a line: ruff format keeps them.
# fmt: off
def _add_promo_codes(s: _Seeder) -> None:
    s.add_promo_code("active_welcome", PromoKind.PERCENT, 10,
                     valid_from_days=-180, valid_until_days=185)
    s.add_promo_code("expired", PromoKind.PERCENT, 25, valid_from_days=-100, valid_until_days=-40)
    s.add_promo_code("not_yet_valid", PromoKind.PERCENT, 15,
                     valid_from_days=10, valid_until_days=40)
    s.add_promo_code("nominative", PromoKind.AMOUNT, 1_500,
                     valid_from_days=-30, valid_until_days=60)
    s.add_promo_code("already_used", PromoKind.PERCENT, 10,
                     valid_from_days=-60, valid_until_days=120)
    s.add_promo_code("minimum_basket", PromoKind.AMOUNT, 490, valid_from_days=-30,
                     valid_until_days=90, single_use=False, min_basket_cents=8_000)
    s.add_promo_code("not_on_discounted_items", PromoKind.PERCENT, 20, valid_from_days=-15,
                     valid_until_days=45, single_use=False)
    s.add_promo_code("inactive", PromoKind.PERCENT, 30, valid_from_days=-5,
                     valid_until_days=25, single_use=False, active=False)


def _add_open_orders(s: _Seeder) -> None:
    """Orders that have not left the warehouse: the cancellation cases."""
    s.order("cancellable", OrderStatus.PAYMENT_AUTHORISED,
            [_Item("BG-JONC-OR9", size="52"), _Item("BO-CREOLES-ARG")],
            placed_at=s.minutes_ago(40))
    s.order("cancellable_paypal", OrderStatus.PAYMENT_AUTHORISED, [_Item("CO-PERLES-EAU")],
            placed_at=s.minutes_ago(30), payment=PaymentMethod.PAYPAL)
    s.order("cancellable_instalments_3x", OrderStatus.PAYMENT_AUTHORISED,
            [_Item("MT-AUTO-MILANAIS")], placed_at=s.minutes_ago(55),
            payment=PaymentMethod.INSTALMENTS_3X)
    s.order("past_cutoff", OrderStatus.BEING_PREPARED, [_Item("BR-FORCAT-ARG", size="18cm")],
            placed_at=s.days_ago(1, 11, 5), status_changed_at=s.days_ago(1, 14, 0))
    s.order("ordered_yesterday_after_1500", OrderStatus.PAYMENT_AUTHORISED,
            [_Item("PD-MEDAILLE-OR"), _Item("CO-CHAINE-VEN")],
            placed_at=s.days_ago(1, 16, 40))
    s.order("awaiting_bank_transfer", OrderStatus.AWAITING_PAYMENT,
            [_Item("BG-ALL-OB18", size="56")], placed_at=s.days_ago(2, 21, 10),
            payment=PaymentMethod.BANK_TRANSFER)
    s.order("awaiting_cheque", OrderStatus.AWAITING_PAYMENT, [_Item("AC-MANCHETTE")],
            placed_at=s.days_ago(4, 14, 0), payment=PaymentMethod.CHEQUE)
    s.order("payment_authorised_waiting_stock", OrderStatus.PAYMENT_AUTHORISED,
            [_Item("MT-FEMME-OR")], placed_at=s.days_ago(4, 10, 15))
    s.order("being_processed", OrderStatus.BEING_PROCESSED, [_Item("BG-SOL-DIAM30", size="50")],
            placed_at=s.days_ago(2, 9, 30), status_changed_at=s.days_ago(2, 10, 0))
    s.order("being_prepared", OrderStatus.BEING_PREPARED, [_Item("BO-PERLES")],
            placed_at=s.days_ago(2, 12, 10), status_changed_at=s.days_ago(1, 9, 0))
    s.order("ready_to_ship_recent", OrderStatus.READY_TO_SHIP, [_Item("BR-GOURMETTE")],
            placed_at=s.days_ago(3, 19, 0), status_changed_at=s.days_ago(2, 15, 0))
    s.order("ready_to_ship_stuck", OrderStatus.READY_TO_SHIP, [_Item("CO-DIAM-OB")],
            placed_at=s.days_ago(12, 18, 25), status_changed_at=s.days_ago(10, 15, 0))
    s.order("cancelled", OrderStatus.CANCELLED, [_Item("MT-ACIER-CUIR")],
            placed_at=s.days_ago(5, 9, 0), status_changed_at=s.days_ago(5, 9, 45))


def _add_shipped_orders(s: _Seeder) -> None:
    """Parcels on their way, in France and abroad, on time or late."""
    shipped = [
        ("shipped_on_time", [_Item("BG-TOPAZE-ARG", size="54")], "colissimo", "FR", 1),
        ("shipped_late", [_Item("CO-PERLES-EAU")], "colissimo", "FR", 12),
        ("shipped_mondial_relay", [_Item("BR-JONC-ARG")], "mondial_relay", "FR", 2),
        ("shipped_lettre_suivie", [_Item("BO-CREOLES-ARG")], "lettre_suivie", "FR", 3),
        ("shipped_switzerland", [_Item("MT-AUTO-MILANAIS")], "dhl", "CH", 2),
        ("shipped_usa", [_Item("BG-SOL-OR18", size="60")], "dhl", "US", 3),
        ("shipped_belgium", [_Item("CO-DIAM-OB")], "chronopost", "BE", 2),
        ("shipped_germany", [_Item("BO-PUCES-DIAM")], "colissimo", "DE", 4),
    ]
    for key, items, carrier, country, working_days in shipped:
        shipped_at = s.working_days_ago(working_days, 16, 30)
        placed_day = _working_days_before(shipped_at.astimezone(PARIS).date(), 1)
        order = s.order(key, OrderStatus.SHIPPED, items, placed_at=s.on(placed_day, 20, 5),
                        status_changed_at=shipped_at, carrier=carrier, country=country)
        s.ship(order, shipped_at)
    partial = s.order("partly_shipped", OrderStatus.SHIPPED,
                      [_Item("BG-SAPHIR-OB", size="55"), _Item("MT-ACIER-CUIR")],
                      placed_at=s.working_days_ago(3, 13, 20),
                      status_changed_at=s.working_days_ago(1, 16, 30))
    s.ship(partial, s.working_days_ago(1, 16, 30), lines=[partial.lines[0]])


def _add_delivered_orders(s: _Seeder) -> None:
    """Delivered (and returned, refunded) orders: returns, resizing and lost-parcel cases."""
    s.delivered("delivered_recent_ring", [_Item("BG-SOL-OR18", size="54")], days_ago=3)
    s.delivered("delivered_10_days", [_Item("BR-FORCAT-ARG", size="17cm")], days_ago=10)
    s.delivered("delivered_14_days", [_Item("PD-COEUR-ARG"), _Item("CO-CHAINE-VEN")],
                days_ago=14, carrier="lettre_suivie")
    s.delivered("delivered_15_days", [_Item("BG-ALL-OB18", size="52")], days_ago=15)
    s.delivered("delivered_20_days", [_Item("CO-PERLES-EAU")], days_ago=20,
                carrier="mondial_relay")
    s.delivered("delivered_29_days", [_Item("BG-SAPHIR-OB", size="56")], days_ago=29,
                carrier="chronopost", transit_working_days=1)
    s.delivered("delivered_31_days", [_Item("MT-AUTO-MILANAIS")], days_ago=31)
    s.delivered("delivered_45_days", [_Item("BG-TOPAZE-ARG", size="58")], days_ago=45)
    s.delivered("delivered_engraved_ring", [_Item("BG-CHEVAL-ARG", size="62", engraved=True)],
                days_ago=5)
    s.delivered("delivered_made_to_measure_bracelet",
                [_Item("BR-JONC-SURMESURE", size="17cm", made_to_measure=True)], days_ago=6,
                carrier="chronopost", transit_working_days=1)
    s.delivered("delivered_earrings", [_Item("BO-PUCES-DIAM")], days_ago=4)
    s.delivered("delivered_watch", [_Item("MT-ACIER-CUIR")], days_ago=7)
    s.delivered("delivered_necklace", [_Item("CO-DIAM-OB")], days_ago=8)
    s.delivered("delivered_not_received", [_Item("BR-JONC-ARG")], days_ago=2)
    s.delivered("delivered_not_received_outside_eu", [_Item("BO-CREOLES-OR18")], days_ago=3,
                carrier="dhl", country="CH")
    s.delivered("paid_instalments_4x", [_Item("BG-SOL-DIAM30", size="53")], days_ago=12,
                payment=PaymentMethod.INSTALMENTS_4X)
    s.delivered("discounted_items",
                [_Item("BO-CREOLES-ARG", sale_price_cents=3_430), _Item("CO-CHAINE-VEN")],
                days_ago=6)
    s.delivered("with_promo_code", [_Item("BR-GOURMETTE"), _Item("PD-COEUR-ARG")],
                days_ago=9, promo_code=DEMO_PROMO_CODES["already_used"].code)
    s.delivered("returned", [_Item("MT-FEMME-OR")], days_ago=18, status=OrderStatus.RETURNED,
                status_changed_at=s.days_ago(2, 10, 20), carrier="mondial_relay")
    s.delivered("refunded", [_Item("BO-PERLES")], days_ago=25, status=OrderStatus.REFUNDED,
                status_changed_at=s.days_ago(1, 15, 10), payment=PaymentMethod.PAYPAL)

    without_date = s.order("delivered_without_date", OrderStatus.DELIVERED,
                           [_Item("BO-CREOLES-OR18")], placed_at=s.working_days_ago(7, 19, 45),
                           status_changed_at=s.working_days_ago(4, 12, 0))
    s.ship(without_date, s.working_days_ago(6, 16, 30), None)


def _add_history(s: _Seeder) -> None:
    """Older orders of the same customers, so their accounts look lived-in."""
    s.delivered("452118", [_Item("PD-MEDAILLE-OR")], days_ago=300,
                email="claire.martin@gmail.com")
    s.delivered("455903", [_Item("BG-JONC-OR9", size="54"), _Item("BO-PERLES")], days_ago=240,
                email="sophie.dubois@free.fr")
    s.delivered("458640", [_Item("BO-PUCES-DIAM")], days_ago=180,
                email="sophie.dubois@free.fr", payment=PaymentMethod.INSTALMENTS_3X)
    s.delivered("461275", [_Item("MT-FEMME-OR")], days_ago=150, email="elodie.roux@free.fr",
                status=OrderStatus.REFUNDED, status_changed_at=s.days_ago(130, 11, 0))
    s.delivered("463390", [_Item("CO-PERLES-EAU"), _Item("BO-PERLES")], days_ago=130,
                email="hugo.rousseau@gmail.com", payment=PaymentMethod.PAYPAL)
    s.order("466014", OrderStatus.CANCELLED, [_Item("BG-SAPHIR-OB", size="57")],
            email="manon.girard@gmail.com", placed_at=s.days_ago(110, 10, 30),
            status_changed_at=s.days_ago(110, 11, 15))
    s.delivered("468752", [_Item("BR-FORCAT-ARG", size="19cm")], days_ago=95,
                email="julien.bernard@orange.fr")
    s.delivered("470031", [_Item("AC-MANCHETTE"), _Item("BR-GOURMETTE")], days_ago=60,
                email="sarah.blanc@orange.fr")


# fmt: on


def database_has_data(session: Session) -> bool:
    return bool(
        session.execute(select(func.count()).select_from(Customer)).scalar_one()
        or session.execute(select(func.count()).select_from(Order)).scalar_one()
    )


def seed_demo(session: Session, now: datetime) -> None:
    """Add the demo data relative to ``now``; do nothing if the store already holds data."""
    if now.tzinfo is None:
        raise ValueError("seed_demo needs a timezone-aware 'now'")
    if database_has_data(session):
        return
    seeder = _Seeder(session, now)
    seeder.add_customers()
    _add_promo_codes(seeder)
    _add_open_orders(seeder)
    _add_shipped_orders(seeder)
    _add_delivered_orders(seeder)
    _add_history(seeder)
    session.flush()


def reset_and_seed(engine: Engine, now: datetime) -> None:
    """Drop and recreate every table of the store, then seed the demo data."""
    drop_schema(engine)
    create_schema(engine)
    with session_scope(make_session_factory(engine)) as session:
        seed_demo(session, now)


def reset_refusal(engine: Engine) -> str | None:
    """Why ``--reset`` could destroy real data here (None: a throwaway or demo database).

    Anything but SQLite is refused without connecting; a SQLite file is refused when it holds
    agents besides the demo one, any desk conversation, or customers the demo does not create.
    """
    where = engine.url.render_as_string(hide_password=True)
    if engine.url.get_backend_name() != "sqlite":
        return f"{where} is not a SQLite database (it may be a production store)"
    tables = set(inspect(engine).get_table_names())
    counts: list[tuple[type[Base], Any, str]] = [
        (Agent, Agent.username != DEMO_AGENT_USERNAME, "agent(s) besides the demo agent"),
        (Conversation, None, "desk conversation(s)"),
        (Customer, Customer.email.not_in(list(CUSTOMERS)), "customer(s) not from the demo"),
    ]
    found = []
    with session_scope(make_session_factory(engine)) as session:
        for model, condition, what in counts:
            if model.__table__.name not in tables:
                continue
            statement = select(func.count()).select_from(model)
            if condition is not None:
                statement = statement.where(condition)
            count = session.execute(statement).scalar_one()
            if count:
                found.append(f"{count} {what}")
    return f"{where} holds {', '.join(found)}" if found else None


def parse_now(text: str) -> datetime:
    """ISO 8601 instant; without an offset it is read as Paris wall-clock time."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=PARIS)
    return value.astimezone(timezone.utc)


def scenario_table() -> str:
    """The demo scenarios as a plain-text table (number, email, what it shows)."""
    rows = [(demo.number, demo.email, demo.key, demo.description) for demo in DEMO_ORDERS.values()]
    codes = [
        (code.code, code.email or "-", code.key, code.description)
        for code in DEMO_PROMO_CODES.values()
    ]
    lines = ["Orders (number / email / scenario / what it shows)"]
    width = max(len(row[1]) for row in rows)
    lines += [f"  {n}  {e:<{width}}  {k}: {d}" for n, e, k, d in rows]
    lines.append("Promo codes (code / concerned customer / scenario / what it shows)")
    code_width = max(len(row[0]) for row in codes)
    lines += [f"  {c:<{code_width}}  {e:<{width}}  {k}: {d}" for c, e, k, d in codes]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m shop.store.seed",
        description="Create the order-store schema and fill it with the demo data.",
    )
    parser.add_argument(
        "--reset",
        action="store_true",
        help="drop every table first (all orders and tickets are lost)",
    )
    parser.add_argument(
        "--now",
        type=parse_now,
        default=None,
        help="instant the demo dates are relative to, ISO 8601 "
        "(no offset = Paris time); default: the current time",
    )
    parser.add_argument(
        "--list",
        action="store_true",
        help="only print the demo scenarios (numbers, emails), change nothing",
    )
    parser.add_argument(
        FORCE_RESET_FLAG,
        dest="force",
        action="store_true",
        help="with --reset: drop the tables even of a database that does not "
        "look like a throwaway demo one",
    )
    args = parser.parse_args(argv)
    if args.list:
        print(scenario_table())
        return 0
    now: datetime = args.now or SystemClock().now()
    url = database_url()
    engine = make_engine(url)
    try:
        refusal = reset_refusal(engine) if args.reset and not args.force else None
        if refusal is not None:
            print(
                f"error: refusing to reset: {refusal}. A reset deletes every order, ticket, "
                f"conversation and agent; add {FORCE_RESET_FLAG} if that is what you want.",
                file=sys.stderr,
            )
            return 2
        if args.reset:
            reset_and_seed(engine, now)
            print(f"Reset and seeded {engine.url.render_as_string(hide_password=True)}")
        else:
            create_schema(engine)
            with session_scope(make_session_factory(engine)) as session:
                if database_has_data(session):
                    print("The database already holds data: nothing seeded (use --reset).")
                else:
                    seed_demo(session, now)
                    print(f"Seeded {engine.url.render_as_string(hide_password=True)}")
    finally:
        engine.dispose()
    local = now.astimezone(PARIS)
    print(f"Demo dates are relative to {local:%Y-%m-%d %H:%M} (Paris time).")
    if not time(0, 55) <= local.time() < time(12, 0):
        print(
            "Note: the 'cancellable' scenarios assume a seed between 01:00 and 12:00 "
            "Paris time; reseed with --reset before a demo."
        )
    print(scenario_table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
