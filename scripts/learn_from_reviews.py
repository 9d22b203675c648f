"""Measure what the editors' reviews taught the model, on real shoppers' messages.

    .venv/bin/python scripts/learn_from_reviews.py [--before M.tar.gz] [--heldout F] [--no-export]

1. exports the labels (``python -m shop.learning export``: ``bot/data/reviewed.yml`` and the
   held-out share ``tests/nlu/reviewed_heldout.yml``), unless ``--no-export``;
2. evaluates the model the bot runs now (the newest in ``.var/models``, or ``--before``) on the
   held-out share;
3. retrains when the training data changed (``scripts/ensure_model.py``: reviewed.yml is in
   bot/data, so it is hashed);
4. evaluates the new model on the same file and prints both: accuracy, macro-F1 and F1 per
   intent (an FAQ question counts as right only when its entry is the one chosen).

The held-out share is never trained on, so the difference is what the reviews taught.
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.ensure_model import MODELS, model_path

ROOT = Path(__file__).resolve().parent.parent

HELDOUT = ROOT / "tests" / "nlu" / "reviewed_heldout.yml"
FAQ = "faq"


@dataclass(frozen=True)
class Scores:
    messages: int
    accuracy: float
    macro_f1: float
    per_intent: dict[str, float]


def score(gold: Sequence[str], predicted: Sequence[str]) -> Scores:
    """Accuracy, macro-F1 and F1 per label over the gold labels (an FAQ question's label is
    ``faq/<entry>``, so a wrong entry is a miss)."""
    from sklearn.metrics import f1_score

    labels = sorted(set(gold))
    if not labels:
        return Scores(0, 0.0, 0.0, {})
    per_label = f1_score(gold, predicted, labels=labels, average=None, zero_division=0)
    right = sum(g == p for g, p in zip(gold, predicted, strict=True))
    return Scores(
        messages=len(gold),
        accuracy=right / len(gold),
        macro_f1=float(sum(per_label) / len(labels)),
        per_intent={label: float(f) for label, f in zip(labels, per_label, strict=True)},
    )


def heldout_messages(path: Path) -> list[tuple[str, str]]:
    """(text, label) of each held-out message; FAQ questions as ``faq/<entry>``."""
    from rasa.shared.nlu.training_data.loading import load_data

    messages = []
    for message in load_data(str(path)).intent_examples:
        label = message.get("intent_response_key") or message.get("intent")
        messages.append((str(message.get("text")), str(label)))
    return messages


def predicted_label(result: dict[str, Any]) -> str:
    """The model's answer to one message: its intent, or ``faq/<the entry it would serve>``."""
    from actions.faq import ranking

    intent = (result.get("intent") or {}).get("name") or "none"
    if intent == FAQ:
        ranked = ranking(result)
        return f"{FAQ}/{ranked[0][0]}" if ranked else FAQ
    return str(intent)


def evaluate(parse: Callable[[str], dict[str, Any]], path: Path) -> Scores:
    messages = heldout_messages(path)
    gold = [label for _, label in messages]
    predicted = [predicted_label(parse(text)) for text, _ in messages]
    return score(gold, predicted)


def evaluate_model(model: Path, path: Path) -> Scores:
    """Load the model in this process and evaluate it on the held-out file."""
    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    from devtools.nlu_evaluation import agent_parser

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    return evaluate(agent_parser(Agent.load(str(model))), path)


def comparison(before: Scores, after: Scores) -> str:
    """Before and after side by side, one line per measure and per intent."""
    lines = [
        f"{'':32} {'before':>8} {'after':>8} {'change':>8}",
        _row("accuracy", before.accuracy, after.accuracy),
        _row("macro-F1", before.macro_f1, after.macro_f1),
    ]
    for label in sorted(set(before.per_intent) | set(after.per_intent)):
        lines.append(
            _row(f"  {label}", before.per_intent.get(label, 0.0), after.per_intent.get(label, 0.0))
        )
    lines.append(f"held-out messages: {after.messages}")
    return "\n".join(lines)


def _row(name: str, before: float, after: float) -> str:
    return f"{name:32} {before:8.3f} {after:8.3f} {after - before:+8.3f}"


def newest_model() -> Path | None:
    models = sorted(MODELS.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    return models[0] if models else None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--before", type=Path, help="model to compare with (default: newest)")
    parser.add_argument("--heldout", type=Path, default=HELDOUT)
    parser.add_argument("--no-export", action="store_true", help="use the files as they are")
    args = parser.parse_args(argv)
    python = str(ROOT / ".venv" / "bin" / "python")
    if not args.no_export:
        subprocess.run([python, "-m", "shop.learning", "export"], cwd=ROOT, check=True)
    if not args.heldout.exists() or not heldout_messages(args.heldout):
        print(f"{args.heldout}: no held-out message yet: label more messages first.")
        return 1
    # One model in memory at a time: the one the bot runs now, then the retrained one.
    before_model = args.before or newest_model()
    before = evaluate_model(before_model, args.heldout) if before_model else None
    subprocess.run([python, str(ROOT / "scripts" / "ensure_model.py")], cwd=ROOT, check=True)
    after_model = model_path()
    same = before is not None and before_model == after_model
    after = before if same and before else evaluate_model(after_model, args.heldout)
    print(f"before: {before_model.name if before_model else '(no model yet)'}")
    print(f"after:  {after_model.name}")
    if same:
        print("The training data did not change: same model before and after.")
    print(comparison(before or after, after))
    return 0


if __name__ == "__main__":
    sys.exit(main())
