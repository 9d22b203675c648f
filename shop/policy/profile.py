"""The shop profile: one YAML file per shop holds its rules, this module reads and checks it.

Rules are data so that the content team can change a return window or a cut-off hour without a
developer. The pydantic models below are the file's schema, read strictly (``yaml_schema``): a
broken file is refused with a ``ProfileError`` that names the file, the dotted field path, the
reason and the line, so the running bot keeps its last good version. The helpers here (local
time, working days, opening hours, carriers, EU membership) are the only place where the rules
meet the calendar.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, Literal, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import Field, PrivateAttr, ValidationError, root_validator, validator

from shop.clock import as_utc
from shop.kinds import OrderStatus, PaymentMethod, ProductKind
from shop.policy.decision import Clause
from shop.policy.yaml_schema import (
    Count,
    Day,
    Flag,
    Positive,
    Schema,
    Text,
    WallTime,
    choice,
    empty_if_null,
    line_index,
    line_of,
    one_of,
    problem,
    refused_at,
    show,
    table,
    wall_time,
    yaml_type,
)
from shop.settings import current_settings

REPO_ROOT = Path(__file__).resolve().parents[2]
SHOPS_DIR = REPO_ROOT / "knowledge" / "shops"
DEFAULT_PROFILE_ID = "bijou_eclat"
PROFILE_ENV_VAR = "SHOP_PROFILE"

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ZONES = ("france", "europe", "world")

# EU member states (ISO 3166-1 alpha-2); Greece is "GR" in ISO (the EU itself writes "EL").
# fmt: off
EU_COUNTRIES = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
})
# fmt: on
# European countries outside the EU, delivered at "europe" rates by the carriers.
EUROPE_OUTSIDE_EU = frozenset(["AD", "CH", "GB", "IS", "LI", "MC", "NO", "SM", "VA"])

Payer = Literal["customer", "shop"]
DayUnit = Literal["calendar", "working"]
ReturnFlag = Literal["engraved", "made_to_measure"]
ReturnCondition = Literal["unworn", "original_packaging", "perfect_condition", "certificate"]
LostParcelDocument = Literal["sworn_statement", "id_copy", "parcel_photo"]
LostParcelCheck = Literal[
    "tracking_link", "account_address", "delivery_notice", "neighbours", "same_address"
]
LostParcelOutcome = Literal["refund", "reshipment"]
PlatformKind = Literal["shopify", "woocommerce", "prestashop"]
ORDER_STATUSES = frozenset(status.value for status in OrderStatus)
PAYMENT_METHODS = frozenset(method.value for method in PaymentMethod)

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_ENV_NAME_RE = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_LOOPBACK_URL_RE = re.compile(r"^http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(/|$)")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ProfileError(Exception):
    """A profile file that cannot be used: which file, which field, why (and the line if known)."""

    def __init__(self, file: str, field: str, reason: str, line: int | None = None) -> None:
        self.file = file
        self.field = field
        self.reason = reason
        self.line = line
        where = f" (line {line})" if line else ""
        super().__init__(f"{file}: {field}: {reason}{where}")


if TYPE_CHECKING:  # what the values are once read
    Weekday = int  # 0 = Monday
    Kind = ProductKind
else:
    Weekday = yaml_type("Weekday", choice(WEEKDAYS, WEEKDAYS.index))  # "monday" -> 0
    Kind = yaml_type("Kind", choice((kind.value for kind in ProductKind), ProductKind))


def _identifier(value: str) -> str:
    if not _ID_RE.match(value):
        raise ValueError(f"must be lowercase letters, digits and _, got {show(value)}")
    return value


def _min_not_above_max(cls: Any, values: dict[str, Any]) -> dict[str, Any]:
    if values["min"] > values["max"]:
        raise ValueError(f"min ({values['min']}) must not be greater than max ({values['max']})")
    return values


def _member_of(allowed: frozenset[str]) -> Callable[[str], str]:
    def check(word: str) -> str:
        if word not in allowed:
            raise ValueError(one_of(allowed, word))
        return word

    return check


# --------------------------------------------------------------------------- the profile's parts


class DayRange(Schema):
    """A delay in days, ``min``..``max`` inclusive; ``unit`` is calendar or working days."""

    min: Count
    max: Count
    unit: DayUnit = "working"

    def __init__(self, *args: Any, **fields: Any) -> None:
        """Also ``DayRange(min, max, unit)``, as the knowledge placeholders build one."""
        super().__init__(**dict(zip(("min", "max", "unit"), args, strict=False)), **fields)

    _ordered = root_validator(skip_on_failure=True, allow_reuse=True)(_min_not_above_max)


class _CarrierDelay(DayRange):
    """A carrier's delay is always in working days: the file does not say so."""

    @validator("unit", pre=True)
    def _no_unit(cls, value: Any) -> Any:
        raise ValueError("unknown field")


