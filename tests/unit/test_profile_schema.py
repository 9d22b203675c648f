"""The profile is read as written: what pydantic would coerce or accept quietly is refused, with
the field, the content team's reason and the line; what is read cannot be changed afterwards."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest

from shop.policy.profile import DayRange, ProfileError, ShopProfile, load_profile
from tests.unit.conftest import SHOPS, edited_profile

Edit = Callable[[dict[str, Any]], None]


def _refusal(tmp_path: Path, edit: Edit) -> ProfileError:
    with pytest.raises(ProfileError) as caught:
        load_profile(edited_profile(tmp_path, edit, shop="maison_ocre"))
    return caught.value


@pytest.mark.parametrize(
    ("edit", "field", "reason"),
    [
        (
            lambda d: d["return_policy"].update(window_days="30"),
            "return_policy.window_days",
            "must be a positive integer, got '30'",
        ),
        (
            lambda d: d["promo"].update(suggestion_min_score=85.5),
            "promo.suggestion_min_score",
            "must be a positive integer, got 85.5",
        ),
        (
            lambda d: d["lost_parcel"].update(inquiry_days=True),
            "lost_parcel.inquiry_days",
            "must be a positive integer, got True",
        ),
        (lambda d: d.update(display_name=42), "display_name", "must be a non-empty text, got 42"),
        (
            lambda d: d["promo"].update(cumulative=0),
            "promo.cumulative",
            "must be true or false, got 0",
        ),
        (
            lambda d: d.update(contact=[["phone", "01"], ["email", "a@b.fr"]]),
            "contact",
            "must be a mapping, got [['phone', '01'], ['email', 'a@b.fr']]",
        ),
        (
            lambda d: d["working_days"].update(weekdays="monday"),
            "working_days.weekdays",
            "must be a non-empty list, got 'monday'",
        ),
        (
            lambda d: d["return_policy"].update(clause=None),
            "return_policy.clause",
            "must be a non-empty text, got None",
        ),
        (
            lambda d: d["return_policy"].update(steps=["Renvoyez le colis.", None]),
            "return_policy.steps[1]",
            "must be a non-empty text, got None",
        ),
        (
            lambda d: d["contact"]["opening_hours"].update(monday=None),
            "contact.opening_hours.monday",
            "must be a list, got None",
        ),
        (
            lambda d: d["carriers"][0]["delivery_days"].update(france=None),
            "carriers[0].delivery_days.france",
            "must be a mapping, got None",
        ),
        (
            lambda d: d["carriers"][0]["delivery_days"]["france"].update(unit="working"),
            "carriers[0].delivery_days.france.unit",
            "unknown field",
        ),
        (
            lambda d: d["carriers"][0]["delivery_days"].update(moon={"min": 1, "max": 2}),
            "carriers[0].delivery_days.moon",
            "unknown field",
        ),
        (
            lambda d: d["service_level"]["response_hours"].pop(2),
            "service_level.response_hours.2",
            "missing required field",
        ),
        (
            lambda d: d["working_days"].update(weekdays=["monday", "lundi"]),
            "working_days.weekdays[1]",
            "must be one of friday, monday, saturday, sunday, thursday, tuesday, wednesday",
        ),
        (
            lambda d: d["resizing"].update(ring_size={"min": 70, "max": 48}),
            "resizing.ring_size",
            "min (70) must not be greater than max (48)",
        ),
        (
            lambda d: d["return_policy"].update(excluded_flags=["engraved"]),
            "return_policy.excluded_flags",
            "unknown field",
        ),
        (lambda d: d.update({1: "un"}), "1", "unknown field"),
    ],
)
def test_a_value_is_read_as_written_or_refused(
    tmp_path: Path, edit: Edit, field: str, reason: str
) -> None:
    error = _refusal(tmp_path, edit)
    assert error.field == field and error.reason.startswith(reason)


def test_a_duplicate_carrier_is_refused_on_its_own_key_line(tmp_path: Path) -> None:
    def duplicate_colissimo(data: dict[str, Any]) -> None:
        data["carriers"].append(dict(data["carriers"][0]))

    error = _refusal(tmp_path, duplicate_colissimo)
    assert (error.field, error.reason) == ("carriers[6].key", "duplicate carrier 'colissimo'")
    lines = (tmp_path / "shop.yml").read_text(encoding="utf-8").splitlines()
    colissimo = [number for number, line in enumerate(lines, 1) if line == "- key: colissimo"]
    assert len(colissimo) == 2 and error.line == colissimo[1]


def test_a_missing_key_is_refused_on_the_line_of_its_section(tmp_path: Path) -> None:
    path = tmp_path / "shop.yml"
    text = (SHOPS / "maison_ocre.yml").read_text(encoding="utf-8")
    path.write_text(text.replace("  handling_hours: 48\n", "  handling_hours: 48\n  x: 1\n"))
    error = pytest.raises(ProfileError, load_profile, path).value
    assert (error.field, error.reason) == ("cancellation.x", "unknown field")
    path.write_text(text.replace('  cutoff: "15:00"\n', ""))
    error = pytest.raises(ProfileError, load_profile, path).value
    assert (error.field, error.reason) == ("cancellation.cutoff", "missing required field")
    assert error.line == text.splitlines().index("cancellation:") + 1


def test_optional_lists_left_empty_read_as_empty(tmp_path: Path) -> None:
    path = tmp_path / "shop.yml"
    text = (SHOPS / "maison_ocre.yml").read_text(encoding="utf-8")
    path.write_text(text.replace("  unopened_only_kinds: []", "  unopened_only_kinds:"))
    assert load_profile(path).returns.unopened_only_kinds == frozenset()


def test_a_loaded_profile_cannot_be_changed(ocre: ShopProfile) -> None:
    with pytest.raises((TypeError, AttributeError)):
        ocre.returns.window_days = 365
    with pytest.raises(TypeError):
        ocre.contact.opening_hours[6] = ()  # type: ignore[index]
    with pytest.raises(TypeError):
        ocre.carriers[0].delivery_days["world"] = DayRange(1, 2)  # type: ignore[index]
    assert ocre.returns.window_days == 30 and 6 not in ocre.contact.opening_hours


def test_values_keep_their_plain_types(ocre: ShopProfile) -> None:
    assert type(ocre.returns.window_days) is int and type(ocre.display_name) is str
    assert type(ocre.promo.cumulative) is bool
    assert ocre.working_days.weekdays == frozenset(range(5))
    assert list(ocre.contact.opening_hours) == [0, 1, 2, 3, 4, 5]
    assert dict(ocre.service_level.response_hours) == {1: 8, 2: 48, 3: 72}
    assert [zone for zone in ocre.carriers[0].delivery_days] == ["france", "europe", "world"]
    assert (ocre.resizing.ring_size_min, ocre.resizing.ring_size_max) == (48, 70)


def test_a_day_range_is_built_by_position_or_by_name() -> None:
    assert DayRange(2, 5, "calendar") == DayRange(min=2, max=5, unit="calendar")
    assert DayRange(1, 3).unit == "working"
