"""The product's settings: one typed, immutable object for every environment variable that the
Rasa server, the action server, the desk and the command-line tools share.

Each field is named after its variable (``Field(env=...)``) and keeps its historical default and
meaning. A blank value counts as unset. A bad value raises ``SettingsError``, an English message
naming the variable, when the settings are first read, instead of a bare ``ValueError`` deep in
a request.

``current_settings()`` is the one accessor: it validates the environment once and keeps the
result for as long as the variables it knows keep their values, so a process reads its settings
once while a test that changes a variable (``monkeypatch.setenv``) sees the change at the next
call. ``ShopSettings.from_environ(mapping)`` reads an explicit mapping (tests, subprocess
environments); ``ShopSettings(field=value)`` builds one directly.

The desk extends this object with its own ``DESK_*`` variables (``desk.settings``). This module
imports nothing from the rest of the product, so every layer may read it.

| variable | field | default |
|---|---|---|
| ``SHOP_DATABASE_URL`` | ``database_url`` | None: the SQLite file ``.var/shop.db`` |
| ``SHOP_REDIS_URL`` | ``redis_url`` | empty: no Redis (locks and wake-ups in process) |
| ``SHOP_PROFILE`` | ``shop_profile`` | ``bijou_eclat`` (an id in knowledge/shops, or a path) |
| ``SHOP_NOW`` | ``now`` | None: real time; else ISO 8601 with an offset, frozen |
| ``KNOWLEDGE_DIR`` | ``knowledge_dir`` | ``knowledge/faq`` |
| ``SHOP_TICKET_SPOOL`` | ``ticket_spool`` | ``.var/spool/tickets.jsonl`` |
| ``SHOP_IDENTITY_KEY`` | ``identity_key`` | None: generated once into ``.var/identity_key`` |
| ``SHOP_REVIEW_EXPORT_ROOT`` | ``review_export_root`` | the project's folder |
| ``ACTION_TIMEOUT_S`` | ``action_timeout_s`` | 8 (seconds, more than 0) |
| ``ACTIONS_HOST``, ``ACTIONS_PORT`` | ``actions_host``, ``actions_port`` | 127.0.0.1, 5055 |
| ``ACTIONS_TOKEN`` | ``actions_token`` | None: generated once into ``.var/actions_token`` |
| ``BIJOU_RASA_SPEEDUPS`` | ``rasa_speedups`` | on (``off``, ``0``, ``false``, ``no``: off) |
| ``SHOP_RETENTION_DAYS`` | ``retention_days`` | 365 (conversations) |
| ``SHOP_TRACKER_RETENTION_DAYS`` | ``tracker_retention_days`` | 30 (Rasa's tracker) |
| ``SHOP_AUDIT_RETENTION_DAYS`` | ``audit_retention_days`` | 365 (the audit log) |
| ``SHOP_RETENTION_JOB`` | ``retention_job`` | on (``0``, ``false``: cron runs the job) |
| ``SHOP_PREPARED_STATEMENTS`` | ``prepared_statements`` | on (``off``: PgBouncer's transactions) |
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, TypeVar

from pydantic import BaseSettings, Field, SecretStr, ValidationError, validator

REPO_ROOT = Path(__file__).resolve().parents[1]
VAR_DIR = REPO_ROOT / ".var"

_OFF = {"off", "0", "false", "no"}
_Settings = TypeVar("_Settings", bound="ShopSettings")


class SettingsError(ValueError):
    """An environment variable holds a value the product cannot use."""


def switch(value: Any) -> Any:
    """A switch variable is on unless it says off (``off``, ``0``, ``false``, ``no``, in any
    case), as these variables always read: ``yes``, ``1`` or any other word keeps it on."""
    if isinstance(value, str):
        return value.strip().lower() not in _OFF
    return value


class ShopSettings(BaseSettings):
    """What the environment says, typed; see the module docstring for the table."""

    database_url: str | None = Field(None, env="SHOP_DATABASE_URL")
    redis_url: str = Field("", env="SHOP_REDIS_URL")
    shop_profile: str = Field("bijou_eclat", env="SHOP_PROFILE")
    now: datetime | None = Field(None, env="SHOP_NOW")
    knowledge_dir: Path = Field(REPO_ROOT / "knowledge" / "faq", env="KNOWLEDGE_DIR")
    ticket_spool: Path = Field(VAR_DIR / "spool" / "tickets.jsonl", env="SHOP_TICKET_SPOOL")
    identity_key: SecretStr | None = Field(None, env="SHOP_IDENTITY_KEY")
    review_export_root: Path = Field(REPO_ROOT, env="SHOP_REVIEW_EXPORT_ROOT")
    action_timeout_s: float = Field(8.0, env="ACTION_TIMEOUT_S", gt=0)
    actions_host: str = Field("127.0.0.1", env="ACTIONS_HOST")
    actions_port: int = Field(5055, env="ACTIONS_PORT", ge=1, le=65535)
    actions_token: SecretStr | None = Field(None, env="ACTIONS_TOKEN")
    rasa_speedups: bool = Field(True, env="BIJOU_RASA_SPEEDUPS")
    retention_days: int = Field(365, env="SHOP_RETENTION_DAYS", ge=1)
    tracker_retention_days: int = Field(30, env="SHOP_TRACKER_RETENTION_DAYS", ge=1)
    audit_retention_days: int = Field(365, env="SHOP_AUDIT_RETENTION_DAYS", ge=1)
    retention_job: bool = Field(True, env="SHOP_RETENTION_JOB")
    prepared_statements: bool = Field(True, env="SHOP_PREPARED_STATEMENTS")

    class Config:
        case_sensitive = True
        frozen = True

        @classmethod
        def customise_sources(
            cls, init_settings: Callable[..., Any], env_settings: Any, file_secret_settings: Any
        ) -> tuple[Callable[..., Any], ...]:
            """Only what ``from_environ`` passes: an explicit mapping is never mixed with
            ``os.environ``."""
            return (init_settings,)

    @validator("now", pre=True)
    def _iso_with_offset(cls, value: Any) -> Any:
        """``datetime.fromisoformat``, as the clock always read it, with an offset required:
        a naive time would be read as the server's zone on one machine and UTC on another."""
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                raise ValueError(
                    "not an ISO 8601 date and time, e.g. 2026-11-24T10:00:00+01:00"
                ) from None
        if isinstance(value, datetime) and value.tzinfo is None:
            raise ValueError("needs an offset, e.g. 2026-11-24T10:00:00+01:00")
        return value

    @validator("rasa_speedups", "retention_job", "prepared_statements", pre=True)
    def _switch(cls, value: Any) -> Any:
        return switch(value)

    @classmethod
    def variables(cls) -> dict[str, str]:
        """Each field's environment variable."""
        return {name: _variable(cls, name) for name in cls.__fields__}

    @classmethod
    def from_environ(cls: type[_Settings], environ: Mapping[str, str] | None = None) -> _Settings:
        """The settings an environment gives (default: ``os.environ``); blank values are
        unset, except for a field declared ``Field(..., blank_is_value=True)``. Raises
        ``SettingsError`` naming each variable whose value is unusable."""
        env = os.environ if environ is None else environ
        values = {}
        for name, variable in cls.variables().items():
            raw = env.get(variable)
            if raw is None:
                continue
            if raw.strip() or cls.__fields__[name].field_info.extra.get("blank_is_value"):
                values[name] = raw.strip()
        try:
            return cls.parse_obj(values)
        except ValidationError as error:
            raise SettingsError(_explain(cls, error, values)) from None


def _variable(model: type[ShopSettings], name: str) -> str:
    return str(model.__fields__[name].field_info.extra["env"])


def _explain(model: type[ShopSettings], error: ValidationError, values: dict[str, str]) -> str:
    problems = []
    for item in error.errors():
        name = str(item["loc"][0])
        secret = model.__fields__[name].type_ is SecretStr
        raw = "(hidden)" if secret else repr(values.get(name, ""))
        problems.append(f"{_variable(model, name)}={raw}: {item['msg']}")
    return "bad setting: " + "; ".join(problems)


_VARIABLES = tuple(ShopSettings.variables().values())


@functools.lru_cache(maxsize=8)
def _validated(snapshot: tuple[tuple[str, str], ...]) -> ShopSettings:
    return ShopSettings.from_environ(dict(snapshot))


def current_settings() -> ShopSettings:
    """The settings of this process's environment, validated once per distinct value of the
    variables (see the module docstring)."""
    environ = os.environ
    snapshot = tuple((name, environ[name]) for name in _VARIABLES if name in environ)
    return _validated(snapshot)


def reset_settings() -> None:
    """Forget the validated settings (the next ``current_settings()`` validates again)."""
    _validated.cache_clear()