class TimeRange(Schema):
    """An opening slot in shop-local time, written "09:00-18:00": start inclusive, end exclusive."""

    start: time
    end: time

    @classmethod
    def validate(cls, value: Any) -> Any:
        if isinstance(value, cls):
            return value
        if not isinstance(value, str) or value.count("-") != 1:
            raise ValueError(f'must look like "09:00-18:00", got {show(value)}')
        start, end = (wall_time(part.strip()) for part in value.split("-"))
        if start >= end:
            raise ValueError(f"start must be before end, got {show(value)}")
        return cls(start=start, end=end)

    def contains(self, moment: time) -> bool:
        return self.start <= moment < self.end


class Contact(Schema):
    phone: Text
    email: Text
    opening_hours: Mapping[int, tuple[TimeRange, ...]]  # weekday (0 = Monday) -> slots

    _week = validator("opening_hours", pre=True, allow_reuse=True)(
        table(
            "Week",
            WEEKDAYS,
            tuple[TimeRange, ...],
            key=WEEKDAYS.index,
            at_least_one="must open at least one day",
        )
    )

    @validator("email")
    def _email(cls, email: str) -> str:
        if not _EMAIL_RE.match(email):
            raise ValueError(f"is not an e-mail address, got {show(email)}")
        return email


class ServiceLevel(Schema):
    response_hours: Mapping[int, int]  # ticket priority (1 urgent, 2 normal, 3 low) -> hours
    clause: Text

    _priorities = validator("response_hours", pre=True, allow_reuse=True)(
        table("Priorities", ("1", "2", "3"), Positive, key=int)
    )


class Carrier(Schema):
    key: Text
    label: Text
    tracking_url: Text  # contains "{tracking_number}"
    phone: Text | None = None
    delivery_days: Mapping[str, DayRange]  # zone (france | europe | world) -> working days

    _key = validator("key", allow_reuse=True)(_identifier)
    _zones = validator("delivery_days", pre=True, allow_reuse=True)(
        table(
            "Zones",
            ZONES,
            _CarrierDelay,
            at_least_one="must give at least one zone (france, europe, world)",
        )
    )

    @validator("tracking_url")
    def _tracking_url(cls, url: str) -> str:
        if not url.startswith("https://") or "{tracking_number}" not in url:
            raise ValueError(
                f"must be an https URL containing {{tracking_number}}, got {show(url)}"
            )
        return url

    def tracking_link(self, tracking_number: str) -> str:
        return self.tracking_url.replace("{tracking_number}", tracking_number)


class WorkingDays(Schema):
    weekdays: frozenset[Weekday]  # 0 = Monday
    holidays: frozenset[Day] = frozenset()

    _no_holidays = validator("holidays", pre=True, allow_reuse=True)(empty_if_null)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in self.holidays


class RefundPolicy(Schema):
    delay: DayRange  # from return reception (or cancellation) to the refund being issued
    bank_delay: DayRange | None = None  # from "refunded" to the money on the shopper's account
    clause: Text


class CancellationPolicy(Schema):
    cutoff: WallTime  # orders placed before this local time: cancellable until it, same day
    next_day_cutoff: WallTime | None = None  # orders placed at/after ``cutoff``: until this
    handling_hours: Positive | None = None  # the shop confirms a cancellation within this
    clause: Text


class ReturnPolicy(Schema):
    window_days: Positive
    counted_from: Literal["delivery"]  # the shop-local calendar date of the delivery
    shipping_paid_by: Payer
    excluded_flags: frozenset[ReturnFlag] = Field(frozenset(), alias="excluded")
    unopened_only_kinds: frozenset[Kind] = frozenset()  # hygiene: returnable only if unopened
    conditions: tuple[ReturnCondition, ...]
    steps: tuple[Text, ...]
    clause: Text

    _none_excluded = validator("excluded_flags", "unopened_only_kinds", pre=True, allow_reuse=True)(
        empty_if_null
    )


class LostParcelPolicy(Schema):
    inquiry_days: Positive
    non_eu_multiplier: Positive
    documents: tuple[LostParcelDocument, ...]
    checklist: tuple[LostParcelCheck, ...]
    outcomes: tuple[LostParcelOutcome, ...]
    clause: Text


class RingSizes(Schema):
    min: Positive
    max: Positive

    _ordered = root_validator(skip_on_failure=True, allow_reuse=True)(_min_not_above_max)


