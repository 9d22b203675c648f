"""Personal data out of shoppers' messages before an editor, a chart or an export sees them.

E-mails, IBAN-like strings, phone numbers, order numbers and the name after « je suis »,
« je m'appelle », « mon nom est » become placeholders in brackets. The patterns are the log
masking's (``shop.log_privacy``), so a message is masked the same way in a log and in the inbox,
except that an amount (« 250 000 € ») is no order number and « Je suis Désolée » names no one.
"""

from __future__ import annotations

import re

from shop.knowledge.text import fold
from shop.log_privacy import EMAIL_PATTERN, IBAN_PATTERN, ORDER_PATTERN, PHONE_PATTERN

EMAIL = "[e-mail]"
IBAN = "[IBAN]"
PHONE = "[téléphone]"
ORDER = "[n° de commande]"
NAME = "[nom]"
PLACEHOLDERS = (EMAIL, IBAN, PHONE, ORDER, NAME)

# « je suis Marie Dupont », « je m'appelle jean », « mon nom est Durand » (one or two words
# starting with a capital letter, or any word after « je m'appelle » / « mon nom est »).
_NAME = re.compile(
    r"(?P<lead>\b(?i:je\s+suis|je\s+m['’]appelle|mon\s+nom\s+est|moi\s+c['’]est)\s+)"
    r"(?P<name>(?:M(?:me|lle|\.)?\s+|Madame\s+|Monsieur\s+)?"
    r"[A-ZÀ-Ý][\w'’-]+(?:\s+[A-ZÀ-Ý][\w'’-]+)?)",
)
# Capitalised words after « je suis » that are no name (« Je suis Désolée », « Je suis Bien
# embêtée »), compared folded.
# fmt: off
_NOT_NAMES = frozenset((
    "a", "au", "aux", "bien", "client", "cliente", "content", "contente", "decu", "decue",
    "deja", "desole", "desolee", "du", "en", "encore", "enceinte", "fache", "fachee",
    "furieuse", "furieux", "inquiet", "inquiete", "la", "le", "les", "mecontent", "mecontente",
    "nouveau", "nouvelle", "pas", "perdu", "perdue", "presse", "pressee", "ravi", "ravie",
    "sans", "super", "sur", "sure", "surpris", "surprise", "toujours", "tres", "trop", "un",
    "une", "vraiment",
))
# fmt: on
# An amount is no order number: « 250 000 € », « 129 900 euros ».
_ORDER = re.compile(ORDER_PATTERN.pattern + r"(?!\s?(?:€|eur\b|euros?\b))")
_NAME_ANY_CASE = re.compile(
    r"(?P<lead>\b(?:je\s+m['’]appelle|mon\s+nom\s+est)\s+)(?P<name>\w[\w'’-]*)", re.IGNORECASE
)


def _name(match: re.Match[str]) -> str:
    first = fold(match.group("name").split()[0])
    return match.group(0) if first in _NOT_NAMES else match.group("lead") + NAME


def redact(text: str) -> str:
    """``text`` with every piece of personal data replaced by its placeholder."""
    text = EMAIL_PATTERN.sub(EMAIL, text)
    text = IBAN_PATTERN.sub(IBAN, text)
    text = PHONE_PATTERN.sub(PHONE, text)
    text = _ORDER.sub(ORDER, text)
    text = _NAME.sub(_name, text)
    return _NAME_ANY_CASE.sub(lambda m: m.group("lead") + NAME, text)
