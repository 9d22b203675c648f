"""Order numbers as each kind of shop writes them, read the way shoppers type them.

The product's own store numbers its orders with 6 digits (« 482 913 »); a shop whose orders come
from its platform keeps the platform's numbers: Shopify counts from #1001, WooCommerce shows the
order's id, PrestaShop a reference of 9 capital letters (« XKBKNABJK »). The shop's style gives
the shopper's answer its meaning and the form its hint; the store reads every style, so a
number it does not hold is simply not found.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

# What shoppers write before the number: « n° », « commande », « réf. : », « # »...
_LEAD = r"""(?:(?:ma|la|mon|votre)\s+)?
    (?:(?:commande|command|cmde|cmd|cde|order|r[ée]f[ée]rence|r[ée]f|num[ée]ro|num|
         n\s*[°º]|no\.?|\#)\s*[:.\-]?\s*)*"""
_TAIL = r"\s*[.!?]*\s*$"
# An order word right before the number, in a sentence: « commande 1001 », « n° 1001 », « #1001 ».
_NAMED = r"""(?:\b(?:commande|command|cmde|cmd|cde|order|r[ée]f[ée]rence|r[ée]f|num[ée]ro|num)\b
    \.?\s*(?:n\s*[°º]|no\.?|\#)?|n\s*[°º]|\#)\s*[:.\-]?\s*"""


@dataclass(frozen=True)
class OrderNumberStyle:
    """How one kind of shop writes its order numbers; ``name`` keys its French description in
    the shoppers' catalogue (``order_number_shape``), ``example`` completes the shopper's hint
    (« Un numéro de commande compte 6 chiffres, par exemple 482913. »)."""

    name: str
    digits: tuple[int, int] | None  # (fewest, most) digits, or None: letters
    example: str
    letters: int = 0  # PrestaShop: the reference's length

    @property
    def _body(self) -> str:
        if self.digits is None:
            return rf"([A-Za-z]{{{self.letters}}})"
        fewest, most = self.digits
        if (fewest, most) == (6, 6):  # grouped by three as shoppers copy it: « 482 913 »
            return r"(\d{3}[\s.\-]?\d{3})"
        return rf"(\d{{{fewest},{most}}})"

    @property
    def _in_sentence(self) -> str:
        """The number inside a sentence: letters in capitals only, as the confirmation e-mail
        shows them (« commande REMBOURSE » is a word, « XKBKNABJK » a reference)."""
        if self.digits is None:
            return rf"(?-i:(?<![A-Za-z])([A-Z]{{{self.letters}}}))(?![A-Za-z])"
        return rf"(?<!\d){self._body}(?!\d)"

    # Compiled once per style: the identity check reads a number on every form turn.
    @functools.cached_property
    def _whole(self) -> re.Pattern[str]:
        return re.compile(rf"^\s*{_LEAD}{self._body}{_TAIL}", re.IGNORECASE | re.VERBOSE)

    @functools.cached_property
    def _anywhere(self) -> re.Pattern[str]:
        return re.compile(self._in_sentence)

    @functools.cached_property
    def _named(self) -> re.Pattern[str]:
        return re.compile(rf"{_NAMED}{self._in_sentence}", re.IGNORECASE | re.VERBOSE)

    def read(self, text: str | None) -> str | None:
        """The number when ``text`` is one (« n° 482 913 », « #1001 », « xkbknabjk »), written as
        the store keeps it; else None."""
        match = self._whole.match(text) if text else None
        return None if match is None else self._stored(match.group(1))

    def find(self, text: str | None) -> str | None:
        """The number in a shopper's answer to « which order? », alone (« xkbknabjk ») or in a
        sentence (« c'est la 1001 merci »)."""
        alone = self.read(text)
        if alone is not None or not text:
            return alone
        match = self._anywhere.search(text)
        return None if match is None else self._stored(match.group(1))

    def find_named(self, text: str | None) -> str | None:
        """A number that a sentence names as the order's (« ma commande 1001 », « #1001 »,
        « réf. XKBKNABJK »): a bare figure in a sentence may be a price or a date."""
        match = self._named.search(text) if text else None
        return None if match is None else self._stored(match.group(1))

    def _stored(self, typed: str) -> str:
        return typed.upper() if self.digits is None else re.sub(r"\D", "", typed)


SIX_DIGITS = OrderNumberStyle("own", digits=(6, 6), example="482913")
STYLES: dict[str | None, OrderNumberStyle] = {
    None: SIX_DIGITS,  # orders made in the product's own store
    "shopify": OrderNumberStyle("shopify", digits=(4, 10), example="1001"),
    "woocommerce": OrderNumberStyle("woocommerce", digits=(1, 10), example="1234"),
    "prestashop": OrderNumberStyle("prestashop", digits=None, letters=9, example="XKBKNABJK"),
}


def style_of(platform: str | None) -> OrderNumberStyle:
    """The style of a shop whose orders come from ``platform`` (None: the product's own)."""
    return STYLES[platform]


def read_any(text: str | None) -> str | None:
    """The number in ``text`` in whichever style reads it (the store holds every style)."""
    for style in STYLES.values():
        number = style.read(text)
        if number is not None:
            return number
    return None
