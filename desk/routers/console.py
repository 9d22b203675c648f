"""The agent console: log in, the queue, one conversation (transcript, handoff note, order),
claim, reply, private notes, canned answers, hand back to the bot, close with an outcome.

Pages work without JavaScript (plain forms, POST then redirect); ``console.js`` adds live
updates and sends the same POSTs with ``fetch``. Every POST needs the session's CSRF token.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable, Generic, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from desk import accounts, views
from desk import handoff as notes
from desk.deps import (
    MAX_CURSOR,
    Desk,
    admin,
    admin_page,
    answering,
    answering_page,
    console_page,
    current_agent,
    form_data,
    get_desk,
    home_of,
    page_agent,
    posted_form,
    the_desk,
    wants_json,
)
from desk.limits import client_address
from desk.login_guard import locked_message
from desk.security import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    LOGIN_CSRF_MAX_AGE_S,
    MIN_PASSWORD_LENGTH,
    SESSION_COOKIE,
    AgentSession,
    check_csrf,
    set_cookie,
)
from desk.service import CONSOLE_KEY, Conflict, InvalidMessage, NotFound
from shop.policy.answers import format_datetime
from shop.privacy import audit
from shop.privacy.subject import InvalidEmail, erase_subject, export_subject
from shop.voice import agent_labels, say_to_agent

router = APIRouter(prefix="/console")

LONG_POLL_MAX_S = 25.0
BAD_LOGIN = say_to_agent("sign_in.bad_login")
PASSWORD_PAGE = "/mot-de-passe"
PASSWORD_CHANGED = say_to_agent("password_change.changed")
WRONG_CURRENT_PASSWORD = say_to_agent("password_change.wrong_current")
PASSWORD_TOO_SHORT = say_to_agent("password_change.too_short", min_length=MIN_PASSWORD_LENGTH)
PASSWORDS_DIFFER = say_to_agent("password_change.differ")
CONVERSATION_NOT_FOUND = say_to_agent("console.conversation_not_found")


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/console") and not target.startswith("//"):
        return target
    return "/console"


# --- login / logout ---------------------------------------------------------------------------


def _login_page(
    request: Request, desk: Desk, next_path: str, error: str | None, status: int
) -> Response:
    token = secrets.token_urlsafe(24)
    response = desk.templates.TemplateResponse(
        "login.html",
        {"request": request, "csrf": token, "next": next_path, "error": error},
        status_code=status,
    )
    signed = desk.signer.sign("login", {"t": token})
    set_cookie(
        response,
        request,
        LOGIN_CSRF_COOKIE,
        signed,
        LOGIN_CSRF_MAX_AGE_S,
        desk.settings.cookie_secure,
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request, next: str = Query("/console"), desk: Desk = Depends(the_desk)
) -> Response:
    return _login_page(request, desk, _safe_next(next), None, 200)


@router.post("/login")
async def login(request: Request, desk: Desk = Depends(the_desk)) -> Response:
    form = await form_data(request)
    cookie = desk.signer.unsign(
        "login", request.cookies.get(LOGIN_CSRF_COOKIE), LOGIN_CSRF_MAX_AGE_S
    )
    check_csrf(str((cookie or {}).get("t", "")) or secrets.token_hex(8), form.get(CSRF_FIELD))
    username = form.get("username", "").strip().lower()
    password = form.get("password", "")
    next_path = _safe_next(form.get("next"))
    outcome = await accounts.log_in(desk, username, password, client_address(request))
    if outcome.cookie is None:
        if outcome.locked_until is None:
            return _login_page(request, desk, next_path, BAD_LOGIN, 401)
        return _locked(
            desk,
            outcome.locked_until,
            lambda message, status: _login_page(request, desk, next_path, message, status),
        )
    if next_path == "/console":  # no particular page asked: the role's first page
        next_path = home_of(outcome.role)
    home = RedirectResponse(next_path, status_code=303)
    response = _signed_in(home, request, desk, outcome.cookie)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


def _locked(desk: Desk, until: datetime, page: Callable[[str, int], Response]) -> Response:
    """``page`` with the lockout's French message, a 429 and when to retry."""
    now = desk.clock.now()
    response = page(locked_message(until, now), 429)
    response.headers["Retry-After"] = str(max(math.ceil((until - now).total_seconds()), 1))
    return response


def _signed_in(response: Response, request: Request, desk: Desk, cookie: str) -> Response:
    """``response`` carrying the agent's new session cookie."""
    set_cookie(
        response,
        request,
        SESSION_COOKIE,
        cookie,
        desk.settings.session_hours * 3600,
        desk.settings.cookie_secure,
    )
    return response


