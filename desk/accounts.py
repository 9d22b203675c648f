"""Console accounts: a login checked under the lockout rules, stored sessions, new passwords.

A login first asks ``LoginGuard`` whether the username or the client address is locked (one
query, no password check); then scrypt runs, at most ``HASHES_AT_ONCE`` at a time per desk
process (each takes ~0.5 s and 128 MiB), so a flood of logins queues instead of exhausting
memory. A successful login opens a stored session (the cookie names it), forgives this
address's mistakes on this username and, when the stored hash was made at an older cost,
stores the same password hashed at the current one. An agent's new password ends every
session of that agent; the browser that changed it gets a fresh one. Checking the current
password there follows the same lockout as a login (a stolen session cannot guess it). An
account an admin creates goes through the same hashing queue.
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta

from starlette.concurrency import run_in_threadpool

from desk.deps import Desk
from desk.login_guard import LoginGuard
from desk.security import (
    AgentSession,
    dummy_hash,
    hash_password,
    needs_rehash,
    open_session,
    verify_password,
)
from shop.store import conversation_repository as repo
from shop.store.conversations import Agent, Role
from shop.store.db import session_scope

HASHES_AT_ONCE = 2
_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _gate() -> asyncio.Semaphore:
    """One semaphore per event loop (tests run several apps, each on its own loop)."""
    loop = asyncio.get_running_loop()
    gate = _gates.get(loop)
    if gate is None:
        gate = _gates[loop] = asyncio.Semaphore(HASHES_AT_ONCE)
    return gate


@dataclass(frozen=True)
class LoginOutcome:
    """``cookie`` (the signed session) and the account's ``role`` when the login succeeded;
    ``locked_until`` when the username or the address is locked (before this attempt, or
    because of it)."""

    cookie: str | None = None
    locked_until: datetime | None = None
    role: str = "agent"


def _max_age(desk: Desk) -> timedelta:
    return timedelta(hours=desk.settings.session_hours)


async def log_in(desk: Desk, username: str, password: str, address: str) -> LoginOutcome:
    guard = LoginGuard.from_settings(desk.settings)
    now = desk.clock.now()

    def look_up() -> tuple[Agent | None, list[datetime], list[datetime]]:
        with session_scope(desk.sessions) as session:
            agent = repo.find_agent(session, username) if username else None
            by_user, by_address = repo.login_failures_since(
                session, username, address, now - guard.memory
            )
            return agent, by_user, by_address

    agent, by_user, by_address = await run_in_threadpool(look_up)
    locked = guard.locked_until(by_user, by_address, now)
    if locked is not None:
        return LoginOutcome(locked_until=locked)
    cost = desk.settings.password_scrypt_n
    upgraded = None
    async with _gate():
        # the dummy (for unknown usernames) is hashed once per process, off the event loop
        stored = str(agent.password_hash) if agent else await run_in_threadpool(dummy_hash, cost)
        valid = await run_in_threadpool(verify_password, password, stored)
        if agent is not None and valid and needs_rehash(stored, cost):
            upgraded = await run_in_threadpool(hash_password, password, cost)
    if agent is None or not valid:

        def fail() -> None:
            with session_scope(desk.sessions) as session:
                repo.record_login_failure(session, username, address, now, guard.memory)

        await run_in_threadpool(fail)
        locked = guard.locked_until([*by_user, now], [*by_address, now], now)
        return LoginOutcome(locked_until=locked)
    agent_id = int(agent.id)

    def open_() -> str:
        with session_scope(desk.sessions) as session:
            repo.clear_login_failures(session, username, address)
            if upgraded is not None:
                repo.upgrade_password_hash(session, agent_id, stored, upgraded)
            return repo.open_console_session(session, agent_id, now, _max_age(desk))

    secret = await run_in_threadpool(open_)
    cookie = open_session(
        desk.signer, secret, agent_id, str(agent.username), str(agent.display_name)
    )
    return LoginOutcome(cookie=cookie, role=str(agent.role))


async def log_out(desk: Desk, agent: AgentSession) -> None:
    def revoke() -> None:
        with session_scope(desk.sessions) as session:
            repo.revoke_console_session(session, agent.session_id, desk.clock.now())

    await run_in_threadpool(revoke)


@dataclass(frozen=True)
class PasswordChange:
    """``cookie`` (the browser's new session) when the password changed; else ``wrong_password``
    (the current password did not match) and ``locked_until`` as for a login."""

    cookie: str | None = None
    wrong_password: bool = False
    locked_until: datetime | None = None


async def change_password(
    desk: Desk, agent: AgentSession, current: str, new: str, address: str
) -> PasswordChange:
    """Store ``new`` for the agent once ``current`` is checked (``new`` is already validated)."""
    guard = LoginGuard.from_settings(desk.settings)
    now = desk.clock.now()

    def look_up() -> tuple[str, list[datetime], list[datetime]]:
        with session_scope(desk.sessions) as session:
            row = repo.get_agent(session, agent.agent_id)
            by_user, by_address = repo.login_failures_since(
                session, agent.username, address, now - guard.memory
            )
            return (str(row.password_hash) if row else ""), by_user, by_address

    stored, by_user, by_address = await run_in_threadpool(look_up)
    locked = guard.locked_until(by_user, by_address, now)
    if locked is not None:
        return PasswordChange(locked_until=locked)
    cost = desk.settings.password_scrypt_n
    async with _gate():
        valid = await run_in_threadpool(verify_password, current, stored)
        new_hash = await run_in_threadpool(hash_password, new, cost) if valid else ""
    if not valid:

        def fail() -> None:
            with session_scope(desk.sessions) as session:
                repo.record_login_failure(session, agent.username, address, now, guard.memory)

        await run_in_threadpool(fail)
        locked = guard.locked_until([*by_user, now], [*by_address, now], now)
        return PasswordChange(wrong_password=True, locked_until=locked)

    def save() -> str | None:
        with session_scope(desk.sessions) as session:
            row = repo.get_agent(session, agent.agent_id)
            if row is None:
                return None
            repo.set_agent_password(session, row, new_hash, now)
            repo.clear_login_failures(session, agent.username, address)
            return repo.open_console_session(session, agent.agent_id, now, _max_age(desk))

    secret = await run_in_threadpool(save)
    if secret is None:
        return PasswordChange(wrong_password=True)
    cookie = open_session(desk.signer, secret, agent.agent_id, agent.username, agent.display_name)
    return PasswordChange(cookie=cookie)


async def create_account(
    desk: Desk, username: str, display_name: str, role: Role, password: str
) -> bool:
    """A new console account (``password`` already validated); False if the username exists.
    Hashing waits its turn like a login's."""
    async with _gate():
        password_hash = await run_in_threadpool(
            hash_password, password, desk.settings.password_scrypt_n
        )

    def create() -> bool:
        with session_scope(desk.sessions) as session:
            if repo.find_agent(session, username) is not None:
                return False
            repo.create_agent(
                session, username, password_hash, display_name, desk.clock.now(), role=role
            )
            return True

    return await run_in_threadpool(create)
