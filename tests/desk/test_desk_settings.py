"""The desk's settings: the product's settings plus the desk's own variables, with the same
defaults whether built directly or read from an environment, and bad values named."""

from __future__ import annotations

from pathlib import Path

import pytest

from desk.settings import DeskEnvironment, Settings
from shop.settings import SettingsError, ShopSettings

# What the desk derives rather than defaults (a generated key, a token file, the SQLite file).
DERIVED = {"DESK_SECRET_KEY": "k" * 48, "RASA_TOKEN": "jeton", "SHOP_DATABASE_URL": "sqlite://"}


def test_an_environment_without_desk_variables_gives_the_settings_defaults() -> None:
    assert Settings.from_env(DERIVED) == Settings(
        secret_key="k" * 48, rasa_token="jeton", database_url="sqlite://"
    )


def test_the_desk_environment_extends_the_product_settings() -> None:
    assert issubclass(DeskEnvironment, ShopSettings)
    assert set(ShopSettings.variables().values()) <= set(DeskEnvironment.variables().values())


def test_the_shared_variables_reach_the_desk_through_the_product_settings() -> None:
    settings = Settings.from_env(
        {
            **DERIVED,
            "SHOP_PROFILE": "maison_ocre",
            "KNOWLEDGE_DIR": "/srv/faq",
            "SHOP_REDIS_URL": "redis://127.0.0.1:6379/0",
        }
    )
    assert settings.shop_profile == "maison_ocre"
    assert settings.knowledge_dir == Path("/srv/faq")
    assert settings.redis_url == "redis://127.0.0.1:6379/0"


def test_the_desk_variables_keep_their_historical_readings() -> None:
    settings = Settings.from_env(
        {
            **DERIVED,
            "RASA_URL": "http://rasa.internal:5005/",
            "DESK_WIDGET_ORIGINS": "https://bijou-eclat.fr, https://www.bijou-eclat.fr",
            "DESK_TRUSTED_PROXIES": "10.0.0.5,127.0.0.1",
            "DESK_COOKIE_SECURE": "TRUE",
            "DESK_DEMO_AGENT": "0",
            "DESK_ACCESS_LOG": "off",
            "DESK_DB_POOL_SIZE": "12",
            "DESK_SHOPIFY_SHOP_DOMAIN": " Bijou-Eclat.myshopify.com ",
            "DESK_SHOPIFY_WEBHOOK_SECRET": " secret-shopify ",
            "DESK_RELAY_RETRY_S": "0",
        }
    )
    assert settings.rasa_url == "http://rasa.internal:5005"
    assert settings.widget_origins == ("https://bijou-eclat.fr", "https://www.bijou-eclat.fr")
    assert settings.trusted_proxies == ("10.0.0.5", "127.0.0.1")
    assert settings.cookie_secure is True
    assert settings.create_demo_agent is False
    assert settings.access_log is False
    assert settings.db_pool_size == 12
    assert settings.shopify_shop_domain == "bijou-eclat.myshopify.com"
    assert settings.shopify_webhook_secret == "secret-shopify"
    assert settings.relay_retry_s == 0.0
    assert "secret-shopify" not in repr(settings)


def test_an_empty_widget_origins_list_lets_no_other_site_embed_the_widget() -> None:
    assert Settings.from_env({**DERIVED, "DESK_WIDGET_ORIGINS": ""}).widget_origins == ()
    assert Settings.from_env(DERIVED).widget_origins == ("*",)


@pytest.mark.parametrize(("value", "secure"), [("1", True), ("0", False), ("auto", None)])
def test_the_cookie_flag_is_forced_only_by_one_or_zero(value: str, secure: bool | None) -> None:
    assert Settings.from_env({**DERIVED, "DESK_COOKIE_SECURE": value}).cookie_secure is secure


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DESK_PORT", "huit-mille"),
        ("DESK_MESSAGES_PER_MINUTE", "-1"),
        ("DESK_RASA_TIMEOUT_S", "0"),
        ("ACTION_TIMEOUT_S", "vite"),
    ],
)
def test_a_bad_desk_value_is_refused_with_the_variable_named(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"{variable}='{value}'"):
        Settings.from_env({**DERIVED, variable: value})


def test_an_explicit_environment_is_the_whole_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DESK_PORT", "9000")
    monkeypatch.setenv("SHOP_DATABASE_URL", "postgresql://shop@db/shop")
    settings = Settings.from_env({"DESK_SECRET_KEY": "k" * 48, "RASA_TOKEN": "jeton"})
    assert settings.port == 8000
    assert settings.database_url.startswith("sqlite:///")
    assert Settings.from_env().database_url == "postgresql://shop@db/shop"
