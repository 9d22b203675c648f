"""The French words of every decision: the one place where a Decision becomes shopper text.

Rules decide, this module speaks. Keeping every sentence here means the shopper and the agent
read the same reason, dates and amounts are formatted the same way everywhere ("mardi 24
novembre à 13h00", "12,50 €"), and a test can check that every reason code of every topic has
a sentence. Dates and times are shown in the shop's timezone; no locale setting is needed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Callable, Mapping

from shop.policy import cancellation, lost_parcel, promo, resizing, returns, tracking
from shop.policy.decision import Decision
from shop.policy.profile import DayRange, ShopProfile

Facts = Mapping[str, Any]
Renderer = Callable[[Facts, ShopProfile], list[str]]

DAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTH_NAMES = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
STATUS_NAMES = {
    "awaiting_payment": "en attente de paiement",
    "payment_authorised": "paiement autorisé",
    "being_processed": "en cours de traitement",
    "being_prepared": "en cours de préparation",
    "ready_to_ship": "prête à être expédiée",
    "shipped": "expédiée",
    "delivered": "livrée",
    "returned": "retournée",
    "refunded": "remboursée",
    "cancelled": "annulée",
}
KIND_NAMES = {
    "ring": "une bague",
    "bracelet": "un bracelet",
    "watch": "une montre",
    "earrings": "des boucles d'oreilles",
    "necklace": "un collier",
    "pendant": "un pendentif",
    "other": "cet article",
}
CONDITION_NAMES = {
    "unworn": "non porté",
    "original_packaging": "dans son emballage d'origine",
    "perfect_condition": "en parfait état",
    "certificate": "avec son écrin et son certificat s'il a été fourni",
}
CHECK_NAMES = {
    "tracking_link": "Consultez le lien de suivi reçu par e-mail.",
    "account_address": "Vérifiez l'adresse de livraison enregistrée dans votre compte.",
    "delivery_notice": (
        "Si vous avez un avis de passage, le colis vous attend peut-être au bureau de poste "
        "ou en point relais."
    ),
    "neighbours": "Demandez à vos voisins s'ils l'ont réceptionné pour vous.",
    "same_address": "Renseignez-vous auprès des personnes qui vivent à la même adresse.",
}
DOCUMENT_NAMES = {
    "sworn_statement": "une attestation sur l'honneur de non-réception",
    "id_copy": "une copie de votre pièce d'identité",
    "parcel_photo": "une photo du colis",
}
OUTCOME_NAMES = {"refund": "un remboursement", "reshipment": "un nouvel envoi"}


# --------------------------------------------------------------------------- formatting


def format_date(day: date | str) -> str:
    """ "mardi 24 novembre": weekday, day and month, as shoppers say it."""
    value = date.fromisoformat(day) if isinstance(day, str) else day
    return f"{DAY_NAMES[value.weekday()]} {value.day} {MONTH_NAMES[value.month - 1]}"


def format_datetime(moment: datetime | str, profile: ShopProfile) -> str:
    """ "mardi 24 novembre à 13h00", in the shop's timezone."""
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    local = profile.local(value)
    return f"{format_date(local.date())} à {local.hour}h{local.minute:02d}"


def format_count(value: int) -> str:
    """ "12 345" (narrow no-break space between thousands)."""
    return f"{value:,}".replace(",", "\u202f")


def format_amount(cents: int) -> str:
    """ "12,50 €", "1 250,00 €"."""
    euros, rest = divmod(abs(cents), 100)
    sign = "-" if cents < 0 else ""
    return f"{sign}{format_count(euros)},{rest:02d}\u00a0€"


def format_percent(rate: float) -> str:
    """ "42 %" for 0.42 (no-break space before the sign)."""
    return f"{rate * 100:.0f}\u00a0%"


def format_delay(minimum: int, maximum: int, unit: str) -> str:
    """ "sous 14 jours", "sous 7 à 15 jours ouvrés", "en 3 à 5 jours"."""
    suffix = "jours ouvrés" if unit == "working" else "jours"
    if maximum <= 1:
        suffix = "jour ouvré" if unit == "working" else "jour"
    if minimum in (0, maximum):
        return f"sous {maximum} {suffix}"
    return f"sous {minimum} à {maximum} {suffix}"


