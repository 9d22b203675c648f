"""The shop profile: one YAML file per shop holds its rules, this module reads and checks it.

Rules are data so that the content team can change a return window or a cut-off hour without a
developer. A profile is validated field by field when it is loaded: a broken file is refused
with a ``ProfileError`` that names the file, the dotted field path and the reason, so the
running bot keeps its last good version. The helpers here (local time, working days, opening
hours, carriers, EU membership) are the only place where the rules meet the calendar.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Mapping, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from shop.clock import as_utc
from shop.policy.decision import Clause
from shop.store.models import OrderStatus, PaymentMethod, ProductKind

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

RETURN_FLAGS = frozenset({"engraved", "made_to_measure"})
RETURN_CONDITIONS = frozenset({"unworn", "original_packaging", "perfect_condition", "certificate"})
LOST_PARCEL_DOCUMENTS = frozenset({"sworn_statement", "id_copy", "parcel_photo"})
LOST_PARCEL_CHECKS = frozenset(
    {"tracking_link", "account_address", "delivery_notice", "neighbours", "same_address"}
)
LOST_PARCEL_OUTCOMES = frozenset({"refund", "reshipment"})
PAYERS = frozenset({"customer", "shop"})
DAY_UNITS = frozenset({"calendar", "working"})
PLATFORMS = frozenset({"shopify", "woocommerce", "prestashop"})
ORDER_STATUSES = frozenset(status.value for status in OrderStatus)
PAYMENT_METHODS = frozenset(method.value for method in PaymentMethod)

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_ENV_NAME_RE = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_LOOPBACK_URL_RE = re.compile(r"^http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(/|$)")
_TIME_RE = re.compile(r"^(\d{2}):(\d{2})$")
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


# --------------------------------------------------------------------------- value objects


@dataclass(frozen=True)
class DayRange:
    """A delay in days, ``min``..``max`` inclusive; ``unit`` is calendar or working days."""

    min: int
    max: int
    unit: str = "working"


@dataclass(frozen=True)
class TimeRange:
    """An opening slot in shop-local time: start inclusive, end exclusive."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True)
class Contact:
    phone: str
    email: str
    opening_hours: Mapping[int, tuple[TimeRange, ...]]  # weekday (0 = Monday) -> slots


@dataclass(frozen=True)
class ServiceLevel:
    response_hours: Mapping[int, int]  # ticket priority (1 urgent, 2 normal, 3 low) -> hours
    clause: str


@dataclass(frozen=True)
class Carrier:
    key: str
    label: str
    tracking_url: str  # contains "{tracking_number}"
    phone: str | None
    delivery_days: Mapping[str, DayRange]  # zone (france | europe | world) -> working days

    def tracking_link(self, tracking_number: str) -> str:
        return self.tracking_url.replace("{tracking_number}", tracking_number)


@dataclass(frozen=True)
class WorkingDays:
    weekdays: frozenset[int]  # 0 = Monday
    holidays: frozenset[date]

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in self.holidays


@dataclass(frozen=True)
class RefundPolicy:
    delay: DayRange  # from return reception (or cancellation) to the refund being issued
    bank_delay: DayRange | None  # from "refunded" to the money on the shopper's account
    clause: str


@dataclass(frozen=True)
class CancellationPolicy:
    cutoff: time  # orders placed before this local time: cancellable until it, same day
    next_day_cutoff: time | None  # orders placed at/after ``cutoff``: until this, next day
    handling_hours: int | None  # the shop confirms a cancellation request within this
    clause: str


@dataclass(frozen=True)
class ReturnPolicy:
    window_days: int
    counted_from: str  # always "delivery" (shop-local calendar date of the delivery)
    shipping_paid_by: str  # customer | shop
    excluded_flags: frozenset[str]  # engraved, made_to_measure
    unopened_only_kinds: frozenset[ProductKind]  # hygiene: returnable only if never opened
    conditions: tuple[str, ...]
    steps: tuple[str, ...]
    clause: str


