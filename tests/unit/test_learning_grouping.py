"""Similar messages form one group, so an editor labels a question once: case, accents,
punctuation, word order and the shopper's own order number or e-mail make no difference."""

from __future__ import annotations

import random
import time

from shop.learning.grouping import group_texts


def wordings(texts: list[str], groups: list[list[int]]) -> list[list[str]]:
    return [[texts[i] for i in group] for group in groups]


def test_the_same_question_written_differently_is_one_group() -> None:
    texts = [
        "Où est mon colis ?",
        "je veux annuler ma commande 482913",
        "ou est mon colis",
        "je veux annuler ma commande 615 024",
        "colis mon est où",
        "Je veux annuler ma commande",
        "quels moyens de paiement",
    ]

    assert wordings(texts, group_texts(texts)) == [
        ["Où est mon colis ?", "ou est mon colis", "colis mon est où"],
        [
            "je veux annuler ma commande 482913",
            "je veux annuler ma commande 615 024",
            "Je veux annuler ma commande",
        ],
        ["quels moyens de paiement"],
    ]


def test_biggest_group_first_and_its_most_frequent_wording_leads() -> None:
    texts = [
        "bonjour",
        "mon colis n est toujours pas arrivé",
        "mon colis n'est pas arrivé",
        "bonjour mon colis n'est pas arrivé",
        "Mon colis n'est pas arrivé !",
    ]

    groups = group_texts(texts)

    assert groups == [[2, 1, 3, 4], [0]]


def test_different_questions_stay_apart() -> None:
    texts = ["vous livrez en Suisse ?", "je veux retourner ma bague", "code promo refusé"]

    assert group_texts(texts) == [[0], [1], [2]]


def test_a_lower_threshold_groups_more() -> None:
    texts = ["livraison en Suisse possible ?", "vous livrez en Suisse ?"]

    assert group_texts(texts, threshold=95) == [[0], [1]]
    assert group_texts(texts, threshold=60) == [[0, 1]]


def test_same_input_same_groups_and_no_message_lost() -> None:
    words = [
        "bonjour",
        "colis",
        "commande",
        "annuler",
        "retour",
        "bague",
        "taille",
        "paiement",
        "livraison",
        "promo",
    ]
    generator = random.Random(7)
    texts = [
        " ".join(generator.choice(words) for _ in range(generator.randint(2, 8)))
        for _ in range(3000)
    ]

    started = time.perf_counter()
    groups = group_texts(texts)
    elapsed = time.perf_counter() - started

    assert groups == group_texts(texts)
    assert sorted(i for group in groups for i in group) == list(range(len(texts)))
    assert [len(g) for g in groups] == sorted((len(g) for g in groups), reverse=True)
    assert elapsed < 5, f"grouping 3000 messages took {elapsed:.1f} s"


def test_no_message_no_group() -> None:
    assert group_texts([]) == []


def test_messages_with_nothing_but_personal_data_or_punctuation_form_one_group() -> None:
    texts = ["claire.martin@gmail.com", "bonjour", "482913", "?", "marc@free.fr"]

    assert group_texts(texts) == [[0, 2, 3, 4], [1]]
