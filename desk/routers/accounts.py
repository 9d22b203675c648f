"""The accounts page (admins only): every console account with its role, a new account, a
role change. Plain forms (POST then redirect); every POST needs the session's CSRF token and
is written to the audit log. The console never loses its last administrator.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from desk import accounts
from desk.deps import (
    Desk,
    admin,
    admin_page,
    console_page,
    posted_form,
    the_desk,
)
from desk.security import MIN_PASSWORD_LENGTH, AgentSession
from shop.policy.answers import format_datetime
from shop.privacy import audit
from shop.store import conversation_repository as repo
from shop.store.console_accounts import LastAdmin, list_agents, set_role
from shop.store.conversations import Role
from shop.voice import agent_labels, say_to_agent

router = APIRouter(prefix="/console")

PAGE = "/console/comptes"
ROLE_LABELS = agent_labels("role")  # by Role value
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,79}")
ACCOUNT_CREATED = "account.create"
ROLE_CHANGED = "account.role"
NOTICES = {
    "cree": say_to_agent("accounts_page.created"),
    "role": say_to_agent("accounts_page.role_changed"),
}
BAD_USERNAME = say_to_agent("accounts_page.bad_username")
TAKEN = say_to_agent("accounts_page.username_taken")
BAD_ROLE = say_to_agent("accounts_page.bad_role")
SHORT_PASSWORD = say_to_agent("accounts_page.short_password", min_length=MIN_PASSWORD_LENGTH)
UNKNOWN_ACCOUNT = say_to_agent("accounts_page.unknown_account")


async def _page(
    request: Request, desk: Desk, agent: AgentSession, status: int = 200, **context: Any
) -> Response:
    def rows(session: Any) -> list[dict[str, str]]:
        return [
            {
                "username": str(a.username),
                "display_name": str(a.display_name),
                "role": str(a.role),
                "created": format_datetime(a.created_at, desk.profile),
            }
            for a in list_agents(session)
        ]

    context.setdefault("error", None)
    context.setdefault("form", {})
    return console_page(
        request,
        agent,
        "accounts.html",
        status,
        accounts=await desk.service.db(rows),
        roles=ROLE_LABELS,
        min_length=MIN_PASSWORD_LENGTH,
        **context,
    )


def _role(value: str) -> Role | None:
    try:
        return Role(value)
    except ValueError:
        return None


@router.get("/comptes", response_class=HTMLResponse)
async def accounts_page(
    request: Request,
    fait: str = Query("", max_length=8),
    agent: AgentSession = Depends(admin_page),
    desk: Desk = Depends(the_desk),
) -> Response:
    return await _page(request, desk, agent, notice=NOTICES.get(fait))


@router.post("/comptes")
async def create_account(
    request: Request, agent: AgentSession = Depends(admin), desk: Desk = Depends(the_desk)
) -> Response:
    form = await posted_form(request, agent)
    username = form.get("username", "").strip().lower()
    display_name = form.get("display_name", "").strip()[:120]
    role = _role(form.get("role", ""))
    shown = {"username": username, "display_name": display_name, "role": form.get("role", "")}
    error = None
    if not USERNAME.fullmatch(username):
        error = BAD_USERNAME
    elif role is None:
        error = BAD_ROLE
    elif len(form.get("password", "")) < MIN_PASSWORD_LENGTH:
        error = SHORT_PASSWORD
    if error is not None or role is None:
        return await _page(request, desk, agent, 422, error=error, form=shown)
    created = await accounts.create_account(
        desk, username, display_name or username, role, form.get("password", "")
    )
    if not created:
        return await _page(request, desk, agent, 409, error=TAKEN, form=shown)
    await desk.service.db(
        lambda s: audit.record(
            s, agent.username, ACCOUNT_CREATED, username, desk.clock.now(), {"role": role.value}
        )
    )
    return RedirectResponse(f"{PAGE}?fait=cree", status_code=303)


@router.post("/comptes/{username}/role")
async def change_role(
    username: str,
    request: Request,
    agent: AgentSession = Depends(admin),
    desk: Desk = Depends(the_desk),
) -> Response:
    form = await posted_form(request, agent)
    role = _role(form.get("role", ""))
    if role is None:
        return await _page(request, desk, agent, 422, error=BAD_ROLE)

    def change(session: Any) -> str | None:
        account = repo.find_agent(session, username)
        if account is None:
            return UNKNOWN_ACCOUNT
        before = str(account.role)
        try:
            changed = set_role(session, account, role)
        except LastAdmin:
            return say_to_agent("accounts_page.last_admin", username=account.username)
        if changed:
            detail = {"from": before, "to": role.value}
            audit.record(
                session, agent.username, ROLE_CHANGED, account.username, desk.clock.now(), detail
            )
        return None

    refusal = await desk.service.db(change)
    if refusal is not None:
        status = 404 if refusal == UNKNOWN_ACCOUNT else 409
        return await _page(request, desk, agent, status, error=refusal)
    return RedirectResponse(f"{PAGE}?fait=role", status_code=303)
