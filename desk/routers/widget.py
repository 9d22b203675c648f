"""The shopper's side: the widget's WebSocket and its HTTP fallback (long poll + POST).

A conversation is created by ``POST /api/chat``; the widget keeps its random id and the token
the desk signed for it in localStorage, and every call on the conversation needs that token
(``desk.shopper_access``); the desk limits, per client, how fast conversations and messages
come (``desk.limits``). Both transports read the same database cursor
(``after`` = the last message id the widget has), so switching between them, reconnecting or
reloading the page never loses or repeats a message.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, WebSocket
from starlette.websockets import WebSocketDisconnect

from desk.deps import (
    MAX_CURSOR,
    Desk,
    form_data,
    json_object,
    limited_body,
    shopper_conversation,
    the_desk,
)
from desk.limits import RateLimited, client_address, current_client
from desk.notifier import Wake
from desk.service import Conflict, InvalidMessage, NotFound, Unavailable, UnknownMessage
from desk.shopper_access import (
    ORIGIN_REFUSED,
    UNAUTHORIZED,
    conversation_token,
    origin_allowed,
    token_opens,
)
from shop.knowledge.placeholders import opening_hours
from shop.voice import say

router = APIRouter()

LONG_POLL_MAX_S = 25.0
# A WebSocket with no news reads the conversation again after this long, in case a wake-up was
# lost: every 15 s when the desks do not share wake-ups, every 60 s when Redis carries them (a
# lost one is then rare: Redis coming back wakes everyone). At 500 open conversations the
# 15 s reads were as many as the shoppers' turns (BENCHMARKS.md).
WS_IDLE_CHECK_S = 15.0
WS_IDLE_CHECK_SHARED_S = 60.0
WS_DATABASE_RETRY_S = 2.0
# The longest a WebSocket holds news while its bot answers (see ``_push``): the shopper's
# message reaches the widget at most this late when the bot is slow; an answer is held only when
# the desk relays another waiting message of the conversation right after it (after an outage).
WS_ANSWER_HOLD_S = 0.5
WS_AUTH_TIMEOUT_S = 10.0
NOT_FOUND = say("widget.conversation_not_found")
RATING_NOT_STORED = say("rating.not_stored")


@contextlib.contextmanager
def refused_in_french(unavailable: str | None = None) -> Iterator[None]:
    """The service's refusals as HTTP errors with their French sentence (404, 422, 409, and
    503 with ``unavailable`` or the service's own words when the database is away)."""
    try:
        yield
    except UnknownMessage as error:
        raise HTTPException(status_code=404, detail=str(error)) from error
    except NotFound as error:
        raise HTTPException(status_code=404, detail=NOT_FOUND) from error
    except InvalidMessage as error:
        raise HTTPException(status_code=422, detail=str(error)) from error
    except Conflict as error:
        raise HTTPException(status_code=409, detail=str(error)) from error
    except Unavailable as error:
        detail = unavailable or str(error)
        raise HTTPException(status_code=503, detail=detail, headers={"Retry-After": "5"}) from error


@router.get("/api/widget/config")
def widget_config(desk: Desk = Depends(the_desk)) -> dict[str, Any]:
    return {
        "shop": desk.profile.display_name,
        "open": desk.profile.is_open(desk.clock.now()),
        "hours": opening_hours(desk.profile),
        "privacy_url": desk.settings.privacy_url,
    }


def too_many(error: RateLimited) -> HTTPException:
    retry_after = str(max(int(error.retry_after_s + 0.999), 1))
    return HTTPException(status_code=429, detail=str(error), headers={"Retry-After": retry_after})


@router.post("/api/chat", status_code=201)
async def start_conversation(request: Request, desk: Desk = Depends(the_desk)) -> dict[str, Any]:
    try:
        desk.limits.new_conversation(client_address(request))
    except RateLimited as error:
        raise too_many(error) from error
    conversation_id = await desk.service.start_conversation()
    token = conversation_token(desk.signer, conversation_id)
    return {"id": conversation_id, "token": token, "mode": "bot", "messages": []}


