"""The trained model on French messages it never saw.

Two held-out files: ``heldout.yml`` (stop 1; its errors were looked at once while writing
training data) and ``heldout_fresh.yml`` (stop 7, written by someone who saw no training data).
Both must stay at or above the bar.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.nlu.evaluation import HELDOUT, evaluate, normalise, write
from tests.support.servers import ROOT, Stack

pytestmark = pytest.mark.nlu

MIN_MACRO_F1 = 0.90
MIN_ENTITY_F1 = 0.90
HELDOUT_FILES = [HELDOUT, HELDOUT.with_name("heldout_fresh.yml")]
DEV = HELDOUT.with_name("dev.yml")


@pytest.mark.parametrize("path", HELDOUT_FILES, ids=lambda p: p.stem)
def test_heldout_file_is_not_in_the_training_data(path: Path) -> None:
    from collections import Counter

    from rasa.shared.nlu.training_data.loading import load_data

    files = [ROOT / "bot/data/nlu.yml", *sorted((ROOT / "bot/data").glob("faq*.yml"))]
    training = {normalise(m.get("text")) for f in files for m in load_data(str(f)).intent_examples}
    examples = load_data(str(path)).intent_examples
    # The 14 intents written with the file; messages whose best answer became a FAQ entry were
    # moved to faq/<entry> blocks (a few per file, scored for intent only).
    per_intent = Counter(m.get("intent") for m in examples if m.get("intent") != "faq")
    assert len(per_intent) == 14
    assert min(per_intent.values()) >= 20
    assert not training.intersection(normalise(m.get("text")) for m in examples)


def test_dev_file_shares_no_line_with_training_or_heldout() -> None:
    """tests/nlu/dev.yml chooses thresholds (scripts/tune_thresholds.py): it must be as unseen
    as the held-out files, and must not leak into them."""
    from rasa.shared.nlu.training_data.loading import load_data

    files = [ROOT / "bot/data/nlu.yml", *sorted((ROOT / "bot/data").glob("faq*.yml"))]
    seen = {
        normalise(m.get("text"))
        for f in [*files, *HELDOUT_FILES]
        for m in load_data(str(f)).intent_examples
    }
    dev = [normalise(m.get("text")) for m in load_data(str(DEV)).intent_examples]
    assert len(dev) >= 250
    assert not seen.intersection(dev)


@pytest.mark.parametrize("path", HELDOUT_FILES, ids=lambda p: p.stem)
def test_intents_and_entities_on_heldout_french(stack: Stack, path: Path) -> None:
    report = evaluate(stack.parse, path)
    write(report, ROOT / ".var" / "reports" / f"nlu_{path.stem}.json")
    print("\n" + report.summary())
    assert report.intent_macro_f1 >= MIN_MACRO_F1, report.summary()
    for entity in ("order_number", "email"):
        assert report.entity_f1.get(entity, 0.0) >= MIN_ENTITY_F1, report.summary()