@dataclass(frozen=True)
class LostParcelPolicy:
    inquiry_days: int
    non_eu_multiplier: int
    documents: tuple[str, ...]
    checklist: tuple[str, ...]
    outcomes: tuple[str, ...]
    clause: str


@dataclass(frozen=True)
class ResizingPolicy:
    resizable_kinds: frozenset[ProductKind]
    ring_size_min: int
    ring_size_max: int
    workshop_days: DayRange
    extra_cost_possible: bool
    reorder_if_impossible: bool
    return_shipping_paid_by: str
    clause_in_window: str
    clause_out_of_window: str


@dataclass(frozen=True)
class PromoPolicy:
    single_use: bool
    nominative_codes: bool
    login_required: bool
    cumulative: bool
    some_exclude_discounted: bool
    apply_button: str
    suggestion_min_score: int
    clause: str


@dataclass(frozen=True)
class LoyaltyPolicy:
    points_per_euro: int | None
    validity_days: int
    available_after_days: int
    available_after: str  # shipment | delivery
    clause: str


@dataclass(frozen=True)
class TrackingPolicy:
    stuck_ready_to_ship_days: int
    clause: str


@dataclass(frozen=True)
class WarrantyPolicy:
    months: int
    clause: str


@dataclass(frozen=True)
class PlatformSettings:
    """Where the shop's orders live: the platform, its address, the NAMES of the environment
    variables holding its secrets (never the secrets), and the shop's own status, payment and
    carrier words for ``shop.sources``."""

    kind: str  # shopify, woocommerce, prestashop
    url: str
    secret_env: str  # Shopify access token, WooCommerce consumer secret, PrestaShop key
    key_env: str | None  # WooCommerce consumer key
    cancelled_state: str  # PrestaShop: the order state id of a cancelled order
    statuses: Mapping[str, str]
    payment_methods: Mapping[str, str]
    carriers: Mapping[str, str]
    default_country: str


