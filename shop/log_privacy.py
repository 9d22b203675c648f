"""No personal data in any log line: e-mails, order numbers, phone numbers, IBANs, payment card
numbers, conversation ids and tokens in URLs are masked in every log record of the process.

Shoppers type their e-mail, order number or phone number into the chat, and libraries log what
they receive (Rasa at DEBUG, uvicorn's access log with conversation ids in its URLs). Logs are
kept and read by developers, so masking happens before any handler writes a record.

``install()`` masks each record when it is created, whatever handler writes it later: Rasa,
Sanic and uvicorn add their own handlers after the process starts. ``PersonalDataFilter`` is
the same masking as a ``logging.Filter``, for a logging configuration file
(``scripts/rasa_logging.yml`` uses ``rasa_filter``, which also calls ``install()``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

_ID_CHARS = "A-Za-z0-9_-"

_TOKEN_IN_URL = re.compile(r"(?<=[?&]token=)[^&\s\"'#]+")
# The desk's paths name a conversation by its id, whatever its shape (uvicorn's access lines).
_ID_IN_DESK_PATH = re.compile(r"(?:(?<=/api/chat/)|(?<=/ws/)|(?<=/conversations/))[^/?#\s\"'<>]+")
EMAIL_PATTERN = re.compile(
    r"[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
# A conversation id is a random 16-64 character token (``secrets.token_urlsafe``, a uuid);
# a file name such as ``<hash>.tar.gz`` and the decimals of a confidence are left alone.
_ID_CANDIDATE = re.compile(
    rf"(?<![.{_ID_CHARS}])[{_ID_CHARS}]{{16,64}}(?![{_ID_CHARS}]|\.[A-Za-z])"
)
# Masked after the ids (an id may hold what looks like a phone number or an order number).
IBAN_PATTERN = re.compile(
    r"\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4}){2,7}(?:[ -]?[A-Z0-9]{1,3})?\b", re.I
)
PHONE_PATTERN = re.compile(
    r"(?<![\d+])(?:(?:\+|00)33[ .-]?(?:\(0\)[ .-]?)?|0)[1-9](?:[ .-]?\d{2}){4}(?!\d)"
)
ORDER_PATTERN = re.compile(r"(?<!\d)(?<!\d[.,])(?:\d{3} ?\d{3}|\d{2} \d{2} \d{2})(?!\d|[.,]\d)")
# A payment card number: 13 to 19 digits, maybe grouped by spaces or dashes (« 4111 1111 1111
# 1111 »), never starting with 0 (« 0033 6… » is a phone number); only those that pass the Luhn
# check (``card_or_none``), so a long reference is rarely taken for one.
CARD_PATTERN = re.compile(r"(?<![\d.,+])[1-9](?:[ -]?\d){12,18}(?!\d|[.,]\d)")


def passes_luhn(number: str) -> bool:
    total = 0
    for position, char in enumerate(reversed([c for c in number if c.isdigit()])):
        digit = int(char) * (2 if position % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


def card_masker(placeholder: str) -> Callable[[re.Match[str]], str]:
    """A ``re.sub`` replacement: ``placeholder`` for a card number, the text itself otherwise."""
    return lambda match: placeholder if passes_luhn(match.group(0)) else match.group(0)


_NUMBERS: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (IBAN_PATTERN, "<iban>"),
    (CARD_PATTERN, card_masker("<card>")),
    (PHONE_PATTERN, "<phone>"),
    (ORDER_PATTERN, "<order>"),
)
_MASKED_FLAG = "_personal_data_masked"


def _looks_random(token: str) -> bool:
    """Random ids, not code names: ``action_ask_order_number`` and ``SQLTrackerStore`` stay."""
    if any(char.isdigit() for char in token):
        return True
    if token.islower() or token.isupper():
        return False
    letters = [char for char in token if char.isalpha()]
    switches = sum(a.isupper() != b.isupper() for a, b in zip(letters, letters[1:], strict=False))
    return switches * 3 >= len(token)


def _mask_id(match: re.Match[str]) -> str:
    return "<id>" if _looks_random(match.group(0)) else match.group(0)


def mask(text: str) -> str:
    """``text`` with every piece of personal data replaced by a placeholder such as
    ``<email>``."""
    text = _ID_IN_DESK_PATH.sub("<id>", _TOKEN_IN_URL.sub("<token>", text))
    text = EMAIL_PATTERN.sub("<email>", text)
    text = _ID_CANDIDATE.sub(_mask_id, text)
    for pattern, placeholder in _NUMBERS:
        text = pattern.sub(placeholder, text)
    return text


def _masked(value: Any) -> Any:
    """A log argument with its personal data masked; unchanged (type included) when clean."""
    if isinstance(value, str):
        return mask(value)
    text = str(value)
    cleaned = mask(text)
    return value if cleaned == text else cleaned


def mask_record(record: logging.LogRecord) -> None:
    """Mask the message, its arguments, and any traceback of ``record`` (once)."""
    if getattr(record, _MASKED_FLAG, False):
        return
    setattr(record, _MASKED_FLAG, True)
    try:
        whole = mask(record.getMessage())
    except Exception:  # noqa: BLE001 - a broken logging call: logging reports it when it writes
        return
    msg = _masked(record.msg)
    args: Any = record.args
    if isinstance(args, Mapping):
        args = {key: _masked(value) for key, value in args.items()}
    elif isinstance(args, tuple):
        args = tuple(_masked(value) for value in args)
    try:
        shaped = str(msg) % args if args else str(msg)
    except Exception:  # noqa: BLE001 - e.g. a masked number given to %d
        shaped = None
    if shaped == whole:
        record.msg, record.args = msg, args  # formatters that read the arguments keep them
    else:
        record.msg, record.args = whole, None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask(record.exc_text)
    if record.stack_info:
        record.stack_info = mask(record.stack_info)


class PersonalDataFilter(logging.Filter):
    """Masks personal data in each record; lets every record through."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


class _MaskingRecordFactory:
    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = self.wrapped(*args, **kwargs)
        mask_record(record)
        return record


def install() -> None:
    """Mask every log record of this process when it is created (idempotent)."""
    current = logging.getLogRecordFactory()
    if not isinstance(current, _MaskingRecordFactory):
        logging.setLogRecordFactory(_MaskingRecordFactory(current))


def rasa_filter() -> PersonalDataFilter:
    """The filter for Rasa's ``--logging-config-file``: Rasa and Sanic add their handlers
    after reading that file, so every record of the process is masked as well."""
    install()
    return PersonalDataFilter()
