"""What an editor may answer « the bot should have understood… » with: an intent of the
domain or an FAQ entry of the knowledge base.

The intents are read from ``domain.yml`` as plain YAML (``shop`` never imports Rasa); the ones
no shopper types are left out: the retrieval intent ``faq`` (an editor picks its entry
instead), the « Vouliez-vous dire… » button ``choose_faq`` and the fallback ``nlu_fallback``.
``LiveChoices`` keeps them for the console: the review inbox's choices, the dashboard's FAQ
titles.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import yaml

from shop.knowledge.loader import read_folder
from shop.knowledge.store import Fingerprint, fingerprint

# Intents no shopper's message should be labelled with.
NOT_LABELS = frozenset({"faq", "choose_faq", "nlu_fallback"})

# What each intent means, in the editors' words (docs/intents.md has the full definitions).
INTENT_DESCRIPTIONS = {
    "greet": "Salutation seule",
    "goodbye": "Au revoir, bonne journée",
    "thanks": "Remerciement",
    "affirm": "Oui, confirmation",
    "deny": "Non, refus",
    "inform": "Donne seulement une information demandée (n° de commande, e-mail…)",
    "cancel_order": "Annuler une commande",
    "track_order": "Suivre une commande ou un colis",
    "return_item": "Retourner un article, se faire rembourser",
    "promo_code_failing": "Un code promo ne fonctionne pas",
    "lost_parcel": "Colis perdu, volé ou marqué livré sans être reçu",
    "resize_item": "Mettre à taille un bijou acheté",
    "human_handoff": "Parler à un conseiller",
    "out_of_scope": "Hors sujet pour la boutique",
}


@dataclass(frozen=True)
class LabelChoices:
    """The intents (name, French description) and FAQ entries (id, title) an editor may pick."""

    intents: tuple[tuple[str, str], ...]
    faq_entries: tuple[tuple[str, str], ...]

    @property
    def intent_names(self) -> frozenset[str]:
        return frozenset(name for name, _ in self.intents)

    @property
    def faq_ids(self) -> frozenset[str]:
        return frozenset(entry_id for entry_id, _ in self.faq_entries)


def domain_intents(domain_path: Path) -> list[str]:
    """The intents of a Rasa domain file, in its order (an intent may carry options)."""
    domain = yaml.safe_load(domain_path.read_text(encoding="utf-8")) or {}
    names = []
    for item in domain.get("intents") or []:
        name = next(iter(item)) if isinstance(item, dict) else item
        names.append(str(name))
    return names


def label_choices(domain_path: Path, knowledge_dir: Path) -> LabelChoices:
    """The labels an editor may give, from the domain and the FAQ folder as they are on disk.

    Entries the loader cannot read, and drafts whose answer is still to write, are left out,
    not an error: the inbox stays usable while an editor works on a file.
    """
    intents = tuple(
        (name, INTENT_DESCRIPTIONS.get(name, name))
        for name in domain_intents(domain_path)
        if name not in NOT_LABELS
    )
    entries = tuple(
        (entry.id, entry.title) for entry in read_folder(knowledge_dir).entries if entry.answer
    )
    return LabelChoices(intents=intents, faq_entries=entries)


class LiveChoices:
    """``label_choices`` read again only when the domain or a file of the FAQ folder changed:
    reading the folder takes a few hundred milliseconds, and pages must not wait for it each
    time. Titles only, so without the full validation the bot's ``LiveKnowledge`` does at its
    first load (seconds, for thousands of phrasings). Thread-safe."""

    def __init__(self, domain_path: Path, knowledge_dir: Path) -> None:
        self._domain = domain_path
        self._folder = knowledge_dir
        self._lock = threading.Lock()
        self._seen: tuple[int, Fingerprint] | None = None
        self._choices = LabelChoices(intents=(), faq_entries=())

    def get(self) -> LabelChoices:
        with self._lock:
            now = (self._domain.stat().st_mtime_ns, fingerprint(self._folder))
            if now != self._seen:
                self._choices = label_choices(self._domain, self._folder)
                self._seen = now
            return self._choices
