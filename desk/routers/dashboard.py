"""The support lead's dashboard: what the bot handles alone, why it hands over, what shoppers
think of it, how fast people answer, and what it did not understand, for a chosen period.

Every console role may read it. The figures come from ``shop.learning.dashboard_metrics`` and are
worded by ``desk.dashboard_view``; the page draws them as server-side SVG, ``dashboard.csv``
exports the trend for Excel and ``/console/api/metrics`` returns the same figures as JSON. The
period is the last ``days`` days (7, 30 or 90 in the picker) or ``from``..``to``, in the shop's
time zone, by ``granularity`` day or week.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, JSONResponse, Response

from desk import charts, dashboard_view
from desk.deps import Desk, console_page, reading, reading_page, the_desk
from desk.security import AgentSession
from shop.learning.dashboard_metrics import (
    MAX_DAYS,
    DashboardFigures,
    Granularity,
    Period,
    dashboard,
)
from shop.voice import say_to_agent

router = APIRouter(prefix="/console")

PRESETS = (7, 30, 90)
DEFAULT_DAYS = 30
DIGITS = re.compile(r"[0-9]{1,4}")
FIRST_YEAR, LAST_YEAR = 2000, 2100
GRANULARITIES = {"day": Granularity.DAY, "week": Granularity.WEEK}


class PeriodError(ValueError):
    """A period the dashboard cannot show, with the French sentence that says why."""


def _day(value: str, which: str) -> date:
    """``which`` date of the period it is, ``start`` or ``end``, as its refusals name it."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise PeriodError(say_to_agent(f"dashboard_period.date_format.{which}")) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise PeriodError(
            say_to_agent(
                f"dashboard_period.date_range.{which}", first_year=FIRST_YEAR, last_year=LAST_YEAR
            )
        )
    return day


def choose_period(
    today: date,
    desk: Desk,
    days: str | None,
    start: str | None,
    end: str | None,
    granularity: str | None,
) -> Period:
    """The period asked for; ``PeriodError`` for anything that does not make one."""
    grain = GRANULARITIES.get((granularity or "day").strip())
    if grain is None:
        raise PeriodError(say_to_agent("dashboard_period.granularity"))
    zone = desk.profile.tz
    if start or end:
        last = _day(end, "end") if end else today
        first = _day(start, "start") if start else last - timedelta(days=DEFAULT_DAYS - 1)
        if last < first:
            raise PeriodError(say_to_agent("dashboard_period.end_before_start"))
        if (last - first).days >= MAX_DAYS:
            raise PeriodError(say_to_agent("dashboard_period.too_long", max_days=MAX_DAYS))
        return Period(first, last, zone, grain)
    count = (days or str(DEFAULT_DAYS)).strip()
    if not DIGITS.fullmatch(count) or not 1 <= int(count) <= MAX_DAYS:
        raise PeriodError(say_to_agent("dashboard_period.days", max_days=MAX_DAYS))
    return Period.last_days(today, int(count), zone, grain)


class _Params:
    """The period's query parameters, shared by the page, the CSV and the JSON."""

    def __init__(
        self,
        days: str | None = Query(None, max_length=20),
        start: str | None = Query(None, alias="from", max_length=20),
        end: str | None = Query(None, alias="to", max_length=20),
        granularity: str | None = Query(None, max_length=20),
    ) -> None:
        self.days, self.start, self.end, self.granularity = days, start, end, granularity

    def period(self, desk: Desk) -> Period:
        today = desk.clock.now().astimezone(desk.profile.tz).date()
        return choose_period(today, desk, self.days, self.start, self.end, self.granularity)

    def form(self) -> dict[str, str]:
        return {
            "days": self.days or "",
            "from": self.start or "",
            "to": self.end or "",
            "granularity": self.granularity or "day",
        }


async def _titles(desk: Desk) -> dict[str, str]:
    """FAQ entry titles by id."""
    return dict((await run_in_threadpool(desk.choices.get)).faq_entries)


