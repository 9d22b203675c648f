"""The desk's settings: one typed, immutable object read from the environment once.

Defaults are safe for a developer machine: loopback only, the order store's database, Rasa on
its default port, a secret key generated once into ``.var/desk_secret`` (never committed).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from desk.security import SCRYPT_N
from shop.private_files import secret_file
from shop.store.db import REPO_ROOT, database_url

DEFAULT_VAR_DIR = REPO_ROOT / ".var"


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str = ""
    rasa_timeout_s: float = 15.0
    database_url: str = ""
    redis_url: str = ""  # shared with the other desk processes: wake-ups travel at once
    secret_key: str = ""
    shop_profile: str = "bijou_eclat"
    var_dir: Path = DEFAULT_VAR_DIR
    knowledge_dir: Path = REPO_ROOT / "knowledge" / "faq"
    privacy_url: str = "/confidentialite"
    widget_origins: tuple[str, ...] = ("*",)
    cookie_secure: bool | None = None  # None: Secure exactly when the request came over https
    session_hours: int = 12
    create_demo_agent: bool = True
    trusted_proxies: tuple[str, ...] = ()  # empty: X-Forwarded-* headers are ignored
    conversation_token_hours: int = 24
    new_conversations_per_hour: int = 20  # per client address; 0: no limit
    messages_per_minute: int = 30  # per conversation and per client address; 0: no limit
    handoffs_per_hour: int = 3  # per client address; 0: no limit
    relay_retry_s: float = 5.0  # recovery pass (messages Rasa missed, kept requests); 0: off
    bot_outage_handoff_s: float = 120.0  # bot unreachable this long: to the agents' queue
    login_max_failures: int = 5  # wrong passwords per username in the window; 0: no limit
    login_max_failures_per_address: int = 20  # per client address in the window; 0: no limit
    login_window_minutes: int = 15
    login_lockout_minutes: int = 15
    # The shop's platform webhooks (desk.routers.platform_webhooks): the secret each platform
    # signs with, from the environment only; empty: that platform's endpoint is off (404).
    shopify_webhook_secret: str = field(default="", repr=False)
    woocommerce_webhook_secret: str = field(default="", repr=False)
    shopify_shop_domain: str = ""  # when set, deliveries naming another shop are refused
    webhooks_per_minute: int = 600  # per client address; 0: no limit
    webhook_apply_s: float = 2.0  # the worker's pass over the deliveries queue; 0: off
    # Cost of new password hashes; only tests lower it (never read from the environment).
    password_scrypt_n: int = SCRYPT_N

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        var_dir = Path(env.get("DESK_VAR_DIR") or DEFAULT_VAR_DIR)
        secure = env.get("DESK_COOKIE_SECURE", "").strip().lower()
        origins = env.get("DESK_WIDGET_ORIGINS", "*")
        return cls(
            host=env.get("DESK_HOST", "127.0.0.1"),
            port=int(env.get("DESK_PORT", "8000")),
            rasa_url=env.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
            rasa_token=env.get("RASA_TOKEN") or _read(var_dir / "rasa_token"),
            rasa_timeout_s=float(env.get("DESK_RASA_TIMEOUT_S", "15")),
            database_url=env.get("SHOP_DATABASE_URL") or database_url(),
            redis_url=env.get("SHOP_REDIS_URL", "").strip(),
            secret_key=env.get("DESK_SECRET_KEY") or _secret_file(var_dir / "desk_secret"),
            shop_profile=env.get("SHOP_PROFILE", "bijou_eclat"),
            var_dir=var_dir,
            knowledge_dir=Path(env.get("KNOWLEDGE_DIR") or REPO_ROOT / "knowledge" / "faq"),
            privacy_url=env.get("DESK_PRIVACY_URL", "/confidentialite"),
            widget_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
            cookie_secure={"1": True, "true": True, "0": False, "false": False}.get(secure),
            session_hours=int(env.get("DESK_SESSION_HOURS", "12")),
            create_demo_agent=env.get("DESK_DEMO_AGENT", "1") not in ("0", "false"),
            trusted_proxies=_items(env.get("DESK_TRUSTED_PROXIES", "")),
            conversation_token_hours=int(env.get("DESK_CONVERSATION_TOKEN_HOURS", "24")),
            new_conversations_per_hour=int(env.get("DESK_NEW_CONVERSATIONS_PER_HOUR", "20")),
            messages_per_minute=int(env.get("DESK_MESSAGES_PER_MINUTE", "30")),
            handoffs_per_hour=int(env.get("DESK_HANDOFFS_PER_HOUR", "3")),
            relay_retry_s=float(env.get("DESK_RELAY_RETRY_S", "5")),
            bot_outage_handoff_s=float(env.get("DESK_BOT_OUTAGE_HANDOFF_S", "120")),
            login_max_failures=int(env.get("DESK_LOGIN_MAX_FAILURES", "5")),
            login_max_failures_per_address=int(
                env.get("DESK_LOGIN_MAX_FAILURES_PER_ADDRESS", "20")
            ),
            login_window_minutes=int(env.get("DESK_LOGIN_WINDOW_MINUTES", "15")),
            login_lockout_minutes=int(env.get("DESK_LOGIN_LOCKOUT_MINUTES", "15")),
            shopify_webhook_secret=env.get("DESK_SHOPIFY_WEBHOOK_SECRET", "").strip(),
            woocommerce_webhook_secret=env.get("DESK_WOOCOMMERCE_WEBHOOK_SECRET", "").strip(),
            shopify_shop_domain=env.get("DESK_SHOPIFY_SHOP_DOMAIN", "").strip().lower(),
            webhooks_per_minute=int(env.get("DESK_WEBHOOKS_PER_MINUTE", "600")),
            webhook_apply_s=float(env.get("DESK_WEBHOOK_APPLY_S", "2")),
        )


def _items(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in text.split(",") if item.strip())


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _secret_file(path: Path) -> str:
    """The key in ``path``, created (0600, whole) with a random value on first use; never
    empty."""
    return secret_file(path)
