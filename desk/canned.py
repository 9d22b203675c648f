"""Canned answers for agents: a few built-in French replies plus the FAQ's answers.

The FAQ comes from the same ``LiveKnowledge`` the bot answers from (``knowledge/faq``): edits
reach agents without a restart, a broken file keeps the last good version, and placeholders
(``{phone}``) are filled from the active shop profile. A missing or broken folder at start only
leaves the built-in replies; it never breaks the console, and it is tried again later.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from shop.knowledge.placeholders import fill
from shop.knowledge.store import LiveKnowledge
from shop.policy.profile import ShopProfile

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CannedAnswer:
    id: str
    title: str
    text: str
    source: str  # "desk" or "faq"


BUILT_IN = (
    CannedAnswer(
        "bonjour",
        "Saluer",
        "Bonjour, je suis conseiller du service client. J'ai lu votre échange avec notre "
        "assistant : je regarde votre demande tout de suite.",
        "desk",
    ),
    CannedAnswer(
        "verification",
        "Je vérifie",
        "Merci de votre patience : je vérifie cela auprès de notre équipe et je reviens vers "
        "vous dans quelques minutes.",
        "desk",
    ),
    CannedAnswer(
        "numero_commande",
        "Demander la commande",
        "Pouvez-vous m'indiquer votre numéro de commande (6 chiffres) et l'adresse e-mail "
        "utilisée pour la commande ?",
        "desk",
    ),
    CannedAnswer(
        "email_suivi",
        "Suite par e-mail",
        "Je transmets votre dossier à l'équipe concernée : vous recevrez la réponse par e-mail "
        "à l'adresse de votre commande.",
        "desk",
    ),
    CannedAnswer(
        "autre_chose",
        "Autre chose ?",
        "Puis-je vous aider pour autre chose ?",
        "desk",
    ),
    CannedAnswer(
        "au_revoir",
        "Conclure",
        "Merci de nous avoir contactés. Très belle journée à vous !",
        "desk",
    ),
)


class CannedAnswers:
    def __init__(self, folder: Path, profile: ShopProfile) -> None:
        self._folder = folder
        self._profile = profile
        self._lock = threading.Lock()
        self._live: LiveKnowledge | None = None

    def all(self) -> tuple[CannedAnswer, ...]:
        live = self._knowledge()
        if live is None:
            return BUILT_IN
        faq = tuple(  # one version of the base for the whole list
            CannedAnswer(entry.id, entry.title, fill(entry.answer, self._profile), "faq")
            for entry in live.current()
        )
        return BUILT_IN + faq

    def _knowledge(self) -> LiveKnowledge | None:
        with self._lock:
            if self._live is None:
                try:
                    self._live = LiveKnowledge(self._folder, [self._profile])
                except Exception as error:  # noqa: BLE001 - a broken FAQ must not break the console
                    logger.warning("FAQ not loaded for canned answers: %s", type(error).__name__)
            return self._live
