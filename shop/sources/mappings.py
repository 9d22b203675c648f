"""How a platform's statuses, payment methods, carriers and product words become the store's.

The defaults live in ``mappings.yml`` next to this module, readable by a shop's team; a shop's
own words (custom statuses, a payment module, a local carrier) come as plain data
(``SourceSettings``, later carried by the shop profile) and win over the defaults. A status no
mapping names is answered ``None``: the caller keeps the order with its raw status, flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml
from pydantic import BaseModel, Field, validator

from shop.kinds import OrderStatus, PaymentMethod, ProductKind
from shop.sources.record import Platform

DEFAULTS_FILE = Path(__file__).resolve().with_name("mappings.yml")
CARRIER_KEY_LENGTH = 32


def mapping_key(raw: str) -> str:
    """The form every table is looked up with: trimmed, lower-case, single spaces."""
    return " ".join(str(raw).split()).lower()


def slug(raw: str) -> str:
    """``"Transporteur Local"`` → ``"transporteur_local"`` (a carrier no table knows)."""
    text = re.sub(r"[^0-9a-zà-ÿ]+", "_", mapping_key(raw)).strip("_")
    return text[:CARRIER_KEY_LENGTH] or "inconnu"


class SourceSettings(BaseModel):
    """A shop's own mappings, as plain data: ``{"statuses": {"en-gravure": "being_prepared"}}``."""

    statuses: dict[str, OrderStatus] = Field(default_factory=dict)
    payment_methods: dict[str, PaymentMethod] = Field(default_factory=dict)
    carriers: dict[str, str] = Field(default_factory=dict)
    default_country: str = "FR"

    class Config:
        extra = "forbid"

    @validator("statuses", "payment_methods", "carriers", pre=True)
    def _keys_lower_case(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {mapping_key(str(key)): item for key, item in value.items()}
        return value

    @validator("default_country")
    def _country_code(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z]{2}", value):
            raise ValueError("a two-letter country code (FR, BE…)")
        return value.upper()


def unmapped_payment(field_name: str, raw: str) -> str:
    """Why an order whose payment method no table names is refused."""
    if not raw:
        return f"{field_name}: missing"
    return (
        f"payment method {raw!r} has no mapping: add it to the shop's payment_methods "
        "(card, paypal, bank_transfer, cheque, instalments_3x, instalments_4x)"
    )


@dataclass(frozen=True)
class LineFacts:
    engraved: bool = False
    made_to_measure: bool = False
    size: str | None = None


@dataclass(frozen=True)
class PlatformMappings:
    """One platform's tables with the shop's overrides applied."""

    platform: Platform
    statuses: Mapping[str, OrderStatus]
    payment_methods: Mapping[str, PaymentMethod]
    carriers: Mapping[str, str]
    product_kinds: tuple[tuple[ProductKind, tuple[str, ...]], ...]
    line_properties: Mapping[str, tuple[str, ...]]
    default_country: str

    def status(self, raw: str) -> OrderStatus | None:
        """The store's status for the platform's, or None when no table names it."""
        key = mapping_key(raw)
        if self.platform == Platform.WOOCOMMERCE and key.startswith("wc-"):
            key = key[3:]
        return self.statuses.get(key)

    def payment_method(self, raw: str) -> PaymentMethod | None:
        return self.payment_methods.get(mapping_key(raw))

    def carrier(self, raw: str | None) -> str:
        """The profile's carrier key for a name, else the name's slug."""
        if not raw or not str(raw).strip():
            return "inconnu"
        return self.carriers.get(mapping_key(raw)) or slug(raw)

    def product_kind(self, title: str) -> ProductKind:
        text = mapping_key(title)
        for kind, words in self.product_kinds:
            if any(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) for word in words):
                return kind
        return ProductKind.OTHER

    def line_facts(self, title: str, properties: Iterable[tuple[str, Any]]) -> LineFacts:
        """Engraving, made to measure and size from a line's properties (and its title)."""
        given = {mapping_key(name): str(value).strip() for name, value in properties}
        given = {name: value for name, value in given.items() if value}

        def named(fact: str) -> str | None:
            return next((given[n] for n in self.line_properties[fact] if n in given), None)

        made_to_measure = named("made_to_measure") is not None or any(
            word in mapping_key(title) for word in self.line_properties["made_to_measure"]
        )
        size = named("size")
        return LineFacts(
            engraved=named("engraved") is not None,
            made_to_measure=made_to_measure,
            size=size[:8] if size else None,
        )


@lru_cache(maxsize=1)
def _defaults() -> dict[str, Any]:
    data = yaml.safe_load(DEFAULTS_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{DEFAULTS_FILE} holds no mapping"
    return data


def mappings_for(platform: Platform, settings: SourceSettings | None = None) -> PlatformMappings:
    """The default tables of ``platform`` with the shop's ``settings`` over them."""
    data = _defaults()
    settings = settings or SourceSettings()
    statuses = {
        mapping_key(str(key)): OrderStatus(value)
        for key, value in data["statuses"][platform.value].items()
    }
    payments = {
        mapping_key(str(key)): PaymentMethod(value)
        for key, value in data["payment_methods"][platform.value].items()
    }
    carriers = {mapping_key(str(key)): str(value) for key, value in data["carriers"].items()}
    return PlatformMappings(
        platform=platform,
        statuses={**statuses, **settings.statuses},
        payment_methods={**payments, **settings.payment_methods},
        carriers={**carriers, **settings.carriers},
        product_kinds=tuple(
            (ProductKind(kind), tuple(mapping_key(word) for word in words))
            for kind, words in data["product_kinds"].items()
        ),
        line_properties={
            fact: tuple(mapping_key(name) for name in names)
            for fact, names in data["line_properties"].items()
        },
        default_country=settings.default_country,
    )
