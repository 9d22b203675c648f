"""One test per kind of validator error, on small files written by the test itself."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from shop.knowledge.loader import KnowledgeError
from shop.knowledge.validator import validate
from shop.policy.profile import ShopProfile
from tests.knowledge.conftest import entry_yaml

Write = Callable[[str, str], Path]


def only_error(faq_dir: Path, profiles: list[ShopProfile]) -> KnowledgeError:
    errors = validate(faq_dir, profiles)
    assert len(errors) == 1, errors
    return errors[0]


def test_a_valid_folder_has_no_error(faq_dir: Path, write: Write, profiles) -> None:
    write("a.yml", entry_yaml("alpha", answer="Appelez le {phone}."))
    write("b.yml", entry_yaml("beta"))

    assert validate(faq_dir, profiles) == []


def test_empty_answer_is_reported_with_file_and_line(faq_dir, write, profiles) -> None:
    write("paiement.yml", entry_yaml("paiement_3x", answer='""'))

    error = only_error(faq_dir, profiles)

    assert str(error) == (
        "faq/paiement.yml:4: entry 'paiement_3x': answer is empty: réponse à écrire"
    )
    assert (error.line, error.reason) == (
        4,
        "entry 'paiement_3x': answer is empty: réponse à écrire",
    )


def test_answer_over_700_characters_is_refused(faq_dir, write, profiles) -> None:
    write("a.yml", entry_yaml("alpha", answer="x" * 701))

    assert "answer is 701 characters (max 700)" in only_error(faq_dir, profiles).reason


def test_answer_too_long_once_filled_names_the_shop(faq_dir, write, profiles) -> None:
    write("a.yml", entry_yaml("alpha", answer="x" * 650 + " {opening_hours}"))

    reasons = [error.reason for error in validate(faq_dir, profiles)]

    assert any("once filled for shop 'bijou_eclat'" in reason for reason in reasons)


def test_missing_required_field_is_reported(faq_dir, write, profiles) -> None:
    write("a.yml", entry_yaml("alpha").replace("  title: Titre alpha\n", ""))

    error = only_error(faq_dir, profiles)

    assert (error.line, error.reason) == (1, "entry 'alpha': missing field 'title'")


def test_wrong_type_is_reported_on_its_line(faq_dir, write, profiles) -> None:
    write("a.yml", entry_yaml("alpha").replace("  tags: [test]", "  tags: test"))

    error = only_error(faq_dir, profiles)

    assert error.line == 16
    assert "tags must be a list" in error.reason


def test_unquoted_yes_no_example_is_not_text(faq_dir, write, profiles) -> None:
    examples = [f"alpha phrase {n} bien unique ici" for n in range(9)] + ["no"]
    write("a.yml", entry_yaml("alpha", examples=examples))

    assert "must be text, got 'no' (quote it)" in only_error(faq_dir, profiles).reason


def test_unknown_key_is_reported(faq_dir, write, profiles) -> None:
    write("a.yml", entry_yaml("alpha", extra="  answr: typo\n"))

    error = only_error(faq_dir, profiles)

    assert error.line == 20
    assert "unknown field 'answr'" in error.reason


def test_repeated_key_is_reported(faq_dir, write, profiles) -> None:
    write("a.yml", entry_yaml("alpha", extra="  answer: bis\n"))

    assert "field 'answer' appears twice" in only_error(faq_dir, profiles).reason


def test_duplicate_id_across_files_points_to_both(faq_dir, write, profiles) -> None:
    write("a.yml", entry_yaml("alpha"))
    other = [f"autre phrase {n} sans rapport" for n in range(10)]
    write("b.yml", entry_yaml("alpha", examples=other))

    reasons = [str(error) for error in validate(faq_dir, profiles)]

    assert reasons == ["faq/b.yml:1: entry 'alpha': id already used at faq/a.yml:1"]


def test_identical_normalised_phrasings_of_two_entries_collide(faq_dir, write, profiles) -> None:
    alpha = [f"alpha phrase {n} bien unique" for n in range(9)] + ["Délai de livraison ?"]
    beta = [f"beta tournure {n} differente" for n in range(9)] + ["delai de LIVRAISON"]
    write("a.yml", entry_yaml("alpha", examples=alpha) + entry_yaml("beta", examples=beta))

    error = only_error(faq_dir, profiles)

    assert error.line == 34  # beta's last example
    assert "'delai de LIVRAISON' is the same phrasing as 'Délai de livraison ?'" in error.reason
    assert error.reason.endswith("of entry 'alpha' (faq/a.yml:15)")


def test_near_identical_phrasings_collide_through_rapidfuzz(faq_dir, write, profiles) -> None:
    alpha = [f"alpha phrase {n} bien unique" for n in range(9)] + ["je veux changer mon adresse"]
    beta = [f"beta tournure {n} differente" for n in range(9)] + ["je veut changer mon adresse"]
    write("a.yml", entry_yaml("alpha", examples=alpha) + entry_yaml("beta", examples=beta))

    assert "is too close to 'je veux changer mon adresse'" in only_error(faq_dir, profiles).reason


def test_a_shared_word_is_not_a_collision(faq_dir, write, profiles) -> None:
    alpha = [f"alpha phrase {n} bien unique" for n in range(9)] + ["livraison"]
    beta = [f"beta tournure {n} differente" for n in range(9)] + ["frais de livraison en suisse"]
    write("a.yml", entry_yaml("alpha", examples=alpha) + entry_yaml("beta", examples=beta))

    assert validate(faq_dir, profiles) == []


def test_a_repeated_example_within_an_entry_is_reported(faq_dir, write, profiles) -> None:
    examples = [f"alpha phrase {n} bien unique" for n in range(9)] + ["Alpha phrase 0, bien unique"]
    write("a.yml", entry_yaml("alpha", examples=examples))

    assert "repeats line 6 of the same entry" in only_error(faq_dir, profiles).reason


def test_fewer_than_eight_examples_is_refused(faq_dir, write, profiles) -> None:
    write("a.yml", entry_yaml("alpha", examples=[f"phrase {n} unique" for n in range(7)]))

    assert "only 7 examples (at least 8 are needed)" in only_error(faq_dir, profiles).reason


def test_unknown_placeholder_is_refused(faq_dir, write, profiles) -> None:
    write("a.yml", entry_yaml("alpha", answer="Appelez le {phnoe}."))

    error = only_error(faq_dir, profiles)

    assert (error.line, error.reason) == (
        4,
        "entry 'alpha': unknown placeholder {phnoe} (see the table in knowledge/GUIDE.md)",
    )


def test_stray_brace_is_refused(faq_dir, write, profiles) -> None:
    write("a.yml", entry_yaml("alpha", answer="Appelez le {phone ou écrivez-nous."))

    assert "brace that is not part of a {placeholder}" in only_error(faq_dir, profiles).reason


def test_missing_source_is_refused(faq_dir, write, profiles) -> None:
    text = entry_yaml("alpha").split("  source:\n")[0]
    write("a.yml", text)

    assert "missing field 'source'" in only_error(faq_dir, profiles).reason


def test_source_document_must_be_a_seed_file(faq_dir, write, profiles) -> None:
    write("a.yml", entry_yaml("alpha").replace("001_92e98ef0ecfea5a2.txt", "blog.txt"))

    error = only_error(faq_dir, profiles)

    assert error.line == 17
    assert "source.document 'blog.txt' is not a seed document" in error.reason


def test_rasa_reserved_characters_are_refused_in_examples(faq_dir, write, profiles) -> None:
    examples = [f"alpha phrase {n} bien unique" for n in range(9)] + ["ma commande 'x'[y]"]
    write("a.yml", entry_yaml("alpha", examples=examples).replace("'x'[y]", '"x [y]"'))

    assert "reserved by Rasa" in only_error(faq_dir, profiles).reason


def test_same_title_twice_is_refused(faq_dir, write, profiles) -> None:
    write("a.yml", entry_yaml("alpha") + entry_yaml("beta").replace("Titre beta", "Titre alpha"))

    assert (
        "title 'Titre alpha' is already the title of entry 'alpha'"
        in only_error(faq_dir, profiles).reason
    )


def test_missing_folder_is_an_error_not_a_crash(tmp_path: Path, profiles) -> None:
    [error] = validate(tmp_path / "nowhere", profiles)

    assert error.reason == "folder not found"
