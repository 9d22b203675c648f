"""Rasa's copies for its debug lines are made only when it writes debug lines, and only where a
copy goes nowhere else."""

from __future__ import annotations

import ast
import importlib
import inspect
import logging
from collections.abc import Iterator

import pytest

from bot import debug_log_copies
from bot.debug_log_copies import MODULES, CopiesForDebugLines


def copy_uses(source: str) -> Iterator[tuple[str, bool]]:
    """Each ``copy.<name>`` of ``source``, and whether it is an argument of a
    ``structlogger.debug(...)`` call."""
    tree = ast.parse(source)
    in_debug_call: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "debug"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "structlogger"
        ):
            in_debug_call.update(id(inner) for inner in ast.walk(node))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "copy"
        ):
            yield node.attr, id(node) in in_debug_call


@pytest.mark.parametrize("name", MODULES)
def test_every_copy_in_the_modules_is_an_argument_of_a_debug_line(name: str) -> None:
    uses = list(copy_uses(inspect.getsource(importlib.import_module(name))))
    assert uses, name  # each module still makes such copies (Rasa's version pinned)
    assert all(attribute == "deepcopy" and in_debug for attribute, in_debug in uses), uses


def test_the_check_sees_a_copy_used_for_anything_else() -> None:
    source = 'x = copy.deepcopy(a)\nstructlogger.debug("e", a=copy.deepcopy(a))\n'
    assert list(copy_uses(source)) == [("deepcopy", False), ("deepcopy", True)]


def test_no_copy_without_debug_lines_a_copy_with_them() -> None:
    value = {"states": [{"user": {"intent": "greet"}}]}
    rasa_logger = logging.getLogger("rasa")
    level = rasa_logger.level
    try:
        rasa_logger.setLevel(logging.INFO)
        assert CopiesForDebugLines().deepcopy(value) is value
        rasa_logger.setLevel(logging.DEBUG)
        copied = CopiesForDebugLines().deepcopy(value)
        assert copied == value and copied is not value
        assert copied["states"][0] is not value["states"][0]
    finally:
        rasa_logger.setLevel(level)


def test_install_gives_each_module_the_stand_in_once() -> None:
    modules = [importlib.import_module(name) for name in MODULES]
    originals = [module.copy for module in modules]
    try:
        debug_log_copies.install()
        installed = [module.copy for module in modules]
        debug_log_copies.install()
        assert all(isinstance(stand_in, CopiesForDebugLines) for stand_in in installed)
        assert [module.copy for module in modules] == installed
        assert installed[0].copy is originals[0].copy  # everything else is copy's own
    finally:
        for module, original in zip(modules, originals, strict=True):
            module.copy = original
