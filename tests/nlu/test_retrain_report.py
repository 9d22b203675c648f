"""The retrain report of scripts/learn_from_reviews.py on the trained model: the current model
evaluated on a tiny reviewed held-out file, and the report when the data did not change. No
training here (the model of the current data, as the other NLU tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.learn_from_reviews import evaluate_model, main
from tests.support.threads import in_own_thread

REVIEWED_HELDOUT = """\
version: "3.1"

nlu:
- intent: cancel_order
  examples: |
    - je veux annuler ma commande [402 817](order_number)
- intent: faq/paiement_moyens
  examples: |
    - Quels moyens de paiement acceptez-vous ?
- intent: goodbye
  examples: |
    - je m'en vais, au revoir
- intent: greet
  examples: |
    - bonjour cher service client
- intent: lost_parcel
  examples: |
    - Quels moyens de paiement acceptez-vous pour payer ?
"""


@pytest.mark.nlu
def test_the_current_model_is_evaluated_on_a_reviewed_heldout_file(
    trained_model: Path, tmp_path: Path
) -> None:
    heldout = tmp_path / "reviewed_heldout.yml"
    heldout.write_text(REVIEWED_HELDOUT, encoding="utf-8")

    scores = in_own_thread(evaluate_model, trained_model, heldout)  # a loop of its own

    # Four phrasings of the training data, and a payment question labelled lost parcel.
    assert scores.messages == 5
    assert scores.accuracy == pytest.approx(4 / 5)
    assert scores.per_intent["lost_parcel"] == 0.0
    assert scores.per_intent["faq/paiement_moyens"] == pytest.approx(2 / 3)
    assert scores.per_intent["cancel_order"] == scores.per_intent["greet"] == 1.0


@pytest.mark.nlu
def test_the_report_says_when_the_data_did_not_change(
    trained_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    heldout = tmp_path / "reviewed_heldout.yml"
    heldout.write_text(REVIEWED_HELDOUT, encoding="utf-8")

    code = in_own_thread(
        main, ["--no-export", "--heldout", str(heldout), "--before", str(trained_model)]
    )

    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[:3] == [
        f"before: {trained_model.name}",
        f"after:  {trained_model.name}",
        "The training data did not change: same model before and after.",
    ]
    assert "accuracy                            0.800    0.800   +0.000" in out
    assert out[-1] == "held-out messages: 5"
