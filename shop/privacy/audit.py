"""Recording and reading the audit log (``audit_events``): every access to a shopper's data.

E-mails are logged as a SHA-256 prefix: enough to answer "did anyone export or
erase this address, and when?" by hashing the address again, without keeping it in the log.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shop.clock import require_aware
from shop.store.audit import AuditEvent

VIEW_CONVERSATION = "conversation.view"
EXPORT = "data.export"
ERASE = "data.erase"
PREVIEW_ERASE = "data.erase_preview"
ERASE_CONVERSATION = "conversation.erase"
RETAIN = "retention.run"


def email_hash(email: str) -> str:
    """``email:`` and the first 16 hex digits of the SHA-256 of the trimmed, lower-case e-mail."""
    digest = hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()
    return f"email:{digest[:16]}"


def record(
    session: Session,
    actor: str,
    action: str,
    target: str | None,
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        at=require_aware(now),
        actor=actor[:80],
        action=action[:40],
        target=target[:128] if target else None,
        detail=dict(detail or {}),
    )
    session.add(event)
    session.flush()
    return event


def events_since(
    session: Session, since: datetime, limit: int = 1000, target: str | None = None
) -> list[AuditEvent]:
    """Audit events at or after ``since``, newest first."""
    statement = select(AuditEvent).where(AuditEvent.at >= require_aware(since))
    if target:
        statement = statement.where(AuditEvent.target == target)
    statement = statement.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    return list(session.execute(statement).scalars())


def delete_before(session: Session, cutoff: datetime) -> int:
    result = session.execute(
        delete(AuditEvent)
        .where(AuditEvent.at < require_aware(cutoff))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def as_dict(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "actor": event.actor,
        "action": event.action,
        "target": event.target,
        "detail": event.detail or {},
    }
