"""The audit log: who read, exported or erased a shopper's data, and when.

A table of its own (``audit_events``) on the order store's ``Base``, so ``create_schema`` adds
it to an existing database without touching other tables. A target is a conversation id or the
hash of an e-mail (``shop.privacy.audit.email_hash``), never the e-mail itself: the log must
outlive the data it speaks of without keeping it.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Integer, String

from shop.store.models import Base, UTCDateTime


class AuditEvent(Base):
    """One access to personal data: ``actor`` is an agent's username, ``shopper``, ``cli`` or
    ``retention``; ``action`` a dotted verb such as ``conversation.view``."""

    __tablename__ = "audit_events"

    id = Column(Integer, primary_key=True)
    at = Column(UTCDateTime, nullable=False, index=True)
    actor = Column(String(80), nullable=False)
    action = Column(String(40), nullable=False)
    target = Column(String(128), nullable=True, index=True)
    detail = Column(JSON, nullable=False, default=dict)
