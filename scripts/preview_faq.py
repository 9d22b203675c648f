"""Preview for the content team: which FAQ entry answers a question, how sure, and the text.

    .venv/bin/python scripts/preview_faq.py "je peux payer en 3 fois ?" [--profile maison_ocre]
    .venv/bin/python scripts/preview_faq.py            # interactive: one question per line

Uses the trained model (scripts/ensure_model.py) and the answers as they are on disk now.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path
from typing import Any

from actions.faq import ranking as faq_ranking
from devtools.servers import model_path
from shop.knowledge.model import KnowledgeBase
from shop.knowledge.placeholders import fill
from shop.knowledge.validator import load_valid
from shop.policy.profile import ShopProfile, load_profile, resolve_profile_path

ROOT = Path(__file__).resolve().parent.parent


def describe(result: dict[str, Any], knowledge: KnowledgeBase, profile: ShopProfile) -> str:
    intent = result.get("intent") or {}
    lines = [f"intent: {intent.get('name')} ({intent.get('confidence', 0):.2f})"]
    ranked = faq_ranking(result)
    for entry_id, confidence in ranked[:3]:
        title = knowledge.entry(entry_id).title if entry_id in knowledge else "?"
        lines.append(f"  faq/{entry_id} — {title} ({confidence:.2f})")
    if intent.get("name") == "faq" and ranked:
        best = ranked[0][0]
        if best in knowledge:
            lines += ["", fill(knowledge.entry(best).answer, profile)]
    elif intent.get("name") != "faq":
        lines.append("  (not a FAQ question: a journey, small talk or out of scope answers it)")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("question", nargs="*")
    parser.add_argument("--profile", default="bijou_eclat")
    parser.add_argument("--folder", type=Path, default=ROOT / "knowledge" / "faq")
    args = parser.parse_args()

    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    profile = load_profile(resolve_profile_path(args.profile))
    knowledge = load_valid(args.folder, [profile])
    agent = Agent.load(str(model_path()))
    loop = asyncio.new_event_loop()
    questions = [" ".join(args.question)] if args.question else sys.stdin
    for question in questions:
        if question.strip():
            result = loop.run_until_complete(agent.parse_message(question.strip()))
            print(describe(result, knowledge, profile), end="\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