class ResizingPolicy(Schema):
    resizable_kinds: frozenset[Kind]
    ring_size: RingSizes
    workshop_days: DayRange
    extra_cost_possible: Flag
    reorder_if_impossible: Flag
    return_shipping_paid_by: Payer
    clause_in_window: Text
    clause_out_of_window: Text

    @property
    def ring_size_min(self) -> int:
        return self.ring_size.min

    @property
    def ring_size_max(self) -> int:
        return self.ring_size.max


class PromoPolicy(Schema):
    single_use: Flag
    nominative_codes: Flag
    login_required: Flag
    cumulative: Flag
    some_exclude_discounted: Flag
    apply_button: Text
    suggestion_min_score: Positive
    clause: Text

    @validator("suggestion_min_score")
    def _percent(cls, score: int) -> int:
        if score > 100:
            raise ValueError(f"must be at most 100, got {score}")
        return score


class LoyaltyPolicy(Schema):
    points_per_euro: Positive | None = None
    validity_days: Positive
    available_after_days: Count
    available_after: Literal["shipment", "delivery"]
    clause: Text


class TrackingPolicy(Schema):
    stuck_ready_to_ship_days: Positive
    clause: Text


class WarrantyPolicy(Schema):
    months: Positive
    clause: Text


def _no_words() -> Mapping[str, str]:
    return MappingProxyType({})


class PlatformSettings(Schema):
    """Where the shop's orders live: the platform, its address, the NAMES of the environment
    variables holding its secrets (never the secrets), and the shop's own status, payment and
    carrier words for ``shop.sources``."""

    kind: PlatformKind
    url: Text
    secret_env: Text  # Shopify access token, WooCommerce consumer secret, PrestaShop key
    key_env: Text | None = None  # WooCommerce consumer key
    cancelled_state: Text = "6"  # PrestaShop: the order state id of a cancelled order
    statuses: Mapping[str, Text] = Field(default_factory=_no_words)
    payment_methods: Mapping[str, Text] = Field(default_factory=_no_words)
    carriers: Mapping[str, Text] = Field(default_factory=_no_words)
    default_country: Text = "FR"

    @validator("statuses", "payment_methods", "carriers", pre=True)
    def _words(cls, value: Any) -> Any:
        """The platform's word → ours: a status, a payment method, a carrier key."""
        if not isinstance(value, dict | None):
            raise ValueError(f"must be a mapping, got {show(value)}")
        return MappingProxyType({str(word): ours for word, ours in (value or {}).items()})

    _our_statuses = validator("statuses", each_item=True, allow_reuse=True)(
        _member_of(ORDER_STATUSES)
    )
    _our_payment_methods = validator("payment_methods", each_item=True, allow_reuse=True)(
        _member_of(PAYMENT_METHODS)
    )

    @validator("cancelled_state", pre=True)
    def _state_id(cls, value: Any) -> str:
        return str(value)

    @validator("url")
    def _https(cls, url: str) -> str:
        url = url.rstrip("/")
        if not (url.startswith("https://") or _LOOPBACK_URL_RE.match(url)):
            raise ValueError(f"must be an https URL, got {show(url)}")
        return url

    @validator("secret_env", "key_env")
    def _variable_name(cls, name: str | None) -> str | None:
        if name is not None and not _ENV_NAME_RE.match(name):
            raise ValueError(
                "must be the NAME of an environment variable (A-Z, 0-9, _) holding the secret, "
                "never the secret itself"
            )
        return name

    @validator("key_env", always=True)
    def _woocommerce_key(cls, name: str | None, values: dict[str, Any]) -> str | None:
        if name is None and values.get("kind") == "woocommerce":
            raise ValueError("WooCommerce needs the consumer key's variable name")
        return name

    @validator("default_country")
    def _country_code(cls, country: str) -> str:
        if not re.fullmatch(r"[A-Za-z]{2}", country):
            raise ValueError(f"must be a country code, got {show(country)}")
        return country.upper()


