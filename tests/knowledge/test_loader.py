"""The loader turns YAML into entries and names the file and line of every shape problem."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from shop.knowledge.loader import KnowledgeLoadError, load_knowledge, read_folder
from tests.knowledge.conftest import entry_yaml

Write = Callable[[str, str], Path]


def test_entries_keep_their_fields_file_and_lines(faq_dir: Path, write: Write) -> None:
    write("a.yml", entry_yaml("alpha") + entry_yaml("beta"))

    knowledge = load_knowledge(faq_dir)

    assert knowledge.ids == ("alpha", "beta")
    beta = knowledge.entry("beta")
    assert beta.title == "Titre beta"
    assert beta.source.document == "001_92e98ef0ecfea5a2.txt"
    assert beta.file == "faq/a.yml"
    assert beta.line == 20  # each generated entry is 19 lines long
    assert beta.line_of("answer") == 23
    assert beta.example_lines[0] == 25
    assert beta.phrasings[0] == "Quelle est la question beta ?"


def test_unknown_entry_id_raises_a_key_error_naming_it(faq_dir: Path, write: Write) -> None:
    write("a.yml", entry_yaml("alpha"))

    with pytest.raises(KeyError, match="nope"):
        load_knowledge(faq_dir).entry("nope")


def test_yaml_syntax_error_names_file_and_line(faq_dir: Path, write: Write) -> None:
    write("broken.yml", entry_yaml("alpha") + "- id: [unclosed\n")

    errors = read_folder(faq_dir).errors

    assert len(errors) == 1
    assert errors[0].file.endswith("broken.yml")
    assert errors[0].line >= 20
    assert "YAML syntax error" in errors[0].reason


def test_a_file_that_is_not_a_list_is_refused(faq_dir: Path, write: Write) -> None:
    write("map.yml", "id: alpha\ntitle: x\n")

    [error] = read_folder(faq_dir).errors

    assert error.line == 1
    assert "must be a list of entries" in error.reason


def test_an_empty_file_is_refused_so_a_truncated_save_never_goes_live(
    faq_dir: Path, write: Write
) -> None:
    write("empty.yml", "# rien\n")

    [error] = read_folder(faq_dir).errors

    assert "empty" in error.reason


def test_load_error_lists_every_problem(faq_dir: Path, write: Write) -> None:
    write("a.yml", entry_yaml("Bad-Id") + entry_yaml("beta").replace("  tags: [test]\n", ""))

    with pytest.raises(KnowledgeLoadError) as caught:
        load_knowledge(faq_dir)

    reasons = [error.reason for error in caught.value.errors]
    assert any("id must be snake_case" in reason for reason in reasons)
    assert any("entry 'beta': missing field 'tags'" in reason for reason in reasons)
    assert all(str(error).startswith(f"faq/a.yml:{error.line}: ") for error in caught.value.errors)
