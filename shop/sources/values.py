"""Reading the platforms' values: amounts as text, times in their many shapes, nested fields.

Every reader raises ``SourceError`` with the field's name, so a refused payload or row says
exactly what was wrong.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from shop.sources.record import SourceError

# PrestaShop writes "no date" as zeros.
_NO_DATE = {"", "0000-00-00", "0000-00-00 00:00:00"}


def field(data: Mapping[str, Any], name: str) -> Any:
    """A required field: present and not empty."""
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise SourceError(f"{name}: missing")
    return value


def mapping(data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = data.get(name)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise SourceError(f"{name}: an object was expected")
    return value


def items(data: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    value = data.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise SourceError(f"{name}: a list of objects was expected")
    return value


def cents(value: Any, name: str) -> int:
    """``"199.00"``, ``199``, ``"1 250,00 €"``, ``"1.250,00"`` → cents; refuses what is not an
    amount. A lone comma or point is the decimal mark (the exports always write the cents)."""
    if value is None or value == "":
        raise SourceError(f"{name}: missing amount")
    text = str(value).replace("\u00a0", " ").replace("\u202f", " ")
    text = re.sub(r"[^\d,.\-]", "", text)
    if "," in text and "." in text:  # "1,250.00" or "1.250,00": the last mark is the decimal one
        thousands = "," if text.rfind(".") > text.rfind(",") else "."
        text = text.replace(thousands, "")
    text = text.replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise SourceError(f"{name}: not an amount: {value!r}") from None
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def optional_cents(value: Any, name: str) -> int:
    return 0 if value is None or str(value).strip() == "" else cents(value, name)


def quantity(value: Any, name: str) -> int:
    try:
        number = int(Decimal(str(value).strip()))
    except (InvalidOperation, ValueError):
        raise SourceError(f"{name}: not a quantity: {value!r}") from None
    if number < 1:
        raise SourceError(f"{name}: a quantity of at least 1, not {number}")
    return number


def timestamp(value: Any, name: str, *, local_zone: str | None = None) -> datetime:
    """An aware UTC time from ISO 8601 (with offset or Z), Shopify's export form
    ``2026-11-30 10:12:44 +0100``, or a local wall time read in ``local_zone``."""
    if value is None or str(value).strip() in _NO_DATE:
        raise SourceError(f"{name}: missing time")
    text = str(value).strip()
    for pattern in ("%Y-%m-%d %H:%M:%S %z", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M"):
        try:
            parsed = datetime.strptime(text, pattern)
            break
        except ValueError:
            continue
    else:
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise SourceError(f"{name}: not a time: {value!r}") from None
    if parsed.tzinfo is None:
        if local_zone is None:
            raise SourceError(f"{name}: a time without its time zone: {value!r}")
        parsed = parsed.replace(tzinfo=ZoneInfo(local_zone))
    return parsed.astimezone(timezone.utc)


def optional_timestamp(value: Any, name: str, *, local_zone: str | None = None) -> datetime | None:
    if value is None or str(value).strip() in _NO_DATE:
        return None
    return timestamp(value, name, local_zone=local_zone)


def utc_wall_time(value: Any, name: str) -> datetime:
    """A time the platform gives in UTC without an offset (WooCommerce's ``*_gmt`` fields)."""
    return timestamp(value, name, local_zone="UTC")


def unix_or_utc_time(value: Any, name: str) -> datetime:
    """Seconds since 1970 (``"1764497564"``) or a UTC wall time."""
    if str(value).strip().isdigit():
        return datetime.fromtimestamp(int(str(value).strip()), tz=timezone.utc)
    return utc_wall_time(value, name)


def text(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split())
