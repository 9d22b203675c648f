"""The retrain report of scripts/learn_from_reviews.py: the scores it compares (accuracy,
macro-F1, F1 per intent; an FAQ question is right only with its entry), and an empty held-out
file. The trained model's evaluation is in tests/nlu/test_retrain_report.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.learn_from_reviews import Scores, comparison, main, score


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


def test_no_heldout_message_yet_is_said_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    heldout = tmp_path / "reviewed_heldout.yml"
    heldout.write_text('version: "3.1"\n\nnlu: []\n', encoding="utf-8")

    assert main(["--no-export", "--heldout", str(heldout)]) == 1
    assert "no held-out message yet" in capsys.readouterr().out
