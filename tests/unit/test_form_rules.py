"""bot/data/form_rules.yml is written by scripts/write_form_rules.py: an edit by hand, or a
change to the script without running it, would train a model on rules nobody reviewed."""

from __future__ import annotations

import subprocess
import sys

from devtools.servers import ROOT


def test_the_form_rules_are_the_scripts_output() -> None:
    script = ROOT / "scripts" / "write_form_rules.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_every_form_handles_every_way_of_not_answering() -> None:
    import yaml

    rules = yaml.safe_load((ROOT / "bot" / "data" / "form_rules.yml").read_text())["rules"]
    handled: dict[str, set[str]] = {}
    for rule in rules:
        form = rule["condition"][0]["active_loop"]
        handled.setdefault(form, set()).add(rule["steps"][0]["intent"])
    assert len(handled) == 6
    for intents in handled.values():
        assert {"deny", "goodbye", "thanks", "human_handoff", "faq", "nlu_fallback"} <= intents
        # The five other journeys start from inside this form.
        assert (
            len(
                intents
                & {
                    "cancel_order",
                    "track_order",
                    "return_item",
                    "lost_parcel",
                    "resize_item",
                    "promo_code_failing",
                }
            )
            == 5
        )
