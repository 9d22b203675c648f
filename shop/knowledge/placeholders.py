"""The placeholder table: the shop-specific words an FAQ answer may borrow from a shop profile.

One FAQ serves every shop: where shops differ (return window, cut-off hour, points validity,
phone number...) the answer says ``{return_window_days}`` instead of a number, and the value is
read from the active ``ShopProfile`` when the answer is sent. The table is small and explicit on
purpose: the validator rejects any other name, so a typo never reaches a shopper as "{phnoe}".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Mapping

from shop.policy.profile import DayRange, ShopProfile
from shop.voice import labels, say
from shop.voice.french import (
    format_days,
    format_duration,
    format_time,
    format_weekly_hours,
    join_words,
)

PLACEHOLDER_PATTERN = re.compile(r"\{([a-z][a-z0-9_]*)\}")


class PlaceholderError(ValueError):
    """An answer names a placeholder that is not in the table (or one that cannot be filled)."""


@dataclass(frozen=True)
class Placeholder:
    """A name editors may write in braces, what it means (French, for the guide), its value."""

    name: str
    meaning: str
    render: Callable[[ShopProfile], str]


# ---------------------------------------------------------------- values from the profile


def opening_hours(profile: ShopProfile) -> str:
    """ "du lundi au jeudi de 9h à 12h30 et de 13h30 à 18h, le vendredi de 9h à 17h"."""
    return format_weekly_hours(
        {
            day: [(slot.start, slot.end) for slot in slots]
            for day, slots in profile.contact.opening_hours.items()
        }
    )


def _days(delay: DayRange) -> str:
    """ "7 à 15 jours ouvrés", "14 jours", "1 jour ouvré" (no "sous")."""
    return format_days(delay.min, delay.max, delay.unit)


def _span(delays: list[DayRange]) -> str:
    if not delays:
        return say("faq_value.few_working_days")
    return format_days(min(d.min for d in delays), max(d.max for d in delays), "working")


def _cancel_rule(profile: ShopProfile) -> str:
    rule = profile.cancellation
    if rule.next_day_cutoff is None:
        return say("faq_value.cancel_same_day", cutoff=format_time(rule.cutoff))
    return say(
        "faq_value.cancel_same_or_next_day",
        cutoff=format_time(rule.cutoff),
        next_day_cutoff=format_time(rule.next_day_cutoff),
    )


def _return_exclusions(profile: ShopProfile) -> str:
    flags = labels("faq_value.excluded_flag")
    items = [flags[flag] for flag in sorted(profile.returns.excluded_flags)]
    kinds = labels("kind")
    for kind in sorted(profile.returns.unopened_only_kinds, key=lambda k: k.value):
        name = kinds.get(kind.value, kinds["other"]).split(" ", 1)[-1]
        key = "faq_value.opened_earrings" if kind.value == "earrings" else "faq_value.opened_items"
        items.append(say(key, name=name))
    return join_words(items) if items else say("faq_value.no_exclusion")


def _loyalty_available(profile: ShopProfile) -> str:
    rule = profile.loyalty
    key = (
        "faq_value.loyalty_after_shipment"
        if rule.available_after == "shipment"
        else "faq_value.loyalty_after_delivery"
    )
    return say(key, days=rule.available_after_days)


def _loyalty_earning(profile: ShopProfile) -> str:
    per_euro = profile.loyalty.points_per_euro
    if per_euro is None:
        return say("faq_value.loyalty_each_order")
    key = (
        "faq_value.loyalty_points_per_euro" if per_euro > 1 else "faq_value.loyalty_point_per_euro"
    )
    return say(key, points=per_euro)


def _bank_delay(profile: ShopProfile) -> str:
    delay = profile.refund.bank_delay
    return say("faq_value.few_days") if delay is None else _days(delay)


def _return_shipping(profile: ShopProfile) -> str:
    if profile.returns.shipping_paid_by == "customer":
        return say("faq_value.return_shipping_yours")
    return say("faq_value.return_shipping_offered")


def _zone_delays(profile: ShopProfile, zones: tuple[str, ...]) -> list[DayRange]:
    return [c.delivery_days[z] for c in profile.carriers for z in zones if z in c.delivery_days]


_TABLE = (
    Placeholder("shop_name", "le nom de la boutique", lambda p: p.display_name),
    Placeholder("phone", "le téléphone du service client", lambda p: p.contact.phone),
    Placeholder("email", "l'e-mail du service client", lambda p: p.contact.email),
    Placeholder("opening_hours", "les horaires du service client", opening_hours),
    Placeholder(
        "response_time",
        "le délai de réponse à une demande transmise (priorité normale), ex. « 24 h »",
        lambda p: say("faq_value.response_time", hours=p.service_level.response_hours.get(2, 48)),
    ),
    Placeholder(
        "return_window_days",
        "le délai de retour en jours (nombre seul : écrire « {return_window_days} jours »)",
        lambda p: str(p.returns.window_days),
    ),
    Placeholder(
        "return_shipping",
        "qui paie le retour : « à votre charge » ou « offerts »",
        _return_shipping,
    ),
    Placeholder(
        "return_conditions",
        "l'état demandé pour un retour, ex. « non porté, dans son emballage d'origine »",
        lambda p: join_words([labels("condition")[c] for c in p.returns.conditions]),
    ),
    Placeholder(
        "return_exclusions",
        "les articles jamais repris, ex. « les bijoux gravés et les bijoux faits sur mesure »",
        _return_exclusions,
    ),
    Placeholder(
        "refund_delay",
        "le délai de remboursement après réception du retour, ex. « 7 à 15 jours ouvrés »",
        lambda p: _days(p.refund.delay),
    ),
    Placeholder(
        "refund_bank_delay",
        "le temps pour que l'argent arrive sur le compte après le remboursement",
        _bank_delay,
    ),
    Placeholder(
        "cancel_cutoff",
        "l'heure limite d'annulation, ex. « 13h »",
        lambda p: format_time(p.cancellation.cutoff),
    ),
    Placeholder(
        "cancel_rule",
        "jusqu'à quand annuler ou modifier, ex. « avant 13h le jour même de la commande »",
        _cancel_rule,
    ),
    Placeholder(
        "loyalty_earning",
        "comment on gagne des points, ex. « 1 point par euro dépensé »",
        _loyalty_earning,
    ),
    Placeholder("loyalty_available", "quand les points deviennent utilisables", _loyalty_available),
    Placeholder(
        "loyalty_validity",
        "la durée de validité des points, ex. « 90 jours », « 1 an »",
        lambda p: format_duration(p.loyalty.validity_days),
    ),
    Placeholder(
        "warranty_months",
        "la durée de garantie en mois (nombre seul)",
        lambda p: str(p.warranty.months),
    ),
    Placeholder(
        "lost_parcel_inquiry_days",
        "la durée moyenne d'une enquête transporteur (jours)",
        lambda p: str(p.lost_parcel.inquiry_days),
    ),
    Placeholder(
        "lost_parcel_inquiry_days_non_eu",
        "la durée d'une enquête hors Union européenne (jours)",
        lambda p: str(p.lost_parcel.inquiry_days * p.lost_parcel.non_eu_multiplier),
    ),
    Placeholder(
        "carriers",
        "la liste des transporteurs",
        lambda p: join_words([c.label for c in p.carriers]),
    ),
    Placeholder(
        "delivery_france",
        "le délai de livraison en France après expédition",
        lambda p: _span(_zone_delays(p, ("france",))),
    ),
    Placeholder(
        "delivery_abroad",
        "le délai de livraison hors de France après expédition",
        lambda p: _span(_zone_delays(p, ("europe", "world"))),
    ),
    Placeholder(
        "stuck_days",
        "au-delà de ce nombre de jours « prête à être expédiée », on vérifie",
        lambda p: str(p.tracking.stuck_ready_to_ship_days),
    ),
    Placeholder(
        "workshop_delay",
        "le délai indicatif de l'atelier (mise à taille)",
        lambda p: _days(p.resizing.workshop_days),
    ),
    Placeholder(
        "ring_sizes",
        "les tailles de bague possibles, ex. « 48 à 70 »",
        lambda p: say(
            "faq_value.ring_sizes",
            ring_size_min=p.resizing.ring_size_min,
            ring_size_max=p.resizing.ring_size_max,
        ),
    ),
    Placeholder(
        "promo_button",
        "le bouton qui applique un code promo dans le panier",
        lambda p: p.promo.apply_button,
    ),
)

PLACEHOLDERS: Mapping[str, Placeholder] = {item.name: item for item in _TABLE}


def placeholders_in(text: str) -> list[str]:
    """The placeholder names an answer uses, in order of appearance."""
    return PLACEHOLDER_PATTERN.findall(text)


def stray_braces(text: str) -> bool:
    """Whether braces remain once well-formed ``{name}`` placeholders are removed."""
    rest = PLACEHOLDER_PATTERN.sub("", text)
    return "{" in rest or "}" in rest


def fill(answer: str, profile: ShopProfile) -> str:
    """The answer with each ``{name}`` replaced by the profile's value.

    Raises ``PlaceholderError`` for a name missing from the table: a broken answer must fail
    loudly in the validator, never reach a shopper with braces in it.
    """

    def replace(match: re.Match[str]) -> str:
        placeholder = PLACEHOLDERS.get(match.group(1))
        if placeholder is None:
            raise PlaceholderError(f"unknown placeholder {{{match.group(1)}}}")
        return placeholder.render(profile)

    return PLACEHOLDER_PATTERN.sub(replace, answer)


def table(profile: ShopProfile) -> dict[str, str]:
    """Every placeholder's value for one profile (for previews and the guide)."""
    return {name: item.render(profile) for name, item in PLACEHOLDERS.items()}