async def _figures(desk: Desk, period: Period) -> DashboardFigures:
    return await desk.service.db(lambda s: dashboard(s, period, now=desk.clock.now()))


def _period_or_400(params: _Params, desk: Desk) -> Period:
    try:
        return params.period(desk)
    except PeriodError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard_page(
    request: Request,
    params: _Params = Depends(),
    agent: AgentSession = Depends(reading_page),
    desk: Desk = Depends(the_desk),
) -> Response:
    context: dict[str, Any] = {"form": params.form(), "presets": PRESETS}
    try:
        period = params.period(desk)
    except PeriodError as error:
        return console_page(request, agent, "dashboard.html", 400, error=str(error), **context)
    figures = await _figures(desk, period)
    titles = await _titles(desk)
    view = dashboard_view.page_context(figures, titles)
    context.update(
        view=view,
        chosen=_chosen(params, period),
        csv_query=_query(period),
        charts=_charts(figures, view),
    )
    return console_page(request, agent, "dashboard.html", **context)


def _chosen(params: _Params, period: Period) -> dict[str, Any]:
    """What the picker shows as selected: a preset (when no dates were typed) and the dates."""
    preset = None if (params.start or params.end) else period.days
    return {
        "preset": preset,
        "from": period.first_day.isoformat(),
        "to": period.last_day.isoformat(),
        "granularity": period.granularity.value,
    }


def _query(period: Period) -> str:
    return (
        f"from={period.first_day.isoformat()}&to={period.last_day.isoformat()}"
        f"&granularity={period.granularity.value}"
    )


def _charts(figures: DashboardFigures, view: dict[str, Any]) -> dict[str, str]:
    trend = view["trend"]
    labels = [point["label"] for point in trend]
    unit = figures.period.granularity.value  # day or week: the charts' titles name it
    return {
        "conversations": charts.column_chart(
            say_to_agent(f"dashboard_chart.conversations.{unit}"),
            [(p["label"], p["conversations"]) for p in trend],
        ),
        "rates": charts.percent_line_chart(
            say_to_agent(f"dashboard_chart.trend.{unit}"),
            labels,
            [
                charts.Line(
                    say_to_agent("dashboard_chart.contained"),
                    "#8a5a2b",
                    [p["containment_rate"] for p in trend],
                ),
                charts.Line(
                    say_to_agent("dashboard_chart.not_understood"),
                    "#a40e26",
                    [p["fallback_rate"] for p in trend],
                    dash="6 4",
                ),
                charts.Line(
                    say_to_agent("dashboard_chart.useful_answers"),
                    "#2f5b86",
                    [p["thumbs_up_rate"] for p in trend],
                    dash="2 3",
                ),
            ],
        ),
        "reasons": charts.bar_chart(
            say_to_agent("dashboard_chart.handoff_reasons"), view["reasons"]
        ),
        "next_steps": charts.bar_chart(
            say_to_agent("dashboard_chart.next_steps"), view["next_steps"]
        ),
        "intents": charts.bar_chart(say_to_agent("dashboard_chart.top_topics"), view["intents"]),
    }


@router.get("/dashboard.csv")
async def dashboard_csv(
    params: _Params = Depends(),
    agent: AgentSession = Depends(reading),
    desk: Desk = Depends(the_desk),
) -> Response:
    period = _period_or_400(params, desk)
    figures = await _figures(desk, period)
    name = f"tableau-de-bord_{period.first_day.isoformat()}_{period.last_day.isoformat()}.csv"
    return Response(
        dashboard_view.as_csv(figures),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/api/metrics")
async def metrics_api(
    params: _Params = Depends(),
    agent: AgentSession = Depends(reading),
    desk: Desk = Depends(the_desk),
) -> JSONResponse:
    period = _period_or_400(params, desk)
    figures = await _figures(desk, period)
    titles = await _titles(desk)
    return JSONResponse(dashboard_view.as_json(figures, titles))
