"""Wait until the Rasa server (model loaded), the action server and the desk answer, or fail
clearly."""

from __future__ import annotations

import os
import sys
import time

import httpx

TIMEOUT_S = float(os.environ.get("READY_TIMEOUT_S", "240"))


def ready(url: str, check_model: bool) -> bool:
    try:
        response = httpx.get(url, timeout=2.0)
    except httpx.HTTPError:
        return False
    if response.status_code != 200:
        return False
    return not check_model or bool(response.json().get("model_file"))


def main() -> int:
    rasa = f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}"
    token = os.environ.get("RASA_TOKEN", "")
    actions = f"http://127.0.0.1:{os.environ.get('ACTIONS_PORT', '5055')}/health"
    desk = f"http://127.0.0.1:{os.environ.get('DESK_PORT', '8000')}/healthz"
    deadline = time.monotonic() + TIMEOUT_S
    started = time.monotonic()
    while time.monotonic() < deadline:
        if (
            ready(actions, False)
            and ready(desk, False)
            and ready(f"{rasa}/status?token={token}", True)
        ):
            print(f"==> servers ready after {time.monotonic() - started:.0f} s")
            return 0
        time.sleep(0.5)
    print(f"error: servers not ready after {TIMEOUT_S:.0f} s; see .var/logs/", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
