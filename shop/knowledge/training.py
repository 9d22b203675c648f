"""From the knowledge base to Rasa training data, and whether a retrain is needed.

Only the phrasings (ids, questions, examples) go into the model; answers are served live by the
FAQ action. So a digest of the phrasings alone tells tooling which kind of change it faces:
"answer text changed: live reload, no retrain" or "phrasings changed: retrain needed". The
generated ``bot/data/faq.yml`` carries that digest in its header so the comparison needs no
other state.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import yaml

from shop.knowledge.loader import load_knowledge
from shop.knowledge.model import FaqEntry, KnowledgeBase

DIGEST_PREFIX = "# training digest: "
_DIGEST_RE = re.compile(r"^# training digest: ([0-9a-f]{64})\s*$", re.MULTILINE)
HEADER = """\
# GENERATED FILE: do not edit. Source: knowledge/faq/*.yml
# Regenerate with `python -m shop.knowledge build`, then retrain the model.
# Answers are not here: the FAQ action reads them live from knowledge/faq (no retrain needed).
"""


def training_digest(knowledge: KnowledgeBase) -> str:
    """SHA-256 of every entry's id and phrasings (question + examples), sorted by id."""
    payload = [[entry.id, list(entry.phrasings)] for entry in sorted(knowledge, key=_by_id)]
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def read_digest(path: str | os.PathLike[str]) -> str | None:
    """The digest recorded in a generated training file, or None (missing or hand-made)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        return None
    match = _DIGEST_RE.search(text)
    return match.group(1) if match else None


def phrasings_changed(folder: str | os.PathLike[str], trained_digest: str | None) -> bool:
    """Whether the folder's phrasings differ from those the model was trained on."""
    return training_digest(load_knowledge(folder)) != trained_digest


def rasa_training_data(knowledge: KnowledgeBase) -> str:
    """The Rasa 3.x YAML text: one retrieval intent ``faq/<id>`` per entry, and its response.

    The response text is the entry id: the action looks the real, shop-filled answer up live.
    """
    lines = [HEADER.rstrip("\n"), f"{DIGEST_PREFIX}{training_digest(knowledge)}", ""]
    lines += ['version: "3.1"', "", "nlu:"]
    for entry in sorted(knowledge, key=_by_id):
        lines.append(f"- intent: faq/{entry.id}")
        lines.append("  examples: |")
        lines.extend(f"    - {text}" for text in entry.phrasings)
    responses = {
        f"utter_faq/{entry.id}": [{"text": entry.id}] for entry in sorted(knowledge, key=_by_id)
    }
    dumped = yaml.safe_dump({"responses": responses}, allow_unicode=True, sort_keys=False)
    return "\n".join(lines) + "\n\n" + dumped


def write_rasa_training_data(knowledge: KnowledgeBase, path: str | os.PathLike[str]) -> bool:
    """Write the training file; returns False (and leaves it untouched) when already current.

    Not rewriting an unchanged file keeps its modification time, so model caches keyed on the
    data do not retrain for nothing.
    """
    target = Path(path)
    text = rasa_training_data(knowledge)
    try:
        if target.read_text(encoding="utf-8") == text:
            return False
    except OSError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(target.suffix + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(target)
    return True


def _by_id(entry: FaqEntry) -> str:
    return entry.id
