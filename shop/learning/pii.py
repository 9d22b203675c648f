"""Personal data out of shoppers' messages before an editor, a chart or an export sees them.

E-mails, IBAN-like strings, payment card numbers (13 to 19 digits that pass the Luhn
check), phone numbers, order numbers, the name after « je suis »,
« je m'appelle », « mon nom est » or a title (« Mme Barre »), and a signature ending a letter
(« cordialement, Marie Dupont ») become placeholders in brackets. The patterns are the log
masking's (``shop.log_privacy``), so a message is masked the same way in a log and in the inbox,
except that an amount (« 250 000 € ») is no order number and « Je suis Désolée » names no one.
"""

from __future__ import annotations

import re

from shop.knowledge.text import fold
from shop.log_privacy import (
    CARD_PATTERN,
    EMAIL_PATTERN,
    IBAN_PATTERN,
    ORDER_PATTERN,
    PHONE_PATTERN,
    card_masker,
)

EMAIL = "[e-mail]"
IBAN = "[IBAN]"
CARD = "[carte bancaire]"
PHONE = "[téléphone]"
ORDER = "[n° de commande]"
NAME = "[nom]"
PLACEHOLDERS = (EMAIL, IBAN, CARD, PHONE, ORDER, NAME)
_card = card_masker(CARD)

# « je suis Marie Dupont », « je m'appelle jean », « mon nom est Durand » (one or two words
# starting with a capital letter, or any word after « je m'appelle » / « mon nom est »).
_NAME = re.compile(
    r"(?P<lead>\b(?i:je\s+suis|je\s+m['’]appelle|mon\s+nom\s+est|moi\s+c['’]est)\s+)"
    r"(?P<name>(?:M(?:me|lle|\.)?\s+|Madame\s+|Monsieur\s+)?"
    r"[A-ZÀ-Ý][\w'’-]+(?:\s+[A-ZÀ-Ý][\w'’-]+)?)",
)
# Capitalised words after « je suis » or a closing that are no name (« Je suis Désolée »,
# « Je suis Bien embêtée », « Merci Beaucoup »), compared folded.
# fmt: off
_NOT_NAMES = frozenset((
    "a", "au", "aux", "bien", "client", "cliente", "content", "contente", "decu", "decue",
    "deja", "desole", "desolee", "du", "en", "encore", "enceinte", "fache", "fachee",
    "furieuse", "furieux", "inquiet", "inquiete", "la", "le", "les", "mecontent", "mecontente",
    "nouveau", "nouvelle", "pas", "perdu", "perdue", "presse", "pressee", "ravi", "ravie",
    "sans", "super", "sur", "sure", "surpris", "surprise", "toujours", "tres", "trop", "un",
    "une", "vraiment", "beaucoup", "bon", "bonne", "bonjour", "bonsoir", "merci",
    "cordialement", "salutations",
))
# fmt: on
# An amount is no order number: « 250 000 € », « 129 900 euros ».
_ORDER = re.compile(ORDER_PATTERN.pattern + r"(?!\s?(?:€|eur\b|euros?\b))")
_NAME_ANY_CASE = re.compile(
    r"(?P<lead>\b(?:je\s+m['’]appelle|mon\s+nom\s+est)\s+)(?P<name>\w[\w'’-]*)", re.IGNORECASE
)


_CAPITALISED = r"[A-ZÀ-Ý][\w'’-]+(?:\s+[A-ZÀ-Ý][\w'’-]+)?"
# « Mme Barre », « Monsieur Jean Morel », « M. Leroy » anywhere (not « Madame Monsieur »).
_TITLED = re.compile(
    rf"(?P<lead>\b(?:Mme|Mlle|Madame|Mademoiselle|Monsieur|M\.)\s+)(?P<name>{_CAPITALISED})"
)
# A signature ending a letter: « …, cordialement, Marie Dupont », « merci d'avance. Paul ».
_SIGNATURE = re.compile(
    r"(?P<lead>\b(?i:cordialement|bien\s+(?:à|a)\s+vous|salutations(?:\s+distinguées)?|"
    r"merci(?:\s+(?:beaucoup|d['’]avance|encore))?|bonne\s+(?:journée|soirée))[\s,.!]+)"
    rf"(?P<name>{_CAPITALISED})(?=[\s.!]*$)"
)


def _titled(match: re.Match[str]) -> str:
    if fold(match.group("name").split()[0]) in ("madame", "monsieur", "mademoiselle"):
        return match.group(0)
    return match.group("lead") + NAME


def _name(match: re.Match[str]) -> str:
    first = fold(match.group("name").split()[0])
    return match.group(0) if first in _NOT_NAMES else match.group("lead") + NAME


def redact(text: str) -> str:
    """``text`` with every piece of personal data replaced by its placeholder."""
    text = EMAIL_PATTERN.sub(EMAIL, text)
    text = IBAN_PATTERN.sub(IBAN, text)
    text = CARD_PATTERN.sub(_card, text)
    text = PHONE_PATTERN.sub(PHONE, text)
    text = _ORDER.sub(ORDER, text)
    text = _NAME.sub(_name, text)
    text = _NAME_ANY_CASE.sub(lambda m: m.group("lead") + NAME, text)
    text = _TITLED.sub(_titled, text)
    return _SIGNATURE.sub(_name, text)
