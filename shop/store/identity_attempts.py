"""Failed identity checks, stored, so that guessing is limited across conversations.

A conversation's own three strikes live in Rasa's slots and end with the conversation; these
rows outlive it (and a restart), so that walking order numbers for a known e-mail, or e-mails
for a known order, from many conversations or from one client address, is stopped too. The
e-mail and the client address are kept as keyed digests only: the table says "this e-mail
failed", never which e-mail.
"""

from __future__ import annotations

import functools
import hashlib
from datetime import datetime

from sqlalchemy import Column, Index, Integer, String, delete, func, select
from sqlalchemy.orm import Session

from shop.clock import require_aware
from shop.private_files import VAR_DIR, secret_file
from shop.settings import ShopSettings, current_settings
from shop.store.models import Base, UTCDateTime

KEY_ENV = ShopSettings.variables()["identity_key"]


@functools.lru_cache(maxsize=1)
def _digest_key() -> bytes:
    """``SHOP_IDENTITY_KEY`` (the same on every action server), else one generated once into
    ``.var/identity_key``: without it, a digest table cannot be matched against known e-mails."""
    configured = current_settings().identity_key
    key = configured.get_secret_value() if configured else secret_file(VAR_DIR / "identity_key")
    return hashlib.sha256(key.encode("utf-8")).digest()


def digest(value: str) -> str:
    """A keyed, one-way digest of an e-mail or a client address (lower-cased, trimmed)."""
    normalised = value.strip().lower().encode("utf-8")
    return hashlib.blake2b(normalised, key=_digest_key(), digest_size=16).hexdigest()


class IdentityFailure(Base):
    """One wrong (order number, e-mail) pair, with who tried it."""

    __tablename__ = "identity_failures"
    __table_args__ = (
        Index("ix_identity_failures_number_at", "order_number", "at"),
        Index("ix_identity_failures_email_at", "email_digest", "at"),
        Index("ix_identity_failures_client_at", "client_digest", "at"),
    )

    id = Column(Integer, primary_key=True)
    at = Column(UTCDateTime, nullable=False)
    order_number = Column(String(16), nullable=False)
    email_digest = Column(String(32), nullable=False)
    client_digest = Column(String(32), nullable=True)


def record_failure(
    session: Session, now: datetime, order_number: str, email: str, client: str | None
) -> None:
    session.add(
        IdentityFailure(
            at=require_aware(now, "now"),
            order_number=order_number,
            email_digest=digest(email),
            client_digest=digest(client) if client else None,
        )
    )
    session.flush()


def most_failures_since(
    session: Session, since: datetime, order_number: str, email: str, client: str | None
) -> int:
    """The largest count of failures since ``since`` for this order, this e-mail or this client."""
    keys = [
        IdentityFailure.order_number == order_number,
        IdentityFailure.email_digest == digest(email),
    ]
    if client:
        keys.append(IdentityFailure.client_digest == digest(client))
    since = require_aware(since, "since")
    counts = []
    for key in keys:
        statement = select(func.count()).where(key).where(IdentityFailure.at >= since)
        counts.append(int(session.execute(statement).scalar_one()))
    return max(counts)


def forget_before(session: Session, before: datetime) -> int:
    """Delete failures older than ``before`` (they no longer count); returns how many."""
    result = session.execute(
        delete(IdentityFailure).where(IdentityFailure.at < require_aware(before, "before"))
    )
    return int(result.rowcount or 0)
