"""Agent authentication: salted password hashes, a signed session cookie and CSRF tokens.

No extra dependency: passwords are hashed with ``hashlib.scrypt`` (per-user salt), the session
is a small JSON payload signed with HMAC-SHA256 under the desk's secret key (so it cannot be
forged or edited), and every console POST must carry a CSRF token derived from the session.
API routes answer 401 without a session; pages redirect to the login page instead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import HTTPException, Request
from starlette.responses import Response

SESSION_COOKIE = "desk_session"
LOGIN_CSRF_COOKIE = "desk_login_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
LOGIN_CSRF_MAX_AGE_S = 3600

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P, _SCRYPT_LEN = 2**14, 8, 1, 32


# --- passwords --------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$hash`` with a fresh random salt."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return "$".join(
        ["scrypt", str(_SCRYPT_N), str(_SCRYPT_R), str(_SCRYPT_P), _b64(salt), _b64(digest)]
    )


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = _scrypt(password, _unb64(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, _unb64(digest))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=64 * 1024 * 1024,
        dklen=_SCRYPT_LEN,
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# Checked when the username is unknown, so that the answer takes the same time.
DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


# --- signed values ----------------------------------------------------------------------------


class Signer:
    """Signs small JSON payloads for one purpose each (a session token is not a CSRF token)."""

    def __init__(self, secret_key: str) -> None:
        if len(secret_key) < 16:
            raise ValueError("the desk secret key must be at least 16 characters long")
        self._key = secret_key.encode("utf-8")

    def _mac(self, purpose: str, body: str) -> str:
        return _b64(hmac.new(self._key, f"{purpose}|{body}".encode(), hashlib.sha256).digest())

    def sign(self, purpose: str, payload: dict[str, Any]) -> str:
        body = _b64(json.dumps({**payload, "iat": int(time.time())}).encode("utf-8"))
        return f"{body}.{self._mac(purpose, body)}"

    def unsign(self, purpose: str, token: str | None, max_age_s: int) -> dict[str, Any] | None:
        if not token or token.count(".") != 1:
            return None
        body, mac = token.split(".")
        if not hmac.compare_digest(mac, self._mac(purpose, body)):
            return None
        try:
            payload = json.loads(_unb64(body))
        except ValueError:
            return None
        if not isinstance(payload, dict) or time.time() - payload.get("iat", 0) > max_age_s:
            return None
        return payload

    def token_for(self, purpose: str, value: str) -> str:
        return self._mac(purpose, value)


# --- sessions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgentSession:
    """The logged-in agent, as the signed cookie says, plus this session's CSRF token."""

    agent_id: int
    username: str
    display_name: str
    csrf: str


def open_session(signer: Signer, agent_id: int, username: str, display_name: str) -> str:
    return signer.sign(
        "session",
        {"a": agent_id, "u": username, "d": display_name, "n": secrets.token_urlsafe(16)},
    )


def read_session(signer: Signer, token: str | None, max_age_s: int) -> AgentSession | None:
    payload = signer.unsign("session", token, max_age_s)
    if payload is None:
        return None
    try:
        return AgentSession(
            agent_id=int(payload["a"]),
            username=str(payload["u"]),
            display_name=str(payload["d"]),
            csrf=signer.token_for("csrf", str(payload["n"])),
        )
    except (KeyError, TypeError, ValueError):
        return None


def is_secure(request: Request, forced: bool | None) -> bool:
    return forced if forced is not None else request.url.scheme in ("https", "wss")


def set_cookie(
    response: Response,
    request: Request,
    name: str,
    value: str,
    max_age: int,
    secure: bool | None,
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=is_secure(request, secure),
        path="/",
    )


def check_csrf(expected: str, given: str | None) -> None:
    """403 unless the token sent with a POST is the session's (or login form's) token."""
    if not given or not hmac.compare_digest(expected, given):
        raise HTTPException(status_code=403, detail="Jeton CSRF absent ou invalide.")


class LoginRequired(Exception):
    """Raised by page dependencies; the app turns it into a redirect to the login page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.location = f"/console/login?next={quote(next_path, safe='/')}"
