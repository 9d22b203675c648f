"""A draft FAQ entry from the review inbox (``knowledge/faq/a_rediger.yml``) is refused by the
validator and the build, with its file, line and « réponse à écrire », until an editor writes
it; written, it ships like any other entry. Meanwhile the run command and the running bot
leave it out and serve the rest."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from shop.knowledge.__main__ import main
from shop.knowledge.store import LiveKnowledge
from shop.learning.export import draft_entries, drafts_yaml
from shop.policy.profile import ShopProfile
from tests.knowledge.conftest import SEED, entry_yaml


@pytest.fixture
def drafts(faq_dir: Path) -> Path:
    path = faq_dir / "a_rediger.yml"
    messages = ["vous livrez en Suisse ?", "livrez-vous en suisse", "livraison suisse possible ?"]
    path.write_text(drafts_yaml(draft_entries([messages])), encoding="utf-8")
    return path


def test_a_draft_stops_validation_and_build_with_file_line_and_reason(
    drafts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", "--folder", "faq"]) == 1
    errors = capsys.readouterr().err

    assert (
        "faq/a_rediger.yml:8: entry 'brouillon_vous_livrez_en_suisse': "
        "answer is empty: réponse à écrire"
    ) in errors.splitlines()
    assert "nothing changed" in errors
    assert main(["build", "--folder", "faq", "--output", "faq.yml"]) == 1
    assert not Path("faq.yml").exists()


def test_once_written_the_draft_ships(drafts: Path, capsys: pytest.CaptureFixture[str]) -> None:
    [entry] = yaml.safe_load(drafts.read_text(encoding="utf-8"))
    entry["title"] = "Livraison en Suisse"
    entry["answer"] = "Oui, nous livrons en Suisse en 5 à 7 jours ouvrés."
    entry["examples"] += [f"envoi vers la suisse, cas numéro {n}" for n in range(8)]
    entry["source"] = {"document": SEED, "section": "Livraison"}
    drafts.write_text(yaml.safe_dump([entry], allow_unicode=True), encoding="utf-8")

    assert main(["validate", "--folder", "faq"]) == 0, capsys.readouterr().err
    assert main(["build", "--folder", "faq", "--output", "faq.yml"]) == 0
    assert "- intent: faq/brouillon_vous_livrez_en_suisse" in Path("faq.yml").read_text()


def test_the_run_command_leaves_a_draft_out_and_goes_on(
    drafts: Path, faq_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (faq_dir / "a.yml").write_text(entry_yaml("livraison_delais"), encoding="utf-8")

    assert main(["validate", "--folder", "faq", "--allow-drafts"]) == 0
    assert main(["build", "--folder", "faq", "--output", "faq.yml", "--allow-drafts"]) == 0
    assert "draft 'brouillon_vous_livrez_en_suisse' left out" in capsys.readouterr().err
    built = Path("faq.yml").read_text()
    assert "faq/livraison_delais" in built and "brouillon" not in built


def test_the_running_bot_keeps_answering_and_never_serves_a_draft(
    drafts: Path, faq_dir: Path, profiles: list[ShopProfile]
) -> None:
    (faq_dir / "a.yml").write_text(entry_yaml("livraison_delais"), encoding="utf-8")
    live = LiveKnowledge(faq_dir, profiles)
    assert live.answer("livraison_delais", profiles[0]) == "Une réponse courte et aimable."
    assert "brouillon_vous_livrez_en_suisse" not in live.current()
    assert live.reload() == ()
