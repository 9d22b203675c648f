"""What every route needs, wired once per app: the ``Desk`` container and FastAPI dependencies.

``current_agent`` answers 401 (API routes); ``page_agent`` redirects to the login page (HTML
routes); ``role_required`` (and the ready-made ``answering``, ``reviewing``, ``reading``,
``admin``…) lets only some roles through, read from the account at each request.
``form_data`` reads a urlencoded or JSON body without python-multipart, with a size limit, and
``require_csrf`` checks the token of the logged-in session on every console POST.
``shopper_conversation`` lets a widget call through only with its conversation's token.
``console_page`` renders every console page with the account's menu and CSRF token.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable
from urllib.parse import parse_qs

from fastapi import HTTPException, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from starlette.responses import Response

from desk.canned import CannedAnswers
from desk.limits import ShopperLimits
from desk.notifier import Notifier
from desk.relay import RasaClient
from desk.security import (
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    AgentSession,
    LoginRequired,
    Signer,
    check_csrf,
    read_session,
)
from desk.service import DeskService
from desk.settings import Settings
from desk.shopper_access import TOKEN_HEADER, UNAUTHORIZED, token_opens
from shop.clock import Clock
from shop.learning.choices import LiveChoices
from shop.policy.profile import ShopProfile
from shop.store import conversation_repository as repo
from shop.store.conversations import Role
from shop.store.db import session_scope
from shop.voice import say, say_to_agent

MAX_BODY_BYTES = 64 * 1024
MAX_NEXT_LENGTH = 2000  # characters of the page a login returns to
# The highest message id a database stores (a signed 64-bit integer): the largest cursor.
MAX_CURSOR = 2**63 - 1


@dataclass
class Desk:
    settings: Settings
    engine: Engine
    sessions: sessionmaker
    clock: Clock
    profile: ShopProfile
    relay: RasaClient
    notifier: Notifier
    service: DeskService
    signer: Signer
    canned: CannedAnswers
    templates: Jinja2Templates
    limits: ShopperLimits
    choices: LiveChoices  # what an editor may label with, and the FAQ titles


def get_desk(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


async def the_desk(request: Request) -> Desk:
    """``get_desk`` as a dependency: FastAPI sends a plain function to a worker thread and
    waits for it, a thread hop for a lookup; a coroutine it calls on the event loop."""
    return get_desk(request)


def console_page(
    request: Request, agent: AgentSession, template: str, status: int = 200, **context: Any
) -> Response:
    """A console page for the logged-in ``agent``: its menu (by role) and its CSRF token."""
    return get_desk(request).templates.TemplateResponse(
        template,
        {"request": request, "agent": agent, "csrf": agent.csrf, **context},
        status_code=status,
    )


def _session_of(request: Request) -> AgentSession | None:
    """The cookie's session while its stored row is live (not logged out, no password change)."""
    desk = get_desk(request)
    max_age_s = desk.settings.session_hours * 3600
    session = read_session(desk.signer, request.cookies.get(SESSION_COOKIE), max_age_s)
    if session is None:
        return None
    with session_scope(desk.sessions) as db:
        agent = repo.agent_of_console_session(
            db, session.session_id, desk.clock.now(), timedelta(seconds=max_age_s)
        )
        if agent is None or agent.id != session.agent_id or agent.username != session.username:
            return None
        return dataclasses.replace(session, role=agent.role)


def current_agent(request: Request) -> AgentSession:
    session = _session_of(request)
    if session is None:
        raise HTTPException(status_code=401, detail=say_to_agent("console.login_required"))
    return session


def page_agent(request: Request) -> AgentSession:
    session = _session_of(request)
    if session is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        # Back to the page after the login, unless its address is absurdly long (the redirect
        # would carry it twice as long): then to the console's home.
        raise LoginRequired(target if len(target) <= MAX_NEXT_LENGTH else "/console")
    return session


FORBIDDEN = say_to_agent("console.forbidden")


