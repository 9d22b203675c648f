"""Promo codes: the first thing wrong is the reason given, in the documented order."""

from __future__ import annotations

from shop.policy.profile import ShopProfile
from shop.policy.promo import diagnose_promo_code
from tests.unit.conftest import build_customer, build_promo, build_use, paris

NOW = paris(2025, 11, 24, 10)


def test_typo_gets_the_closest_active_code(bijou: ShopProfile) -> None:
    known = [build_promo("BIENVENUE10"), build_promo("NOEL25", id=2)]
    decision = diagnose_promo_code("BIENVENU10", None, known, None, NOW, bijou)
    assert decision.reason_code == "unknown"
    assert decision.facts["suggestion"] == "BIENVENUE10"


def test_unrelated_code_gets_no_suggestion(bijou: ShopProfile) -> None:
    known = [build_promo("BIENVENUE10")]
    decision = diagnose_promo_code("SOLDES50", None, known, None, NOW, bijou)
    assert (decision.reason_code, decision.facts["suggestion"]) == ("unknown", None)


def test_expired_code_is_not_suggested(bijou: ShopProfile) -> None:
    known = [build_promo("BIENVENUE10", valid_until=paris(2025, 1, 31))]
    decision = diagnose_promo_code("BIENVENU10", None, known, None, NOW, bijou)
    assert decision.facts["suggestion"] is None


def test_lowercase_code_with_spaces_is_recognised(bijou: ShopProfile) -> None:
    known = [build_promo("BIENVENUE10")]
    decision = diagnose_promo_code(" bienvenue 10 ", None, known, None, NOW, bijou)
    assert decision.reason_code == "valid_check_login"


def test_expired_code_says_expired(bijou: ShopProfile) -> None:
    promo = build_promo(valid_until=paris(2025, 10, 31, 23, 59))
    decision = diagnose_promo_code(promo.code, promo, [promo], None, NOW, bijou)
    assert decision.reason_code == "expired"


def test_future_code_says_not_yet_valid(bijou: ShopProfile) -> None:
    promo = build_promo(valid_from=paris(2025, 12, 1, 0), valid_until=paris(2025, 12, 31))
    decision = diagnose_promo_code(promo.code, promo, [promo], None, NOW, bijou)
    assert decision.reason_code == "not_yet_valid"


def test_inactive_code_comes_before_dates(bijou: ShopProfile) -> None:
    promo = build_promo(active=False, valid_until=paris(2025, 1, 31))
    assert diagnose_promo_code(promo.code, promo, [promo], None, NOW, bijou).reason_code == (
        "inactive"
    )


def test_single_use_code_already_used_by_this_customer(bijou: ShopProfile) -> None:
    promo = build_promo()
    build_use(promo, customer_id=1)
    decision = diagnose_promo_code(promo.code, promo, [promo], build_customer(1), NOW, bijou)
    assert decision.reason_code == "already_used"


def test_use_by_another_customer_does_not_count(bijou: ShopProfile) -> None:
    promo = build_promo()
    build_use(promo, customer_id=2)
    decision = diagnose_promo_code(promo.code, promo, [promo], build_customer(1), NOW, bijou)
    assert decision.reason_code == "valid_check_login"


def test_nominative_code_of_another_customer(bijou: ShopProfile) -> None:
    promo = build_promo("LEA-VIP", customer_id=7)
    decision = diagnose_promo_code(promo.code, promo, [promo], build_customer(1), NOW, bijou)
    assert decision.reason_code == "nominative_other_account"


def test_basket_below_minimum(bijou: ShopProfile) -> None:
    promo = build_promo(min_basket_cents=5000)
    decision = diagnose_promo_code(
        promo.code, promo, [promo], build_customer(), NOW, bijou, basket_cents=4999
    )
    assert (decision.reason_code, decision.facts["min_basket_cents"]) == ("min_basket", 5000)


def test_codes_are_not_cumulative(bijou: ShopProfile) -> None:
    promo = build_promo()
    decision = diagnose_promo_code(
        promo.code, promo, [promo], None, NOW, bijou, other_code_in_basket=True
    )
    assert decision.reason_code == "not_cumulative"


def test_code_excluded_on_discounted_items(bijou: ShopProfile) -> None:
    promo = build_promo(applies_to_discounted=False)
    decision = diagnose_promo_code(
        promo.code, promo, [promo], None, NOW, bijou, basket_has_discounted=True
    )
    assert decision.reason_code == "excluded_discounted"


def test_valid_code_reminds_to_log_in_and_apply(bijou: ShopProfile) -> None:
    promo = build_promo()
    decision = diagnose_promo_code(promo.code, promo, [promo], None, NOW, bijou)
    assert (decision.outcome, decision.reason_code) == ("valid", "valid_check_login")
    assert decision.facts["apply_button"] == "Recalculer"
