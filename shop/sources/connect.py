"""How a shop's profile connects it to its platform: the address and the secrets' names from
the profile (``platform:``), the secrets themselves from the environment, never from a file;
and which supervised programs that platform needs (``deploy/`` starts only those).
"""

from __future__ import annotations

import os
from typing import Mapping

from shop.policy.profile import PlatformSettings, ShopProfile
from shop.sources.mappings import SourceSettings
from shop.sources.platforms import Connection
from shop.sources.record import Platform, SourceError


def platform_settings(profile: ShopProfile) -> PlatformSettings:
    if profile.platform is None:
        raise SourceError(f"{profile.source}: the shop profile names no platform (platform:)")
    return profile.platform


def source_settings(settings: PlatformSettings) -> SourceSettings:
    """The shop's own status, payment and carrier words, as ``shop.sources`` takes them."""
    return SourceSettings.parse_obj(
        {
            "statuses": dict(settings.statuses),
            "payment_methods": dict(settings.payment_methods),
            "carriers": dict(settings.carriers),
            "default_country": settings.default_country,
        }
    )


def connection(settings: PlatformSettings, environ: Mapping[str, str] | None = None) -> Connection:
    """The platform's connection, its secrets read from the variables the profile names."""
    env = os.environ if environ is None else environ

    def secret(name: str) -> str:
        value = env.get(name, "").strip()
        if not value:
            raise SourceError(f"the environment variable {name} (the platform's secret) is not set")
        return value

    return Connection(
        platform=Platform(settings.kind),
        url=settings.url,
        secret=secret(settings.secret_env),
        key=secret(settings.key_env) if settings.key_env else "",
        cancelled_state=settings.cancelled_state,
    )


OUTBOX = "outbox"
POLLER = "poller"


def programs_needed(profile: ShopProfile) -> tuple[str, ...]:
    """The long-running programs the shop's platform needs beside the desk: the outbox sender
    for any platform (the bot's cancellations go back to it), the poller for PrestaShop only
    (the others send webhooks). A shop without a platform needs neither."""
    if profile.platform is None:
        return ()
    if Platform(profile.platform.kind) == Platform.PRESTASHOP:
        return (OUTBOX, POLLER)
    return (OUTBOX,)