@router.get("/api/chat/{conversation_id}/messages", dependencies=[Depends(shopper_conversation)])
async def read_messages(
    conversation_id: str,
    after: int = Query(0, ge=0, le=MAX_CURSOR),
    wait: float = Query(0, ge=0),
    desk: Desk = Depends(the_desk),
) -> dict[str, Any]:
    """Messages after ``after``; with ``wait`` > 0, hold the request until there are some."""
    try:
        mode, messages = await desk.service.history(conversation_id, after)
        if not messages and wait > 0:
            await desk.notifier.wait(conversation_id, min(wait, LONG_POLL_MAX_S))
            mode, messages = await desk.service.history(conversation_id, after)
    except NotFound as error:
        raise HTTPException(status_code=404, detail=NOT_FOUND) from error
    return {
        "mode": mode,
        "typing": conversation_id in desk.service.typing,
        "messages": messages,
    }


@router.post("/api/chat/{conversation_id}/messages", dependencies=[Depends(shopper_conversation)])
async def post_message(
    conversation_id: str, request: Request, desk: Desk = Depends(the_desk)
) -> dict[str, Any]:
    client = client_address(request)
    try:
        desk.limits.message(client, conversation_id)
    except RateLimited as error:
        raise too_many(error) from error
    form = await form_data(request)
    current_client.set(client)
    with refused_in_french():  # not stored when refused: the widget keeps the text in its input
        # mode None: the message is stored, the next read tells the mode
        mode, messages = await desk.service.shopper_says(
            conversation_id, form.get("text"), form.get("payload") or None
        )
    return {"mode": mode, "messages": messages}


@router.post("/api/chat/{conversation_id}/feedback", dependencies=[Depends(shopper_conversation)])
async def rate(conversation_id: str, request: Request, desk: Desk = Depends(the_desk)) -> Any:
    """The shopper rates a bot answer that asked for it (``{"message_id", "score": 1|-1,
    "comment"}``) or, after an agent closed the conversation, the agent's help (``{"kind":
    "agent", "score": 1..5, "comment"}``); the same call with a comment alone completes the
    rating once. Counted with the messages (same limit); a refusal stores nothing."""
    try:
        desk.limits.message(client_address(request), conversation_id)
    except RateLimited as error:
        raise too_many(error) from error
    body = json_object(await limited_body(request))
    with refused_in_french(RATING_NOT_STORED):
        feedback = await desk.service.rate(conversation_id, body)
    return {"feedback": feedback}


@router.websocket("/ws/{conversation_id}")
async def conversation_socket(
    websocket: WebSocket, conversation_id: str, after: int = Query(0, ge=0, le=MAX_CURSOR)
) -> None:
    desk: Desk = websocket.app.state.desk
    await websocket.accept()
    origin = websocket.headers.get("origin")
    if not origin_allowed(origin, desk.settings.widget_origins, _own_origin(websocket)):
        await websocket.send_json({"type": "error", "code": "forbidden", "detail": ORIGIN_REFUSED})
        await websocket.close(code=4403)
        return
    try:
        if not await _authenticated(websocket, desk, conversation_id):
            await websocket.send_json(
                {"type": "error", "code": "unauthorized", "detail": UNAUTHORIZED}
            )
            await websocket.close(code=4401)
            return
    except WebSocketDisconnect:
        return
    current_client.set(client_address(websocket))
    try:
        await desk.service.mode_of(conversation_id)
    except NotFound:
        await websocket.send_json({"type": "error", "code": "not_found", "detail": NOT_FOUND})
        await websocket.close(code=4404)
        return
    except Unavailable:
        pass  # the signed token vouches for the conversation; each message is refused until then
    writer = asyncio.create_task(_push(websocket, desk, conversation_id, after))
    try:
        await _listen(websocket, desk, conversation_id)
    except WebSocketDisconnect:
        pass
    finally:
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await writer


def _own_origin(websocket: WebSocket) -> str:
    scheme = "https" if websocket.url.scheme == "wss" else "http"
    return f"{scheme}://{websocket.url.netloc}"


async def _authenticated(websocket: WebSocket, desk: Desk, conversation_id: str) -> bool:
    """The first frame must be ``{"type": "auth", "token": ...}`` with the conversation's
    token, within ``WS_AUTH_TIMEOUT_S``."""
    try:
        raw = await asyncio.wait_for(websocket.receive_text(), WS_AUTH_TIMEOUT_S)
        data = json.loads(raw) if len(raw) <= 4096 else None
    # KeyError: a binary frame; RecursionError: JSON nested too deep
    except (asyncio.TimeoutError, ValueError, KeyError, RecursionError):
        return False
    if not isinstance(data, dict) or data.get("type") != "auth":
        return False
    token = data.get("token")
    max_age_s = desk.settings.conversation_token_hours * 3600
    return isinstance(token, str) and token_opens(desk.signer, conversation_id, token, max_age_s)


