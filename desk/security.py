"""Agent authentication: salted password hashes, a signed session cookie and CSRF tokens.

No extra dependency: passwords are hashed with ``hashlib.scrypt`` (per-user salt, OWASP's
current minimum cost N=2^17, r=8, p=1; a hash keeps its own cost, so older hashes still verify
and are redone at the current cost on the next login). The session cookie is a small JSON
payload signed with HMAC-SHA256 under the desk's secret key (so it cannot be forged or edited)
that names a stored console session: logging out or changing the password revokes the row, and
the cookie stops working even if replayed. Every console POST must carry a CSRF token derived
from the session. API routes answer 401 without a session; pages redirect to the login page.
"""

from __future__ import annotations

import base64
import functools
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
MIN_PASSWORD_LENGTH = 10

# OWASP's minimum for scrypt (2024): N=2^17, r=8, p=1. One hash takes ~0.5 s and 128 MiB.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
_SCRYPT_LEN = 32
# Bounds on the cost read from a stored hash, so that a tampered row cannot exhaust memory.
_MAX_N, _MAX_R, _MAX_P = 2**20, 16, 4


# --- passwords --------------------------------------------------------------------------------


def hash_password(password: str, n: int = SCRYPT_N) -> str:
    """``scrypt$n$r$p$salt$hash`` with a fresh random salt (``n`` below the default: tests)."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, n, SCRYPT_R, SCRYPT_P)
    return "$".join(["scrypt", str(n), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(digest)])


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches ``stored``, whatever cost ``stored`` was made with."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = _scrypt(password, _unb64(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, _unb64(digest))


def needs_rehash(stored: str, n: int = SCRYPT_N) -> bool:
    """Whether ``stored`` was made with another cost than the current one."""
    parts = stored.split("$")
    return len(parts) != 6 or parts[:4] != ["scrypt", str(n), str(SCRYPT_R), str(SCRYPT_P)]


@functools.lru_cache(maxsize=4)
def dummy_hash(n: int = SCRYPT_N) -> str:
    """Checked when the username is unknown, so that the answer takes the same time."""
    return hash_password(secrets.token_urlsafe(16), n)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    if not (1 < n <= _MAX_N and 0 < r <= _MAX_R and 0 < p <= _MAX_P):
        raise ValueError("scrypt cost out of bounds")
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=128 * r * (n + p + 2) + 1024 * 1024,  # what OpenSSL needs, plus a margin
        dklen=_SCRYPT_LEN,
    )


def same_text(expected: str, given: str) -> bool:
    """Constant-time comparison of any two strings (``hmac.compare_digest`` refuses non-ASCII
    text with a TypeError, and a client chooses what it sends)."""
    return hmac.compare_digest(
        expected.encode("utf-8", "surrogatepass"), given.encode("utf-8", "surrogatepass")
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


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
        if not same_text(mac, self._mac(purpose, body)):
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
    """The logged-in agent, as the signed cookie says, plus this session's CSRF token.

    ``session_id`` is the secret key of the stored console session; the cookie is honoured only
    while that row exists and is not revoked (checked by ``desk.deps``).
    """

    agent_id: int
    username: str
    display_name: str
    csrf: str
    session_id: str
    role: str = "agent"  # read from the account at each request (``desk.deps``), not the cookie


def open_session(
    signer: Signer, session_id: str, agent_id: int, username: str, display_name: str
) -> str:
    return signer.sign(
        "session",
        {
            "s": session_id,
            "a": agent_id,
            "u": username,
            "d": display_name,
            "n": secrets.token_urlsafe(16),
        },
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
            session_id=str(payload["s"]),
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
    if not given or not same_text(expected, given):
        raise HTTPException(status_code=403, detail="Jeton CSRF absent ou invalide.")


class LoginRequired(Exception):
    """Raised by page dependencies; the app turns it into a redirect to the login page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.location = f"/console/login?next={quote(next_path, safe='/')}"
