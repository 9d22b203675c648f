"""``create_app(settings)``: the desk as one FastAPI application, wired from its settings.

Everything stateful (database engine, Rasa client, notifier, canned answers) hangs off
``app.state.desk`` so that two apps (tests, a restart) never share anything but the database.
On start-up the desk creates its tables and, on a fresh database, a demo agent account; it
applies the retention periods then and every 24 hours after (``desk.retention``).
Behind a reverse proxy listed in ``DESK_TRUSTED_PROXIES`` the desk believes its
X-Forwarded-For and X-Forwarded-Proto headers (the shopper's address for the limits, https for
the console cookie's Secure flag); from anyone else those headers are ignored.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.responses import JSONResponse, RedirectResponse, Response
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from desk import errors
from desk import retention as retention_job
from desk.bootstrap import ensure_demo_agent, prepare_database
from desk.canned import CannedAnswers
from desk.deps import Desk, PageForbidden, console_page
from desk.headers import SecurityHeaders
from desk.limits import HandoffLimitedRasaClient, HandoffRefusal, ShopperLimits
from desk.notifier import Notifier
from desk.platform_worker import DeliveryWorker
from desk.recovery import Recovery
from desk.routers import (
    accounts,
    console,
    dashboard,
    platform_webhooks,
    review,
    shop_pages,
    widget,
)
from desk.security import LoginRequired, Signer
from desk.service import DeskService, Unavailable
from desk.settings import Settings
from desk.shopper_access import TOKEN_HEADER, client_pseudonym
from shop.clock import clock_from_env
from shop.learning.choices import LiveChoices
from shop.policy.profile import load_profile, resolve_profile_path
from shop.privacy.retention import RetentionSettings
from shop.store.db import REPO_ROOT, make_engine, make_session_factory

HERE = Path(__file__).resolve().parent


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    sessions = make_session_factory(engine)
    clock = clock_from_env()
    profile = load_profile(resolve_profile_path(settings.shop_profile))
    limits = ShopperLimits.from_settings(settings)
    signer = Signer(settings.secret_key)
    relay = HandoffLimitedRasaClient(
        settings.rasa_url,
        settings.rasa_token,
        settings.rasa_timeout_s,
        limits,
        HandoffRefusal(profile.contact.phone),
        pseudonym=lambda address: client_pseudonym(signer, address),
    )
    notifier = Notifier(settings.redis_url)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    retention = RetentionSettings.from_env()
    templates.env.globals.update(shop_name=profile.display_name, retention=retention)
    desk = Desk(
        settings=settings,
        engine=engine,
        sessions=sessions,
        clock=clock,
        profile=profile,
        relay=relay,
        notifier=notifier,
        service=DeskService(
            sessions,
            clock,
            profile,
            relay,
            notifier,
            settings.bot_outage_handoff_s,
            db_concurrency=settings.db_pool_size,
        ),
        signer=signer,
        canned=CannedAnswers(settings.knowledge_dir, profile),
        templates=templates,
        limits=limits,
        choices=LiveChoices(REPO_ROOT / "domain.yml", settings.knowledge_dir),
    )
    shop_words = platform_webhooks.shop_words(profile)
    webhooks = platform_webhooks.PlatformWebhooks(
        settings,
        sessions,
        DeliveryWorker(sessions, settings.webhook_apply_s, settings_for=shop_words),
        source_settings=shop_words,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        prepare_database(engine)
        if settings.create_demo_agent:
            ensure_demo_agent(sessions, clock, settings.var_dir)
        await notifier.start()
        daily = None
        if retention.daily_job:
            await retention_job.run_safely(sessions, clock, retention)
            daily = asyncio.create_task(retention_job.run_daily(sessions, clock, retention))
        recovering = None
        if settings.relay_retry_s > 0:
            # A claim outlives Rasa's time limit twice over before the message is sent again.
            lease_s = 2 * settings.rasa_timeout_s + 15
            recovery = Recovery(desk.service, settings.relay_retry_s, claim_lease_s=lease_s)
            recovering = asyncio.create_task(recovery.run_forever())
        applying = None
        if webhooks.enabled and settings.webhook_apply_s > 0:
            applying = asyncio.create_task(webhooks.worker.run_forever())
        try:
            yield
        finally:
            if applying is not None:
                applying.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await applying
            if recovering is not None:
                recovering.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await recovering
            if daily is not None:
                daily.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await daily
            await notifier.stop()
            await relay.aclose()
            engine.dispose()

    app = FastAPI(
        title="Bijou Assistant desk",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.desk = desk
    app.state.platform_webhooks = webhooks
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.widget_origins),
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", TOKEN_HEADER],
        allow_credentials=False,
    )
    app.add_middleware(SecurityHeaders)

    errors.install(app)

    @app.exception_handler(Unavailable)
    async def database_down(request: Request, error: Unavailable) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(PageForbidden)
    async def forbidden_page(request: Request, error: PageForbidden) -> Response:
        return console_page(request, error.session, "forbidden.html", 403, message=error.detail)

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, error: LoginRequired) -> RedirectResponse:
        return RedirectResponse(error.location, status_code=303)

    if settings.trusted_proxies:
        # Outermost, so that every layer sees the shopper's address and the https scheme.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(widget.router)
    app.include_router(console.router)
    app.include_router(dashboard.router)
    app.include_router(accounts.router)
    app.include_router(review.router)
    app.include_router(shop_pages.router)
    app.include_router(platform_webhooks.router)
    return app
