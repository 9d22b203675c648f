"""The desk's settings: one typed, immutable object read from the environment once.

``DeskEnvironment`` extends the product's ``shop.settings.ShopSettings`` with the desk's own
variables (``DESK_*``, ``RASA_URL``, ``RASA_TOKEN``); ``Settings`` is the plain value the desk
passes around (tests build it directly and ``dataclasses.replace`` it).

Defaults are safe for a developer machine: loopback only, the order store's database, Rasa on
its default port, a secret key generated once into ``.var/desk_secret`` (never committed).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

from pydantic import Field, SecretStr, validator

from desk.security import SCRYPT_N
from shop.private_files import secret_file
from shop.settings import ShopSettings, switch
from shop.store.db import DEFAULT_POOL_SIZE, REPO_ROOT, database_url

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
    access_log: bool = True  # a line per request; off behind nginx, which logs them
    trusted_proxies: tuple[str, ...] = ()  # empty: X-Forwarded-* headers are ignored
    conversation_token_hours: int = 24
    new_conversations_per_hour: int = 20  # per client address; 0: no limit
    messages_per_minute: int = 30  # per conversation and per client address; 0: no limit
    handoffs_per_hour: int = 3  # per client address; 0: no limit
    relay_retry_s: float = 5.0  # recovery pass (messages Rasa missed, kept requests); 0: off
    bot_outage_handoff_s: float = 120.0  # bot unreachable this long: to the agents' queue
    db_pool_size: int = DEFAULT_POOL_SIZE  # connections kept open, transactions run at once
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
        """The desk's settings from an environment (default: ``os.environ``), through
        ``DeskEnvironment``: a bad value raises ``shop.settings.SettingsError`` naming it."""
        env = DeskEnvironment.from_environ(environ)
        same = {f.name: getattr(env, f.name) for f in fields(cls) if f.name in env.__fields__}
        derived = {  # secrets unwrapped, and what has a fallback besides the environment
            "rasa_token": _secret(env.rasa_token) or _read(env.var_dir / "rasa_token"),
            "database_url": database_url(env),
            "secret_key": _secret(env.secret_key) or _secret_file(env.var_dir / "desk_secret"),
            "shopify_webhook_secret": _secret(env.shopify_webhook_secret),
            "woocommerce_webhook_secret": _secret(env.woocommerce_webhook_secret),
        }
        return cls(**{**same, **derived})


class DeskEnvironment(ShopSettings):
    """The product's settings plus the desk's own variables, typed and checked; ``Settings``
    is built from it. A field named like one of ``Settings`` has the same meaning and default
    (``tests/desk/test_desk_settings.py`` holds them together)."""

    host: str = Field("127.0.0.1", env="DESK_HOST")
    port: int = Field(8000, env="DESK_PORT", ge=1, le=65535)
    rasa_url: str = Field("http://127.0.0.1:5005", env="RASA_URL")
    rasa_token: SecretStr | None = Field(None, env="RASA_TOKEN")  # else .var/rasa_token
    rasa_timeout_s: float = Field(15.0, env="DESK_RASA_TIMEOUT_S", gt=0)
    secret_key: SecretStr | None = Field(None, env="DESK_SECRET_KEY")  # else .var/desk_secret
    var_dir: Path = Field(DEFAULT_VAR_DIR, env="DESK_VAR_DIR")
    privacy_url: str = Field("/confidentialite", env="DESK_PRIVACY_URL")
    # Comma-separated; set empty, no other site may embed the widget.
    widget_origins: tuple[str, ...] = Field(("*",), env="DESK_WIDGET_ORIGINS", blank_is_value=True)
    cookie_secure: bool | None = Field(None, env="DESK_COOKIE_SECURE")
    session_hours: int = Field(12, env="DESK_SESSION_HOURS")
    create_demo_agent: bool = Field(True, env="DESK_DEMO_AGENT")
    access_log: bool = Field(True, env="DESK_ACCESS_LOG")
    trusted_proxies: tuple[str, ...] = Field((), env="DESK_TRUSTED_PROXIES")
    conversation_token_hours: int = Field(24, env="DESK_CONVERSATION_TOKEN_HOURS")
    new_conversations_per_hour: int = Field(20, env="DESK_NEW_CONVERSATIONS_PER_HOUR", ge=0)
    messages_per_minute: int = Field(30, env="DESK_MESSAGES_PER_MINUTE", ge=0)
    handoffs_per_hour: int = Field(3, env="DESK_HANDOFFS_PER_HOUR", ge=0)
    relay_retry_s: float = Field(5.0, env="DESK_RELAY_RETRY_S", ge=0)
    bot_outage_handoff_s: float = Field(120.0, env="DESK_BOT_OUTAGE_HANDOFF_S", ge=0)
    db_pool_size: int = Field(DEFAULT_POOL_SIZE, env="DESK_DB_POOL_SIZE", ge=1, le=100)
    login_max_failures: int = Field(5, env="DESK_LOGIN_MAX_FAILURES", ge=0)
    login_max_failures_per_address: int = Field(20, env="DESK_LOGIN_MAX_FAILURES_PER_ADDRESS", ge=0)
    login_window_minutes: int = Field(15, env="DESK_LOGIN_WINDOW_MINUTES")
    login_lockout_minutes: int = Field(15, env="DESK_LOGIN_LOCKOUT_MINUTES")
    shopify_webhook_secret: SecretStr | None = Field(None, env="DESK_SHOPIFY_WEBHOOK_SECRET")
    woocommerce_webhook_secret: SecretStr | None = Field(
        None, env="DESK_WOOCOMMERCE_WEBHOOK_SECRET"
    )
    shopify_shop_domain: str = Field("", env="DESK_SHOPIFY_SHOP_DOMAIN")
    webhooks_per_minute: int = Field(600, env="DESK_WEBHOOKS_PER_MINUTE", ge=0)
    webhook_apply_s: float = Field(2.0, env="DESK_WEBHOOK_APPLY_S", ge=0)

    @validator("create_demo_agent", "access_log", pre=True)
    def _switches(cls, value: Any) -> Any:
        return switch(value)

    @validator("rasa_url")
    def _without_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @validator("shopify_shop_domain")
    def _lower_case(cls, value: str) -> str:
        return value.lower()

    @validator("widget_origins", "trusted_proxies", pre=True)
    def _comma_separated(cls, value: Any) -> Any:
        return _items(value) if isinstance(value, str) else value

    @validator("cookie_secure", pre=True)
    def _forced_or_per_request(cls, value: Any) -> Any:
        """``1``/``true``: always Secure, ``0``/``false``: never; any other word: per request."""
        if isinstance(value, str):
            return {"1": True, "true": True, "0": False, "false": False}.get(value.lower())
        return value


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


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
