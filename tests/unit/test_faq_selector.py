"""The FAQ selector component: trained on retrieval-intent examples with real spaCy docs,
persisted in Rasa's model storage, loaded back, and ranking entries in Rasa's output format."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.faq_selector import FaqSelector
from shop.knowledge.text import fold
from tests.support.servers import ROOT

PHRASINGS = {
    "faq/paiement_moyens": [
        "quels moyens de paiement acceptez-vous",
        "je peux payer par paypal",
        "vous prenez la carte bleue",
        "paiement par carte ou virement",
    ],
    "faq/boutique_horaires": [
        "quels sont vos horaires d'ouverture",
        "la boutique ouvre a quelle heure",
        "vous etes ouverts le samedi",
        "heures d'ouverture du magasin",
    ],
    "faq/entretien_bijoux": [
        "comment nettoyer un bijou en argent",
        "entretenir une bague en or",
        "mon collier noircit, comment le laver",
        "produit pour nettoyer les bijoux",
    ],
}


@pytest.fixture(scope="module")
def spacy_nlp() -> SpacyNLP:
    model = ROOT / ".var" / "spacy" / "fr_core_news_md_lean"
    if not model.exists():
        pytest.fail("the lean spaCy model is missing: run scripts/setup.sh")
    return SpacyNLP.create({"model": str(model)}, None, None, None)  # type: ignore[arg-type]


def messages_with_docs(nlp: SpacyNLP, texts: list[str]) -> list[Message]:
    messages = [Message(data={TEXT: text}) for text in texts]
    nlp.process(messages, nlp.provide())
    return messages


def trained(tmp_path: Path, nlp: SpacyNLP) -> tuple[FaqSelector, LocalModelStorage, Resource]:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("faq_selector")
    context = ExecutionContext(GraphSchema({}), "test")
    selector = FaqSelector.create({}, storage, resource, context)
    examples = []
    for key, texts in PHRASINGS.items():
        for message in messages_with_docs(nlp, texts):
            message.set(INTENT, "faq")
            message.set(INTENT_RESPONSE_KEY, key)
            examples.append(message)
    selector.train(TrainingData(examples))
    return selector, storage, resource


def test_fold_drops_case_and_accents() -> None:
    assert fold("Détaxe À l'ÉTRANGER") == "detaxe a l'etranger"


def test_trained_selector_ranks_the_right_entry_in_rasa_format(
    tmp_path: Path, spacy_nlp: SpacyNLP
) -> None:
    selector, _, _ = trained(tmp_path, spacy_nlp)
    [message] = selector.process(messages_with_docs(spacy_nlp, ["vous acceptez paypal ?"]))
    output = message.get("response_selector")
    assert output["all_retrieval_intents"] == ["faq"]
    ranking = output["faq"]["ranking"]
    assert ranking[0]["intent_response_key"] == "faq/paiement_moyens"
    assert ranking[0]["confidence"] > ranking[1]["confidence"]
    assert output["faq"]["response"]["intent_response_key"] == "faq/paiement_moyens"
    assert abs(sum(item["confidence"] for item in ranking) - 1.0) < 1e-6  # 3 entries, all ranked


def test_selector_survives_persistence(tmp_path: Path, spacy_nlp: SpacyNLP) -> None:
    _, storage, resource = trained(tmp_path, spacy_nlp)
    context = ExecutionContext(GraphSchema({}), "test")
    loaded = FaqSelector.load({}, storage, resource, context)
    [message] = loaded.process(messages_with_docs(spacy_nlp, ["nettoyer ma bague en argent"]))
    key = message.get("response_selector")["faq"]["ranking"][0]["intent_response_key"]
    assert key == "faq/entretien_bijoux"


def test_without_faq_examples_messages_are_left_alone(tmp_path: Path, spacy_nlp: SpacyNLP) -> None:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("faq_selector")
    context = ExecutionContext(GraphSchema({}), "test")
    selector = FaqSelector.create({}, storage, resource, context)
    selector.train(TrainingData([Message(data={TEXT: "bonjour", INTENT: "greet"})]))
    loaded = FaqSelector.load({}, storage, resource, context)
    [message] = loaded.process([Message(data={TEXT: "bonjour"})])
    assert message.get("response_selector") is None


def test_messages_classified_elsewhere_are_not_ranked(tmp_path: Path, spacy_nlp: SpacyNLP) -> None:
    selector, _, _ = trained(tmp_path, spacy_nlp)
    greeting, question = messages_with_docs(spacy_nlp, ["bonjour", "vous prenez paypal ?"])
    greeting.set(INTENT, {"name": "greet", "confidence": 0.99})
    question.set(INTENT, {"name": "faq", "confidence": 0.97})
    selector.process([greeting, question])
    assert greeting.get("response_selector") is None
    ranking = question.get("response_selector")["faq"]["ranking"]
    assert ranking[0]["intent_response_key"] == "faq/paiement_moyens"
