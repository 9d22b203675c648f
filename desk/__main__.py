"""``python -m desk``: serve the desk with uvicorn, on loopback unless DESK_HOST says otherwise.

WebSockets use uvicorn's wsproto implementation: Rasa 3.6 pins ``websockets`` 10.x, too old for
the implementation uvicorn picks by default. uvicorn's own proxy-header handling stays off: the
app applies ``DESK_TRUSTED_PROXIES`` itself (``desk.app``). Every log line is masked by
``shop.log_privacy`` (conversation ids in the access lines included).
"""

from __future__ import annotations

import copy
import logging.config
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from desk.app import create_app
from desk.settings import Settings
from shop import log_privacy
from shop.gc_pauses import set_aside_startup_objects


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration; the desk's own loggers (warnings and errors, and the
    startup objects set aside) write through its default handler."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["root"] = {"handlers": ["default"], "level": "WARNING"}
    config["loggers"]["shop.gc_pauses"] = {"level": "INFO"}  # one line at start
    return config


def main() -> None:
    log_privacy.install()  # no e-mail, order number, phone number or conversation id in any line
    settings = Settings.from_env()
    logging_config = log_config()
    logging.config.dictConfig(logging_config)  # uvicorn applies it too, once it runs
    app = create_app(settings)
    set_aside_startup_objects("desk")  # no full garbage collection walks them again
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        proxy_headers=False,
        log_level="info",
        log_config=logging_config,
        access_log=settings.access_log,
        ws="wsproto",
    )


if __name__ == "__main__":
    main()
