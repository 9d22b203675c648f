"""`make test-fast` promises no training and no server. A test that needs either fails there at
once with the reason, instead of training for minutes or slowing the lane down: it belongs in a
folder of the full run (tests/rasa_components, tests/stores, tests/nlu, tests/e2e...)."""

from __future__ import annotations

import os

FAST_LANE_ENV = "BIJOU_FAST_LANE"


def refuse_in_fast_lane(what: str) -> None:
    if os.environ.get(FAST_LANE_ENV) == "1":
        raise RuntimeError(
            f"{what} in the fast lane (make test-fast): this test belongs outside tests/unit "
            "and tests/knowledge"
        )
