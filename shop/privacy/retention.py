"""How long the assistant keeps what shoppers wrote, and the job that deletes the rest.

Transcripts (desk conversations with their messages, notes and closed handoffs) go once they
have been silent for ``conversation_days``; a conversation still waiting for or held by an
agent stays. Rasa's tracker events (every turn with its slots: e-mails, order numbers) go after
``tracker_days``: Rasa only needs the current session (it expires after 30 minutes of silence),
the rest is kept a while for investigating a wrong answer. Audit events go after
``audit_days``. Tickets are the shop's records of requests and stay. What the bot understood
of each message (``bot_turns``) goes with the transcripts' period, except the messages an
editor labelled: they are the training data the shop keeps, so they stay with their personal
data replaced by placeholders (``shop.learning.pii``). Ratings go with their conversation.
The shop platform's webhook deliveries (``platform_deliveries``) go with the transcripts'
period too: an applied one dropped its body (names, addresses, e-mails) when it was applied, a
failed one keeps it for a person to read until then; pending ones are still being applied.

The job is a plain deletion of what is older than a cut-off, so running it twice, or from two
desk processes at once, deletes nothing more.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from shop.clock import require_aware
from shop.learning.pii import redact
from shop.privacy import audit, tracker
from shop.privacy.subject import Report
from shop.settings import ShopSettings
from shop.store import platform_deliveries
from shop.store.conversations import AgentNote, Conversation, Handoff, Message
from shop.store.learning import BotTurn, Feedback, ReviewLabel

DEFAULT_CONVERSATION_DAYS: int = ShopSettings.__fields__["retention_days"].default
DEFAULT_TRACKER_DAYS: int = ShopSettings.__fields__["tracker_retention_days"].default
DEFAULT_AUDIT_DAYS: int = ShopSettings.__fields__["audit_retention_days"].default


@dataclass(frozen=True)
class RetentionSettings:
    """The periods and the switch of the daily job, as ``shop.settings`` reads them from
    ``SHOP_RETENTION_DAYS``, ``SHOP_TRACKER_RETENTION_DAYS``, ``SHOP_AUDIT_RETENTION_DAYS`` and
    ``SHOP_RETENTION_JOB`` (off: the desk does not run the daily job, cron does)."""

    conversation_days: int = DEFAULT_CONVERSATION_DAYS
    tracker_days: int = DEFAULT_TRACKER_DAYS
    audit_days: int = DEFAULT_AUDIT_DAYS
    daily_job: bool = True

    def __post_init__(self) -> None:
        for name in ("conversation_days", "tracker_days", "audit_days"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1 day")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RetentionSettings:
        """The process's settings, or those of an explicit ``environ``; a bad value raises
        ``shop.settings.SettingsError`` naming its variable."""
        settings = ShopSettings.from_environ(environ)
        return cls(
            conversation_days=settings.retention_days,
            tracker_days=settings.tracker_retention_days,
            audit_days=settings.audit_retention_days,
            daily_job=settings.retention_job,
        )


def retain(session: Session, settings: RetentionSettings, now: datetime) -> Report:
    """Delete what is older than the retention periods; runs in the caller's transaction."""
    instant = require_aware(now)
    report = Report()
    cutoff = instant - timedelta(days=settings.conversation_days)
    still_handled = select(Handoff.conversation_id).where(Handoff.closed_at.is_(None))
    old = list(
        session.execute(
            select(Conversation.id)
            .where(Conversation.updated_at < cutoff)
            .where(Conversation.id.not_in(still_handled))
        ).scalars()
    )
    for chunk in tracker.chunks(old):
        for table, model in (
            ("desk_feedback", Feedback),  # first: it refers to the messages
            ("desk_messages", Message),
            ("desk_agent_notes", AgentNote),
            ("desk_handoffs", Handoff),
        ):
            result = session.execute(
                delete(model)
                .where(model.conversation_id.in_(chunk))
                .execution_options(synchronize_session=False)
            )
            report.add(table, int(result.rowcount or 0))
        result = session.execute(
            delete(Conversation)
            .where(Conversation.id.in_(chunk))
            .execution_options(synchronize_session=False)
        )
        report.add("desk_conversations", int(result.rowcount or 0))
    report.add("events", tracker.delete_events_of(session, old))
    report.add("bot_turns", _retain_turns(session, cutoff))
    report.add("platform_deliveries", platform_deliveries.delete_finished_before(session, cutoff))
    tracker_cutoff = instant - timedelta(days=settings.tracker_days)
    report.add("events", tracker.delete_events_before(session, tracker_cutoff.timestamp()))
    report.add(
        "audit_events", audit.delete_before(session, instant - timedelta(days=settings.audit_days))
    )
    return report


def _retain_turns(session: Session, cutoff: datetime) -> int:
    """Delete the unlabelled turns older than ``cutoff``; keep the labelled ones, redacted."""
    labelled = select(ReviewLabel.turn_id)
    deleted = session.execute(
        delete(BotTurn)
        .where(BotTurn.created_at < cutoff)
        .where(BotTurn.id.not_in(labelled))
        .execution_options(synchronize_session=False)
    )
    changed = int(deleted.rowcount or 0)
    kept = session.execute(
        select(BotTurn.id, BotTurn.text, BotTurn.entities)
        .where(BotTurn.created_at < cutoff)
        .where(BotTurn.id.in_(labelled))
    )
    for turn_id, text, entities in list(kept):
        clean = redact(text)
        if clean != text or entities:
            session.execute(
                update(BotTurn)
                .where(BotTurn.id == turn_id)
                .values(text=clean, entities=[])
                .execution_options(synchronize_session=False)
            )
            changed += 1
    return changed
