"""Choose the NLU thresholds on the development set, never on the held-out files.

    .venv/bin/python scripts/tune_thresholds.py [--model M.tar.gz] [--dev F ...] [--tune NAME ...]

Loads a trained model once and replays the development messages through its real pipeline for
each setting of a grid, changing the settings of the loaded components in memory:

- ``faq_threshold`` and ``diet_weight`` of ``bot.faq_selector.FaqSelector``;
- ``threshold`` of Rasa's ``FallbackClassifier`` (below it the bot offers the topics);
- ``clear_faq_confidence`` of ``bot.shopper_fallback.ShopperFallback`` (above it an order
  number does not take a FAQ question to the order's journey).

``--tune`` varies only the named settings (the others keep their configured value): the whole
grid is 700 settings, about 700 replays of the ~930 development messages. ``--dev`` may be
repeated (the development files are pooled).

Score of a setting: macro-F1 over the 14 intents and ``faq``, where a FAQ question counts as
right only when the selector's first entry is the expected one. Prints the settings best first
and the current ones (config.yml) for comparison. ``tests/nlu/dev.yml`` was written blind, like
the held-out files, which stay for reporting (scripts/evaluate_nlu.py).
"""

from __future__ import annotations

import argparse
import itertools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from actions.faq import ranking
from devtools.nlu_evaluation import agent_parser
from devtools.servers import model_path

ROOT = Path(__file__).resolve().parent.parent

DEV = [ROOT / "tests" / "nlu" / "dev.yml", ROOT / "tests" / "nlu" / "dev_real_style.yml"]
GRID = {
    "faq_threshold": [0.4, 0.5, 0.6, 0.7, 0.8],
    "diet_weight": [0.3, 0.4, 0.5, 0.6, 0.7],
    "fallback": [0.3, 0.4, 0.5, 0.6],
    "clear_faq": [0.0, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95],
}


def components(agent: Any) -> tuple[Any, Any]:
    """The loaded FaqSelector and FallbackClassifier of the agent's NLU graph."""
    from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier

    from bot.faq_selector import FaqSelector

    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    loaded = [node._component for node in nodes if node._component is not None]
    selector = next(c for c in loaded if isinstance(c, FaqSelector))
    fallback = next(c for c in loaded if isinstance(c, FallbackClassifier))
    return selector, fallback


def score(parse: Callable[[str], dict[str, Any]], examples: list[tuple[str, str]]) -> float:
    from sklearn.metrics import f1_score

    gold, predicted = [], []
    for label, text in examples:
        result = parse(text)
        intent = (result.get("intent") or {}).get("name") or "none"
        if intent == "faq":
            entries = ranking(result)
            intent = f"faq/{entries[0][0]}" if entries else "faq/?"
        # One class for the FAQ: right when the expected entry comes first.
        gold.append("faq" if label.startswith("faq/") else label)
        predicted.append("faq" if label.startswith("faq/") and intent == label else intent)
        if predicted[-1].startswith("faq/"):
            predicted[-1] = "faq (wrong entry)"
    labels = sorted(set(gold))
    return float(f1_score(gold, predicted, labels=labels, average="macro", zero_division=0))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path)
    parser.add_argument("--dev", type=Path, action="append", help="a development file")
    parser.add_argument("--tune", choices=sorted(GRID), action="append", help="vary this only")
    args = parser.parse_args()

    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    agent = Agent.load(str(args.model or model_path()))
    messages = [m for path in args.dev or DEV for m in load_data(str(path)).intent_examples]
    examples = [(m.get_full_intent(), m.get("text")) for m in messages]
    selector, fallback = components(agent)
    parse = agent_parser(agent)
    current = {
        "faq_threshold": selector.config["faq_threshold"],
        "diet_weight": selector.config["diet_weight"],
        "fallback": fallback.component_config["threshold"],
        "clear_faq": fallback.component_config.get("clear_faq_confidence", 1.0),
    }
    tuned = args.tune or sorted(GRID)
    grid = {name: GRID[name] if name in tuned else [value] for name, value in current.items()}
    results = []
    for values in itertools.product(*grid.values()):
        setting = dict(zip(grid, values, strict=True))
        selector.config.update(
            faq_threshold=setting["faq_threshold"], diet_weight=setting["diet_weight"]
        )
        fallback.component_config["threshold"] = setting["fallback"]
        fallback.component_config["clear_faq_confidence"] = setting["clear_faq"]
        results.append((score(parse, examples), tuple(values)))
    results.sort(reverse=True)
    print(f"{len(examples)} development messages; {', '.join(grid)}: score")
    for value, tried in results[:15]:
        print(f"  {tried}: {value:.3f}")
    now = next(value for value, tried in results if tried == tuple(current.values()))
    print(f"current {tuple(current.values())}: {now:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