async def _listen(websocket: WebSocket, desk: Desk, conversation_id: str) -> None:
    """Shopper → desk: ``{"type": "message", "text": ..., "payload": ...}``."""
    while True:
        try:
            raw = await websocket.receive_text()
        except KeyError:  # a binary frame: answered as unreadable below
            raw = ""
        try:
            data = json.loads(raw) if len(raw) <= 64 * 1024 else None
        except (ValueError, RecursionError):  # RecursionError: nested too deep
            data = None
        if not isinstance(data, dict):
            await websocket.send_json({"type": "error", "detail": say("message.unreadable")})
            continue
        if data.get("type") == "ping":
            await websocket.send_json({"type": "pong"})
            continue
        if data.get("type") != "message":
            continue
        try:
            desk.limits.message(current_client.get() or "unknown", conversation_id)
        except RateLimited as error:
            await websocket.send_json(
                {"type": "error", "code": "rate_limited", "detail": str(error)}
            )
            continue
        try:
            await desk.service.shopper_says(
                conversation_id, data.get("text"), data.get("payload"), read_turn=False
            )
        except (InvalidMessage, Conflict) as error:
            await websocket.send_json({"type": "error", "detail": str(error)})
        except Unavailable as error:  # not stored: the widget keeps the text in its input
            await websocket.send_json(
                {"type": "error", "code": "unavailable", "detail": str(error)}
            )


async def _push(websocket: WebSocket, desk: Desk, conversation_id: str, after: int) -> None:
    """Desk → shopper: every new message, mode changes and the typing indicator (which alone
    reads nothing from the database).

    While this desk's bot is answering the conversation (its typing indicator is on), news is
    held up to ``WS_ANSWER_HOLD_S``: the answer's wake-up comes soon and one read then sends
    the shopper's message with the answers, instead of a read for each (one read a turn fewer;
    the widget's HTTP fallback shows the message with the answers too). The first read, when
    the socket opens, is never held."""
    loop = asyncio.get_running_loop()
    cursor, mode, typing = after, "", False
    idle_check_s = WS_IDLE_CHECK_SHARED_S if desk.notifier.shared else WS_IDLE_CHECK_S
    with desk.notifier.subscribe(conversation_id) as wake_ups:
        news, first, held_until = True, True, 0.0
        while True:
            hold = False
            if news and not first and conversation_id in desk.service.typing:
                held_until = held_until or loop.time() + WS_ANSWER_HOLD_S
                hold = loop.time() < held_until
            if news and not hold:
                try:
                    current_mode, messages = await desk.service.history(conversation_id, cursor)
                except Unavailable:  # the database is back soon: the cursor loses nothing
                    await wake_ups.wait(WS_DATABASE_RETRY_S)
                    continue
                news, first, held_until = False, False, 0.0
                for message in messages:
                    await websocket.send_json({"type": "message", "message": message})
                    cursor = max(cursor, int(message["id"]))
                if current_mode != mode:
                    mode = current_mode
                    await websocket.send_json({"type": "mode", "mode": mode})
            now_typing = conversation_id in desk.service.typing
            if now_typing != typing:
                typing = now_typing
                await websocket.send_json({"type": "typing", "on": typing})
            wait_s = max(held_until - loop.time(), 0.0) if hold else idle_check_s
            if await wake_ups.wait(wait_s) is not Wake.TYPING:
                news = True  # something stored, the hold is over, or the idle check is due


@router.post("/api/chat/{conversation_id}/erase", dependencies=[Depends(shopper_conversation)])
async def erase_own_conversation(
    conversation_id: str, desk: Desk = Depends(the_desk)
) -> dict[str, bool]:
    """The shopper erases the conversation: its transcript and Rasa's events go, and it ends.

    A POST rather than a DELETE: the widget runs on the shop's pages, and the CORS rules let
    those send GET and POST only. Tickets the conversation opened stay: the shop still owes
    the shopper an answer.
    """
    try:
        await desk.service.erase_for_shopper(conversation_id)
    except NotFound as error:
        raise HTTPException(status_code=404, detail=NOT_FOUND) from error
    return {"erased": True}
