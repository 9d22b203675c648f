"""The entity clean-up keeps one entity per identifier the shopper wrote (bot/entity_cleanup.py)."""

from __future__ import annotations

from typing import Any

from bot.entity_cleanup import clean


def span(text: str, piece: str, kind: str, extractor: str = "DIETClassifier") -> dict[str, Any]:
    start = text.index(piece)
    return {
        "entity": kind,
        "start": start,
        "end": start + len(piece),
        "value": piece,
        "extractor": extractor,
    }


def values(entities: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(entity["entity"], entity["value"]) for entity in entities]


def test_pieces_inside_the_regex_number_are_dropped() -> None:
    text = "N°275 938 au nom de Durand"
    found = [
        span(text, "275", "order_number"),
        span(text, "275 938", "order_number", "RegexEntityExtractor"),
        span(text, "938", "order_number"),
    ]
    assert values(clean(text, found)) == [("order_number", "275938")]


def test_number_inside_a_code_is_not_an_order_number() -> None:
    text = "code : NOEL-30 refusé pour la commande 482913"
    found = [
        span(text, "NOEL-30", "promo_code", "RegexEntityExtractor"),
        span(text, "30", "order_number"),
        span(text, "482913", "order_number"),
    ]
    assert values(clean(text, found)) == [
        ("promo_code", "NOEL-30"),
        ("order_number", "482913"),
    ]


def test_entities_of_two_kinds_on_the_same_span_are_both_kept() -> None:
    text = "c'est 54"
    found = [span(text, "54", "ring_size"), span(text, "54", "order_number")]
    assert sorted(values(clean(text, found))) == [("order_number", "54"), ("ring_size", "54")]


def test_an_email_address_the_model_also_took_for_an_order_number_stays_an_email() -> None:
    text = "essai.0@exemple.fr"
    found = [span(text, text, "email", "RegexEntityExtractor"), span(text, text, "order_number")]
    assert values(clean(text, found)) == [("email", text)]


def test_number_in_two_pieces_is_joined_without_its_space() -> None:
    text = "commande 614 027 svp"
    found = [span(text, "614", "order_number"), span(text, "027", "order_number")]
    assert values(clean(text, found)) == [("order_number", "614027")]


def test_code_split_at_its_hyphen_is_joined() -> None:
    text = "le code FETE-PERES ne s'applique pas sur la montre"
    found = [
        span(text, "FETE", "promo_code"),
        span(text, "PERES", "promo_code"),
        span(text, "montre", "product_kind"),
    ]
    assert values(clean(text, found)) == [
        ("promo_code", "FETE-PERES"),
        ("product_kind", "montre"),
    ]


def test_code_cut_after_its_hyphen_is_the_whole_word() -> None:
    text = "ton code FETE-MERES il fonctionne pas, ni noel20."
    found = [span(text, "FETE-", "promo_code"), span(text, "noel", "promo_code")]
    assert values(clean(text, found)) == [("promo_code", "FETE-MERES"), ("promo_code", "noel20")]


def test_two_codes_apart_stay_two_codes() -> None:
    text = "ni NOEL20 ni ETE15 ne marchent"
    found = [span(text, "NOEL20", "promo_code"), span(text, "ETE15", "promo_code")]
    assert values(clean(text, found)) == [("promo_code", "NOEL20"), ("promo_code", "ETE15")]


def test_ring_size_loses_a_trailing_hyphen() -> None:
    text = "agrandir bague 65 -> 68"
    found = [span(text, "65 -", "ring_size"), span(text, "68", "ring_size")]
    assert values(clean(text, found)) == [("ring_size", "65"), ("ring_size", "68")]


def test_half_size_is_kept() -> None:
    text = "du 54,5 plutôt"
    assert values(clean(text, [span(text, "54,5", "ring_size")])) == [("ring_size", "54,5")]


def codes_kept(text: str, code: str) -> list[str]:
    """The promo codes left when DIET found ``code`` in ``text``."""
    return [value for _, value in values(clean(text, [span(text, code, "promo_code")]))]


def test_word_without_digit_is_not_a_code_unless_it_looks_like_one() -> None:
    assert codes_kept("bonjouuur", "bonjouuur") == []
    assert codes_kept("BIENVENUE marche pas", "BIENVENUE") == ["BIENVENUE"]
    assert codes_kept("le code bienvenue ne passe pas", "bienvenue") == ["bienvenue"]


def test_the_kind_of_code_is_not_the_code() -> None:
    """« le code de parrainage » names a kind of code; the code itself follows « code »."""
    assert codes_kept("le code de parrainage de mon amie ne marche pas", "parrainage") == []
    assert codes_kept("mon code d'anniversaire est refusé", "anniversaire") == []
    assert codes_kept("les codes de réduction ne passent pas", "réduction") == []
    written = "le code de parrainage PARRAIN-ANNE ne marche pas"
    assert codes_kept(written, "PARRAIN-ANNE") == ["PARRAIN-ANNE"]
    assert codes_kept("le code de noel20 ne passe pas", "noel20") == ["noel20"]


def test_same_span_from_both_extractors_is_kept_once() -> None:
    text = "ma commande 482913"
    found = [
        span(text, "482913", "order_number"),
        span(text, "482913", "order_number", "RegexEntityExtractor"),
    ]
    cleaned = clean(text, found)
    assert values(cleaned) == [("order_number", "482913")]
    assert cleaned[0]["extractor"] == "RegexEntityExtractor"


def test_an_amount_is_not_a_ring_size() -> None:
    text = "j'ai un avoir de 40 €, et ma bague fait du 54,5"
    found = [span(text, "40", "ring_size"), span(text, "54,5", "ring_size")]
    assert values(clean(text, found)) == [("ring_size", "54,5")]
