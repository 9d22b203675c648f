"""Rasa's own conversation tests: `rasa test core --fail-on-prediction-errors` on the test
stories beside this file (journeys' happy paths, digressions inside a form, closings).

The intents are given by the stories and no custom action runs: what is checked is that the
trained dialogue policies predict every action of every story. Whole conversations through the
real servers are in tests/e2e/.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from devtools.servers import ROOT, model_path

pytestmark = pytest.mark.stories

STORIES = Path(__file__).resolve().parent


def test_every_story_is_predicted_action_by_action() -> None:
    out = ROOT / ".var" / "reports" / "stories"
    result = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "rasa"),
            "test",
            "core",
            "--model",
            str(model_path()),
            "--stories",
            str(STORIES),
            "--out",
            str(out),
            "--fail-on-prediction-errors",
            "--no-plot",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
        check=False,
    )
    failed = out / "failed_test_stories.yml"
    details = failed.read_text(encoding="utf-8") if failed.exists() else result.stderr[-4000:]
    assert result.returncode == 0, details
