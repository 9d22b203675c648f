"""French answers: every reason code has a sentence, dates and amounts read naturally."""

from __future__ import annotations

from datetime import date

from shop.policy.answers import (
    REASON_CODES,
    RENDERERS,
    format_amount,
    format_count,
    format_date,
    format_datetime,
    format_percent,
    render,
    render_clause,
)
from shop.policy.cancellation import decide_cancellation
from shop.policy.lost_parcel import decide_lost_parcel
from shop.policy.profile import ShopProfile
from shop.policy.promo import diagnose_promo_code
from shop.policy.resizing import decide_resizing
from shop.policy.returns import decide_return
from shop.policy.tracking import describe_tracking
from shop.store.models import OrderStatus, PaymentMethod, ProductKind
from tests.unit.conftest import (
    build_delivered_order,
    build_line,
    build_order,
    build_promo,
    build_shipment,
    paris,
)


def test_every_reason_code_of_every_topic_has_a_sentence() -> None:
    assert set(RENDERERS) == set(REASON_CODES)
    for topic, codes in REASON_CODES.items():
        assert set(RENDERERS[topic]) == set(codes), topic


def test_french_date_time_amount_count_and_percent_formats(bijou: ShopProfile) -> None:
    assert format_date(date(2025, 11, 25)) == "mardi 25 novembre"
    assert format_datetime(paris(2025, 11, 24, 13), bijou) == "lundi 24 novembre à 13h"
    assert format_amount(1250) == "12,50\u00a0€"
    assert format_amount(125000) == "1\u202f250,00\u00a0€"
    assert format_count(1234567) == "1\u202f234\u202f567"
    assert format_percent(0.425) == "42\u00a0%" and format_percent(1) == "100\u00a0%"


def test_cancellation_answer_gives_cutoff_refund_and_instalments(ocre: ShopProfile) -> None:
    order = build_order(
        OrderStatus.BEING_PREPARED,
        paris(2025, 11, 24, 10),
        payment_method=PaymentMethod.INSTALMENTS_4X,
    )
    text = render(decide_cancellation(order, ocre, paris(2025, 11, 24, 11)), ocre)
    assert "lundi 24 novembre à 15h" in text
    assert "125,00\u00a0€" in text and "7 à 15 jours ouvrés" in text
    assert "première échéance" in text


def test_refused_cancellation_advises_refusing_the_parcel(bijou: ShopProfile) -> None:
    order = build_order(OrderStatus.SHIPPED, paris(2025, 11, 24, 10))
    text = render(decide_cancellation(order, bijou, paris(2025, 11, 24, 11)), bijou)
    assert "refuser le colis" in text and "14 jours" in text


def test_tracking_answer_has_link_and_dates(bijou: ShopProfile) -> None:
    line = build_line()
    shipment = build_shipment([line], shipped_at=paris(2025, 11, 21, 16))
    order = build_order(OrderStatus.SHIPPED, paris(2025, 11, 21), [line], [shipment])
    text = render(describe_tracking(order, bijou, paris(2025, 11, 24)), bijou)
    assert "mardi 25 novembre" in text and "jeudi 27 novembre" in text
    assert "https://www.laposte.fr/" in text


def test_return_answer_lists_each_line_and_the_steps(bijou: ShopProfile) -> None:
    lines = [
        build_line(1, "Bague gravée", engraved=True),
        build_line(2, "Boucles Étoile", ProductKind.EARRINGS),
    ]
    order = build_delivered_order(paris(2025, 11, 3), lines)
    text = render(decide_return(order, bijou, paris(2025, 11, 5)), bijou)
    assert "Bague gravée : bijou gravé" in text
    assert "jamais été ouvertes" in text and "lundi 17 novembre" in text
    assert "à votre charge" in text and "Effectuer un retour" in text


def test_promo_answer_suggests_the_right_code(bijou: ShopProfile) -> None:
    known = [build_promo("BIENVENUE10")]
    decision = diagnose_promo_code("BIENVENU10", None, known, None, paris(2025, 11, 24), bijou)
    assert "Vouliez-vous dire « BIENVENUE10 » ?" in render(decision, bijou)


def test_valid_promo_answer_reminds_login_and_button(bijou: ShopProfile) -> None:
    promo = build_promo()
    decision = diagnose_promo_code(promo.code, promo, [promo], None, paris(2025, 11, 24), bijou)
    text = render(decision, bijou)
    assert "connecté" in text and "« Recalculer »" in text and "mercredi 31 décembre" in text


def test_lost_parcel_answer_has_checklist_documents_and_doubling(ocre: ShopProfile) -> None:
    line = build_line()
    shipment = build_shipment(
        [line], paris(2025, 11, 3), delivered_at=paris(2025, 11, 10), country="CH"
    )
    order = build_order(OrderStatus.DELIVERED, paris(2025, 11, 2), [line], [shipment])
    text = render(decide_lost_parcel(order, ocre, paris(2025, 11, 24)), ocre)
    assert "voisins" in text and "attestation sur l'honneur" in text
    assert "42 jours" in text and "doublé hors Union européenne" in text
    assert "un remboursement ou un nouvel envoi" in text


def test_resizing_answer_mentions_workshop_and_extra_cost(bijou: ShopProfile) -> None:
    line = build_line()
    order = build_delivered_order(paris(2025, 11, 3), [line])
    text = render(decide_resizing(order, line, "56", bijou, paris(2025, 11, 5)), bijou)
    assert "atelier" in text and "supplément" in text and "en 56" in text


def test_clause_names_shop_rule_and_text(bijou: ShopProfile) -> None:
    order = build_order(OrderStatus.BEING_PREPARED, paris(2025, 11, 24, 10))
    clause = render_clause(decide_cancellation(order, bijou, paris(2025, 11, 24, 11)))
    assert clause.startswith("Règle appliquée (bijou_eclat · cancellation.cutoff) : ")
    assert "13 h" in clause


def test_every_status_renders_a_french_answer_for_each_order_topic(
    bijou: ShopProfile, ocre: ShopProfile
) -> None:
    for profile in (bijou, ocre):
        for status in OrderStatus:
            line = build_line()
            shipments = []
            if status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.RETURNED):
                delivered = paris(2025, 11, 5) if status != OrderStatus.SHIPPED else None
                shipments = [build_shipment([line], paris(2025, 11, 3), delivered_at=delivered)]
            order = build_order(status, paris(2025, 11, 3, 9), [line], shipments)
            now = paris(2025, 11, 24)
            for decision in (
                decide_cancellation(order, profile, now),
                describe_tracking(order, profile, now),
                decide_return(order, profile, now),
                decide_lost_parcel(order, profile, now),
                decide_resizing(order, line, "56", profile, now),
            ):
                text = render(decision, profile)
                assert text.strip() and "{" not in text, (status, decision.reason_code)
