"""The tools never import the tests: ``scripts/`` and the ``devtools/`` harness they share with
the tests stand on their own, so a test can move or change without breaking a benchmark, and a
script runs where the tests are not installed (the container image has no ``tests/``)."""

from __future__ import annotations

import ast
from pathlib import Path

from devtools.servers import ROOT

TOOLS = ("scripts", "devtools")


def imports_of_tests(path: Path) -> list[str]:
    """``file:line: module`` for every import of the ``tests`` package in ``path``, at any depth
    (inside a function too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        else:
            continue
        found += [f"{path}:{node.lineno}: {m}" for m in modules if m.split(".")[0] == "tests"]
    return found


def test_no_script_nor_devtools_module_imports_the_tests() -> None:
    files = [path for folder in TOOLS for path in sorted((ROOT / folder).rglob("*.py"))]
    assert len(files) > 20  # the folders were found
    assert [hit for path in files for hit in imports_of_tests(path)] == []


def test_an_import_of_the_tests_is_found_wherever_it_is(tmp_path: Path) -> None:
    script = tmp_path / "breach.py"
    script.write_text(
        "import os\n"
        "from testsuite import helper\n"
        "import tests.support.databases as databases\n"
        "\n"
        "def main() -> None:\n"
        "    from tests.support.databases import seeded_sqlite\n"
    )
    assert imports_of_tests(script) == [
        f"{script}:3: tests.support.databases",
        f"{script}:6: tests.support.databases",
    ]