@router.post("/logout")
async def logout(
    request: Request, agent: AgentSession = Depends(current_agent)
) -> RedirectResponse:
    await posted_form(request, agent)
    await accounts.log_out(get_desk(request), agent)
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get(PASSWORD_PAGE, response_class=HTMLResponse)
async def password_page(
    request: Request,
    change: str = Query("", max_length=8),
    agent: AgentSession = Depends(page_agent),
    desk: Desk = Depends(the_desk),
) -> Response:
    notice = PASSWORD_CHANGED if change == "ok" else None
    return _password_page(request, agent, None, 200, notice)


def _password_page(
    request: Request,
    agent: AgentSession,
    error: str | None,
    status: int,
    notice: str | None = None,
) -> Response:
    return console_page(
        request,
        agent,
        "password.html",
        status,
        error=error,
        notice=notice,
        min_length=MIN_PASSWORD_LENGTH,
    )


@router.post(PASSWORD_PAGE)
async def change_password(
    request: Request, agent: AgentSession = Depends(current_agent), desk: Desk = Depends(the_desk)
) -> Response:
    """A new password for the logged-in agent: every other session of the agent ends."""
    form = await posted_form(request, agent)
    new = form.get("new_password", "")
    if len(new) < MIN_PASSWORD_LENGTH:
        return _password_page(request, agent, PASSWORD_TOO_SHORT, 422)
    if new != form.get("confirm_password", ""):
        return _password_page(request, agent, PASSWORDS_DIFFER, 422)
    outcome = await accounts.change_password(
        desk, agent, form.get("current_password", ""), new, client_address(request)
    )
    if outcome.cookie is None:
        if outcome.locked_until is None:
            return _password_page(request, agent, WRONG_CURRENT_PASSWORD, 403)
        return _locked(
            desk,
            outcome.locked_until,
            lambda message, status: _password_page(request, agent, message, status),
        )
    done = RedirectResponse(f"/console{PASSWORD_PAGE}?change=ok", status_code=303)
    return _signed_in(done, request, desk, outcome.cookie)


# --- pages ------------------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
async def queue_page(
    request: Request,
    agent: AgentSession = Depends(answering_page),
    desk: Desk = Depends(the_desk),
) -> Response:
    rows = await desk.service.db(lambda s: views.queue_view(s, desk.profile, desk.clock.now()))
    return console_page(request, agent, "queue.html", queue=rows)


async def _conversation(desk: Desk, conversation_id: str, order: str | None) -> dict[str, Any]:
    view = await desk.service.db(
        lambda s: views.conversation_view(
            s, conversation_id, desk.profile, desk.clock.now(), order or None
        )
    )
    if view is None:
        raise HTTPException(status_code=404, detail=CONVERSATION_NOT_FOUND)
    return view


@router.get("/conversations/{conversation_id}", response_class=HTMLResponse)
async def conversation_page(
    conversation_id: str,
    request: Request,
    order: str | None = Query(None, max_length=32),
    agent: AgentSession = Depends(answering_page),
    desk: Desk = Depends(the_desk),
) -> Response:
    view = await _conversation(desk, conversation_id, order)
    await _audit(desk, agent, audit.VIEW_CONVERSATION, conversation_id)
    return _conversation_response(request, desk, agent, view, None, 200)


def _conversation_response(
    request: Request,
    desk: Desk,
    agent: AgentSession,
    view: dict[str, Any],
    error: str | None,
    status: int,
) -> Response:
    return console_page(
        request,
        agent,
        "conversation.html",
        status,
        conversation=view,
        canned=desk.canned.all(),
        outcomes=notes.OUTCOMES,
        error=error,
        last_id=max((m["id"] for m in view["messages"]), default=0),
    )


# --- operations on a conversation: one route each, with a typed body -------------------------


class NoFields(BaseModel):
    """The body of an operation that takes nothing but the CSRF token (claim, hand back)."""


class ReplyBody(BaseModel):
    text: str = ""
    canned: str = ""  # a canned answer's id: its text is sent when ``text`` is blank


class NoteBody(BaseModel):
    text: str = ""


class CloseBody(BaseModel):
    outcome: str = ""  # a key of desk.handoff.OUTCOMES (the service refuses any other)


Body = TypeVar("Body", bound=BaseModel)


