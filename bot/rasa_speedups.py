"""Speed fixes for Rasa 3.6 internals, applied as soon as Rasa loads this package's components.

Rasa checks every action-server response with ``jsonschema.validate(result, schema)``. That
function first validates the schema itself against the JSON Schema meta-schema, on every call,
although Rasa's response schema never changes. Sampled with py-spy during full turns, that
re-check was half of the Rasa server's CPU (a turn runs two or three custom actions: the form
validation, the form itself, the answer). Here the validator is built and its schema checked
once; every response is still validated against the same schema and a bad one still raises the
same ``ValidationError`` with Rasa's message (BENCHMARKS.md, stop 9).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import exceptions
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def action_response_validator() -> Validator:
    """The validator of action-server responses, built once with its schema checked once."""
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(_action: RemoteAction, result: dict[str, Any]) -> bool:
    """What ``RemoteAction._validate_action_result`` does, without re-checking the schema."""
    error = exceptions.best_match(action_response_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def apply() -> None:
    RemoteAction._validate_action_result = validate_action_result
