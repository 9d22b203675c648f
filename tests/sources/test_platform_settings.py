"""A shop's platform in its profile: which one, its address, the names of the variables that
hold its secrets (the secrets only ever in the environment), and its own status words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shop.policy.profile import ProfileError, ShopProfile, load_profile
from shop.sources import connect
from shop.sources.mappings import mappings_for
from shop.sources.record import Platform, SourceError
from shop.store.models import OrderStatus, PaymentMethod
from tests.sources.conftest import platform_profile
from tests.unit.conftest import SHOPS

WOOCOMMERCE = {
    "kind": "woocommerce",
    "url": "https://boutique.bijou-eclat.fr/",
    "key_env": "BIJOU_WC_CONSUMER_KEY",
    "secret_env": "BIJOU_WC_CONSUMER_SECRET",
    "statuses": {"en-gravure": "being_prepared"},
    "payment_methods": {"alma": "instalments_3x"},
    "carriers": {"Coursier Lyon": "coursier_lyon"},
}


def refusal(path: Path) -> ProfileError:
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    return caught.value


def test_a_profile_without_a_platform_still_loads_as_before() -> None:
    assert load_profile(SHOPS / "bijou_eclat.yml").platform is None


def test_the_platform_section_gives_the_connection_and_the_shop_s_own_words(
    tmp_path: Path,
) -> None:
    profile = load_profile(platform_profile(tmp_path, WOOCOMMERCE))
    settings = connect.platform_settings(profile)
    assert (settings.kind, settings.url) == ("woocommerce", "https://boutique.bijou-eclat.fr")
    environ = {"BIJOU_WC_CONSUMER_KEY": "ck_live", "BIJOU_WC_CONSUMER_SECRET": "cs_live"}
    connection = connect.connection(settings, environ)
    assert (connection.platform, connection.key, connection.secret) == (
        Platform.WOOCOMMERCE,
        "ck_live",
        "cs_live",
    )
    words = mappings_for(Platform.WOOCOMMERCE, connect.source_settings(settings))
    assert words.status("wc-en-gravure") == OrderStatus.BEING_PREPARED
    assert words.payment_method("Alma") == PaymentMethod.INSTALMENTS_3X
    assert words.carrier("coursier lyon") == "coursier_lyon"


def test_a_missing_secret_names_the_variable_not_a_value(tmp_path: Path) -> None:
    settings = connect.platform_settings(load_profile(platform_profile(tmp_path, WOOCOMMERCE)))
    with pytest.raises(SourceError, match="BIJOU_WC_CONSUMER_KEY .* is not set"):
        connect.connection(settings, {"BIJOU_WC_CONSUMER_SECRET": "cs_live"})


def test_a_profile_without_a_platform_cannot_start_the_outbox() -> None:
    with pytest.raises(SourceError, match="names no platform"):
        connect.platform_settings(load_profile(SHOPS / "bijou_eclat.yml"))


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"kind": "magento"}, "platform.kind", "must be one of prestashop, shopify, woocommerce"),
        ({"url": "http://boutique.example"}, "platform.url", "must be an https URL"),
        (
            {"secret_env": "cs_live_8f3a9b2c"},
            "platform.secret_env",
            "must be the NAME of an environment variable",
        ),
        ({"secret": "cs_live"}, "platform.secret", "unknown field"),
        ({"key_env": None}, "platform.key_env", "WooCommerce needs the consumer key's"),
        (
            {"statuses": {"en-gravure": "engraving"}},
            "platform.statuses.en-gravure",
            "must be one of awaiting_payment",
        ),
        (
            {"payment_methods": {"alma": "credit"}},
            "platform.payment_methods.alma",
            "must be one of bank_transfer",
        ),
    ],
)
def test_a_wrong_platform_section_is_refused_with_its_field_and_line(
    tmp_path: Path, change: dict[str, Any], field: str, reason: str
) -> None:
    platform = {**WOOCOMMERCE, **change}
    platform = {key: value for key, value in platform.items() if value is not None}
    path = platform_profile(tmp_path, platform)
    error = refusal(path)
    assert (error.field, error.file) == (field, str(path))
    assert reason in error.reason
    assert error.line is not None and f"(line {error.line})" in str(error)


def test_a_shop_on_the_same_machine_may_be_reached_without_https(tmp_path: Path) -> None:
    local = {**WOOCOMMERCE, "url": "http://127.0.0.1:8081"}
    profile: ShopProfile = load_profile(platform_profile(tmp_path, local))
    assert profile.platform is not None and profile.platform.url == "http://127.0.0.1:8081"
