"""The trained model on French messages it never saw (tests/nlu/heldout.yml)."""

from __future__ import annotations

import pytest

from tests.nlu.evaluation import HELDOUT, evaluate, normalise, write
from tests.support.servers import ROOT, Stack

pytestmark = pytest.mark.nlu

MIN_MACRO_F1 = 0.90
MIN_ENTITY_F1 = 0.90


def test_heldout_file_is_not_in_the_training_data() -> None:
    from rasa.shared.nlu.training_data.loading import load_data

    files = [ROOT / "bot/data/nlu.yml", *sorted((ROOT / "bot/data").glob("faq*.yml"))]
    training = {normalise(m.get("text")) for f in files for m in load_data(str(f)).intent_examples}
    heldout = [normalise(m.get("text")) for m in load_data(str(HELDOUT)).intent_examples]
    assert len(heldout) >= 14 * 20
    assert not training.intersection(heldout)


def test_intents_and_entities_on_heldout_french(stack: Stack) -> None:
    report = evaluate(stack.parse)
    write(report, ROOT / ".var" / "reports" / "nlu_heldout.json")
    print("\n" + report.summary())
    assert report.intent_macro_f1 >= MIN_MACRO_F1, report.summary()
    for entity in ("order_number", "email"):
        assert report.entity_f1.get(entity, 0.0) >= MIN_ENTITY_F1, report.summary()
