"""The dashboard's figures as people read them: French numbers, labels, the CSV and the JSON.

One read model for the page, the CSV export and ``/console/api/metrics``, so the three always
agree. French formats: « 42 % », « 3 min 20 s », « 4,3 / 5 ». The CSV is what a French Excel
opens by a double click: UTF-8 with a byte-order mark, ``;`` between fields, a decimal comma,
rates in percent with one decimal, ISO dates, and an empty cell where a rate has nothing to
divide.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

from desk.handoff import reason_label
from shop.learning.choices import INTENT_DESCRIPTIONS
from shop.learning.dashboard_metrics import (
    FALLBACK_TOPIC,
    FAQ_INTENT,
    FAQ_PREFIX,
    DashboardFigures,
    Durations,
    Granularity,
    Tally,
    TopicRating,
)
from shop.voice import agent_labels, say_to_agent
from shop.voice.french import format_count, format_percent

NONE = "—"
NBSP = "\u00a0"
FALLBACK_LABEL = say_to_agent("dashboard_figure.not_understood")
FAQ_LABEL = say_to_agent("dashboard_figure.faq_question")
CSV_COLUMNS = tuple(agent_labels("dashboard_csv_column").values())  # in the catalogue's order

# What the shopper did after an answer of the bot (``shop.store.learning.NextStep``).
NEXT_STEP_LABELS = agent_labels("next_step")


def percent(rate: float | None) -> str:
    return NONE if rate is None else format_percent(rate)


def average(value: float | None) -> str:
    return NONE if value is None else f"{_decimal(value)}{NBSP}/{NBSP}5"


def duration(span: timedelta | None) -> str:
    """« 45 s », « 3 min 20 s », « 2 h 05 », « 3 j 4 h »."""
    if span is None:
        return NONE
    seconds = round(span.total_seconds())
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    days, hour = divmod(hours, 24)
    if days:
        return f"{days}{NBSP}j {hour}{NBSP}h"
    if hours:
        return f"{hours}{NBSP}h{NBSP}{minute:02d}"
    if minutes:
        return f"{minutes}{NBSP}min {second}{NBSP}s" if second else f"{minutes}{NBSP}min"
    return f"{second}{NBSP}s"


def short_day(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}"


def point_label(point: Tally, granularity: Granularity) -> str:
    if granularity == Granularity.DAY:
        return short_day(point.first_day)
    return say_to_agent("dashboard_figure.week_of", day=short_day(point.first_day))


def long_day(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def topic_label(topic: str, titles: dict[str, str]) -> str:
    """The editors' words for an intent, an FAQ entry's title, « Non compris »."""
    if topic == FALLBACK_TOPIC:
        return FALLBACK_LABEL
    if topic == FAQ_INTENT:
        return FAQ_LABEL
    if topic.startswith(FAQ_PREFIX):
        entry = topic[len(FAQ_PREFIX) :]
        return say_to_agent("dashboard_figure.faq_entry", title=titles.get(entry, entry))
    return INTENT_DESCRIPTIONS.get(topic, topic)


def _rating_row(rating: TopicRating, titles: dict[str, str]) -> dict[str, Any]:
    return {
        "topic": rating.topic,
        "label": topic_label(rating.topic, titles),
        "up": rating.up,
        "down": rating.down,
        "up_rate": rating.up_rate,
        "up_share": percent(rating.up_rate),
    }


def _durations(span: Durations) -> dict[str, Any]:
    return {
        "count": span.count,
        "pending": span.pending,
        "median_s": None if span.median is None else span.median.total_seconds(),
        "p90_s": None if span.p90 is None else span.p90.total_seconds(),
        "median": duration(span.median),
        "p90": duration(span.p90),
    }


def _point(point: Tally, granularity: Granularity) -> dict[str, Any]:
    return {
        "start": point.first_day.isoformat(),
        "end": point.last_day.isoformat(),
        "label": point_label(point, granularity),
        "conversations": point.conversations,
        "contained": point.contained,
        "handed_off": point.handed_off,
        "containment_rate": point.containment_rate,
        "turns": point.turns,
        "fallback_turns": point.fallback_turns,
        "fallback_rate": point.fallback_rate,
        "thumbs_up": point.thumbs_up,
        "thumbs_down": point.thumbs_down,
        "thumbs_up_rate": point.thumbs_up_rate,
        "agent_ratings": point.agent_ratings,
        "agent_average": point.agent_average,
    }


def as_json(figures: DashboardFigures, titles: dict[str, str]) -> dict[str, Any]:
    """Every figure, numbers as numbers (rates from 0 to 1, durations in seconds)."""
    period, totals = figures.period, figures.totals
    ratings = [_rating_row(r, titles) for r in figures.answer_topics]
    return {
        "from": period.first_day.isoformat(),
        "to": period.last_day.isoformat(),
        "days": period.days,
        "granularity": period.granularity.value,
        "per_day": [
            {"day": d.first_day.isoformat(), "conversations": d.conversations}
            for d in figures.daily
        ],
        "conversations": totals.conversations,
        "handed_off": totals.handed_off,
        "contained": totals.contained,
        "containment_rate": totals.containment_rate,
        "handoff_rate": totals.handoff_rate,
        "handoff_reasons": dict(figures.handoff_reasons),
        "next_steps": dict(figures.next_steps),
        "classified_messages": totals.turns,
        "fallback_messages": totals.fallback_turns,
        "fallback_rate": totals.fallback_rate,
        "top_intents": [{"intent": i, "count": n} for i, n in figures.top_topics],
        "not_understood": [
            {"text": u.text, "count": u.count, "examples": list(u.examples)}
            for u in figures.not_understood
        ],
        "satisfaction": {
            "thumbs_up": totals.thumbs_up,
            "thumbs_down": totals.thumbs_down,
            "thumbs_up_rate": totals.thumbs_up_rate,
            "per_intent": [r for r in ratings if not r["topic"].startswith(FAQ_PREFIX)],
            "per_faq_entry": [r for r in ratings if r["topic"].startswith(FAQ_PREFIX)],
            "agent_ratings": totals.agent_ratings,
            "agent_average": totals.agent_average,
        },
        "first_agent_reply": _durations(figures.first_reply),
        "agents": [
            {
                "username": w.username,
                "name": w.name,
                "conversations": w.conversations,
                "closed": w.handling.count,
                "handling": _durations(w.handling),
            }
            for w in figures.agents
        ],
        "trend": [_point(p, period.granularity) for p in figures.trend],
    }


def page_context(figures: DashboardFigures, titles: dict[str, str]) -> dict[str, Any]:
    """What the template lays out: the JSON's figures plus their French wording."""
    data = as_json(figures, titles)
    totals = figures.totals
    data["text"] = {
        "conversations": format_count(totals.conversations),
        "containment": percent(totals.containment_rate),
        "handoff_rate": percent(totals.handoff_rate),
        "fallback_rate": percent(totals.fallback_rate),
        "thumbs_up_rate": percent(totals.thumbs_up_rate),
        "agent_average": average(totals.agent_average),
        "period": say_to_agent(
            "dashboard_figure.period",
            first_day=long_day(figures.period.first_day),
            last_day=long_day(figures.period.last_day),
        ),
    }
    data["reasons"] = [(reason_label(r), n) for r, n in figures.handoff_reasons]
    data["next_steps"] = [(NEXT_STEP_LABELS.get(s, s), n) for s, n in figures.next_steps]
    data["intents"] = [(topic_label(t, titles), n) for t, n in figures.top_topics]
    for point in data["trend"]:
        point["text"] = {
            "containment": percent(point["containment_rate"]),
            "fallback": percent(point["fallback_rate"]),
            "thumbs_up": percent(point["thumbs_up_rate"]),
            "agent_average": average(point["agent_average"]),
        }
    return data


def _decimal(value: float | None, scale: float = 1.0) -> str:
    return "" if value is None else f"{value * scale:.1f}".replace(".", ",")


def _percent_cell(rate: float | None) -> str:
    return _decimal(rate, 100)


def as_csv(figures: DashboardFigures) -> bytes:
    """One row per day or week with every series, for a French Excel."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for p in figures.trend:
        writer.writerow(
            (
                p.first_day.isoformat(),
                p.last_day.isoformat(),
                p.conversations,
                p.contained,
                p.handed_off,
                _percent_cell(p.containment_rate),
                p.turns,
                p.fallback_turns,
                _percent_cell(p.fallback_rate),
                p.thumbs_up,
                p.thumbs_down,
                _percent_cell(p.thumbs_up_rate),
                p.agent_ratings,
                _decimal(p.agent_average),
            )
        )
    return out.getvalue().encode("utf-8-sig")