class ShopProfile(Schema):
    id: Text
    display_name: Text
    timezone: Text
    contact: Contact
    service_level: ServiceLevel
    carriers: tuple[Carrier, ...]
    working_days: WorkingDays
    refund: RefundPolicy
    cancellation: CancellationPolicy
    returns: ReturnPolicy = Field(alias="return_policy")
    lost_parcel: LostParcelPolicy
    resizing: ResizingPolicy
    promo: PromoPolicy
    loyalty: LoyaltyPolicy
    tracking: TrackingPolicy
    warranty: WarrantyPolicy
    platform: PlatformSettings | None = None  # None: orders are made in this store only
    _source: str = PrivateAttr("")

    _id = validator("id", allow_reuse=True)(_identifier)

    @validator("timezone")
    def _known_timezone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {show(name)}") from None
        return name

    @validator("carriers")
    def _one_entry_per_carrier(cls, carriers: tuple[Carrier, ...]) -> tuple[Carrier, ...]:
        seen: set[str] = set()
        for position, carrier in enumerate(carriers):
            if carrier.key in seen:
                raise refused_at((position, "key"), f"duplicate carrier {show(carrier.key)}")
            seen.add(carrier.key)
        return carriers

    @property
    def source(self) -> str:
        """The file it was loaded from."""
        return self._source

    # ---- time
    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local(self, moment: datetime) -> datetime:
        """The shop-local wall time of an instant (naive datetimes are taken as UTC)."""
        return as_utc(moment).astimezone(self.tz)

    def local_date(self, moment: datetime) -> date:
        return self.local(moment).date()

    def at_local(self, day: date, wall_time: time) -> datetime:
        """The UTC instant of a shop-local wall time on a given day (DST-aware)."""
        return datetime.combine(day, wall_time, tzinfo=self.tz).astimezone(timezone.utc)

    # ---- working days
    def is_working_day(self, day: date) -> bool:
        return self.working_days.is_working_day(day)

    def add_working_days(self, start: date, days: int) -> date:
        """The date ``days`` working days after ``start`` (``start`` itself is not counted)."""
        current = start
        remaining = days
        while remaining > 0:
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def count_working_days(self, start: date, end: date) -> int:
        """Working days in ``(start, end]``: 0 when ``end`` is not after ``start``."""
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count

    def add_days(self, start: date, delay: int, unit: str) -> date:
        if unit == "working":
            return self.add_working_days(start, delay)
        return start + timedelta(days=delay)

    # ---- contact and service level
    def is_open(self, now: datetime) -> bool:
        """Whether customer service answers at this instant (local hours, holidays closed)."""
        local = self.local(now)
        if local.date() in self.working_days.holidays:
            return False
        slots = self.contact.opening_hours.get(local.weekday(), ())
        return any(slot.contains(local.time().replace(tzinfo=None)) for slot in slots)

    def ticket_due_at(self, now: datetime, priority: int) -> datetime:
        """When a ticket of this priority must be answered (calendar hours, UTC)."""
        hours = self.service_level.response_hours.get(priority)
        if hours is None:
            hours = max(self.service_level.response_hours.values())
        return as_utc(now) + timedelta(hours=hours)

    # ---- carriers and zones
    def carrier(self, key: str) -> Carrier | None:
        wanted = key.strip().lower()
        return next((c for c in self.carriers if c.key == wanted), None)

    def expected_delivery(
        self, carrier_key: str, country: str, shipped_at: datetime
    ) -> tuple[date, date] | None:
        """Earliest and latest local delivery dates, or None if the carrier/zone is unknown."""
        carrier = self.carrier(carrier_key)
        if carrier is None:
            return None
        delay = carrier.delivery_days.get(zone_of(country))
        if delay is None:
            return None
        shipped = self.local_date(shipped_at)
        return self.add_working_days(shipped, delay.min), self.add_working_days(shipped, delay.max)

    def clause(self, rule: str, text: str) -> Clause:
        return Clause(shop=self.id, rule=rule, text=text)


def is_eu(country: str) -> bool:
    return country.strip().upper() in EU_COUNTRIES


def zone_of(country: str) -> str:
    """The carrier zone of a destination: france, europe (EU and nearby) or world."""
    code = country.strip().upper()
    if code in ("FR", "MC"):
        return "france"
    if code in EU_COUNTRIES or code in EUROPE_OUTSIDE_EU:
        return "europe"
    return "world"


# --------------------------------------------------------------------------- loading


def load_active_profile() -> ShopProfile:
    """The profile named by ``SHOP_PROFILE`` (an id in knowledge/shops, or a path)."""
    return load_profile(resolve_profile_path(current_settings().shop_profile))


def resolve_profile_path(name: str) -> Path:
    name = name.strip() or DEFAULT_PROFILE_ID
    if _ID_RE.match(name):
        return SHOPS_DIR / f"{name}.yml"
    return Path(name)


def load_profile(path: str | os.PathLike[str]) -> ShopProfile:
    """Read and validate one profile file; raise ``ProfileError`` on the first problem."""
    file_path = Path(path)
    shown = _display(file_path)
    try:
        text = file_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProfileError(shown, "(file)", f"cannot be read: {exc.strerror or exc}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ProfileError(shown, "(yaml)", f"invalid YAML: {exc}", line) from exc
    try:
        profile: ShopProfile = ShopProfile.validate(data)
    except ValidationError as error:
        field, reason = problem(error)
        lines = line_index(yaml.compose(text))  # only a refused file needs its lines
        raise ProfileError(shown, field or "(root)", reason, line_of(field, lines)) from None
    except ValueError as error:  # not a mapping at all
        raise ProfileError(shown, "(root)", str(error)) from None
    profile._source = shown
    return profile


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)
