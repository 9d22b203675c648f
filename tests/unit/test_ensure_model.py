"""What retrains the model (scripts/ensure_model.py): its inputs, not the server's stores."""

from __future__ import annotations

from scripts.ensure_model import ROOT, training_inputs


def test_model_inputs_are_data_config_and_components_not_the_stores() -> None:
    inputs = {str(path.relative_to(ROOT)) for path in training_inputs()}
    assert {"config.yml", "domain.yml", "bot/data/nlu.yml", "bot/data/faq.yml"} <= inputs
    assert {"bot/faq_selector.py", "bot/entity_cleanup.py", "bot/rasa_speedups.py"} <= inputs
    assert "bot/tracker_store.py" not in inputs and "bot/lock_store.py" not in inputs
