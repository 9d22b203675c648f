"""Personal data out of shoppers' messages before an editor, a chart or an export sees them.

E-mails, IBAN-like strings, phone numbers, order numbers and the name after « je suis »,
« je m'appelle », « mon nom est » become placeholders in brackets. The patterns are the log
masking's (``shop.log_privacy``), so a message is masked the same way in a log and in the inbox.
"""

from __future__ import annotations

import re

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
_NAME_ANY_CASE = re.compile(
    r"(?P<lead>\b(?:je\s+m['’]appelle|mon\s+nom\s+est)\s+)(?P<name>\w[\w'’-]*)", re.IGNORECASE
)


def redact(text: str) -> str:
    """``text`` with every piece of personal data replaced by its placeholder."""
    text = EMAIL_PATTERN.sub(EMAIL, text)
    text = IBAN_PATTERN.sub(IBAN, text)
    text = PHONE_PATTERN.sub(PHONE, text)
    text = ORDER_PATTERN.sub(ORDER, text)
    text = _NAME.sub(lambda m: m.group("lead") + NAME, text)
    return _NAME_ANY_CASE.sub(lambda m: m.group("lead") + NAME, text)
