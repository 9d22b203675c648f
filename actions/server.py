"""Start the action server on loopback only, answering the Rasa server alone.

rasa_sdk's own CLI binds 0.0.0.0, answers any caller, and its 500 handler returns the request
(the whole tracker). Any local process could otherwise post a forged tracker (any order number
and e-mail in its slots) and use the actions as an oracle, so every request but ``/health``
must carry the token Rasa sends (``?token=``, from ``action_endpoint.token`` in the endpoints
file written by scripts/write_endpoints.py).
"""

from __future__ import annotations

import hmac
import logging

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions import faq
from actions.common import replay_kept_requests_at_start
from shop import assistant, log_privacy
from shop.gc_pauses import set_aside_startup_objects
from shop.private_files import actions_token
from shop.settings import current_settings

logger = logging.getLogger("actions.server")
OPEN_PATHS = frozenset({"/health"})


def build_app(token: str) -> Sanic:
    """rasa_sdk's app, refusing (401) every request without ``token`` but the health check."""
    app = create_app("actions", cors_origins=None)
    expected = token.encode()

    @app.middleware("request")
    async def only_the_rasa_server(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        given = str(request.args.get("token", "")).encode()
        if hmac.compare_digest(given, expected):
            return None
        return response.json({"error": "unauthorized"}, status=401)

    @app.exception(Exception)
    async def contained_error(request: Request, exception: Exception) -> HTTPResponse:
        logger.error("action request failed: %s", type(exception).__name__)
        return response.json({"error": "internal error"}, status=500)

    return app


def main() -> None:
    log_privacy.install()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    refusal = assistant.profile_refusal()  # refuse to start on a broken shop profile
    if refusal is not None:
        logger.error("shop profile refused: %s", refusal)
        raise SystemExit(2)
    faq.warm_up()
    replay_kept_requests_at_start()
    settings = current_settings()
    host, port = settings.actions_host, settings.actions_port
    app = build_app(actions_token())
    set_aside_startup_objects("action server")  # no full garbage collection walks them again
    logger.info("action server on http://%s:%d", host, port)
    app.run(host, port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
