"""The FAQ knowledge base: content files in ``knowledge/faq``, loaded, validated and served live.

Answers are data edited by the content team; this package turns the YAML files into immutable
entries, refuses a broken file with its line and reason, fills the shop-specific numbers from the
active shop profile and tells tooling whether a change needs a retrain (phrasings) or not
(answer text). It imports neither Rasa nor FastAPI.
"""

from shop.knowledge.loader import KnowledgeError, KnowledgeLoadError, load_knowledge, read_folder
from shop.knowledge.model import FaqEntry, KnowledgeBase, Source
from shop.knowledge.placeholders import PLACEHOLDERS, fill
from shop.knowledge.store import LiveKnowledge
from shop.knowledge.validator import validate

__all__ = [
    "PLACEHOLDERS",
    "FaqEntry",
    "KnowledgeBase",
    "KnowledgeError",
    "KnowledgeLoadError",
    "LiveKnowledge",
    "Source",
    "fill",
    "load_knowledge",
    "read_folder",
    "validate",
]
