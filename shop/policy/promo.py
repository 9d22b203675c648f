"""Why does my promo code fail? Check the code against the shop's rules, in a fixed order.

The order matters: the first problem found is the one the shopper can act on (a typo before an
expiry, an expiry before a minimum basket). Typos are matched with rapidfuzz on codes normalised
to upper case without spaces or dashes, and only active codes valid today are suggested.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Sequence

from rapidfuzz import fuzz, process

from shop.clock import as_utc
from shop.kinds import Outcome, Topic
from shop.policy.decision import Decision
from shop.policy.profile import ShopProfile
from shop.policy.views import CustomerView, PromoCodeView, promo_code_view

TOPIC = Topic.PROMO_CODE
REASON_CODES = frozenset(
    {
        "unknown",
        "inactive",
        "not_yet_valid",
        "expired",
        "already_used",
        "nominative_other_account",
        "min_basket",
        "not_cumulative",
        "excluded_discounted",
        "valid_check_login",
    }
)

_SEPARATORS = re.compile(r"[\s\-_.]+")


def normalise_code(code: str) -> str:
    return _SEPARATORS.sub("", code or "").upper()


def is_usable_now(promo: PromoCodeView, now: datetime) -> bool:
    instant = as_utc(now)
    return bool(promo.active) and as_utc(promo.valid_from) <= instant <= as_utc(promo.valid_until)


def suggest_code(
    code: str, known_codes: Sequence[PromoCodeView], now: datetime, min_score: int
) -> str | None:
    """The closest active, currently valid code when it looks like a typo of ``code``."""
    candidates = {normalise_code(p.code): p.code for p in known_codes if is_usable_now(p, now)}
    wanted = normalise_code(code)
    if not wanted or not candidates:
        return None
    match = process.extractOne(wanted, list(candidates), scorer=fuzz.ratio, score_cutoff=min_score)
    return candidates[match[0]] if match else None


def diagnose_promo_code(
    code: str,
    promo: PromoCodeView | None,
    known_codes: Sequence[PromoCodeView],
    customer: CustomerView | None,
    now: datetime,
    profile: ShopProfile,
    basket_cents: int | None = None,
    basket_has_discounted: bool | None = None,
    other_code_in_basket: bool = False,
) -> Decision:
    rules = profile.promo
    known_codes = [promo_code_view(known) for known in known_codes]
    customer = CustomerView(customer.id) if customer is not None else None
    promo = promo_code_view(promo) if promo is not None else _exact_match(code, known_codes)
    facts = _facts(code, promo, customer, rules.apply_button)

    if promo is None:
        suggestion = suggest_code(code, known_codes, now, rules.suggestion_min_score)
        facts["suggestion"] = suggestion
        return _decision(profile, "promo", Outcome.REFUSED, "unknown", facts)

    instant = as_utc(now)
    checks: list[tuple[bool, str, str]] = [
        (not promo.active, "inactive", "promo"),
        (instant < as_utc(promo.valid_from), "not_yet_valid", "promo"),
        (instant > as_utc(promo.valid_until), "expired", "promo"),
        (_already_used(promo, customer), "already_used", "promo.single_use"),
        (_other_account(promo, customer), "nominative_other_account", "promo.nominative_codes"),
        (
            basket_cents is not None and basket_cents < (promo.min_basket_cents or 0),
            "min_basket",
            "promo",
        ),
        (other_code_in_basket and not rules.cumulative, "not_cumulative", "promo.cumulative"),
        (
            bool(basket_has_discounted) and not promo.applies_to_discounted,
            "excluded_discounted",
            "promo.some_exclude_discounted",
        ),
    ]
    for failed, reason, rule in checks:
        if failed:
            return _decision(profile, rule, Outcome.REFUSED, reason, facts)
    return _decision(profile, "promo.login_required", Outcome.VALID, "valid_check_login", facts)


def _decision(
    profile: ShopProfile, rule: str, outcome: Outcome, reason: str, facts: dict[str, Any]
) -> Decision:
    return Decision(TOPIC, outcome, reason, profile.clause(rule, profile.promo.clause), facts)


def _exact_match(code: str, known_codes: Sequence[PromoCodeView]) -> PromoCodeView | None:
    wanted = normalise_code(code)
    return next((p for p in known_codes if normalise_code(p.code) == wanted), None)


def _already_used(promo: PromoCodeView, customer: CustomerView | None) -> bool:
    if customer is None or not promo.single_use:
        return False
    return any(use.customer_id == customer.id for use in promo.uses)


def _other_account(promo: PromoCodeView, customer: CustomerView | None) -> bool:
    return (
        customer is not None and promo.customer_id is not None and promo.customer_id != customer.id
    )


def _facts(
    code: str, promo: PromoCodeView | None, customer: CustomerView | None, button: str
) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "code": code,
        "normalised_code": normalise_code(code),
        "customer_known": customer is not None,
        "apply_button": button,
        "suggestion": None,
    }
    if promo is not None:
        facts.update(
            {
                "code": promo.code,
                "valid_from": as_utc(promo.valid_from).isoformat(),
                "valid_until": as_utc(promo.valid_until).isoformat(),
                "min_basket_cents": promo.min_basket_cents or 0,
                "single_use": bool(promo.single_use),
                "nominative": promo.customer_id is not None,
                "applies_to_discounted": bool(promo.applies_to_discounted),
                "kind": promo.kind.value,
                "value": promo.value,
            }
        )
    return facts
