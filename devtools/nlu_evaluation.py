"""Evaluate a running model on the held-out French file: intent and entity F1, worst confusions.

Shared by the test (which fails below the bar) and scripts/evaluate_nlu.py (which writes the
report). Entities are compared as (type, normalised value) pairs per message.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rasa.shared.nlu.training_data.loading import load_data
from sklearn.metrics import f1_score, precision_recall_fscore_support

from actions.faq import ranking as faq_ranking

TESTS = Path(__file__).resolve().parents[1] / "tests"
HELDOUT = TESTS / "nlu" / "heldout.yml"
CLOSINGS = ("thanks", "goodbye")


def agent_parser(agent: Any) -> Callable[[str], dict[str, Any]]:
    """Parse with a loaded Rasa ``Agent`` in the calling thread, on an event loop of its own."""
    loop = asyncio.new_event_loop()

    def parse(text: str) -> dict[str, Any]:
        return dict(loop.run_until_complete(agent.parse_message(text)))

    return parse


def normalise(value: Any) -> str:
    return "".join(str(value).lower().split())


@dataclass
class Report:
    intent_macro_f1: float
    intent_f1: dict[str, float]
    entity_f1: dict[str, float]
    entity_micro_f1: float
    out_of_scope_recall: float
    confusions: list[tuple[str, str, int]]
    errors: list[dict[str, Any]] = field(default_factory=list)
    messages: int = 0
    # Of the file's faq/<entry> questions, the share answered by that entry.
    faq_entry_accuracy: float = 0.0
    faq_questions: int = 0
    # Thanks and goodbyes answered with the menu of the fallback or as out of scope: a polite
    # shopper must get a closing (issue: closings fall into the fallback).
    closings_lost: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__

    def summary(self) -> str:
        lines = [
            f"held-out messages: {self.messages}",
            f"intent macro-F1: {self.intent_macro_f1:.3f}",
            f"out-of-scope recall: {self.out_of_scope_recall:.3f}",
            f"FAQ questions answered by their entry: {self.faq_entry_accuracy:.3f}"
            f" of {self.faq_questions}",
            f"closings answered with the fallback or as out of scope: {len(self.closings_lost)}",
            f"entity micro-F1: {self.entity_micro_f1:.3f}",
            "per entity: " + ", ".join(f"{k} {v:.3f}" for k, v in sorted(self.entity_f1.items())),
            "per intent: " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(self.intent_f1.items())),
            "worst confusions: "
            + ", ".join(f"{gold}→{pred} ×{n}" for gold, pred, n in self.confusions[:8]),
        ]
        return "\n".join(lines)


def evaluate(parse: Callable[[str], dict[str, Any]], path: Path = HELDOUT) -> Report:
    data = load_data(str(path))
    gold_intents, predicted_intents = [], []
    entity_counts: dict[str, Counter[str]] = {}
    errors = []
    # Entity types the file annotates; others the model finds (a carrier or a date in a file
    # written before those entities existed) are not counted as false positives.
    scored = {e["entity"] for m in data.intent_examples for e in m.get("entities") or []}
    faq_right: list[bool] = []
    closings_lost: list[str] = []
    for message in data.intent_examples:
        text = message.get("text")
        gold_intent = message.get("intent")
        result = parse(text)
        predicted = (result.get("intent") or {}).get("name") or "none"
        if gold_intent == "faq" and message.get("intent_response_key"):
            ranked = faq_ranking(result) if predicted == "faq" else []
            entry = str(message.get("intent_response_key")).split("/", 1)[-1]
            faq_right.append(bool(ranked) and ranked[0][0] == entry)
        if gold_intent in CLOSINGS and predicted in ("nlu_fallback", "out_of_scope"):
            closings_lost.append(text)
        gold_intents.append(gold_intent)
        predicted_intents.append(predicted)
        gold = {(e["entity"], normalise(e["value"])) for e in message.get("entities") or []}
        found = {
            (e["entity"], normalise(e["value"]))
            for e in result.get("entities") or []
            if e["entity"] in scored
        }
        for kind in {k for k, _ in gold | found}:
            counts = entity_counts.setdefault(kind, Counter())
            counts["tp"] += len({p for p in found & gold if p[0] == kind})
            counts["fp"] += len({p for p in found - gold if p[0] == kind})
            counts["fn"] += len({p for p in gold - found if p[0] == kind})
        if predicted != gold_intent or gold != found:
            errors.append(
                {
                    "text": text,
                    "intent": gold_intent,
                    "predicted": predicted,
                    "entities": sorted(gold),
                    "found": sorted(found),
                }
            )
    # Macro-F1 over the journeys, small talk and out of scope. The few messages of these files
    # whose best answer is a FAQ entry (moved to ``faq/<entry>`` when the FAQ was wired) are
    # too few for a per-class F1 of their own; the FAQ is measured on its own held-out set
    # (faq_reachability). A journey message taken for a FAQ question still counts as missed.
    labels = sorted(set(gold_intents) - {"faq"})
    _, _, per_intent, _ = precision_recall_fscore_support(
        gold_intents, predicted_intents, labels=labels, zero_division=0
    )
    pairs = list(zip(gold_intents, predicted_intents, strict=True))
    # Out of scope is handled when the bot does not start an order journey: both the
    # out_of_scope intent and the NLU fallback answer with the menu of topics.
    oos = [p in ("out_of_scope", "nlu_fallback") for g, p in pairs if g == "out_of_scope"]
    confusions = Counter(
        (g, p) for g, p in zip(gold_intents, predicted_intents, strict=True) if g != p
    ).most_common()
    total = Counter[str]()
    entity_f1 = {}
    for kind, counts in entity_counts.items():
        total.update(counts)
        entity_f1[kind] = _f1(counts)
    return Report(
        intent_macro_f1=float(
            f1_score(
                gold_intents, predicted_intents, labels=labels, average="macro", zero_division=0
            )
        ),
        intent_f1={label: float(f) for label, f in zip(labels, per_intent, strict=True)},
        entity_f1=entity_f1,
        entity_micro_f1=_f1(total),
        out_of_scope_recall=sum(oos) / len(oos) if oos else 0.0,
        confusions=[(g, p, n) for (g, p), n in confusions],
        errors=errors,
        messages=len(gold_intents),
        faq_entry_accuracy=sum(faq_right) / len(faq_right) if faq_right else 0.0,
        faq_questions=len(faq_right),
        closings_lost=closings_lost,
    )


def _f1(counts: Counter[str]) -> float:
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def write(report: Report, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))


HELDOUT_FAQ = TESTS / "knowledge" / "heldout_faq.yml"


@dataclass
class FaqReport:
    """How many held-out FAQ phrasings reach their entry, and how sure the selector was."""

    share: float
    total: int
    misses: list[dict[str, Any]]
    # (top confidence, top minus second, right entry?) of every phrasing classified as faq:
    # the evidence behind the action's "Vouliez-vous dire…" thresholds.
    scores: list[tuple[float, float, bool]] = field(default_factory=list)

    def summary(self) -> str:
        return f"FAQ reachability: {self.share:.1%} of {self.total} held-out phrasings"


def faq_reachability(parse: Callable[[str], dict[str, Any]], path: Path = HELDOUT_FAQ) -> FaqReport:
    import yaml

    heldout: dict[str, list[str]] = yaml.safe_load(path.read_text(encoding="utf-8"))["heldout"]
    misses, scores, total = [], [], 0
    for entry_id, phrasings in heldout.items():
        for text in phrasings:
            total += 1
            result = parse(text)
            intent = (result.get("intent") or {}).get("name")
            ranking = faq_ranking(result)
            picked = ranking[0][0] if ranking else ""
            if intent == "faq" and ranking:
                second = ranking[1][1] if len(ranking) > 1 else 0.0
                scores.append((ranking[0][1], ranking[0][1] - second, picked == entry_id))
            if intent != "faq" or picked != entry_id:
                misses.append({"text": text, "entry": entry_id, "intent": intent, "picked": picked})
    return FaqReport(1 - len(misses) / total if total else 0.0, total, misses, scores)
