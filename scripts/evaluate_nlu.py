"""Evaluate the NLU on the held-out French file and write a report (JSON, Markdown, PNG).

    .venv/bin/python scripts/evaluate_nlu.py                 # the current model (trained if needed)
    .venv/bin/python scripts/evaluate_nlu.py --config X.yml  # train an NLU-only model from X first
    .venv/bin/python scripts/evaluate_nlu.py --model M.tar.gz --heldout F  # a given model, file
    .venv/bin/python scripts/evaluate_nlu.py --heldout A --heldout B  # several files, one load

The report goes to .var/reports/nlu/: macro and per-intent F1, out-of-scope recall, entity F1,
the worst confusions, the messages that failed, and a confusion-matrix PNG. With --config the
training time and the in-process parse latency are reported too, to compare pipelines.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from devtools.nlu_evaluation import (
    HELDOUT,
    FaqReport,
    Report,
    agent_parser,
    evaluate,
    faq_reachability,
)
from devtools.servers import model_path

ROOT = Path(__file__).resolve().parent.parent


def train_nlu(config: Path, out: Path) -> tuple[Path, float]:
    started = time.perf_counter()
    result = subprocess.run(
        [
            str(ROOT / ".venv/bin/rasa"),
            "train",
            "nlu",
            "--config",
            str(config),
            "--nlu",
            "bot/data",
            "--domain",
            "domain.yml",
            "--out",
            str(out),
            "--fixed-model-name",
            "candidate",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"training failed:\n{result.stderr[-3000:]}")
    return out / "candidate.tar.gz", time.perf_counter() - started


def confusion_png(report: Report, gold: list[str], predicted: list[str], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay

    labels = sorted(set(gold) | set(predicted))
    figure, axes = plt.subplots(figsize=(11, 10))
    ConfusionMatrixDisplay.from_predictions(
        gold, predicted, labels=labels, ax=axes, xticks_rotation=60, colorbar=False
    )
    axes.set_title(f"Held-out French messages — intent macro-F1 {report.intent_macro_f1:.3f}")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def thresholds(faq: FaqReport) -> list[str]:
    """Accuracy of the selector's top entry by confidence band: evidence for actions/faq.py."""
    lines = []
    for low, high in ((0.0, 0.2), (0.2, 0.35), (0.35, 0.5), (0.5, 0.7), (0.7, 1.01)):
        band = [right for top, _, right in faq.scores if low <= top < high]
        if band:
            lines.append(
                f"top confidence {low:.2f}-{min(high, 1):.2f}: {len(band)} phrasings, "
                f"{sum(band) / len(band):.0%} right"
            )
    return lines


def markdown(report: Report, faq: FaqReport, extra: dict[str, float]) -> str:
    lines = ["# NLU evaluation on held-out French messages", "", "```", report.summary(), "```"]
    lines += ["", f"## {faq.summary()}", "", *(f"- {line}" for line in thresholds(faq))]
    lines += ["", "Misses:", ""]
    lines += [
        f"- `{m['text']}` — {m['entry']}, got {m['intent']} / {m['picked']}" for m in faq.misses
    ]
    if extra:
        lines += ["", *(f"- {key}: {value:.1f}" for key, value in extra.items())]
    lines += ["", "## Messages the model got wrong", ""]
    for error in report.errors:
        lines.append(
            f"- `{error['text']}` — expected {error['intent']} {error['entities']}, "
            f"got {error['predicted']} {error['found']}"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", type=Path, help="train an NLU-only model from this config")
    parser.add_argument("--keep", type=Path, help="with --config: keep the trained archive here")
    parser.add_argument("--model", type=Path, help="evaluate this model archive instead")
    parser.add_argument("--out", type=Path, default=ROOT / ".var" / "reports" / "nlu")
    parser.add_argument(
        "--heldout",
        type=Path,
        action="append",
        help=f"held-out file, may be repeated (default {HELDOUT.relative_to(ROOT)}); "
        "with several files each report goes to OUT/<file name>/",
    )
    args = parser.parse_args()
    heldouts = args.heldout or [HELDOUT]

    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    extra: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as workdir:
        if args.config:
            model, seconds = train_nlu(args.config.resolve(), Path(workdir))
            extra["NLU training time (s)"] = seconds
            if args.keep:
                shutil.copy(model, args.keep)
        elif args.model:
            model = args.model.resolve()
        else:
            model = model_path()
        agent = Agent.load(str(model))
    parse_only = agent_parser(agent)
    timings: list[float] = []
    intents: dict[str, str] = {}  # text -> predicted intent, for the confusion matrices

    def parse(text: str) -> dict[str, Any]:
        started = time.perf_counter()
        result = parse_only(text)
        timings.append((time.perf_counter() - started) * 1000)
        intents[text] = (result.get("intent") or {}).get("name") or "none"
        return result

    faq = faq_reachability(parse)
    reports = [(path, evaluate(parse, path)) for path in heldouts]
    extra["parse p50 in process (ms)"] = statistics.median(timings)
    extra["parse p95 in process (ms)"] = sorted(timings)[int(0.95 * (len(timings) - 1))]

    from rasa.shared.nlu.training_data.loading import load_data

    for path, report in reports:
        out = (args.out if len(reports) == 1 else args.out / path.stem).resolve()
        out.mkdir(parents=True, exist_ok=True)
        (out / "report.json").write_text(
            json.dumps(
                {**report.as_dict(), "faq": faq.__dict__, **extra}, ensure_ascii=False, indent=2
            )
        )
        (out / "report.md").write_text(markdown(report, faq, extra))
        messages = load_data(str(path)).intent_examples
        gold = [m.get("intent") for m in messages]
        predicted = [intents[m.get("text")] for m in messages]
        confusion_png(report, gold, predicted, out / "confusion_matrix.png")
        print(f"== {path.name}\n{report.summary()}")
        print(f"report: {out}/report.md, confusion_matrix.png\n")
    if faq.scores:
        print(faq.summary())
        print("\n".join(thresholds(faq)))
    else:
        print("FAQ: this model does not answer the FAQ (no `faq` intent predicted)")
    for key, value in extra.items():
        print(f"{key}: {value:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