@dataclass(frozen=True)
class Operation(Generic[Body]):
    """An operation on one conversation, asked by an account that may answer shoppers, with
    the POST's body as ``Body`` once the session's CSRF token matches (like every console POST).
    The fields are strings with defaults, so every body fits: the service refuses bad content
    in French."""

    conversation_id: str
    request: Request
    agent: AgentSession
    desk: Desk
    body: Body

    async def carry_out(self, work: Awaitable[None]) -> Response:
        """Await ``work`` (a service call): a refusal comes back in French (JSON for
        console.js, else the conversation's page), success as ``{"ok": true}`` or a redirect
        to the conversation."""
        try:
            await work
        except NotFound as error:
            raise HTTPException(status_code=404, detail=CONVERSATION_NOT_FOUND) from error
        except (Conflict, InvalidMessage) as error:
            status = 409 if isinstance(error, Conflict) else 422
            if wants_json(self.request):
                return JSONResponse({"detail": str(error)}, status_code=status)
            view = await _conversation(self.desk, self.conversation_id, None)
            return _conversation_response(
                self.request, self.desk, self.agent, view, str(error), status
            )
        if wants_json(self.request):
            return JSONResponse({"ok": True})
        return RedirectResponse(f"/console/conversations/{self.conversation_id}", status_code=303)


def read_operation(model: type[Body]) -> Callable[..., Awaitable[Operation[Body]]]:
    """A dependency: the operation on the path's conversation, its body read as ``model``."""

    async def read(
        conversation_id: str,
        request: Request,
        agent: AgentSession = Depends(answering),
        desk: Desk = Depends(the_desk),
    ) -> Operation[Body]:
        body = model.parse_obj(await posted_form(request, agent))
        return Operation(conversation_id, request, agent, desk, body)

    return read


@router.post("/conversations/{conversation_id}/claim")
async def claim(operation: Operation[NoFields] = Depends(read_operation(NoFields))) -> Response:
    """The agent takes a conversation waiting for a person."""
    agent = operation.agent
    return await operation.carry_out(
        operation.desk.service.claim(operation.conversation_id, agent.username, agent.display_name)
    )


@router.post("/conversations/{conversation_id}/reply")
async def reply(operation: Operation[ReplyBody] = Depends(read_operation(ReplyBody))) -> Response:
    """The agent's message to the shopper: the text typed, else the chosen canned answer."""
    text, canned, agent = operation.body.text, operation.body.canned, operation.agent
    if not text.strip() and canned:
        text = next((c.text for c in operation.desk.canned.all() if c.id == canned), "")
    return await operation.carry_out(
        operation.desk.service.agent_reply(
            operation.conversation_id, agent.username, agent.display_name, text
        )
    )


@router.post("/conversations/{conversation_id}/note")
async def note(operation: Operation[NoteBody] = Depends(read_operation(NoteBody))) -> Response:
    """A private note on the conversation, never shown to the shopper."""
    return await operation.carry_out(
        operation.desk.service.add_note(
            operation.conversation_id, operation.agent.username, operation.body.text
        )
    )


@router.post("/conversations/{conversation_id}/hand-back")
async def hand_back(operation: Operation[NoFields] = Depends(read_operation(NoFields))) -> Response:
    """The bot answers the shopper again."""
    return await operation.carry_out(
        operation.desk.service.hand_back(operation.conversation_id, operation.agent.username)
    )


@router.post("/conversations/{conversation_id}/close")
async def close(operation: Operation[CloseBody] = Depends(read_operation(CloseBody))) -> Response:
    """The conversation ends with the agent's outcome."""
    return await operation.carry_out(
        operation.desk.service.close(
            operation.conversation_id, operation.agent.username, operation.body.outcome
        )
    )


# --- JSON API for console.js ------------------------------------------------------------------


@router.get("/api/me")
def me(agent: AgentSession = Depends(current_agent)) -> dict[str, str]:
    return {"username": agent.username, "display_name": agent.display_name, "role": agent.role}


@router.get("/api/queue")
async def queue_api(
    wait: float = Query(0, ge=0),
    agent: AgentSession = Depends(answering),
    desk: Desk = Depends(the_desk),
) -> dict[str, Any]:
    if wait > 0:
        await desk.notifier.wait(CONSOLE_KEY, min(wait, LONG_POLL_MAX_S))
    rows = await desk.service.db(lambda s: views.queue_view(s, desk.profile, desk.clock.now()))
    return {"queue": rows}


