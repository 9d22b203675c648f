"""``python -m desk``: serve the desk with uvicorn, on loopback unless DESK_HOST says otherwise.

WebSockets use uvicorn's wsproto implementation: Rasa 3.6 pins ``websockets`` 10.x, too old for
the implementation uvicorn picks by default. uvicorn's own proxy-header handling stays off: the
app applies ``DESK_TRUSTED_PROXIES`` itself (``desk.app``), and the log lines never carry a
conversation id (``desk.logs``).
"""

from __future__ import annotations

import uvicorn

from desk.app import create_app
from desk.logs import log_config
from desk.settings import Settings
from shop import log_privacy


def main() -> None:
    log_privacy.install()  # no e-mail, order number or phone number in any log line
    settings = Settings.from_env()
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        proxy_headers=False,
        log_level="info",
        log_config=log_config(),
        ws="wsproto",
    )


if __name__ == "__main__":
    main()
