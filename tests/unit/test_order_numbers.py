"""Order numbers in each kind of shop's style, as shoppers type them: the product's own 6 digits,
Shopify's #1001, WooCommerce's ids, PrestaShop's 9-letter references; a price or a plain word
is never taken for one."""

from __future__ import annotations

import pytest

from shop.order_numbers import SIX_DIGITS, STYLES, OrderNumberStyle, read_any, style_of
from shop.voice import labels

SHOPIFY = style_of("shopify")
WOOCOMMERCE = style_of("woocommerce")
PRESTASHOP = style_of("prestashop")


def test_a_shop_without_a_platform_keeps_the_six_digits() -> None:
    assert style_of(None) is SIX_DIGITS
    assert (SIX_DIGITS.digits, SIX_DIGITS.example) == ((6, 6), "482913")


def test_every_style_is_described_in_the_shoppers_catalogue() -> None:
    shapes = labels("order_number_shape")
    assert {style.name for style in STYLES.values()} == set(shapes)
    assert shapes[SIX_DIGITS.name] == "6 chiffres"


@pytest.mark.parametrize(
    ("style", "typed", "stored"),
    [
        (SIX_DIGITS, "n° 482 913", "482913"),
        (SHOPIFY, "#1001", "1001"),
        (SHOPIFY, "commande n°1001 !", "1001"),
        (SHOPIFY, "1234567890", "1234567890"),
        (WOOCOMMERCE, "n° 87", "87"),
        (PRESTASHOP, "XKBKNABJK", "XKBKNABJK"),
        (PRESTASHOP, "réf. xkbknabjk", "XKBKNABJK"),  # the store keeps the capitals
    ],
)
def test_an_answer_that_is_a_number_is_read_as_the_store_keeps_it(
    style: OrderNumberStyle, typed: str, stored: str
) -> None:
    assert style.read(typed) == stored


@pytest.mark.parametrize(
    ("style", "typed"),
    [
        (SIX_DIGITS, "1001"),
        (SHOPIFY, "100"),  # Shopify counts from #1001
        (SHOPIFY, "12345678901"),
        (SHOPIFY, "XKBKNABJK"),
        (PRESTASHOP, "1001"),
        (PRESTASHOP, "XKBKNABJKZ"),
        (PRESTASHOP, "bonjour"),
    ],
)
def test_an_answer_in_another_style_is_not_the_shops_number(
    style: OrderNumberStyle, typed: str
) -> None:
    assert style.read(typed) is None


def test_a_free_answer_gives_its_number() -> None:
    assert SHOPIFY.find("c'est la 1001 merci") == "1001"
    assert SIX_DIGITS.find("c la 482 913") == "482913"
    assert PRESTASHOP.find("la référence est XKBKNABJK merci") == "XKBKNABJK"
    assert PRESTASHOP.find("merci beaucoup madame") is None  # lower-case words are words


def test_a_sentence_names_the_order_number_only_after_an_order_word() -> None:
    assert SHOPIFY.find_named("où en est ma commande 1001 ?") == "1001"
    assert SHOPIFY.find_named("bonjour, #1002 pas reçue") == "1002"
    assert SHOPIFY.find_named("j'ai payé 1500 euros le 12 mars") is None
    assert SHOPIFY.find_named("commande 12345678901") is None  # too long: not cut to fit
    assert PRESTASHOP.find_named("ma commande XKBKNABJK est partie ?") == "XKBKNABJK"
    assert PRESTASHOP.find_named("ma commande rembourse quand ?") is None


def test_the_store_reads_every_style_so_an_unknown_number_is_simply_not_found() -> None:
    assert [read_any(typed) for typed in ("482 913", "#1001", "xkbknabjk", "bonjour")] == [
        "482913",
        "1001",
        "XKBKNABJK",
        None,
    ]


@pytest.mark.parametrize(
    "typed",
    [
        "482913",
        "482 913",
        "n°482913",
        "N° 482913",
        "#482913",
        "cmd482913",
        "commande n° 482913",
        " 482.913 ",
        "No 482913",
    ],
)
def test_the_own_shops_numbers_are_read_as_shoppers_type_them(typed: str) -> None:
    assert SIX_DIGITS.read(typed) == "482913"


@pytest.mark.parametrize(
    "typed", ["", None, "48291", "4829130", "abc", "482913 et 482914", "48 29 13", "0612345678"]
)
def test_things_that_are_not_an_order_number_give_none(typed: str | None) -> None:
    assert SIX_DIGITS.read(typed) is None
