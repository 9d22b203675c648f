"""What retrains the model (scripts/ensure_model.py): its inputs, not the server's stores."""

from __future__ import annotations

import json
import subprocess
import sys

from scripts.ensure_model import ROOT, SERVER_ONLY, training_inputs


def test_model_inputs_are_data_config_and_components_not_the_stores() -> None:
    inputs = {str(path.relative_to(ROOT)) for path in training_inputs()}
    assert {"config.yml", "domain.yml", "bot/data/nlu.yml", "bot/data/faq.yml"} <= inputs
    assert {"bot/faq_selector.py", "bot/entity_cleanup.py", "bot/rasa_speedups.py"} <= inputs
    assert "bot/tracker_store.py" not in inputs and "bot/lock_store.py" not in inputs


COMPONENT_IMPORTS = """
import importlib, json, sys
from pathlib import Path
root = Path(sys.argv[1])
for name in sys.argv[2:]:
    importlib.import_module(name)
files = set()
for module in list(sys.modules.values()):
    path = Path(getattr(module, "__file__", None) or "/")
    if root in path.parents and ".venv" not in path.parts:
        files.add(str(path.relative_to(root)))
print(json.dumps(sorted(files)))
"""


def test_every_project_module_a_component_loads_is_a_model_input() -> None:
    """Importing the components for real (as Rasa does) loads no project file the model key
    leaves out: editing any of them retrains (``bot/faq_selector.py`` folds text with
    ``shop/knowledge/text.py``)."""
    components = [
        f"bot.{path.stem}"
        for path in sorted((ROOT / "bot").glob("*.py"))
        if path.name not in SERVER_ONLY and path.stem != "__init__"
    ]
    loaded = subprocess.run(
        [sys.executable, "-c", COMPONENT_IMPORTS, str(ROOT), *components],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    inputs = {str(path.relative_to(ROOT)) for path in training_inputs()}
    assert "shop/knowledge/text.py" in inputs
    assert set(json.loads(loaded.stdout)) - inputs == set()
