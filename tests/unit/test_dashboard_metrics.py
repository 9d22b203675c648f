"""The dashboard's figures on a real SQLite database with hand-made rows.

The shop is in Paris (UTC+1 in November). The period is Sunday 22 to Tuesday 24 November 2026;
every expected figure below is counted by hand from the rows of ``shop_week``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from shop.learning.dashboard_metrics import (
    DashboardFigures,
    Durations,
    Granularity,
    Period,
    Unanswered,
    dashboard,
    top_unanswered,
)
from shop.learning.grouping import group_texts
from shop.privacy.subject import ERASED
from shop.store.conversations import Agent, Conversation, ConversationMode, Handoff, Message
from shop.store.conversations import MessageAuthor as Author
from shop.store.db import create_schema, make_engine, make_session_factory, session_scope
from shop.store.learning import BotTurn, Feedback

PARIS = ZoneInfo("Europe/Paris")
FAQ = "faq/sav_reclamation"


def utc(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=timezone.utc)


@pytest.fixture()
def sessions(tmp_path: Path) -> Iterator[sessionmaker]:
    engine = make_engine(f"sqlite:///{tmp_path / 'dashboard.db'}")
    create_schema(engine)
    yield make_session_factory(engine)
    engine.dispose()


def conversation(
    session: Session,
    conversation_id: str,
    at: datetime,
    wrote: bool = True,
    agent_messages: tuple[datetime, ...] = (),
) -> None:
    session.add(
        Conversation(id=conversation_id, mode=ConversationMode.BOT, created_at=at, updated_at=at)
    )
    session.add(
        Message(conversation_id=conversation_id, author=Author.BOT, text="Bonjour !", created_at=at)
    )
    if wrote:
        session.add(
            Message(conversation_id=conversation_id, author=Author.SHOPPER, text="…", created_at=at)
        )
    for moment in agent_messages:
        session.add(
            Message(
                conversation_id=conversation_id, author=Author.AGENT, text="Oui", created_at=moment
            )
        )


def handoff(
    session: Session,
    conversation_id: str,
    reason: str,
    at: datetime,
    claimed: tuple[str, datetime] | None = None,
    closed_at: datetime | None = None,
) -> None:
    session.add(
        Handoff(
            conversation_id=conversation_id,
            reason=reason,
            note={},
            created_at=at,
            due_at=at + timedelta(hours=1),
            claimed_by=claimed[0] if claimed else None,
            claimed_at=claimed[1] if claimed else None,
            closed_at=closed_at,
        )
    )


def turn(
    session: Session,
    at: datetime,
    intent: str | None,
    doubt: str | None = None,
    text: str = "…",
    faq_entry: str | None = None,
    next_step: str | None = None,
) -> None:
    session.add(
        BotTurn(
            conversation_id="rest-user",
            text=text,
            intent=intent,
            faq_entry=faq_entry,
            entities=[],
            actions=[],
            doubt=doubt,
            next_step=next_step,
            created_at=at,
        )
    )


def rating(
    session: Session, conversation_id: str, at: datetime, score: int, topic: str | None = None
) -> None:
    kind = "answer" if topic else "agent"
    session.add(
        Feedback(
            conversation_id=conversation_id, kind=kind, score=score, topic=topic, created_at=at
        )
    )


@pytest.fixture()
def shop_week(sessions: sessionmaker) -> sessionmaker:
    with session_scope(sessions) as s:
        s.add(
            Agent(username="louise", password_hash="x", display_name="Louise", created_at=utc(1, 0))
        )
        # Sunday 22 at 00:30 in Paris (still Saturday in UTC): the period's first conversation.
        conversation(s, "A", utc(21, 23, 30))
        # Saturday 21 at 23:59 in Paris: the day before the period.
        conversation(s, "before", utc(21, 22, 59))
        handoff(s, "before", "fallback", utc(21, 22, 59))
        # Monday 23 at 00:30 in Paris; an agent message before the handoff is no reply to it.
        conversation(s, "B", utc(22, 23, 30), agent_messages=(utc(23, 8, 50), utc(23, 9, 5)))
        handoff(s, "B", "fallback", utc(23, 9), ("louise", utc(23, 9, 10)), utc(23, 9, 50))
        conversation(s, "C", utc(23, 10), agent_messages=(utc(23, 10, 3),))
        handoff(
            s, "C", "shopper_request", utc(23, 10, 1), ("louise", utc(23, 10, 2)), utc(23, 10, 32)
        )
        conversation(s, "D", utc(24, 9), agent_messages=(utc(24, 9, 20),))
        handoff(s, "D", "shopper_request", utc(24, 9), ("marc", utc(24, 9, 20)))
        conversation(s, "E", utc(24, 12))
        handoff(s, "E", "policy", utc(24, 12))
        conversation(s, "opened-only", utc(24, 13), wrote=False)
        # Wednesday 25 at 00:00 in Paris: the day after the period.
        conversation(s, "after", utc(24, 23))

        turn(s, utc(21, 23, 10), "greet")
        turn(
            s, utc(23, 10), "track_order", "fallback", "Je suis Marie Dupont, ma commande 482913 ??"
        )
        turn(
            s,
            utc(23, 10, 5),
            "track_order",
            "fallback",
            "je suis Marie Dupont ma commande 123456??",
        )
        turn(s, utc(24, 9), None, "fallback", "zzz   quoi")
        turn(s, utc(24, 9, 30), "faq", faq_entry="sav_reclamation")
        turn(s, utc(24, 9, 31), "faq", "low_confidence", faq_entry="sav_reclamation")
        turn(s, utc(24, 9, 32), "track_order", "ambiguous", faq_entry="sav_reclamation")
        turn(s, utc(24, 23), None, "fallback", "hors période")

        rating(s, "B", utc(23, 10), 1, "track_order")
        rating(s, "B", utc(23, 10, 1), -1, "track_order")
        rating(s, "C", utc(24, 9), 1, FAQ)
        rating(s, "C", utc(24, 9, 1), 1, FAQ)
        rating(s, "C", utc(23, 11), 5)
        rating(s, "D", utc(24, 10), 2)
        rating(s, "A", utc(21, 22), 1, FAQ)  # Saturday in Paris: outside
    return sessions


def figures_of(
    sessions: sessionmaker, granularity: Granularity = Granularity.DAY
) -> DashboardFigures:
    period = Period(date(2026, 11, 22), date(2026, 11, 24), PARIS, granularity)
    with session_scope(sessions) as s:
        return dashboard(s, period)


def test_conversations_are_counted_on_the_shops_local_day(shop_week: sessionmaker) -> None:
    figures = figures_of(shop_week)
    assert [(d.first_day.day, d.conversations, d.contained) for d in figures.daily] == [
        (22, 1, 1),
        (23, 2, 0),
        (24, 2, 0),
    ]
    totals = figures.totals
    assert (totals.conversations, totals.contained, totals.handed_off) == (5, 1, 4)
    assert totals.containment_rate == pytest.approx(0.2)
    assert totals.handoff_rate == pytest.approx(0.8)


def test_handoff_reasons_are_those_of_the_periods_conversations(shop_week: sessionmaker) -> None:
    assert figures_of(shop_week).handoff_reasons == (
        ("shopper_request", 2),
        ("fallback", 1),
        ("policy", 1),
    )


def test_fallback_rate_is_the_share_of_bot_turns_not_understood(shop_week: sessionmaker) -> None:
    figures = figures_of(shop_week)
    assert [(d.turns, d.fallback_turns) for d in figures.daily] == [(1, 0), (2, 2), (4, 1)]
    assert figures.totals.fallback_rate == pytest.approx(3 / 7)
    assert figures.daily[0].fallback_rate == 0


def test_top_topics_put_faq_entries_and_the_fallback_apart(shop_week: sessionmaker) -> None:
    assert figures_of(shop_week).top_topics == (
        ("nlu_fallback", 3),
        (FAQ, 2),
        ("greet", 1),
        ("track_order", 1),
    )


def test_unanswered_questions_are_redacted_and_grouped(shop_week: sessionmaker) -> None:
    assert figures_of(shop_week).not_understood == (
        Unanswered(
            "Je suis [nom], ma commande [n° de commande] ??",
            2,
            ("je suis [nom] ma commande [n° de commande]??",),
        ),
        Unanswered("zzz quoi", 1),
    )


def test_a_message_erased_at_the_shoppers_request_is_no_unanswered_question(
    shop_week: sessionmaker,
) -> None:
    with session_scope(shop_week) as s:
        turn(s, utc(24, 10), None, "fallback", ERASED)
        turn(s, utc(24, 10, 1), None, "fallback", ERASED)
    assert [u.text for u in figures_of(shop_week).not_understood] == [
        "Je suis [nom], ma commande [n° de commande] ??",
        "zzz quoi",
    ]


def test_satisfaction_per_topic_and_for_agents(shop_week: sessionmaker) -> None:
    figures = figures_of(shop_week)
    assert [(r.topic, r.up, r.down, r.up_rate) for r in figures.answer_topics] == [
        (FAQ, 2, 0, 1.0),
        ("track_order", 1, 1, 0.5),
    ]
    totals = figures.totals
    assert (totals.thumbs_up, totals.thumbs_down, totals.thumbs_up_rate) == (3, 1, 0.75)
    assert (totals.agent_ratings, totals.agent_average) == (2, 3.5)
    assert [(d.thumbs_up, d.thumbs_down, d.agent_average) for d in figures.daily] == [
        (0, 0, None),
        (1, 1, 5.0),
        (2, 0, 2.0),
    ]


def test_first_agent_reply_median_and_p90(shop_week: sessionmaker) -> None:
    # Handoffs of the period: B 5 min (not the message before it), C 2 min, D 20 min, E none.
    assert figures_of(shop_week).first_reply == Durations(
        count=3, pending=1, median=timedelta(minutes=5), p90=timedelta(minutes=20)
    )


def test_agents_handling_time_and_conversations(shop_week: sessionmaker) -> None:
    louise, marc = figures_of(shop_week).agents
    assert (louise.name, louise.conversations, louise.handling.count) == ("Louise", 2, 2)
    assert louise.handling.median == timedelta(minutes=35)  # 40 and 30 minutes
    assert (marc.name, marc.conversations, marc.handling.count, marc.handling.pending) == (
        "marc",
        1,
        0,
        1,
    )
    assert marc.handling.median is None


def test_weeks_run_monday_to_sunday_clipped_to_the_period(shop_week: sessionmaker) -> None:
    trend = figures_of(shop_week, Granularity.WEEK).trend
    assert [(p.first_day.day, p.last_day.day, p.conversations, p.turns) for p in trend] == [
        (22, 22, 1, 1),
        (23, 24, 4, 6),
    ]
    assert trend[1].fallback_rate == pytest.approx(3 / 6)


def test_empty_period_has_no_rate_and_no_duration(sessions: sessionmaker) -> None:
    figures = figures_of(sessions)
    totals = figures.totals
    assert totals.conversations == 0 and totals.turns == 0
    rates = (totals.containment_rate, totals.handoff_rate, totals.fallback_rate)
    assert rates == (None, None, None)
    assert (totals.thumbs_up_rate, totals.agent_average) == (None, None)
    assert figures.first_reply == Durations()
    assert figures.agents == () and figures.not_understood == () and figures.top_topics == ()
    assert [p.conversations for p in figures.trend] == [0, 0, 0]


def test_a_day_of_the_summer_time_change_has_23_hours() -> None:
    period = Period(date(2026, 3, 29), date(2026, 3, 29), PARIS)
    assert period.start == datetime(2026, 3, 28, 23, tzinfo=timezone.utc)
    assert period.end - period.start == timedelta(hours=23)


def test_week_buckets_of_a_two_week_period() -> None:
    period = Period(date(2026, 11, 18), date(2026, 12, 1), PARIS, Granularity.WEEK)
    assert period.buckets() == [
        (date(2026, 11, 18), date(2026, 11, 22)),
        (date(2026, 11, 23), date(2026, 11, 29)),
        (date(2026, 11, 30), date(2026, 12, 1)),
    ]


def test_a_period_cannot_end_before_it_starts_or_exceed_a_year() -> None:
    with pytest.raises(ValueError):
        Period(date(2026, 11, 24), date(2026, 11, 23), PARIS)
    with pytest.raises(ValueError):
        Period(date(2025, 11, 1), date(2026, 11, 24), PARIS)


def test_unanswered_groups_are_named_by_their_most_frequent_wording() -> None:
    texts = ["Où est mon colis ?", "ou est mon colis", "ou est mon colis", "autre"]
    assert top_unanswered(texts, 5, group_texts) == (
        Unanswered("ou est mon colis", 3, ("Où est mon colis ?",)),
        Unanswered("autre", 1),
    )


def test_what_shoppers_did_after_the_answers_and_who_left(sessions: sessionmaker) -> None:
    now = utc(24, 12)
    with session_scope(sessions) as session:
        for minutes_ago, step in (
            (300, "rephrased"),
            (290, "handoff"),
            (280, "thanked"),
            (270, "thanked"),
            (260, "continued"),
            (200, None),  # nothing after it for hours: the shopper left
            (31, None),  # just past the session's expiry: left too
            (10, None),  # ten minutes ago: not known yet
        ):
            turn(session, now - timedelta(minutes=minutes_ago), "faq", next_step=step)
        turn(session, utc(20, 12), "faq")  # before the period
    period = Period(date(2026, 11, 24), date(2026, 11, 24), PARIS)
    with session_scope(sessions) as session:
        figures = dashboard(session, period, now=now)
    assert figures.next_steps == (
        ("left", 2),
        ("thanked", 2),
        ("continued", 1),
        ("handoff", 1),
        ("rephrased", 1),
    )
