"""The console's accounts as an administrator sees them: the list, and role changes that never
leave the console without an administrator (someone must be able to manage the others).

Creating an account and setting a password stay in ``conversation_repository`` (the login and
the desk's start-up use them too).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.store.conversations import Agent, Role


class LastAdmin(Exception):
    """The change would leave no administrator."""


def list_agents(session: Session) -> list[Agent]:
    """Every account, administrators first, then by username."""
    order = {Role.ADMIN.value: 0, Role.EDITOR.value: 1, Role.AGENT.value: 2}
    agents = session.execute(select(Agent)).scalars()
    return sorted(agents, key=lambda a: (order.get(str(a.role), 3), str(a.username)))


def _lock_admins(session: Session) -> list[int]:
    """The administrators' ids, their rows locked until the transaction ends (PostgreSQL): of
    two administrators demoting each other at once, the second counts after the first's change
    and is refused. SQLite has one writer at a time and refuses the second as busy instead."""
    statement = select(Agent.id).where(Agent.role == Role.ADMIN.value).with_for_update()
    return list(session.execute(statement).scalars())


def set_role(session: Session, agent: Agent, role: Role) -> bool:
    """Give ``agent`` the role; ``LastAdmin`` if it is the only administrator losing that role.
    Returns whether anything changed."""
    role = Role(role)
    if agent.role == role.value:
        return False
    if agent.role == Role.ADMIN.value and len(_lock_admins(session)) <= 1:
        raise LastAdmin(f"{agent.username!r} is the last admin")
    agent.role = role.value
    session.flush()
    return True
