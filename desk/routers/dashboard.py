"""The dashboard: how much the bot handles alone, why it hands over, what it did not understand.

The figures come from the desk's own records (``conversation_repository.metrics``), drawn as
server-side SVG; ``/console/api/metrics`` returns the same numbers as JSON.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import HTMLResponse, Response

from desk import charts
from desk.deps import Desk, current_agent, get_desk, page_agent
from desk.handoff import reason_label
from desk.security import AgentSession
from shop.store import conversation_repository as repo

router = APIRouter(prefix="/console")


async def _metrics(desk: Desk, days: int) -> repo.DeskMetrics:
    return await desk.service.db(lambda s: repo.metrics(s, desk.clock.now(), days, desk.profile.tz))


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f} %".replace(".", ",")


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard_page(
    request: Request,
    days: int = Query(14, ge=1, le=90),
    agent: AgentSession = Depends(page_agent),
    desk: Desk = Depends(get_desk),
) -> Response:
    figures = await _metrics(desk, days)
    per_day = [(f"{day.day:02d}/{day.month:02d}", count) for day, count in figures.per_day]
    reasons = [(reason_label(reason), count) for reason, count in figures.handoff_reasons]
    return desk.templates.TemplateResponse(
        "dashboard.html",
        {
            "request": request,
            "agent": agent,
            "csrf": agent.csrf,
            "days": days,
            "figures": figures,
            "containment": _percent(figures.containment_rate),
            "handoff_rate": _percent(figures.handoff_rate),
            "fallback_rate": _percent(figures.fallback_rate),
            "per_day_chart": charts.column_chart("Conversations par jour", per_day),
            "reasons_chart": charts.bar_chart("Motifs de transfert", reasons),
            "intents_chart": charts.bar_chart(
                "Intentions les plus fréquentes", figures.top_intents
            ),
        },
    )


@router.get("/api/metrics")
async def metrics_api(
    days: int = Query(14, ge=1, le=90),
    agent: AgentSession = Depends(current_agent),
    desk: Desk = Depends(get_desk),
) -> dict[str, Any]:
    figures = await _metrics(desk, days)
    return {
        "days": days,
        "per_day": [{"day": day.isoformat(), "conversations": n} for day, n in figures.per_day],
        "conversations": figures.conversations,
        "handed_off": figures.handed_off,
        "contained": figures.contained,
        "containment_rate": figures.containment_rate,
        "handoff_rate": figures.handoff_rate,
        "handoff_reasons": dict(figures.handoff_reasons),
        "classified_messages": figures.classified_messages,
        "fallback_messages": figures.fallback_messages,
        "fallback_rate": figures.fallback_rate,
        "top_intents": [{"intent": i, "count": n} for i, n in figures.top_intents],
        "not_understood": [{"text": t, "count": n} for t, n in figures.not_understood],
    }
