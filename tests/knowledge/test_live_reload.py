"""Live reload keeps serving the last good version; the training digest tells retrain from not."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
import yaml

from shop.knowledge.loader import KnowledgeLoadError, load_knowledge
from shop.knowledge.store import LiveKnowledge
from shop.knowledge.training import (
    phrasings_changed,
    rasa_training_data,
    read_digest,
    training_digest,
    write_rasa_training_data,
)
from tests.knowledge.conftest import entry_yaml


class FakeClock:
    """Monotonic seconds the test moves by hand: no sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def touch_later(path: Path) -> None:
    """Push the mtime forward so the change is seen even within the filesystem's resolution."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


@pytest.fixture
def live(faq_dir: Path, write, profiles) -> tuple[LiveKnowledge, Path, FakeClock]:
    path = write("a.yml", entry_yaml("alpha", answer="Appelez le {phone}.") + entry_yaml("beta"))
    clock = FakeClock()
    return LiveKnowledge(faq_dir, profiles, check_interval=0.5, clock=clock), path, clock


def test_answer_is_filled_for_the_shop(live, profiles) -> None:
    store, _, _ = live
    assert store.answer("alpha", profiles[0]) == "Appelez le 01 84 60 12 34."
    assert store.answer("alpha", profiles[1]) == "Appelez le 01 84 60 98 76."


def test_changed_answer_is_served_after_the_check_interval(live, profiles) -> None:
    store, path, clock = live
    path.write_text(path.read_text().replace("Appelez le {phone}.", "Écrivez à {email}."))
    touch_later(path)

    clock.now += 0.1
    assert store.answer("alpha", profiles[0]) == "Appelez le 01 84 60 12 34."
    clock.now += 0.5
    assert store.answer("alpha", profiles[0]) == "Écrivez à service-client@bijou-eclat.example."


def test_broken_file_keeps_the_last_good_version_and_logs_why(live, profiles, caplog) -> None:
    store, path, clock = live
    path.write_text(path.read_text().replace("Appelez le {phone}.", "Appelez le {phnoe}."))
    touch_later(path)
    clock.now += 1

    with caplog.at_level(logging.ERROR, logger="shop.knowledge.store"):
        assert store.answer("alpha", profiles[0]) == "Appelez le 01 84 60 12 34."

    assert "unknown placeholder {phnoe}" in caplog.text
    assert "faq/a.yml:4:" in caplog.text
    assert [error.line for error in store.last_errors] == [4]


def test_a_fixed_file_goes_live_again_after_a_broken_one(live, profiles) -> None:
    store, path, clock = live
    good = path.read_text()
    path.write_text("- id: [broken\n")
    touch_later(path)
    clock.now += 1
    assert len(store.current()) == 2
    path.write_text(good.replace("Appelez le {phone}.", "Nouveau texte."))
    touch_later(path)
    clock.now += 1
    assert store.answer("alpha", profiles[0]) == "Nouveau texte."
    assert store.last_errors == ()


def test_a_new_file_is_picked_up(live, write) -> None:
    store, _, clock = live
    write("b.yml", entry_yaml("gamma"))
    clock.now += 1
    assert "gamma" in store.current()


def test_first_load_of_a_broken_folder_fails_loudly(faq_dir: Path, write, profiles) -> None:
    write("a.yml", entry_yaml("alpha", answer="Comptez {nope} jours."))
    with pytest.raises(KnowledgeLoadError, match="unknown placeholder"):
        LiveKnowledge(faq_dir, profiles)


def test_unknown_entry_raises_key_error(live, profiles) -> None:
    store, _, _ = live
    with pytest.raises(KeyError):
        store.answer("nope", profiles[0])


# --------------------------------------------------------------------------- training data


def test_digest_ignores_answer_changes_but_not_example_changes(faq_dir: Path, write) -> None:
    path = write("a.yml", entry_yaml("alpha"))
    before = training_digest(load_knowledge(faq_dir))

    path.write_text(path.read_text().replace("Une réponse courte", "Une autre réponse"))
    assert training_digest(load_knowledge(faq_dir)) == before
    assert not phrasings_changed(faq_dir, before)

    path.write_text(path.read_text().replace("numero 3", "numéro trois"))
    assert training_digest(load_knowledge(faq_dir)) != before
    assert phrasings_changed(faq_dir, before)


def test_training_file_is_rasa_nlu_with_retrieval_intents(faq_dir: Path, write, tmp_path) -> None:
    write("a.yml", entry_yaml("alpha") + entry_yaml("beta"))
    knowledge = load_knowledge(faq_dir)
    output = tmp_path / "bot" / "faq.yml"

    assert write_rasa_training_data(knowledge, output) is True
    assert write_rasa_training_data(knowledge, output) is False  # unchanged: not rewritten

    text = output.read_text(encoding="utf-8")
    assert text.startswith("# GENERATED FILE")
    assert read_digest(output) == training_digest(knowledge)
    data = yaml.safe_load(text)
    assert data["version"] == "3.1"
    assert [item["intent"] for item in data["nlu"]] == ["faq/alpha", "faq/beta"]
    assert data["nlu"][0]["examples"].splitlines()[0] == "- Quelle est la question alpha ?"
    assert data["responses"]["utter_faq/beta"] == [{"text": "beta"}]


def test_rasa_reads_the_generated_file(faq_dir: Path, write) -> None:
    reader_module = pytest.importorskip("rasa.shared.nlu.training_data.formats.rasa_yaml")
    write("a.yml", entry_yaml("alpha") + entry_yaml("beta"))
    data = reader_module.RasaYAMLReader().reads(rasa_training_data(load_knowledge(faq_dir)))
    assert data.intents == {"faq"}
    assert {m.get("intent_response_key") for m in data.intent_examples} == {
        "faq/alpha",
        "faq/beta",
    }
    assert "utter_faq/alpha" in data.responses
