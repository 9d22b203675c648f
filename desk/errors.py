"""French refusals for the errors the framework answers by itself.

FastAPI answers an unknown path, a wrong method or a malformed query parameter in English
(« Not Found », a list of pydantic errors); the widget shows a refusal's ``detail`` to the
shopper, so every refusal of the desk carries one French sentence instead, from the shoppers'
catalogue (``http_status`` and ``request`` in ``shop/voice/shopper.yml``).
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request, WebSocket
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError, WebSocketRequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.status import WS_1008_POLICY_VIOLATION

from shop.voice import labels, say

FRENCH_STATUS = {int(status): text for status, text in labels("http_status").items()}
REFUSED = say("request.refused")
NUL_IN_ADDRESS = say("request.nul_in_address")


def invalid_parameters(error: RequestValidationError | WebSocketRequestValidationError) -> str:
    names = sorted({str(e["loc"][-1]) for e in error.errors() if e.get("loc")})
    if not names:
        return say("request.invalid_parameter")
    return say("request.invalid_parameters", names=", ".join(names[:5]))


async def french_http_error(request: Request, error: Exception) -> Response:
    """The framework's own errors (detail = the English status phrase) in French."""
    assert isinstance(error, HTTPException)
    try:
        phrase = HTTPStatus(error.status_code).phrase
    except ValueError:
        phrase = None
    if error.detail == phrase:
        error = HTTPException(
            error.status_code, FRENCH_STATUS.get(error.status_code, REFUSED), error.headers
        )
    return await http_exception_handler(request, error)


async def french_validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    return JSONResponse({"detail": invalid_parameters(error)}, status_code=422)


async def french_websocket_validation_error(websocket: WebSocket, error: Exception) -> None:
    assert isinstance(error, WebSocketRequestValidationError)
    await websocket.close(code=WS_1008_POLICY_VIOLATION, reason=invalid_parameters(error))


def has_nul(scope: Mapping[str, Any]) -> bool:
    """A NUL character in the path or the query: PostgreSQL refuses it in any statement, so
    such a request is refused before it reaches a route."""
    path, query = scope.get("path", ""), scope.get("query_string", b"")
    return (isinstance(path, str) and "\x00" in path) or (
        isinstance(query, bytes) and (b"%00" in query or b"\x00" in query)
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(HTTPException, french_http_error)
    app.add_exception_handler(RequestValidationError, french_validation_error)
    app.add_exception_handler(WebSocketRequestValidationError, french_websocket_validation_error)
