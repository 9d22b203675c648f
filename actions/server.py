"""Start the action server on loopback only, without rasa_sdk's tracker-echoing error body.

rasa_sdk's own CLI binds 0.0.0.0 and its 500 handler returns the request (the whole tracker).
The action server has no authentication, so it must only be reachable from the Rasa server.
"""

from __future__ import annotations

import logging
import os

from rasa_sdk.endpoint import create_app
from sanic import response

from actions import faq
from shop import assistant
from shop.policy.profile import ProfileError

logger = logging.getLogger("actions.server")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        assistant.context_from_env()  # refuse to start on a broken shop profile
    except ProfileError as error:
        logger.error("shop profile refused: %s", error)
        raise SystemExit(2) from error
    faq.warm_up()
    host = os.environ.get("ACTIONS_HOST", "127.0.0.1")
    port = int(os.environ.get("ACTIONS_PORT", "5055"))
    app = create_app("actions", cors_origins=None)

    @app.exception(Exception)
    async def contained_error(request, exception):  # type: ignore[no-untyped-def]
        logger.error("action request failed: %s", type(exception).__name__)
        return response.json({"error": "internal error"}, status=500)

    logger.info("action server on http://%s:%d", host, port)
    app.run(host, port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
