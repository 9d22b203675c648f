"""The product's settings: defaults, the environment's overrides, and bad values named."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from shop.clock import FixedClock, SystemClock, clock_from_env
from shop.settings import (
    REPO_ROOT,
    SettingsError,
    ShopSettings,
    current_settings,
    reset_settings,
)


def test_an_empty_environment_gives_the_historical_defaults() -> None:
    settings = ShopSettings.from_environ({})
    assert settings.database_url is None
    assert settings.redis_url == ""
    assert settings.shop_profile == "bijou_eclat"
    assert settings.now is None
    assert settings.knowledge_dir == REPO_ROOT / "knowledge" / "faq"
    assert settings.ticket_spool == REPO_ROOT / ".var" / "spool" / "tickets.jsonl"
    assert settings.identity_key is None
    assert settings.review_export_root == REPO_ROOT
    assert settings.action_timeout_s == 8.0
    assert (settings.actions_host, settings.actions_port) == ("127.0.0.1", 5055)
    assert settings.actions_token is None
    assert settings.rasa_speedups is True
    assert (settings.retention_days, settings.tracker_retention_days) == (365, 30)
    assert settings.audit_retention_days == 365 and settings.retention_job is True
    assert settings.prepared_statements is True
    assert ShopSettings() == settings


def test_each_variable_sets_its_field() -> None:
    settings = ShopSettings.from_environ(
        {
            "SHOP_DATABASE_URL": "postgresql://shop@db/shop",
            "SHOP_PROFILE": "maison_ocre",
            "SHOP_NOW": "2026-11-24T10:00:00+01:00",
            "KNOWLEDGE_DIR": "/srv/faq",
            "SHOP_TICKET_SPOOL": "/srv/spool/tickets.jsonl",
            "SHOP_IDENTITY_KEY": "cle-partagee",
            "SHOP_REVIEW_EXPORT_ROOT": "/srv/export",
            "ACTION_TIMEOUT_S": "2.5",
            "ACTIONS_PORT": "6055",
            "BIJOU_RASA_SPEEDUPS": "OFF",
            "SHOP_TRACKER_RETENTION_DAYS": "7",
            "SHOP_PREPARED_STATEMENTS": "off",
        }
    )
    assert settings.database_url == "postgresql://shop@db/shop"
    assert settings.shop_profile == "maison_ocre"
    assert settings.now == datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
    assert settings.now.utcoffset() == timedelta(hours=1)
    assert settings.knowledge_dir == Path("/srv/faq")
    assert settings.ticket_spool == Path("/srv/spool/tickets.jsonl")
    assert settings.identity_key is not None
    assert settings.identity_key.get_secret_value() == "cle-partagee"
    assert settings.review_export_root == Path("/srv/export")
    assert settings.action_timeout_s == 2.5
    assert settings.actions_port == 6055
    assert settings.rasa_speedups is False
    assert settings.tracker_retention_days == 7
    assert settings.prepared_statements is False


def test_a_blank_value_counts_as_unset() -> None:
    settings = ShopSettings.from_environ({"SHOP_DATABASE_URL": "  ", "ACTION_TIMEOUT_S": ""})
    assert settings.database_url is None and settings.action_timeout_s == 8.0


@pytest.mark.parametrize(
    ("value", "on"),
    [("off", False), ("0", False), ("no", False), ("false", False), ("on", True), ("yes", True)],
)
def test_a_switch_is_on_unless_it_says_off(value: str, on: bool) -> None:
    assert ShopSettings.from_environ({"BIJOU_RASA_SPEEDUPS": value}).rasa_speedups is on


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"ACTION_TIMEOUT_S": "huit"}, "ACTION_TIMEOUT_S='huit': value is not a valid float"),
        ({"ACTION_TIMEOUT_S": "0"}, "ACTION_TIMEOUT_S='0': ensure this value is greater than 0"),
        ({"ACTIONS_PORT": "70000"}, "ACTIONS_PORT='70000'"),
        ({"SHOP_NOW": "demain"}, "SHOP_NOW='demain': not an ISO 8601 date and time"),
        ({"SHOP_NOW": "2026-11-24T10:00:00"}, "SHOP_NOW='2026-11-24T10:00:00': needs an offset"),
        ({"SHOP_RETENTION_DAYS": "0"}, "SHOP_RETENTION_DAYS='0'"),
    ],
)
def test_a_bad_value_is_refused_with_the_variable_named(
    environ: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError, match="^bad setting: ") as refused:
        ShopSettings.from_environ(environ)
    assert message in str(refused.value)


def test_every_bad_variable_is_named_at_once_and_a_secret_is_never_echoed() -> None:
    with pytest.raises(SettingsError) as refused:
        ShopSettings.from_environ({"ACTIONS_PORT": "x", "SHOP_NOW": "y"})
    assert "ACTIONS_PORT='x'" in str(refused.value) and "SHOP_NOW='y'" in str(refused.value)
    assert "cle" not in repr(ShopSettings.from_environ({"SHOP_IDENTITY_KEY": "cle"}))


def test_the_settings_are_immutable() -> None:
    settings = ShopSettings()
    with pytest.raises(TypeError):
        settings.action_timeout_s = 1.0  # type: ignore[misc]


def test_an_explicit_environment_is_never_mixed_with_the_process_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SHOP_PROFILE", "maison_ocre")
    assert ShopSettings.from_environ({}).shop_profile == "bijou_eclat"
    assert ShopSettings().shop_profile == "bijou_eclat"


def test_the_process_settings_are_validated_once_and_follow_a_changed_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ACTION_TIMEOUT_S", "3")
    first = current_settings()
    assert first.action_timeout_s == 3.0
    assert current_settings() is first
    monkeypatch.setenv("ACTION_TIMEOUT_S", "4")
    assert current_settings().action_timeout_s == 4.0
    monkeypatch.delenv("ACTION_TIMEOUT_S")
    assert current_settings().action_timeout_s == 8.0
    reset_settings()
    assert current_settings() is not first


def test_a_bad_process_value_is_refused_at_each_read_until_fixed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SHOP_NOW", "hier")
    with pytest.raises(SettingsError, match="SHOP_NOW"):
        current_settings()
    with pytest.raises(SettingsError, match="SHOP_NOW"):
        current_settings()
    monkeypatch.setenv("SHOP_NOW", "2026-11-24T10:00:00+01:00")
    assert current_settings().now is not None


def test_the_clock_is_frozen_by_shop_now_and_a_bad_one_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    frozen = clock_from_env({"SHOP_NOW": "2026-11-24T10:00:00+01:00"})
    assert isinstance(frozen, FixedClock)
    assert frozen.now() == datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
    monkeypatch.delenv("SHOP_NOW", raising=False)
    assert isinstance(clock_from_env(), SystemClock)
    monkeypatch.setenv("SHOP_NOW", "2026-11-24 10h00")
    with pytest.raises(SettingsError, match="SHOP_NOW='2026-11-24 10h00'"):
        clock_from_env()
