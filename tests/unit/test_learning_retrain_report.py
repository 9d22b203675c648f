"""The retrain report of scripts/learn_from_reviews.py: the scores it compares (accuracy,
macro-F1, F1 per intent; an FAQ question is right only with its entry), and the evaluation of
the current model on a tiny reviewed held-out file. No training here."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.learn_from_reviews import Scores, comparison, evaluate_model, main, score
from tests.support.threads import in_own_thread


def test_scores_count_a_wrong_faq_entry_as_a_miss() -> None:
    gold = ["greet", "greet", "faq/paiement_moyens", "faq/livraison_delais", "cancel_order"]
    predicted = ["greet", "thanks", "faq/paiement_moyens", "faq/paiement_moyens", "cancel_order"]

    scores = score(gold, predicted)

    assert scores.messages == 5
    assert scores.accuracy == pytest.approx(3 / 5)
    assert scores.per_intent == pytest.approx(
        {
            "cancel_order": 1.0,
            "faq/livraison_delais": 0.0,
            "faq/paiement_moyens": 2 / 3,
            "greet": 2 / 3,
        }
    )
    assert scores.macro_f1 == pytest.approx((1 + 0 + 2 / 3 + 2 / 3) / 4)


def test_no_message_scores_nothing() -> None:
    assert score([], []) == Scores(0, 0.0, 0.0, {})


def test_the_comparison_shows_before_after_and_the_change_per_intent() -> None:
    before = Scores(4, 0.5, 0.4, {"greet": 0.5, "track_order": 0.3})
    after = Scores(4, 0.75, 0.7, {"greet": 1.0, "track_order": 0.4})

    assert comparison(before, after).splitlines() == [
        "                                   before    after   change",
        "accuracy                            0.500    0.750   +0.250",
        "macro-F1                            0.400    0.700   +0.300",
        "  greet                             0.500    1.000   +0.500",
        "  track_order                       0.300    0.400   +0.100",
        "held-out messages: 4",
    ]


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


def test_no_heldout_message_yet_is_said_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    heldout = tmp_path / "reviewed_heldout.yml"
    heldout.write_text('version: "3.1"\n\nnlu: []\n', encoding="utf-8")

    assert main(["--no-export", "--heldout", str(heldout)]) == 1
    assert "no held-out message yet" in capsys.readouterr().out