class PageForbidden(HTTPException):
    """A page the logged-in account's role may not open: the app answers with a French page
    (403) that still shows the console's menu for that role, so the account finds its way."""

    def __init__(self, session: AgentSession) -> None:
        super().__init__(status_code=403, detail=FORBIDDEN)
        self.session = session


def role_required(*roles: Role, page: bool = False) -> Callable[[Request], AgentSession]:
    """A dependency: the logged-in account when its role is one of ``roles``, else 403 (401,
    or the login page with ``page``, when nobody is logged in)."""
    allowed = {role.value for role in roles}

    def dependency(request: Request) -> AgentSession:
        session = page_agent(request) if page else current_agent(request)
        if session.role not in allowed:
            raise PageForbidden(session) if page else HTTPException(403, detail=FORBIDDEN)
        return session

    return dependency


# Who may open what (the console's menu in base.html shows the same).
ANSWERING = (Role.AGENT, Role.ADMIN)  # the queue and the conversations
REVIEWING = (Role.EDITOR, Role.ADMIN)  # the review inbox
EVERY_ROLE = tuple(Role)  # the dashboard, one's own password
ADMINISTERING = (Role.ADMIN,)  # accounts, personal data

answering_page = role_required(*ANSWERING, page=True)
answering = role_required(*ANSWERING)
reviewing_page = role_required(*REVIEWING, page=True)
reviewing = role_required(*REVIEWING)
admin_page = role_required(*ADMINISTERING, page=True)
admin = role_required(*ADMINISTERING)
reading_page = role_required(*EVERY_ROLE, page=True)
reading = role_required(*EVERY_ROLE)


def home_of(role: str) -> str:
    """Where a login without a target lands: the first page the role may open."""
    return "/console/revue" if role == Role.EDITOR.value else "/console"


async def form_data(request: Request) -> dict[str, str]:
    """The body as a flat dict of strings (urlencoded form or JSON object), NUL characters
    dropped."""
    body = await limited_body(request)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        data = json_object(body)
        return {_no_nul(str(k)): _no_nul(v) if isinstance(v, str) else "" for k, v in data.items()}
    parsed = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {_no_nul(key): _no_nul(values[-1]) for key, values in parsed.items()}


def json_object(body: bytes) -> dict[str, Any]:
    """A body that must be a JSON object (empty: ``{}``); 400 with the French reason else."""
    try:
        data: Any = json.loads(body or b"{}")
    except (ValueError, RecursionError) as error:  # RecursionError: nested too deep
        raise HTTPException(status_code=400, detail=say("request.invalid_json")) from error
    if not isinstance(data, dict):
        raise HTTPException(status_code=400, detail=say("request.json_object_expected"))
    return data


def _no_nul(text: str) -> str:
    """Without NUL characters: no database stores them (PostgreSQL refuses the statement)."""
    return text.replace("\x00", "")


async def limited_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The body, read chunk by chunk: 413 as soon as it passes ``limit``, whatever the client
    declared (a chunked body has no Content-Length, and a declared one may lie)."""
    too_large = HTTPException(status_code=413, detail=say("http_status.413"))
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


async def shopper_conversation(conversation_id: str, request: Request) -> str:
    """The path's conversation, when the request carries its token (401 otherwise); a
    coroutine, so that FastAPI checks it on the event loop (see ``the_desk``)."""
    desk = get_desk(request)
    token = request.headers.get(TOKEN_HEADER)
    max_age_s = desk.settings.conversation_token_hours * 3600
    if not token_opens(desk.signer, conversation_id, token, max_age_s):
        raise HTTPException(status_code=401, detail=UNAUTHORIZED)
    return conversation_id


def require_csrf(request: Request, agent: AgentSession, form: dict[str, str]) -> None:
    check_csrf(agent.csrf, request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD))


async def posted_form(request: Request, agent: AgentSession) -> dict[str, str]:
    """The body of a console POST, once its CSRF token is checked (every console POST)."""
    form = await form_data(request)
    require_csrf(request, agent, form)
    return form


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "") or request.headers.get(
        "content-type", ""
    ).startswith("application/json")
