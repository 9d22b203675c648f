"""The shipped FAQ: valid for both shops, large enough, every entry reachable by held-out text."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from shop.knowledge.loader import load_knowledge
from shop.knowledge.model import KnowledgeBase
from shop.knowledge.placeholders import PLACEHOLDERS, fill, placeholders_in
from shop.knowledge.text import normalise
from shop.knowledge.validator import validate
from shop.policy.profile import REPO_ROOT

FAQ_DIR = REPO_ROOT / "knowledge" / "faq"
HELDOUT = Path(__file__).with_name("heldout_faq.yml")
JOURNEY_IDS = {"cancel_order", "track_order", "return_item", "promo_code_failing", "lost_parcel"}


@pytest.fixture(scope="module")
def knowledge() -> KnowledgeBase:
    return load_knowledge(FAQ_DIR)


@pytest.fixture(scope="module")
def heldout() -> dict[str, list[str]]:
    return yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))["heldout"]


def test_shipped_knowledge_validates_clean_with_both_shop_profiles(profiles) -> None:
    assert [str(error) for error in validate(FAQ_DIR, profiles)] == []


def test_at_least_sixty_entries_with_ten_examples_each(knowledge: KnowledgeBase) -> None:
    assert len(knowledge) >= 60
    assert [entry.id for entry in knowledge if len(entry.examples) < 10] == []


def test_every_placeholder_fills_for_both_shops(profiles) -> None:
    for profile in profiles:
        for name, placeholder in PLACEHOLDERS.items():
            value = placeholder.render(profile)
            assert value.strip(), (profile.id, name)
            assert "{" not in value and "None" not in value, (profile.id, name, value)


def test_every_answer_fills_without_braces_for_both_shops(knowledge, profiles) -> None:
    for entry in knowledge:
        for profile in profiles:
            filled = fill(entry.answer, profile)
            assert "{" not in filled and "}" not in filled, entry.id
            assert len(filled) <= 700, (entry.id, profile.id)


def test_shop_specific_answers_differ_between_shops(knowledge, profiles) -> None:
    bijou, ocre = profiles
    entry = knowledge.entry("retours_exclus")
    assert "{return_window_days}" in entry.answer
    assert "14 jours" in fill(entry.answer, bijou)
    assert "30 jours" in fill(entry.answer, ocre)


def test_heldout_covers_every_entry_with_three_phrasings(knowledge, heldout) -> None:
    assert set(heldout) == set(knowledge.ids)
    assert {entry_id: len(p) for entry_id, p in heldout.items() if len(p) < 3} == {}


def test_no_heldout_phrasing_is_a_training_example(knowledge, heldout) -> None:
    trained = {normalise(text) for entry in knowledge for text in entry.phrasings}
    leaks = [text for texts in heldout.values() for text in texts if normalise(text) in trained]
    assert leaks == []


def test_journeys_handled_by_dedicated_intents_are_not_faq_entries(knowledge) -> None:
    assert JOURNEY_IDS.isdisjoint(knowledge.ids)


def test_guide_documents_every_placeholder() -> None:
    guide = (REPO_ROOT / "knowledge" / "GUIDE.md").read_text(encoding="utf-8")
    assert [name for name in PLACEHOLDERS if f"{{{name}}}" not in guide] == []


def test_answers_use_placeholders_for_rules_that_differ_between_shops(knowledge) -> None:
    """Numbers that differ between the two profiles must never be written in an answer."""
    for entry in knowledge:
        for rule in ("14 jours après", "30 jours après", "avant 13h", "15h", "valables 90"):
            assert rule not in entry.answer, (entry.id, rule)
    used = {name for entry in knowledge for name in placeholders_in(entry.answer)}
    assert {"return_window_days", "cancel_rule", "loyalty_validity", "phone"} <= used
