"""``python -m desk``: serve the desk with uvicorn, on loopback unless DESK_HOST says otherwise.

WebSockets use uvicorn's wsproto implementation: Rasa 3.6 pins ``websockets`` 10.x, too old for
the implementation uvicorn picks by default. uvicorn's own proxy-header handling stays off: the
app applies ``DESK_TRUSTED_PROXIES`` itself (``desk.app``). Every log line is masked by
``shop.log_privacy`` (conversation ids in the access lines included).
"""

from __future__ import annotations

import copy
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from desk.app import create_app
from desk.settings import Settings
from shop import log_privacy


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration; the desk's own loggers (warnings and errors) write
    through its default handler."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["root"] = {"handlers": ["default"], "level": "WARNING"}
    return config


def main() -> None:
    log_privacy.install()  # no e-mail, order number, phone number or conversation id in any line
    settings = Settings.from_env()
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        proxy_headers=False,
        log_level="info",
        log_config=log_config(),
        access_log=settings.access_log,
        ws="wsproto",
    )


if __name__ == "__main__":
    main()
