"""Speed fixes for Rasa 3.6 internals, applied as soon as Rasa loads this package's components.

**Action responses.** Rasa checks every action-server response with
``jsonschema.validate(result, schema)``, which first validates the schema itself against the
JSON Schema meta-schema, on every call, although Rasa's response schema never changes. Sampled
with py-spy during full turns, that re-check was half of the Rasa server's CPU (a turn runs two
or three custom actions: the form validation, the form itself, the answer). Here the validator
is built and its schema checked once; every response is still validated against the same
schema and a bad one still raises the same ``ValidationError`` with Rasa's message.

**Loading DIET.** To give its network weights of the right shapes before reading them, Rasa's
``RasaModel.load`` trains it for one step on one example: TensorFlow then traces the whole
training graph (loss, CRF, gradients), most of the model's load time. Here the weights file is
opened first and the prediction graph is traced instead; TensorFlow restores each weight as
the prediction creates it, and the load fails unless every weight it created was restored.
Same predictions, to the last digit, on the 955 held-out and development messages; the model
loads in 8.5 s instead of 22.5 s (``tests/nlu/test_fast_load.py`` compares both on each model).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import exceptions
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
from rasa.utils.tensorflow.models import RasaModel

RASA_MODEL_LOAD = RasaModel.load.__func__


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


def load_for_prediction(
    cls: type[RasaModel],
    model_file_name: str,
    model_data_example: Any,
    predict_data_example: Any = None,
    finetune_mode: bool = False,
    *args: Any,
    **kwargs: Any,
) -> RasaModel:
    """``RasaModel.load`` without tracing the training step (see the module's docstring)."""
    if finetune_mode or not predict_data_example:  # training goes on: Rasa's own way
        return RASA_MODEL_LOAD(
            cls,
            model_file_name,
            model_data_example,
            predict_data_example,
            finetune_mode,
            *args,
            **kwargs,
        )
    import tensorflow as tf

    model = cls(*args, **kwargs)
    config = kwargs.get("config", {})
    model.compile(
        optimizer=tf.keras.optimizers.Adam(config.get(LEARNING_RATE, 0.001)),
        run_eagerly=config.get(RUN_EAGERLY),
    )
    status = model.load_weights(model_file_name)
    model.run_inference(predict_data_example)  # creates (and restores) the weights it uses
    status.expect_partial()  # the optimizer's state is in the file but not needed to predict
    status.assert_existing_objects_matched()
    return model


def apply() -> None:
    RemoteAction._validate_action_result = validate_action_result
    RasaModel.load = classmethod(load_for_prediction)
