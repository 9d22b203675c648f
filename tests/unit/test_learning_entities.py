"""A reviewed message carries its entities annotated the way the training data annotates them
(product kinds and carriers with their canonical value, ring sizes, dates, promo codes), and
nothing that only looks like one."""

from __future__ import annotations

import pytest

from shop.learning.entities import annotate


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "ma bague taille 54 livrée par La Poste hier",
            "ma [bague](product_kind:ring) taille [54](ring_size) livrée par "
            "[La Poste](carrier:la_poste) [hier](date)",
        ),
        (
            "code NOEL20 refusé sur mes boucles d'oreilles",
            "code [NOEL20](promo_code) refusé sur mes [boucles d'oreilles](product_kind:earrings)",
        ),
        (
            "mon alliance du 52, envoyée en Chronopost lundi dernier",
            "mon [alliance](product_kind:ring) du [52](ring_size), envoyée en "
            "[Chronopost](carrier:chronopost) [lundi dernier](date)",
        ),
        (
            "colis colissimo depuis le 3 mars",
            "colis [colissimo](carrier) depuis le [3 mars](date)",
        ),
        (
            "mondial relay il y a 3 jours pour le collier",
            "[mondial relay](carrier:mondial_relay) [il y a 3 jours](date) pour le "
            "[collier](product_kind:necklace)",
        ),
    ],
)
def test_entities_are_annotated_as_in_the_training_data(text: str, expected: str) -> None:
    assert annotate(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "livré en 48h, c'est long",
        "la pièce à 54,90 € en promo",
        "60 jours pour retourner",
        "en 50 minutes",
        "bonjour, une question",
        "oups je me suis trompé",
    ],
)
def test_what_only_looks_like_an_entity_stays_bare(text: str) -> None:
    assert annotate(text) == text
