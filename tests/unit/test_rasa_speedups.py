"""The cached action-response check accepts and rejects exactly what Rasa's own check does."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

import bot  # noqa: F401  (importing the package applies the fixes, as when Rasa loads a model)
from bot.rasa_speedups import validate_action_result

RESPONSES: list[dict[str, Any]] = [
    {},
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "order_number", "value": "482913"}]},
    {"events": [{"event": "active_loop", "name": None}], "responses": [{"text": "Bonjour"}]},
    {"events": "slot"},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot"}]},
    {"responses": ["texte seul"]},
    {"responses": {"text": "pas une liste"}},
]


def test_importing_bot_replaces_rasa_check() -> None:
    assert RemoteAction._validate_action_result is validate_action_result


@pytest.mark.parametrize("response", RESPONSES)
def test_same_verdict_as_jsonschema_validate(response: dict[str, Any]) -> None:
    action = RemoteAction("action_track_order", None)
    try:
        jsonschema.validate(response, RemoteAction.action_response_format_spec())
        expected = None
    except jsonschema.ValidationError as error:
        expected = error.message
    if expected is None:
        assert action._validate_action_result(response) is True
    else:
        with pytest.raises(jsonschema.ValidationError) as raised:
            action._validate_action_result(response)
        assert raised.value.message.startswith(expected)
        assert "Failed to validate Action server response" in raised.value.message