@dataclass(frozen=True)
class ShopProfile:
    id: str
    display_name: str
    timezone: str
    contact: Contact
    service_level: ServiceLevel
    carriers: tuple[Carrier, ...]
    working_days: WorkingDays
    refund: RefundPolicy
    cancellation: CancellationPolicy
    returns: ReturnPolicy
    lost_parcel: LostParcelPolicy
    resizing: ResizingPolicy
    promo: PromoPolicy
    loyalty: LoyaltyPolicy
    tracking: TrackingPolicy
    warranty: WarrantyPolicy
    source: str  # the file it was loaded from
    platform: PlatformSettings | None = None  # None: orders are made in this store only

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
    return load_profile(resolve_profile_path(os.environ.get(PROFILE_ENV_VAR, DEFAULT_PROFILE_ID)))


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
        lines = _line_index(yaml.compose(text))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ProfileError(shown, "(yaml)", f"invalid YAML: {exc}", line) from exc
    return _Reader(shown, lines).profile(data)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def _line_index(node: Any, prefix: str = "") -> dict[str, int]:
    """Dotted field path -> 1-based line, from the composed YAML node tree."""
    index: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            path = _join(prefix, str(key_node.value))
            index[path] = key_node.start_mark.line + 1
            index.update(_line_index(value_node, path))
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            path = f"{prefix}[{position}]"
            index[path] = item.start_mark.line + 1
            index.update(_line_index(item, path))
    return index


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _Reader:
    """Turns the raw YAML tree into a ``ShopProfile``, failing with the dotted path."""

    def __init__(self, file: str, lines: dict[str, int]) -> None:
        self.file = file
        self.lines = lines

    def fail(self, path: str, reason: str) -> NoReturn:
        line = self.lines.get(path)
        if line is None and "." in path:
            line = self.lines.get(path.rsplit(".", 1)[0])
        raise ProfileError(self.file, path or "(root)", reason, line)

    # ---- primitive readers
    def mapping(
        self, value: Any, path: str, required: set[str], optional: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(path, f"must be a mapping, got {_show(value)}")
        for key in value:
            if str(key) not in required and str(key) not in optional:
                self.fail(_join(path, str(key)), "unknown field")
        for key in sorted(required):
            if key not in value:
                self.fail(_join(path, key), "missing required field")
        return value

    def text(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(path, f"must be a non-empty text, got {_show(value)}")
        return value.strip()

    def integer(self, value: Any, path: str, minimum: int = 1) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
            self.fail(path, f"must be {kind}, got {_show(value)}")
        return value

    def flag(self, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            self.fail(path, f"must be true or false, got {_show(value)}")
        return value

    def choice(self, value: Any, path: str, allowed: frozenset[str]) -> str:
        if value not in allowed:
            self.fail(path, f"must be one of {', '.join(sorted(allowed))}, got {_show(value)}")
        return str(value)

    def wall_time(self, value: Any, path: str) -> time:
        match = _TIME_RE.match(value) if isinstance(value, str) else None
        if match is None:
            self.fail(path, f'must be a time "HH:MM" in quotes, got {_show(value)}')
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour > 23 or minute > 59:
            self.fail(path, f"is not a valid time of day, got {_show(value)}")
        return time(hour, minute)

    def items(self, value: Any, path: str, allow_empty: bool = False) -> list[Any]:
        if not isinstance(value, list) or (not value and not allow_empty):
            self.fail(
                path, f"must be a {'' if allow_empty else 'non-empty '}list, got {_show(value)}"
            )
        return value

    def texts(self, value: Any, path: str, allow_empty: bool = False) -> tuple[str, ...]:
        items = self.items(value, path, allow_empty)
        return tuple(self.text(item, f"{path}[{i}]") for i, item in enumerate(items))

    def choices(
        self, value: Any, path: str, allowed: frozenset[str], allow_empty: bool = False
    ) -> tuple[str, ...]:
        items = self.items(value, path, allow_empty)
        return tuple(self.choice(item, f"{path}[{i}]", allowed) for i, item in enumerate(items))

    def kinds(self, value: Any, path: str, allow_empty: bool = True) -> frozenset[ProductKind]:
        allowed = frozenset(kind.value for kind in ProductKind)
        return frozenset(ProductKind(k) for k in self.choices(value, path, allowed, allow_empty))

    def day_range(self, value: Any, path: str, unit: str | None = None) -> DayRange:
        optional = frozenset() if unit else frozenset({"unit"})
        raw = self.mapping(value, path, {"min", "max"}, optional)
        low = self.integer(raw["min"], f"{path}.min", minimum=0)
        high = self.integer(raw["max"], f"{path}.max", minimum=0)
        if low > high:
            self.fail(path, f"min ({low}) must not be greater than max ({high})")
        chosen = unit or self.choice(raw.get("unit", "working"), f"{path}.unit", DAY_UNITS)
        return DayRange(low, high, chosen)

    def optional(self, raw: dict[str, Any], key: str, path: str, read: Callable[..., Any]) -> Any:
        value = raw.get(key)
        return None if value is None else read(value, _join(path, key))

    # ---- sections
    def profile(self, data: Any) -> ShopProfile:
        raw = self.mapping(data, "", set(_SECTIONS), frozenset({"platform"}))
        shop_id = self.text(raw["id"], "id")
        if not _ID_RE.match(shop_id):
            self.fail("id", f"must be lowercase letters, digits and _, got {_show(shop_id)}")
        return ShopProfile(
            id=shop_id,
            display_name=self.text(raw["display_name"], "display_name"),
            timezone=self.timezone(raw["timezone"], "timezone"),
            contact=self.contact(raw["contact"], "contact"),
            service_level=self.service_level(raw["service_level"], "service_level"),
            carriers=self.carriers(raw["carriers"], "carriers"),
            working_days=self.working_days(raw["working_days"], "working_days"),
            refund=self.refund(raw["refund"], "refund"),
            cancellation=self.cancellation(raw["cancellation"], "cancellation"),
            returns=self.returns(raw["return_policy"], "return_policy"),
            lost_parcel=self.lost_parcel(raw["lost_parcel"], "lost_parcel"),
            resizing=self.resizing(raw["resizing"], "resizing"),
            promo=self.promo(raw["promo"], "promo"),
            loyalty=self.loyalty(raw["loyalty"], "loyalty"),
            tracking=self.tracking(raw["tracking"], "tracking"),
            warranty=self.warranty(raw["warranty"], "warranty"),
            source=self.file,
            platform=self.optional(raw, "platform", "", self.platform),
        )

    def timezone(self, value: Any, path: str) -> str:
        name = self.text(value, path)
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            self.fail(path, f"unknown timezone {_show(name)}")
        return name

    def contact(self, value: Any, path: str) -> Contact:
        raw = self.mapping(value, path, {"phone", "email", "opening_hours"})
        email = self.text(raw["email"], f"{path}.email")
        if not _EMAIL_RE.match(email):
            self.fail(f"{path}.email", f"is not an e-mail address, got {_show(email)}")
        hours_path = f"{path}.opening_hours"
        hours = self.mapping(raw["opening_hours"], hours_path, set(), frozenset(WEEKDAYS))
        opening = {
            WEEKDAYS.index(day): self.slots(slots, f"{hours_path}.{day}")
            for day, slots in hours.items()
        }
        if not any(opening.values()):
            self.fail(hours_path, "must open at least one day")
        return Contact(
            phone=self.text(raw["phone"], f"{path}.phone"),
            email=email,
            opening_hours=MappingProxyType(opening),
        )

    def slots(self, value: Any, path: str) -> tuple[TimeRange, ...]:
        result = []
        for i, item in enumerate(self.items(value, path, allow_empty=True)):
            item_path = f"{path}[{i}]"
            if not isinstance(item, str) or item.count("-") != 1:
                self.fail(item_path, f'must look like "09:00-18:00", got {_show(item)}')
            start_text, end_text = (part.strip() for part in item.split("-"))
            start = self.wall_time(start_text, item_path)
            end = self.wall_time(end_text, item_path)
            if start >= end:
                self.fail(item_path, f"start must be before end, got {_show(item)}")
            result.append(TimeRange(start, end))
        return tuple(result)

    def service_level(self, value: Any, path: str) -> ServiceLevel:
        raw = self.mapping(value, path, {"response_hours", "clause"})
        hours_path = f"{path}.response_hours"
        table = raw["response_hours"]
        if not isinstance(table, dict):
            self.fail(hours_path, f"must be a mapping, got {_show(table)}")
        table = self.mapping({str(k): v for k, v in table.items()}, hours_path, {"1", "2", "3"})
        response = {int(k): self.integer(v, f"{hours_path}.{k}") for k, v in table.items()}
        return ServiceLevel(MappingProxyType(response), self.text(raw["clause"], f"{path}.clause"))

    def carriers(self, value: Any, path: str) -> tuple[Carrier, ...]:
        carriers = []
        seen: set[str] = set()
        for i, item in enumerate(self.items(value, path)):
            carrier = self.carrier(item, f"{path}[{i}]")
            if carrier.key in seen:
                self.fail(f"{path}[{i}].key", f"duplicate carrier {_show(carrier.key)}")
            seen.add(carrier.key)
            carriers.append(carrier)
        return tuple(carriers)

    def carrier(self, value: Any, path: str) -> Carrier:
        raw = self.mapping(
            value, path, {"key", "label", "tracking_url", "delivery_days"}, frozenset({"phone"})
        )
        key = self.text(raw["key"], f"{path}.key")
        if not _ID_RE.match(key):
            self.fail(f"{path}.key", f"must be lowercase letters, digits and _, got {_show(key)}")
        url = self.text(raw["tracking_url"], f"{path}.tracking_url")
        if not url.startswith("https://") or "{tracking_number}" not in url:
            self.fail(
                f"{path}.tracking_url",
                f"must be an https URL containing {{tracking_number}}, got {_show(url)}",
            )
        days_path = f"{path}.delivery_days"
        days = self.mapping(raw["delivery_days"], days_path, set(), frozenset(ZONES))
        if not days:
            self.fail(days_path, "must give at least one zone (france, europe, world)")
        delivery = {
            zone: self.day_range(delay, f"{days_path}.{zone}", unit="working")
            for zone, delay in days.items()
        }
        return Carrier(
            key=key,
            label=self.text(raw["label"], f"{path}.label"),
            tracking_url=url,
            phone=self.optional(raw, "phone", path, self.text),
            delivery_days=MappingProxyType(delivery),
        )

    def working_days(self, value: Any, path: str) -> WorkingDays:
        raw = self.mapping(value, path, {"weekdays"}, frozenset({"holidays"}))
        weekdays = self.choices(raw["weekdays"], f"{path}.weekdays", frozenset(WEEKDAYS))
        holidays = set()
        for i, item in enumerate(self.items(raw.get("holidays") or [], f"{path}.holidays", True)):
            holidays.add(self.calendar_date(item, f"{path}.holidays[{i}]"))
        return WorkingDays(frozenset(WEEKDAYS.index(d) for d in weekdays), frozenset(holidays))

    def calendar_date(self, value: Any, path: str) -> date:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(path, f"must be a date YYYY-MM-DD, got {_show(value)}")

    def refund(self, value: Any, path: str) -> RefundPolicy:
        raw = self.mapping(value, path, {"delay", "clause"}, frozenset({"bank_delay"}))
        return RefundPolicy(
            delay=self.day_range(raw["delay"], f"{path}.delay"),
            bank_delay=self.optional(raw, "bank_delay", path, self.day_range),
            clause=self.text(raw["clause"], f"{path}.clause"),
        )

    def cancellation(self, value: Any, path: str) -> CancellationPolicy:
        raw = self.mapping(
            value, path, {"cutoff", "clause"}, frozenset({"next_day_cutoff", "handling_hours"})
        )
        return CancellationPolicy(
            cutoff=self.wall_time(raw["cutoff"], f"{path}.cutoff"),
            next_day_cutoff=self.optional(raw, "next_day_cutoff", path, self.wall_time),
            handling_hours=self.optional(raw, "handling_hours", path, self.integer),
            clause=self.text(raw["clause"], f"{path}.clause"),
        )

    def returns(self, value: Any, path: str) -> ReturnPolicy:
        required = {"window_days", "counted_from", "shipping_paid_by", "conditions", "steps"}
        raw = self.mapping(
            value, path, required | {"clause"}, frozenset({"excluded", "unopened_only_kinds"})
        )
        return ReturnPolicy(
            window_days=self.integer(raw["window_days"], f"{path}.window_days"),
            counted_from=self.choice(
                raw["counted_from"], f"{path}.counted_from", frozenset({"delivery"})
            ),
            shipping_paid_by=self.choice(
                raw["shipping_paid_by"], f"{path}.shipping_paid_by", PAYERS
            ),
            excluded_flags=frozenset(
                self.choices(raw.get("excluded") or [], f"{path}.excluded", RETURN_FLAGS, True)
            ),
            unopened_only_kinds=self.kinds(
                raw.get("unopened_only_kinds") or [], f"{path}.unopened_only_kinds"
            ),
            conditions=self.choices(raw["conditions"], f"{path}.conditions", RETURN_CONDITIONS),
            steps=self.texts(raw["steps"], f"{path}.steps"),
            clause=self.text(raw["clause"], f"{path}.clause"),
        )

    def lost_parcel(self, value: Any, path: str) -> LostParcelPolicy:
        keys = {"inquiry_days", "non_eu_multiplier", "documents", "checklist", "outcomes", "clause"}
        raw = self.mapping(value, path, keys)
        return LostParcelPolicy(
            inquiry_days=self.integer(raw["inquiry_days"], f"{path}.inquiry_days"),
            non_eu_multiplier=self.integer(raw["non_eu_multiplier"], f"{path}.non_eu_multiplier"),
            documents=self.choices(raw["documents"], f"{path}.documents", LOST_PARCEL_DOCUMENTS),
            checklist=self.choices(raw["checklist"], f"{path}.checklist", LOST_PARCEL_CHECKS),
            outcomes=self.choices(raw["outcomes"], f"{path}.outcomes", LOST_PARCEL_OUTCOMES),
            clause=self.text(raw["clause"], f"{path}.clause"),
        )

    def resizing(self, value: Any, path: str) -> ResizingPolicy:
        keys = {
            "resizable_kinds",
            "ring_size",
            "workshop_days",
            "extra_cost_possible",
            "reorder_if_impossible",
            "return_shipping_paid_by",
            "clause_in_window",
            "clause_out_of_window",
        }
        raw = self.mapping(value, path, keys)
        sizes = self.mapping(raw["ring_size"], f"{path}.ring_size", {"min", "max"})
        low = self.integer(sizes["min"], f"{path}.ring_size.min")
        high = self.integer(sizes["max"], f"{path}.ring_size.max")
        if low > high:
            self.fail(f"{path}.ring_size", f"min ({low}) must not be greater than max ({high})")
        return ResizingPolicy(
            resizable_kinds=self.kinds(raw["resizable_kinds"], f"{path}.resizable_kinds", False),
            ring_size_min=low,
            ring_size_max=high,
            workshop_days=self.day_range(raw["workshop_days"], f"{path}.workshop_days"),
            extra_cost_possible=self.flag(
                raw["extra_cost_possible"], f"{path}.extra_cost_possible"
            ),
            reorder_if_impossible=self.flag(
                raw["reorder_if_impossible"], f"{path}.reorder_if_impossible"
            ),
            return_shipping_paid_by=self.choice(
                raw["return_shipping_paid_by"], f"{path}.return_shipping_paid_by", PAYERS
            ),
            clause_in_window=self.text(raw["clause_in_window"], f"{path}.clause_in_window"),
            clause_out_of_window=self.text(
                raw["clause_out_of_window"], f"{path}.clause_out_of_window"
            ),
        )

    def promo(self, value: Any, path: str) -> PromoPolicy:
        keys = {
            "single_use",
            "nominative_codes",
            "login_required",
            "cumulative",
            "some_exclude_discounted",
            "apply_button",
            "suggestion_min_score",
            "clause",
        }
        raw = self.mapping(value, path, keys)
        score = self.integer(raw["suggestion_min_score"], f"{path}.suggestion_min_score")
        if score > 100:
            self.fail(f"{path}.suggestion_min_score", f"must be at most 100, got {score}")
        return PromoPolicy(
            single_use=self.flag(raw["single_use"], f"{path}.single_use"),
            nominative_codes=self.flag(raw["nominative_codes"], f"{path}.nominative_codes"),
            login_required=self.flag(raw["login_required"], f"{path}.login_required"),
            cumulative=self.flag(raw["cumulative"], f"{path}.cumulative"),
            some_exclude_discounted=self.flag(
                raw["some_exclude_discounted"], f"{path}.some_exclude_discounted"
            ),
            apply_button=self.text(raw["apply_button"], f"{path}.apply_button"),
            suggestion_min_score=score,
            clause=self.text(raw["clause"], f"{path}.clause"),
        )

    def loyalty(self, value: Any, path: str) -> LoyaltyPolicy:
        raw = self.mapping(
            value,
            path,
            {"validity_days", "available_after_days", "available_after", "clause"},
            frozenset({"points_per_euro"}),
        )
        return LoyaltyPolicy(
            points_per_euro=self.optional(raw, "points_per_euro", path, self.integer),
            validity_days=self.integer(raw["validity_days"], f"{path}.validity_days"),
            available_after_days=self.integer(
                raw["available_after_days"], f"{path}.available_after_days", minimum=0
            ),
            available_after=self.choice(
                raw["available_after"],
                f"{path}.available_after",
                frozenset({"shipment", "delivery"}),
            ),
            clause=self.text(raw["clause"], f"{path}.clause"),
        )

    def tracking(self, value: Any, path: str) -> TrackingPolicy:
        raw = self.mapping(value, path, {"stuck_ready_to_ship_days", "clause"})
        return TrackingPolicy(
            stuck_ready_to_ship_days=self.integer(
                raw["stuck_ready_to_ship_days"], f"{path}.stuck_ready_to_ship_days"
            ),
            clause=self.text(raw["clause"], f"{path}.clause"),
        )

    def platform(self, value: Any, path: str) -> PlatformSettings:
        optional = frozenset(
            {"key_env", "cancelled_state", "statuses", "payment_methods", "carriers"}
            | {"default_country"}
        )
        raw = self.mapping(value, path, {"kind", "url", "secret_env"}, optional)
        kind = self.choice(raw["kind"], f"{path}.kind", PLATFORMS)
        url = self.text(raw["url"], f"{path}.url").rstrip("/")
        if not (url.startswith("https://") or _LOOPBACK_URL_RE.match(url)):
            self.fail(f"{path}.url", f"must be an https URL, got {_show(url)}")
        key_env = self.optional(raw, "key_env", path, self.env_name)
        if kind == "woocommerce" and key_env is None:
            self.fail(f"{path}.key_env", "WooCommerce needs the consumer key's variable name")
        country = self.text(raw.get("default_country", "FR"), f"{path}.default_country")
        if not re.fullmatch(r"[A-Za-z]{2}", country):
            self.fail(f"{path}.default_country", f"must be a country code, got {_show(country)}")
        return PlatformSettings(
            kind=kind,
            url=url,
            secret_env=self.env_name(raw["secret_env"], f"{path}.secret_env"),
            key_env=key_env,
            cancelled_state=self.text(
                str(raw.get("cancelled_state", "6")), f"{path}.cancelled_state"
            ),
            statuses=self.words(raw.get("statuses"), f"{path}.statuses", ORDER_STATUSES),
            payment_methods=self.words(
                raw.get("payment_methods"), f"{path}.payment_methods", PAYMENT_METHODS
            ),
            carriers=self.words(raw.get("carriers"), f"{path}.carriers", None),
            default_country=country.upper(),
        )

    def env_name(self, value: Any, path: str) -> str:
        name = self.text(value, path)
        if not _ENV_NAME_RE.match(name):
            self.fail(
                path,
                "must be the NAME of an environment variable (A-Z, 0-9, _) holding the secret, "
                "never the secret itself",
            )
        return name

    def words(self, value: Any, path: str, allowed: frozenset[str] | None) -> Mapping[str, str]:
        """The platform's word → ours: a status, a payment method, a carrier key."""
        if value is None:
            return MappingProxyType({})
        keys = frozenset(str(key) for key in value) if isinstance(value, dict) else frozenset()
        raw = self.mapping(value, path, set(), keys)
        table = {}
        for key, item in raw.items():
            item_path = _join(path, str(key))
            word = self.text(item, item_path)
            if allowed is not None:
                word = self.choice(word, item_path, allowed)
            table[str(key)] = word
        return MappingProxyType(table)

    def warranty(self, value: Any, path: str) -> WarrantyPolicy:
        raw = self.mapping(value, path, {"months", "clause"})
        return WarrantyPolicy(
            months=self.integer(raw["months"], f"{path}.months"),
            clause=self.text(raw["clause"], f"{path}.clause"),
        )


_SECTIONS = (
    "id",
    "display_name",
    "timezone",
    "contact",
    "service_level",
    "carriers",
    "working_days",
    "refund",
    "cancellation",
    "return_policy",
    "lost_parcel",
    "resizing",
    "promo",
    "loyalty",
    "tracking",
    "warranty",
)
