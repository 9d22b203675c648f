"""Named demo scenarios: which seeded order (number + email) or promo code shows which case.

Tests, docs and people trying the bot refer to these names instead of magic numbers; the seed
(``shop.store.seed``) builds its data from the same constants, so both can never drift apart.
Dates are relative to the instant the database was seeded ("now"); the descriptions assume
it was seeded on a weekday morning around 10:00 Paris time.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoOrder:
    key: str
    number: str
    email: str
    description: str


@dataclass(frozen=True)
class DemoPromoCode:
    key: str
    code: str
    email: str | None  # the customer concerned (owner or past user), when there is one
    description: str


def _orders(*rows: tuple[str, str, str, str]) -> dict[str, DemoOrder]:
    return {key: DemoOrder(key, number, email, text) for key, number, email, text in rows}


def _codes(*rows: tuple[str, str, str | None, str]) -> dict[str, DemoPromoCode]:
    return {key: DemoPromoCode(key, code, email, text) for key, code, email, text in rows}


# One demo order or code a row: ruff format keeps the table.
# fmt: off
DEMO_ORDERS: dict[str, DemoOrder] = _orders(
    # Cancellation
    ("cancellable", "482913", "claire.martin@gmail.com",
     "placed 40 min ago by card, payment authorised: cancellable before the 13:00 cut-off"),
    ("cancellable_paypal", "482957", "ines.faure@gmail.com",
     "placed 30 min ago, paid by PayPal: cancellable, refund to the PayPal account"),
    ("cancellable_instalments_3x", "482964", "emilie.moreau@hotmail.fr",
     "placed 55 min ago, paid in 3 instalments: cancellable, instalments cancelled"),
    ("past_cutoff", "481702", "julien.bernard@orange.fr",
     "placed yesterday 11:05 (Paris), being prepared: past every cut-off"),
    ("ordered_yesterday_after_1500", "481766", "antoine.lefevre@yahoo.fr",
     "placed yesterday 16:40: refused at 13:00-same-day shops, allowed until noon at maison_ocre"),
    ("awaiting_bank_transfer", "480388", "camille.durand@gmail.com",
     "awaiting payment: the shop waits for the bank transfer"),
    ("awaiting_cheque", "480231", "elodie.roux@free.fr",
     "awaiting payment by cheque, placed 4 days ago"),
    ("payment_authorised_waiting_stock", "480415", "baptiste.morel@laposte.net",
     "payment authorised 4 days ago, item not in stock yet"),
    ("being_processed", "480512", "nicolas.leroy@sfr.fr",
     "being processed: the shop needs to call the customer to validate the order"),
    ("being_prepared", "480127", "manon.girard@gmail.com",
     "being prepared since yesterday (placed 2 days ago)"),
    ("ready_to_ship_recent", "479880", "lucas.fournier@free.fr",
     "ready to ship for 2 days: normal, carrier picks it up"),
    ("ready_to_ship_stuck", "476342", "chloe.lambert@orange.fr",
     "ready to ship for 10 days (more than 7): open a ticket"),
    # Tracking
    ("shipped_on_time", "479655", "hugo.rousseau@gmail.com",
     "shipped by Colissimo 1 working day ago: on time (2-4 working days)"),
    ("shipped_late", "474918", "thomas.petit@laposte.net",
     "shipped by Colissimo 12 working days ago, not delivered: late"),
    ("shipped_mondial_relay", "479430", "maxime.garnier@outlook.fr",
     "shipped by Mondial Relay 2 working days ago (5 days expected)"),
    ("shipped_lettre_suivie", "479512", "baptiste.morel@laposte.net",
     "earrings shipped by lettre suivie 3 working days ago"),
    ("shipped_switzerland", "478806", "pauline.chevalier@bluewin.ch",
     "shipped by DHL to Switzerland (outside the EU) 2 working days ago"),
    ("shipped_usa", "478233", "marc.dupont@gmail.com",
     "shipped by DHL to the USA (outside the EU) 3 working days ago"),
    ("shipped_belgium", "479101", "anne.vandenberghe@skynet.be",
     "shipped by Chronopost to Belgium (EU, 3 days) 2 working days ago"),
    ("shipped_germany", "478954", "nathalie.weber@gmx.de",
     "shipped by Colissimo to Germany (EU) 4 working days ago"),
    ("partly_shipped", "477690", "mathieu.mercier@free.fr",
     "ring shipped yesterday, the watch of the same order not shipped yet"),
    # Returns, resizing, lost parcels
    ("delivered_recent_ring", "478012", "sophie.dubois@free.fr",
     "gold solitaire ring size 54 delivered 3 days ago: returnable and resizable"),
    ("delivered_10_days", "476905", "elodie.roux@free.fr",
     "silver bracelet delivered 10 days ago"),
    ("delivered_14_days", "476211", "camille.durand@gmail.com",
     "pendant delivered 14 days ago: last day of a 14-day window"),
    ("delivered_15_days", "476108", "chloe.lambert@orange.fr",
     "ring delivered 15 days ago: outside 14 days, inside 30 days"),
    ("delivered_20_days", "475327", "baptiste.morel@laposte.net",
     "pearl necklace delivered 20 days ago"),
    ("delivered_29_days", "473846", "hugo.rousseau@gmail.com",
     "sapphire ring delivered 29 days ago: still inside a 30-day window"),
    ("delivered_31_days", "473512", "antoine.lefevre@yahoo.fr",
     "automatic watch delivered 31 days ago: outside every return window"),
    ("delivered_45_days", "471284", "julien.bernard@orange.fr",
     "topaz ring size 58 delivered 45 days ago: resizing only on an after-sales quote"),
    ("delivered_engraved_ring", "477455", "emilie.moreau@hotmail.fr",
     "signet ring engraved with initials, delivered 5 days ago: excluded from returns"),
    ("delivered_made_to_measure_bracelet", "476730", "ines.faure@gmail.com",
     "made-to-measure gold bangle delivered 6 days ago: excluded from returns"),
    ("delivered_earrings", "477903", "manon.girard@gmail.com",
     "diamond stud earrings delivered 4 days ago: hygiene exclusion once worn"),
    ("delivered_watch", "477218", "thomas.petit@laposte.net",
     "steel watch with leather strap delivered 7 days ago: strap adjustment"),
    ("delivered_necklace", "477064", "lea.bonnet@wanadoo.fr",
     "diamond pendant necklace delivered 8 days ago"),
    ("delivered_without_date", "477581", "sarah.blanc@orange.fr",
     "status delivered but the carrier gave no delivery date"),
    ("delivered_not_received", "478490", "nicolas.leroy@sfr.fr",
     "Colissimo says delivered 2 days ago (France): 'delivered but not received' journey"),
    ("delivered_not_received_outside_eu", "478125", "pauline.chevalier@bluewin.ch",
     "DHL says delivered 3 days ago in Switzerland: inquiry delay doubled outside the EU"),
    ("returned", "474260", "maxime.garnier@outlook.fr",
     "returned to the warehouse and checked 2 days ago: refund coming"),
    ("refunded", "473975", "lucas.fournier@free.fr",
     "refunded yesterday: money within 3-5 days"),
    ("cancelled", "479977", "mathieu.mercier@free.fr",
     "cancelled 5 days ago, 45 minutes after it was placed"),
    # Payment and prices
    ("paid_instalments_4x", "476544", "elodie.roux@free.fr",
     "diamond ring paid in 4 instalments, delivered 12 days ago"),
    ("discounted_items", "477322", "sarah.blanc@orange.fr",
     "one discounted item (sale price) and one full-price item, delivered 6 days ago"),
    ("with_promo_code", "476873", "lea.bonnet@wanadoo.fr",
     "paid with promo code ANNIV10 (10 %), delivered 9 days ago"),
)

DEMO_PROMO_CODES: dict[str, DemoPromoCode] = _codes(
    ("active_welcome", "BIENVENUE10", None,
     "active, 10 % off, single use, nobody has used it yet"),
    ("expired", "NOEL25", None, "25 % off, expired 40 days ago"),
    ("not_yet_valid", "PRINTEMPS15", None, "15 % off, valid only from in 10 days"),
    ("nominative", "VIPCLAIRE15", "claire.martin@gmail.com",
     "15 EUR off, reserved to Claire Martin's account"),
    ("already_used", "ANNIV10", "lea.bonnet@wanadoo.fr",
     "10 %, single use, already used by Léa Bonnet (order 476873)"),
    ("minimum_basket", "LIVRAISON", None, "4.90 EUR off (free delivery) from an 80 EUR basket"),
    ("not_on_discounted_items", "BIJOUX20", None, "20 % off, not applicable to discounted items"),
    ("inactive", "SOLDES30", None, "30 % off, dates valid but switched off by the shop"),
)
# fmt: on
