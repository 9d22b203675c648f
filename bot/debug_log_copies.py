"""The copies Rasa makes for its debug lines, made only when it writes debug lines.

Rasa 3.6 hands its debug lines deep copies of what they show, made where it calls the logger:
``structlogger.debug("memoization.predict.actions", tracker_states=copy.deepcopy(states))``.
Python makes the copy before the call, also when the server writes no debug line (the product's
servers write from INFO up, where structlog's ``debug`` does nothing): at each prediction, copies
of every dialogue state of the conversation, and of every event of the turn. ~3 % of a Rasa
server's CPU under load (py-spy), more the longer the conversation (BENCHMARKS.md).

In the modules below every ``copy.`` is such a copy (``tests/rasa_components/
test_debug_log_copies.py`` reads their source), so there ``copy`` is a stand-in whose
``deepcopy`` hands back the value itself unless Rasa's logger writes debug lines
(``rasa run --debug``). Nothing else changes: the debug lines that are not written were all that
read the copies. Installed by ``scripts/rasa_run.py``.
"""

from __future__ import annotations

import copy
import importlib
import logging
from typing import Any

MODULES = (
    "rasa.core.processor",
    "rasa.core.policies.rule_policy",
    "rasa.core.policies.memoization",
    "rasa.core.actions.forms",
)


class CopiesForDebugLines:
    """``copy`` for code whose deep copies only go to debug lines."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        if logging.getLogger("rasa").isEnabledFor(logging.DEBUG):
            return copy.deepcopy(value, memo)
        return value


def install() -> None:
    """Give each of ``MODULES`` the stand-in for ``copy`` (once)."""
    for name in MODULES:
        module = importlib.import_module(name)
        if not isinstance(module.copy, CopiesForDebugLines):
            module.copy = CopiesForDebugLines()  # type: ignore[attr-defined]