@router.get("/api/conversations/{conversation_id}")
async def conversation_api(
    conversation_id: str,
    after: int = Query(0, ge=0, le=MAX_CURSOR),
    wait: float = Query(0, ge=0),
    agent: AgentSession = Depends(answering),
    desk: Desk = Depends(the_desk),
) -> dict[str, Any]:
    """The conversation for the console; ``after``/``wait`` make it a long poll."""
    view = await _conversation(desk, conversation_id, None)
    if after == 0:  # the whole transcript, not the next messages of a page already open
        await _audit(desk, agent, audit.VIEW_CONVERSATION, conversation_id)
    if wait > 0 and not [m for m in view["messages"] if m["id"] > after]:
        await desk.notifier.wait(conversation_id, min(wait, LONG_POLL_MAX_S))
        view = await _conversation(desk, conversation_id, None)
    view["messages"] = [m for m in view["messages"] if m["id"] > after]
    view["typing"] = conversation_id in desk.service.typing
    return view


# --- personal data: export, erasure, the audit log --------------------------------------------

PERSONAL_DATA = "/donnees-personnelles"  # under the router's /console
AUDIT_PAGE_DAYS = 30
BAD_EMAIL = say_to_agent("personal_data_form.bad_email")
NOT_CONFIRMED = say_to_agent("personal_data_form.not_confirmed")
REPORT_LABELS = agent_labels("erasure_report")  # by the erasure report's table names


async def _audit(
    desk: Desk,
    agent: AgentSession,
    action: str,
    target: str | None,
    detail: dict[str, Any] | None = None,
) -> None:
    await desk.service.db(
        lambda s: audit.record(s, agent.username, action, target, desk.clock.now(), detail)
    )


async def _personal_data_page(
    request: Request,
    desk: Desk,
    agent: AgentSession,
    status: int = 200,
    **context: Any,
) -> Response:
    since = desk.clock.now() - timedelta(days=AUDIT_PAGE_DAYS)

    def recent(session: Any) -> list[dict[str, Any]]:
        return [
            {**audit.as_dict(e), "at": format_datetime(e.at, desk.profile)}
            for e in audit.events_since(session, since, limit=200)
        ]

    context.setdefault("report", None)
    return console_page(
        request,
        agent,
        "personal_data.html",
        status,
        audit_events=await desk.service.db(recent),
        audit_days=AUDIT_PAGE_DAYS,
        **context,
    )


@router.get(PERSONAL_DATA, response_class=HTMLResponse)
async def personal_data_page(
    request: Request, agent: AgentSession = Depends(admin_page), desk: Desk = Depends(the_desk)
) -> Response:
    return await _personal_data_page(request, desk, agent)


@router.post(PERSONAL_DATA + "/export")
async def export_personal_data(
    request: Request, agent: AgentSession = Depends(admin), desk: Desk = Depends(the_desk)
) -> Response:
    form = await posted_form(request, agent)
    email = form.get("email", "")

    def export(session: Any) -> dict[str, Any]:
        data = export_subject(session, email, desk.clock.now())
        detail = {"conversations": len(data["conversations"]), "orders": len(data["orders"])}
        audit.record(
            session, agent.username, audit.EXPORT, audit.email_hash(email), desk.clock.now(), detail
        )
        return data

    try:
        data = await desk.service.db(export)
    except InvalidEmail:
        return await _personal_data_page(request, desk, agent, 422, error=BAD_EMAIL, email=email)
    name = audit.email_hash(email).replace(":", "-")
    return JSONResponse(
        data, headers={"Content-Disposition": f'attachment; filename="donnees-{name}.json"'}
    )


@router.post(PERSONAL_DATA + "/erase")
async def erase_personal_data(
    request: Request, agent: AgentSession = Depends(admin), desk: Desk = Depends(the_desk)
) -> Response:
    form = await posted_form(request, agent)
    email = form.get("email", "")
    preview = bool(form.get("preview"))
    if not preview and form.get("confirm") != "oui":
        return await _personal_data_page(
            request, desk, agent, 422, error=NOT_CONFIRMED, email=email
        )
    action = audit.PREVIEW_ERASE if preview else audit.ERASE

    def erase(session: Any) -> tuple[dict[str, int], list[str]]:
        report = erase_subject(session, email, desk.clock.now())
        if preview:
            session.rollback()  # the same work, undone: exactly what an erasure would change
        counts = report.as_dict()
        audit.record(
            session, agent.username, action, audit.email_hash(email), desk.clock.now(), counts
        )
        return counts, report.conversation_ids

    try:
        counts, conversation_ids = await desk.service.db(erase)
    except InvalidEmail:
        return await _personal_data_page(request, desk, agent, 422, error=BAD_EMAIL, email=email)
    if not preview:
        for conversation_id in conversation_ids:
            desk.notifier.notify(conversation_id)
        desk.notifier.notify(CONSOLE_KEY)
    rows = [(REPORT_LABELS.get(table, table), count) for table, count in counts.items() if count]
    return await _personal_data_page(
        request, desk, agent, report=rows, preview=preview, email=email if preview else ""
    )
