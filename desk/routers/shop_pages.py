"""The demo jeweller's pages served by the desk: a shop page embedding the widget, its privacy page.

They show how a real shop embeds the assistant: one script tag, nothing else.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse, Response

from desk.deps import Desk, the_desk

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def shop_page(request: Request, desk: Desk = Depends(the_desk)) -> Response:
    desk_url = str(request.base_url).rstrip("/")
    return desk.templates.TemplateResponse("shop.html", {"request": request, "desk_url": desk_url})


@router.get("/confidentialite", response_class=HTMLResponse)
def privacy_page(request: Request, desk: Desk = Depends(the_desk)) -> Response:
    return desk.templates.TemplateResponse(
        "privacy.html", {"request": request, "profile": desk.profile}
    )


@router.get("/healthz")
def health() -> dict[str, str]:
    return {"status": "ok"}
