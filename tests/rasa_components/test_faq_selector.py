"""The FAQ selector component: trained on intents and retrieval-intent examples with real spaCy
docs, persisted in Rasa's model storage, loaded back; it claims FAQ questions from DIET and ranks
their entries in Rasa's output format, and leaves the other messages to DIET."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import CountVectorizer

from bot.diet_without_faq import without_faq
from bot.faq_selector import FaqSelector, TfidfBlock, term_counts
from devtools.servers import ROOT
from shop.knowledge.text import fold

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


JOURNEYS = {
    "greet": ["bonjour", "salut", "bonsoir", "coucou"],
    "track_order": [
        "où en est ma commande",
        "je veux suivre mon colis",
        "ma commande 123456 est partie ?",
        "suivi de ma commande",
    ],
}


def training_examples(nlp: SpacyNLP) -> list[Message]:
    examples = []
    for key, texts in PHRASINGS.items():
        for message in messages_with_docs(nlp, texts):
            message.set(INTENT, "faq")
            message.set(INTENT_RESPONSE_KEY, key)
            examples.append(message)
    for intent, texts in JOURNEYS.items():
        for message in messages_with_docs(nlp, texts):
            message.set(INTENT, intent)
            examples.append(message)
    return examples


def trained(
    tmp_path: Path, nlp: SpacyNLP, config: dict | None = None
) -> tuple[FaqSelector, LocalModelStorage, Resource]:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("faq_selector")
    context = ExecutionContext(GraphSchema({}), "test")
    selector = FaqSelector.create(config or {}, storage, resource, context)
    selector.train(TrainingData(training_examples(nlp)))
    return selector, storage, resource


def as_classified_by_diet(message: Message, intent: str, confidence: float) -> Message:
    other = "track_order" if intent == "greet" else "greet"
    message.set(INTENT, {"name": intent, "confidence": confidence})
    message.set(
        INTENT_RANKING_KEY,
        [
            {"name": intent, "confidence": confidence},
            {"name": other, "confidence": 1.0 - confidence},
        ],
    )
    return message


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
    assert abs(sum(item["confidence"] for item in ranking) - 1.0) < 1e-6  # P(entry | faq)
    assert message.get(INTENT)["name"] == "faq"


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


def test_a_faq_question_is_claimed_from_diet_and_the_ranking_still_sums_to_one(
    tmp_path: Path, spacy_nlp: SpacyNLP
) -> None:
    selector, _, _ = trained(tmp_path, spacy_nlp)
    [question] = messages_with_docs(spacy_nlp, ["vous prenez paypal ?"])
    selector.process([as_classified_by_diet(question, "track_order", 0.9)])
    intent = question.get(INTENT)
    assert intent["name"] == "faq" and intent["confidence"] >= 0.5
    ranking = question.get(INTENT_RANKING_KEY)
    assert [item["name"] for item in ranking] == ["faq", "track_order", "greet"]
    assert abs(sum(item["confidence"] for item in ranking) - 1.0) < 1e-6
    key = question.get("response_selector")["faq"]["ranking"][0]["intent_response_key"]
    assert key == "faq/paiement_moyens"


def test_other_intents_are_the_mean_of_diet_and_the_linear_model(
    tmp_path: Path, spacy_nlp: SpacyNLP
) -> None:
    selector, _, _ = trained(tmp_path, spacy_nlp)
    greeting, tracking = messages_with_docs(spacy_nlp, ["bonjour", "où est mon colis ?"])
    as_classified_by_diet(greeting, "greet", 0.99)
    # DIET barely prefers the wrong intent; the linear model is sure: the mean corrects it.
    tracking.set(INTENT, {"name": "greet", "confidence": 0.55})
    tracking.set(
        INTENT_RANKING_KEY,
        [{"name": "greet", "confidence": 0.55}, {"name": "track_order", "confidence": 0.45}],
    )
    selector.process([greeting, tracking])
    assert greeting.get(INTENT)["name"] == "greet"
    assert tracking.get(INTENT)["name"] == "track_order"
    for message in (greeting, tracking):
        ranking = message.get(INTENT_RANKING_KEY)
        assert abs(sum(item["confidence"] for item in ranking) - 1.0) < 1e-6
        assert message.get(INTENT) == ranking[0]
        assert message.get("response_selector") is None


def test_a_faq_guess_below_the_threshold_leaves_diets_intent(
    tmp_path: Path, spacy_nlp: SpacyNLP
) -> None:
    selector, _, _ = trained(tmp_path, spacy_nlp, {"faq_threshold": 0.999})
    [question] = messages_with_docs(spacy_nlp, ["vous prenez paypal ?"])
    selector.process([as_classified_by_diet(question, "track_order", 0.9)])
    assert question.get(INTENT)["name"] != "faq"
    assert question.get("response_selector") is None


def test_diet_trains_without_the_faq_examples_but_keeps_the_rest(spacy_nlp: SpacyNLP) -> None:
    regex = [{"name": "order_number", "pattern": "[0-9]{6}"}]
    data = TrainingData(training_examples(spacy_nlp), regex_features=regex)
    kept = without_faq(data)
    assert kept.intents == {"greet", "track_order"}
    assert len(kept.intent_examples) == sum(len(texts) for texts in JOURNEYS.values())
    assert kept.regex_features == regex


def test_fast_probabilities_equal_scikit_learns(tmp_path: Path, spacy_nlp: SpacyNLP) -> None:
    selector, _, _ = trained(tmp_path, spacy_nlp)
    messages = messages_with_docs(
        spacy_nlp, ["vous prenez paypal ?", "bonjour", "où est mon colis"]
    )
    labels, fast = selector.probabilities(messages)
    assert selector.fitted is not None
    classifier = selector.fitted["classifier"]
    texts = [m.get(TEXT) for m in messages]
    slow = classifier.predict_proba(
        selector._features(texts, [m.get(SPACY_DOCS[TEXT]) for m in messages])
    )
    assert list(labels) == list(classifier.classes_)
    assert abs(fast - slow).max() < 1e-9


def test_the_classifiers_weights_are_held_once(tmp_path: Path, spacy_nlp: SpacyNLP) -> None:
    selector, _, _ = trained(tmp_path, spacy_nlp)
    assert selector.fitted is not None
    classifier = selector.fitted["classifier"]
    before = classifier.coef_.copy()
    (chars, words), _ = selector._weights
    assert np.shares_memory(classifier.coef_, chars.weights)
    assert np.shares_memory(classifier.coef_, words.weights)
    assert (classifier.coef_ == before).all()


def test_term_counts_equal_scikit_learns(tmp_path: Path, spacy_nlp: SpacyNLP) -> None:
    selector, _, _ = trained(tmp_path, spacy_nlp)
    assert selector.fitted is not None
    texts = ["Où est mon colis ? colis colis", "", "zzzz qwxy", "vous prenez PayPal ?"]
    for vectorizer in (selector.fitted["chars"], selector.fitted["words"]):
        expected = CountVectorizer.transform(vectorizer, texts)
        counts = term_counts(TfidfBlock.of(vectorizer, weights=np.empty((0, 0))), texts)
        assert counts.shape == expected.shape
        assert (counts.indptr == expected.indptr).all()
        assert (counts.indices == expected.indices).all()
        assert (counts.data == expected.data).all()
