"""Both shop profiles load, helpers follow the calendar, and broken files name file+field+reason."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from shop.policy.profile import (
    ProfileError,
    ShopProfile,
    is_eu,
    load_active_profile,
    load_profile,
    zone_of,
)
from tests.unit.conftest import SHOPS, edited_profile, paris


def test_both_profiles_load_with_their_own_rules(bijou: ShopProfile, ocre: ShopProfile) -> None:
    assert bijou.id == "bijou_eclat" and ocre.id == "maison_ocre"
    assert bijou.returns.window_days == 14 and ocre.returns.window_days == 30
    assert bijou.returns.shipping_paid_by == ocre.returns.shipping_paid_by == "customer"
    assert bijou.cancellation.next_day_cutoff is None
    assert ocre.cancellation.next_day_cutoff is not None
    assert bijou.loyalty.validity_days == 90 and ocre.loyalty.validity_days == 365


def test_active_profile_defaults_to_bijou_eclat(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHOP_PROFILE", raising=False)
    assert load_active_profile().id == "bijou_eclat"


def test_active_profile_follows_env_id_or_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOP_PROFILE", "maison_ocre")
    assert load_active_profile().id == "maison_ocre"
    monkeypatch.setenv("SHOP_PROFILE", str(SHOPS / "bijou_eclat.yml"))
    assert load_active_profile().id == "bijou_eclat"


def test_working_days_skip_the_weekend(bijou: ShopProfile) -> None:
    friday = date(2025, 11, 21)
    assert bijou.add_working_days(friday, 1) == date(2025, 11, 24)
    assert bijou.add_working_days(friday, 4) == date(2025, 11, 27)
    assert bijou.count_working_days(friday, date(2025, 11, 24)) == 1


def test_working_days_skip_listed_holidays(bijou: ShopProfile) -> None:
    assert bijou.add_working_days(date(2025, 11, 10), 1) == date(2025, 11, 12)  # 11/11 off
    assert bijou.count_working_days(date(2025, 11, 10), date(2025, 11, 12)) == 1


def test_local_time_follows_summer_and_winter_offsets(bijou: ShopProfile) -> None:
    summer = datetime(2025, 7, 15, 11, 0, tzinfo=timezone.utc)
    winter = datetime(2025, 11, 24, 12, 0, tzinfo=timezone.utc)
    assert bijou.local(summer).hour == 13
    assert bijou.local(winter).hour == 13


def test_is_open_respects_slots_and_weekends(bijou: ShopProfile, ocre: ShopProfile) -> None:
    assert bijou.is_open(paris(2025, 11, 24, 9, 0))
    assert not bijou.is_open(paris(2025, 11, 24, 12, 45))  # lunch break
    assert not bijou.is_open(paris(2025, 11, 24, 18, 0))
    assert not bijou.is_open(paris(2025, 11, 22, 11))  # Saturday
    assert ocre.is_open(paris(2025, 11, 22, 11))
    assert not ocre.is_open(paris(2025, 11, 11, 11))  # public holiday


def test_ticket_due_at_uses_priority_hours(bijou: ShopProfile) -> None:
    now = datetime(2025, 11, 24, 9, tzinfo=timezone.utc)
    assert bijou.ticket_due_at(now, 1) == datetime(2025, 11, 24, 13, tzinfo=timezone.utc)
    assert bijou.ticket_due_at(now, 2) == datetime(2025, 11, 25, 9, tzinfo=timezone.utc)


def test_carrier_lookup_and_tracking_link(bijou: ShopProfile) -> None:
    carrier = bijou.carrier("Chronopost")
    assert carrier is not None and carrier.delivery_days["france"].max == 1
    assert "XY123" in carrier.tracking_link("XY123")
    assert bijou.carrier("ups") is None


def test_eu_membership_and_zones() -> None:
    assert is_eu("de") and not is_eu("CH") and not is_eu("US")
    assert zone_of("FR") == "france" and zone_of("CH") == "europe" and zone_of("CA") == "world"


# ---------------------------------------------------------------- broken profiles


def _error(path: Path) -> ProfileError:
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    return caught.value


@pytest.mark.parametrize(
    ("edit", "field", "reason"),
    [
        (
            lambda d: d["return_policy"].update(window_days="abc"),
            "return_policy.window_days",
            "must be a positive integer, got 'abc'",
        ),
        (lambda d: d.update(colour="red"), "colour", "unknown field"),
        (lambda d: d["refund"].pop("delay"), "refund.delay", "missing required field"),
        (
            lambda d: d["cancellation"].update(cutoff="25:00"),
            "cancellation.cutoff",
            "is not a valid time of day",
        ),
        (
            lambda d: d["cancellation"].update(cutoff=780),
            "cancellation.cutoff",
            'must be a time "HH:MM"',
        ),
        (lambda d: d.update(timezone="Europe/Paname"), "timezone", "unknown timezone"),
        (
            lambda d: d["carriers"][0]["delivery_days"]["france"].update(min=5, max=2),
            "carriers[0].delivery_days.france",
            "min (5) must not be greater than max (2)",
        ),
        (
            lambda d: d["promo"].update(single_use="yes"),
            "promo.single_use",
            "must be true or false",
        ),
        (
            lambda d: d["contact"]["opening_hours"].update(monday=["18:00-09:00"]),
            "contact.opening_hours.monday[0]",
            "start must be before end",
        ),
        (
            lambda d: d["return_policy"].update(excluded=["engraved", "worn"]),
            "return_policy.excluded[1]",
            "must be one of",
        ),
    ],
)
def test_broken_profile_is_refused_with_file_field_and_reason(
    tmp_path: Path,
    edit,
    field: str,
    reason: str,  # type: ignore[no-untyped-def]
) -> None:
    error = _error(edited_profile(tmp_path, edit))
    assert error.field == field
    assert reason in error.reason
    assert str(error).startswith(f"{tmp_path / 'shop.yml'}: {field}: {reason}")


def test_profile_error_gives_the_line_when_known(tmp_path: Path) -> None:
    path = tmp_path / "x.yml"
    text = (SHOPS / "bijou_eclat.yml").read_text(encoding="utf-8")
    path.write_text(text.replace("window_days: 14", "window_days: abc"), encoding="utf-8")
    error = _error(path)
    expected = text.splitlines().index("  window_days: 14") + 1
    assert error.line == expected and f"(line {expected})" in str(error)


def test_invalid_yaml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.yml"
    path.write_text("id: [unclosed\n", encoding="utf-8")
    assert _error(path).field == "(yaml)"


def test_missing_file_is_refused() -> None:
    error = _error(Path("/nonexistent/shop.yml"))
    assert error.file == "/nonexistent/shop.yml" and "cannot be read" in error.reason


def test_repo_profiles_are_shown_with_repo_relative_path(tmp_path: Path) -> None:
    assert load_profile(SHOPS / "bijou_eclat.yml").source == "knowledge/shops/bijou_eclat.yml"
