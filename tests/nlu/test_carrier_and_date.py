"""Carrier and date entities on messages written for this test (none is a training line)."""

from __future__ import annotations

import pytest

from devtools.servers import Stack

pytestmark = pytest.mark.nlu

CASES = [
    (
        "mon colis chronopost n'a pas bougé depuis lundi dernier",
        {("carrier", "chronopost"), ("date", "lundi dernier")},
    ),
    (
        "Colissimo le dit livré le 3 mars mais j'ai rien",
        {("carrier", "colissimo"), ("date", "3 mars")},
    ),
    (
        "commande passée avant-hier, vous l'envoyez par mondial relay ?",
        {("carrier", "mondial_relay"), ("date", "avant-hier")},
    ),
    ("marqué distribué le 12/03 par DPD", {("carrier", "dpd"), ("date", "12/03")}),
    ("j'ai commandé il y a 5 jours et toujours rien", {("date", "il y a 5 jours")}),
    ("le suivi La Poste est bloqué", {("carrier", "la_poste")}),
]
NOT_A_DATE = [
    "je fais du 54",
    "ma commande 482913 svp",
    "le code MAI10 ne marche pas",
    "je fais du 50 mais elle me serre",  # « 0 mai » inside « 50 mais »
    "j'ai perdu mon cahier de garantie",  # « hier » inside « cahier »
]
NOT_A_CARRIER = ["oups je me suis trompée de taille", "j'ai reçu des coups de fil de votre part"]


def found(stack: Stack, text: str, kinds: tuple[str, ...] = ("carrier", "date")) -> set:
    entities = stack.parse(text).get("entities") or []
    return {(e["entity"], str(e["value"]).lower()) for e in entities if e["entity"] in kinds}


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_carrier_and_date_are_found(stack: Stack, text: str, expected: set) -> None:
    assert expected <= found(stack, text)


@pytest.mark.parametrize("text", NOT_A_DATE)
def test_sizes_order_numbers_and_codes_are_not_dates(stack: Stack, text: str) -> None:
    assert not found(stack, text, ("date",))


@pytest.mark.parametrize("text", NOT_A_CARRIER)
def test_carrier_names_inside_words_are_not_carriers(stack: Stack, text: str) -> None:
    assert not found(stack, text, ("carrier",))
