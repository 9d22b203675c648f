"""Canned answers for agents: a few built-in French replies plus the FAQ's answers.

The FAQ files (``knowledge/faq/*.yml``, entries with ``id``, ``title``, ``answer``) are read
defensively: a missing folder or a broken file only removes those answers from the list, it
never breaks the console. Placeholders (``{phone}``) are filled from the active shop profile.
The list is re-read when a file changes, so editors' updates reach agents without a restart.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from shop.knowledge.loader import faq_files, read_folder
from shop.knowledge.placeholders import fill
from shop.policy.profile import ShopProfile

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CannedAnswer:
    id: str
    title: str
    text: str
    source: str  # "desk" or the FAQ file


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
        self._stamp: tuple[tuple[str, float], ...] | None = None
        self._faq: tuple[CannedAnswer, ...] = ()

    def all(self) -> tuple[CannedAnswer, ...]:
        with self._lock:
            stamp = self._fingerprint()
            if stamp != self._stamp:
                self._faq = self._load()
                self._stamp = stamp
            return BUILT_IN + self._faq

    def _fingerprint(self) -> tuple[tuple[str, float], ...]:
        try:
            return tuple((p.name, p.stat().st_mtime) for p in faq_files(self._folder))
        except OSError:
            return ()

    def _load(self) -> tuple[CannedAnswer, ...]:
        try:
            result = read_folder(self._folder)
        except Exception as error:  # noqa: BLE001 - a broken FAQ must not break the console
            logger.warning("FAQ not loaded for canned answers: %s", type(error).__name__)
            return ()
        answers = []
        for entry in result.entries:
            try:
                text = fill(entry.answer, self._profile)
            except Exception:  # noqa: BLE001 - skip the entry, keep the others
                continue
            answers.append(CannedAnswer(entry.id, entry.title, text, Path(entry.file).name))
        return tuple(answers)