def _range(delay: DayRange) -> str:
    return format_delay(delay.min, delay.max, delay.unit)


def _bullets(items: list[str]) -> list[str]:
    return [f"• {item}" for item in items]


def _join_fr(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


# --------------------------------------------------------------------------- cancellation


def _refund_line(facts: Facts, opening: str = "Le") -> list[str]:
    delay = format_delay(
        facts["refund_delay_min"], facts["refund_delay_max"], facts["refund_delay_unit"]
    )
    lines = [
        f"{opening} remboursement de {format_amount(facts['total_cents'])} est fait sur votre "
        f"moyen de paiement {delay}."
    ]
    if facts.get("instalments"):
        lines.append(
            "Pour un paiement en plusieurs fois, la première échéance est remboursée "
            "et les suivantes sont annulées."
        )
    return lines


def _refuse_parcel_advice(facts: Facts) -> list[str]:
    return [
        "Vous pouvez refuser le colis à la livraison : il nous reviendra et vous serez remboursé.",
        f"Vous pouvez aussi le retourner dans les {facts['withdrawal_days']} jours suivant "
        "la livraison (droit de rétractation).",
    ]


def _cancel_before_cutoff(facts: Facts, profile: ShopProfile) -> list[str]:
    lines = [
        f"Bonne nouvelle : votre commande {facts['order_number']} peut encore être annulée, "
        f"jusqu'au {format_datetime(facts['cutoff'], profile)}."
    ]
    if facts.get("handling_hours"):
        lines.append(f"Votre demande est traitée sous {facts['handling_hours']} h.")
    return lines + _refund_line(facts)


def _cancel_cutoff_passed(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        f"Désolé, votre commande {facts['order_number']} ne peut plus être annulée : la limite "
        f"était le {format_datetime(facts['cutoff'], profile)} et elle est prête à partir.",
        *_refuse_parcel_advice(facts),
    ]


def _cancel_check_needed(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        f"L'heure limite d'annulation ({format_datetime(facts['cutoff'], profile)}) est passée, "
        f"mais votre commande {facts['order_number']} n'est pas encore préparée.",
        "Je transmets votre demande à notre équipe, qui vérifie si elle peut encore être arrêtée.",
    ]


def _cancel_already_shipped(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        f"Votre commande {facts['order_number']} est déjà expédiée : "
        "elle ne peut plus être annulée.",
        *_refuse_parcel_advice(facts),
    ]


def _cancel_already_delivered(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        f"Votre commande {facts['order_number']} est déjà livrée : elle ne peut plus être annulée.",
        f"Vous pouvez la retourner dans les {facts['withdrawal_days']} jours suivant la livraison "
        "(droit de rétractation).",
    ]


def _cancel_already_cancelled(facts: Facts, profile: ShopProfile) -> list[str]:
    return [f"Votre commande {facts['order_number']} est déjà annulée.", *_refund_line(facts)]


def _cancel_already_returned(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        f"Votre commande {facts['order_number']} est déjà {STATUS_NAMES[facts['status']]} : "
        "il n'y a plus rien à annuler."
    ]


# --------------------------------------------------------------------------- tracking


def _shipment_lines(facts: Facts) -> list[str]:
    lines = []
    for item in facts.get("shipments", []):
        if item.get("delivered_on"):
            text = f"{item['carrier_label']} : livré le {format_date(item['delivered_on'])}."
        elif item.get("expected_by"):
            text = (
                f"{item['carrier_label']} : livraison prévue entre le "
                f"{format_date(item['expected_from'])} et le {format_date(item['expected_by'])}."
            )
        else:
            text = f"{item['carrier_label']} : expédié le {format_date(item['shipped_on'])}."
        if item.get("tracking_url"):
            text += f" Suivi : {item['tracking_url']}"
        lines.append(text)
    return _bullets(lines)


def _unshipped_lines(facts: Facts) -> list[str]:
    titles = [item["title"] for item in facts.get("unshipped_lines", [])]
    if not facts.get("partly_shipped") or not titles:
        return []
    return [f"Votre commande part en plusieurs colis ; pas encore expédié : {_join_fr(titles)}."]


def _status_sentence(sentence: str) -> Renderer:
    def render_status(facts: Facts, profile: ShopProfile) -> list[str]:
        return [sentence.format(n=facts["order_number"])]

    return render_status


def _track_ready(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        f"Votre commande {facts['order_number']} est prête : le transporteur doit venir "
        "la chercher à notre entrepôt. C'est normal les premiers jours."
    ]


def _track_stuck(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        f"Votre commande {facts['order_number']} est « prête à être expédiée » depuis "
        f"{facts['days_in_status']} jours : c'est plus long que prévu.",
        "Je transmets à notre équipe, qui vérifie avec l'entrepôt.",
    ]


def _track_in_transit(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        f"Votre commande {facts['order_number']} est en route.",
        *_shipment_lines(facts),
        *_unshipped_lines(facts),
        "Le suivi fonctionne à partir du lendemain de l'expédition.",
    ]


def _track_late(facts: Facts, profile: ShopProfile) -> list[str]:
    late = [s for s in facts.get("shipments", []) if s.get("late")]
    by = format_date(late[0]["expected_by"]) if late else "la date prévue"
    return [
        f"Votre colis aurait dû arriver au plus tard le {by} : il a du retard.",
        *_shipment_lines(facts),
        *_unshipped_lines(facts),
        "Je transmets à notre équipe, qui vérifie avec le transporteur.",
    ]


def _track_missing(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        f"Votre commande {facts['order_number']} est expédiée, mais je ne trouve pas "
        "son numéro de suivi. Je transmets à notre équipe."
    ]


def _track_delivered(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        f"Votre commande {facts['order_number']} a été livrée.",
        *_shipment_lines(facts),
        *_unshipped_lines(facts),
        "Vous ne l'avez pas reçue ? Dites-le-moi, je vous aide à la retrouver.",
    ]


def _track_refunded(facts: Facts, profile: ShopProfile) -> list[str]:
    lines = [f"Votre commande {facts['order_number']} a été remboursée."]
    bank = profile.refund.bank_delay
    if bank is not None:
        lines.append(
            f"L'argent arrive sur votre compte {format_delay(bank.min, bank.max, bank.unit)} "
            "après ce statut."
        )
    return lines


# --------------------------------------------------------------------------- returns

_LINE_SENTENCES = {
    "ok": "{title} : retour possible jusqu'au {end}.",
    "earrings_hygiene": (
        "{title} : retour possible jusqu'au {end}, seulement si elles n'ont jamais été "
        "ouvertes (hygiène)."
    ),
    "engraved": "{title} : bijou gravé, il ne peut pas être retourné.",
    "made_to_measure": "{title} : bijou fait sur mesure, il ne peut pas être retourné.",
    "window_passed": "{title} : le délai de retour s'est terminé le {end}.",
    "not_delivered_yet": "{title} : pas encore livré, vous pourrez le retourner après réception.",
}


def _return_lines(facts: Facts) -> list[str]:
    lines = []
    for item in facts.get("lines", []):
        end = format_date(item["window_end"]) if item.get("window_end") else ""
        lines.append(_LINE_SENTENCES[item["reason"]].format(title=item["title"], end=end))
    return _bullets(lines)


def _return_how(facts: Facts) -> list[str]:
    conditions = _join_fr([CONDITION_NAMES[c] for c in facts["conditions"]])
    payer = (
        "Les frais de retour sont offerts."
        if facts["shipping_paid_by"] == "shop"
        else "Les frais de retour sont à votre charge."
    )
    delay = format_delay(
        facts["refund_delay_min"], facts["refund_delay_max"], facts["refund_delay_unit"]
    )
    return [
        f"L'article doit être {conditions}. {payer}",
        "Comment faire :",
        *_bullets(list(facts["steps"])),
        f"Le remboursement est fait {delay} après réception et contrôle de votre retour.",
    ]


def _return_all(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        f"Vous pouvez retourner votre commande {facts['order_number']} "
        f"(délai de {facts['window_days']} jours après la livraison) :",
        *_return_lines(facts),
        *_return_how(facts),
    ]


def _return_partly(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        f"Une partie de votre commande {facts['order_number']} peut être retournée :",
        *_return_lines(facts),
        *_return_how(facts),
    ]


def _return_none(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        f"Désolé, aucun article de votre commande {facts['order_number']} ne peut être retourné :",
        *_return_lines(facts),
    ]


def _return_not_delivered(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        f"Votre commande {facts['order_number']} n'est pas encore livrée.",
        "Si elle n'est pas expédiée, vous pouvez demander son annulation ; si elle est en route, "
        "vous pouvez refuser le colis à la livraison.",
    ]


def _return_missing_date(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        f"Je ne trouve pas la date de livraison de votre commande {facts['order_number']}, "
        "qui sert à calculer le délai de retour.",
        "Je transmets à notre équipe, qui vous répond rapidement.",
    ]


def _return_closed(sentence: str) -> Renderer:
    def render_closed(facts: Facts, profile: ShopProfile) -> list[str]:
        return [sentence.format(n=facts["order_number"])]

    return render_closed


# --------------------------------------------------------------------------- promo codes


def _promo_unknown(facts: Facts, profile: ShopProfile) -> list[str]:
    lines = [f"Je ne trouve pas le code « {facts['code']} » parmi nos codes en cours."]
    if facts.get("suggestion"):
        lines.append(f"Vouliez-vous dire « {facts['suggestion']} » ?")
    else:
        lines.append("Vérifiez son orthographe, lettre par lettre.")
    lines.append(
        "Si c'est un code personnel qui vous a été envoyé, il ne fonctionne qu'une fois connecté "
        "au compte client auquel il est rattaché."
    )
    return lines


def _promo_sentence(sentence: str) -> Renderer:
    def render_promo(facts: Facts, profile: ShopProfile) -> list[str]:
        values = {
            "code": facts["code"],
            "from": format_date(profile.local_date(datetime.fromisoformat(facts["valid_from"])))
            if facts.get("valid_from")
            else "",
            "until": format_date(profile.local_date(datetime.fromisoformat(facts["valid_until"])))
            if facts.get("valid_until")
            else "",
            "min": format_amount(facts.get("min_basket_cents") or 0),
        }
        return [sentence.format(**values)]

    return render_promo


def _promo_valid(facts: Facts, profile: ShopProfile) -> list[str]:
    until = format_date(profile.local_date(datetime.fromisoformat(facts["valid_until"])))
    lines = [f"Le code « {facts['code']} » est bien valable, jusqu'au {until}."]
    if facts.get("min_basket_cents"):
        lines.append(f"Il demande un panier d'au moins {format_amount(facts['min_basket_cents'])}.")
    if facts.get("nominative") and not facts.get("customer_known"):
        lines.append("C'est un code nominatif : il ne marche qu'avec le compte auquel il est lié.")
    if facts.get("single_use"):
        lines.append("Il n'est valable qu'une fois par compte client.")
    lines.append(
        "Vérifiez que vous êtes connecté à votre espace client, saisissez le code dans le panier "
        f"puis cliquez sur « {facts['apply_button']} »."
    )
    return lines


# --------------------------------------------------------------------------- lost parcel


def _inquiry_lines(facts: Facts) -> list[str]:
    doubled = "" if facts["inside_eu"] else " (le délai est doublé hors Union européenne)"
    outcomes = " ou ".join(OUTCOME_NAMES[o] for o in facts["outcomes"])
    documents = [DOCUMENT_NAMES[d] for d in facts["documents"]]
    lines = []
    if documents:
        lines += ["Pour ouvrir l'enquête, envoyez-nous :", *_bullets(documents)]
    lines += [
        f"L'enquête du transporteur dure environ {facts['inquiry_days']} jours{doubled}.",
        f"Si le colis est perdu, nous vous proposons {outcomes}.",
    ]
    return lines


def _lost_not_shipped(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        f"Votre commande {facts['order_number']} n'est pas encore expédiée "
        f"(statut : {STATUS_NAMES[facts['status']]}) : aucun colis n'est en route pour l'instant."
    ]


def _lost_wait(facts: Facts, profile: ShopProfile) -> list[str]:
    by = format_date(facts["expected_by"]) if facts.get("expected_by") else "dans quelques jours"
    lines = [
        f"Votre colis est en route avec {facts['carrier_label']} : il doit arriver "
        f"au plus tard le {by}. Merci de patienter jusque-là."
    ]
    if facts.get("tracking_url"):
        lines.append(f"Suivi : {facts['tracking_url']}")
    return lines


def _lost_late(facts: Facts, profile: ShopProfile) -> list[str]:
    by = format_date(facts["expected_by"]) if facts.get("expected_by") else "la date prévue"
    return [
        f"Votre colis aurait dû arriver au plus tard le {by}. "
        "Nous pouvons lancer une enquête auprès du transporteur.",
        *_inquiry_lines(facts),
    ]


def _lost_delivered(facts: Facts, profile: ShopProfile) -> list[str]:
    when = f" le {format_date(facts['delivered_on'])}" if facts.get("delivered_on") else ""
    checks = [CHECK_NAMES[c] for c in facts["checklist"]]
    if facts.get("tracking_url") and "tracking_link" in facts["checklist"]:
        position = facts["checklist"].index("tracking_link")
        checks[position] = checks[position].rstrip(".") + f" : {facts['tracking_url']}"
    return [
        f"Le transporteur indique votre colis livré{when}. Avant tout, vérifiez :",
        *_bullets(checks),
        "Toujours rien ? Nous pouvons lancer une enquête auprès du transporteur.",
        *_inquiry_lines(facts),
    ]


def _lost_closed(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        f"Votre commande {facts['order_number']} est {STATUS_NAMES[facts['status']]} : "
        "aucun colis n'est en cours de livraison."
    ]


def _lost_missing(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        f"Je ne trouve pas le suivi du colis de votre commande {facts['order_number']}. "
        "Notre équipe peut lancer une enquête auprès du transporteur."
    ]


# --------------------------------------------------------------------------- resizing


def _workshop(facts: Facts) -> str:
    return format_delay(
        facts["workshop_days_min"], facts["workshop_days_max"], facts["workshop_days_unit"]
    )


def _resize_not_resizable(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        f"« {facts['title']} » est {KIND_NAMES[facts['kind']]} : il ne peut pas être mis à taille.",
        "Seuls les bagues, les bracelets et les bracelets de montre peuvent l'être.",
    ]


def _resize_invalid(facts: Facts, profile: ShopProfile) -> list[str]:
    if facts["kind"] == "ring":
        return [
            f"La taille « {facts['wanted_size']} » n'est pas une taille de bague valable : "
            f"indiquez un nombre entre {facts['ring_size_min']} et {facts['ring_size_max']}."
        ]
    return [
        f"La taille « {facts['wanted_size']} » n'est pas valable : "
        "indiquez un nombre, par exemple votre tour de poignet en cm."
    ]


def _resize_not_delivered(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        f"« {facts['title']} » n'est pas encore livré : "
        "vous pourrez demander une mise à taille après réception."
    ]


def _resize_missing_date(facts: Facts, profile: ShopProfile) -> list[str]:
    return [
        "Je ne trouve pas la date de livraison de ce bijou. "
        "Je transmets votre demande de mise à taille à notre équipe."
    ]


def _resize_in_window(facts: Facts, profile: ShopProfile) -> list[str]:
    lines = [
        f"Vous êtes dans le délai de retour : renvoyez-nous « {facts['title']} » "
        f"pour une mise à taille en {facts['wanted_size']}.",
        f"Elle dépend de l'accord de notre atelier, qui la réalise {_workshop(facts)}.",
    ]
    if facts["extra_cost_possible"]:
        lines.append("Un supplément peut vous être demandé.")
    if facts["reorder_if_impossible"]:
        lines.append("Si elle est impossible, nous recommandons le bijou dans la bonne taille.")
    if facts["return_shipping_paid_by"] == "customer":
        lines.append("Les frais d'envoi sont à votre charge.")
    lines.append("J'ouvre une demande : notre équipe vous envoie la marche à suivre.")
    return lines


def _resize_quote(why: str) -> Renderer:
    def render_quote(facts: Facts, profile: ShopProfile) -> list[str]:
        reason = why.format(end=format_date(facts["window_end"]), title=facts["title"])
        return [
            f"{reason} La mise à taille passe donc par notre service après-vente, "
            "qui vous enverra un devis.",
            "J'ouvre une demande pour notre équipe.",
        ]

    return render_quote


# --------------------------------------------------------------------------- registry

RENDERERS: dict[str, dict[str, Renderer]] = {
    cancellation.TOPIC: {
        "before_cutoff": _cancel_before_cutoff,
        "cutoff_passed": _cancel_cutoff_passed,
        "cutoff_passed_check_needed": _cancel_check_needed,
        "already_shipped": _cancel_already_shipped,
        "already_delivered": _cancel_already_delivered,
        "already_cancelled": _cancel_already_cancelled,
        "already_returned": _cancel_already_returned,
    },
    tracking.TOPIC: {
        "awaiting_payment": _status_sentence(
            "Votre commande {n} attend votre paiement (votre virement, par exemple) : "
            "elle sera préparée dès qu'il nous parvient."
        ),
        "payment_authorised": _status_sentence(
            "Le paiement de votre commande {n} est validé : elle passe en préparation "
            "dès que tous les articles sont en stock."
        ),
        "being_processed": _status_sentence(
            "Votre commande {n} est en attente : notre service client doit vous joindre "
            "pour la valider. S'il ne l'a pas encore fait, il le fera très vite."
        ),
        "being_prepared": _status_sentence(
            "Votre commande {n} est en cours de préparation : nous emballons vos bijoux avec soin."
        ),
        "ready_to_ship": _track_ready,
        "stuck_ready_to_ship": _track_stuck,
        "in_transit": _track_in_transit,
        "delivery_late": _track_late,
        "missing_tracking": _track_missing,
        "delivered": _track_delivered,
        "returned": _status_sentence(
            "Votre commande {n} est revenue à notre entrepôt et a été vérifiée : "
            "le remboursement suit très vite."
        ),
        "refunded": _track_refunded,
        "cancelled": _status_sentence("Votre commande {n} est annulée."),
    },
    returns.TOPIC: {
        "all_eligible": _return_all,
        "partly_eligible": _return_partly,
        "none_eligible": _return_none,
        "not_delivered_yet": _return_not_delivered,
        "missing_delivery_date": _return_missing_date,
        "already_returned": _return_closed("Votre commande {n} a déjà été retournée."),
        "order_cancelled": _return_closed(
            "Votre commande {n} a été annulée : il n'y a rien à retourner."
        ),
    },
    promo.TOPIC: {
        "unknown": _promo_unknown,
        "inactive": _promo_sentence("Le code « {code} » n'est plus actif."),
        "not_yet_valid": _promo_sentence(
            "Le code « {code} » n'est pas encore valable : il le sera à partir du {from}."
        ),
        "expired": _promo_sentence("Le code « {code} » a expiré le {until}."),
        "already_used": _promo_sentence(
            "Vous avez déjà utilisé le code « {code} » : il n'est valable qu'une fois."
        ),
        "nominative_other_account": _promo_sentence(
            "Le code « {code} » est nominatif : il ne fonctionne qu'avec le compte client "
            "auquel il est rattaché."
        ),
        "min_basket": _promo_sentence("Le code « {code} » demande un panier d'au moins {min}."),
        "not_cumulative": _promo_sentence(
            "Les codes promo ne se cumulent pas : retirez l'autre code pour utiliser « {code} »."
        ),
        "excluded_discounted": _promo_sentence(
            "Le code « {code} » ne s'applique pas aux articles déjà en promotion de votre panier."
        ),
        "valid_check_login": _promo_valid,
    },
    lost_parcel.TOPIC: {
        "not_shipped": _lost_not_shipped,
        "within_expected_delay": _lost_wait,
        "late_in_transit": _lost_late,
        "delivered_not_received": _lost_delivered,
        "order_closed": _lost_closed,
        "missing_tracking": _lost_missing,
    },
    resizing.TOPIC: {
        "not_resizable": _resize_not_resizable,
        "invalid_size": _resize_invalid,
        "not_delivered_yet": _resize_not_delivered,
        "missing_delivery_date": _resize_missing_date,
        "in_window": _resize_in_window,
        "window_passed": _resize_quote("Le délai de retour s'est terminé le {end}."),
        "engraved": _resize_quote("« {title} » est gravé."),
        "made_to_measure": _resize_quote("« {title} » a été fait sur mesure."),
    },
}

REASON_CODES: dict[str, frozenset[str]] = {
    cancellation.TOPIC: cancellation.REASON_CODES,
    tracking.TOPIC: tracking.REASON_CODES,
    returns.TOPIC: returns.REASON_CODES,
    promo.TOPIC: promo.REASON_CODES,
    lost_parcel.TOPIC: lost_parcel.REASON_CODES,
    resizing.TOPIC: resizing.REASON_CODES,
}


def render(decision: Decision, profile: ShopProfile) -> str:
    """The French answer for the shopper, one short line per idea."""
    renderer = RENDERERS[decision.topic][decision.reason_code]
    return "\n".join(renderer(decision.facts, profile))


def render_clause(decision: Decision) -> str:
    """The rule a decision rests on, for agents (and shoppers who ask why)."""
    clause = decision.clause
    return f"Règle appliquée ({clause.shop} · {clause.rule}) : {clause.text}"


# --------------------------------------------------------------------------- after an action


def render_cancelled(
    decision: Decision, profile: ShopProfile, *, platform_to_confirm: bool = False
) -> str:
    """The order was just cancelled in the store (the decision was taken at that instant).

    ``platform_to_confirm``: the order lives in the shop's platform, which has been asked to
    cancel it and has not confirmed yet; the shopper hears what was requested, not a promise."""
    facts = decision.facts
    if platform_to_confirm:
        return "\n".join(
            [
                f"C'est noté : j'ai demandé l'annulation de votre commande "
                f"{facts['order_number']}. Notre boutique l'enregistre dans les prochaines "
                "minutes, vous n'avez rien d'autre à faire.",
                *_refund_line(facts, opening="Une fois l'annulation enregistrée, le"),
            ]
        )
    return "\n".join(
        [f"C'est fait : votre commande {facts['order_number']} est annulée.", *_refund_line(facts)]
    )


def inquiry_question(decision: Decision) -> str:
    """Ask before opening a carrier inquiry: after the checklist when the parcel is marked
    delivered, straight away when it is late or has no tracking (no checklist was given)."""
    if decision.reason_code == "delivered_not_received":
        return (
            "Avez-vous fait ces vérifications sans retrouver le colis ? Si oui, j'ouvre "
            "l'enquête auprès du transporteur."
        )
    return "Voulez-vous que j'ouvre l'enquête auprès du transporteur ?"


def render_inquiry_opened(decision: Decision, ticket_number: str) -> str:
    """A carrier inquiry ticket was opened for a lost parcel."""
    facts = decision.facts
    doubled = "" if facts.get("inside_eu", True) else " (délai doublé hors Union européenne)"
    documents = [DOCUMENT_NAMES[d] for d in facts.get("documents", [])]
    lines = [f"J'ai ouvert l'enquête {ticket_number} auprès du transporteur."]
    if facts.get("inquiry_days"):
        lines.append(f"Elle dure en général environ {facts['inquiry_days']} jours{doubled}.")
    if documents:
        lines += ["Répondez à notre e-mail en joignant :", *_bullets(documents)]
    outcomes = " ou ".join(OUTCOME_NAMES[o] for o in facts.get("outcomes", []))
    if outcomes:
        lines.append(f"Si le colis est perdu, nous vous proposerons {outcomes}.")
    return "\n".join(lines)


def render_ticket_opened(ticket_number: str, shop_open: bool) -> str:
    """A ticket was opened: its number, and when a person will answer."""
    when = (
        "Un conseiller vous répondra dès que possible, par e-mail"
        if shop_open
        else "Notre service client est fermé pour le moment ; un conseiller vous répondra "
        "par e-mail dès la réouverture"
    )
    return f"J'ai ouvert le dossier {ticket_number} avec les éléments de votre demande. {when}."
