"""The speed fixes give what Rasa's own code gives: the action-response check accepts and
rejects the same responses, sparse features join into the same matrix, and the training hook
skips its hashing only when the training cache is off."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import jsonschema
import numpy as np
import pytest
import scipy.sparse
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.core.actions.action import RemoteAction
from rasa.shared.nlu.training_data.features import Features
from rasa.utils.tensorflow.model_data import FeatureArray, RasaModelData
from rasa.utils.tensorflow.models import RasaModel

import bot  # noqa: F401  (importing the package applies the fixes, as when Rasa loads a model)
from bot.rasa_speedups import (
    RASA_DOMAIN_IS_EMPTY,
    RASA_FAKE_FEATURES,
    RASA_RUN_INFERENCE,
    FlatCall,
    combine_sparse_features,
    domain_is_empty,
    fake_features,
    hstack_sparse,
    run_inference_one_batch_at_a_time,
    valid_by_event_name,
    validate_action_result,
)
from devtools.servers import ROOT

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
    {"events": [{"event": 3}]},
    {"events": [{"name": "order_number"}]},
    {"events": ["slot"]},
    {"events": None},
    {"events": [{"event": "slot", "name": "email", "value": "a@b.fr"}, {"event": "slot"}]},
    {"events": [{"event": "user", "text": "bonjour", "parse_data": {"intent": {"name": 3}}}]},
    {"events": [{"event": "bot", "text": "Bonjour", "data": {}}, {"event": "action"}]},
]
# Events as an action server could send them, right or wrong: every name the schema knows and
# one it does not, with fields of every kind.
EVENT_NAMES = [
    alternative["properties"]["event"]["const"]
    for alternative in RemoteAction.action_response_format_spec()["properties"]["events"]["items"][
        "oneOf"
    ]
]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=4), inner, max_size=2)
    ),
    max_leaves=4,
)
FIELDS = [
    "name",
    "value",
    "text",
    "timestamp",
    "metadata",
    "parse_data",
    "data",
    "entities",
    "action_name",
    "policy",
    "confidence",
    "intent",
    "date_time",
    "kill_on_user_msg",
]
EVENTS = (
    st.dictionaries(st.sampled_from(FIELDS), JSON_VALUES, max_size=3).flatmap(
        lambda fields: st.sampled_from([*EVENT_NAMES, "no_such_event"]).map(
            lambda name: {"event": name, **fields}
        )
    )
    | JSON_VALUES
)
ACTION_RESPONSES = st.fixed_dictionaries(
    {},
    optional={
        "events": st.lists(EVENTS, max_size=3) | JSON_VALUES,
        "responses": st.lists(st.dictionaries(st.text(max_size=4), JSON_VALUES, max_size=2))
        | JSON_VALUES,
    },
)


def test_importing_bot_replaces_rasa_check() -> None:
    assert RemoteAction._validate_action_result is validate_action_result


@pytest.mark.parametrize("response", RESPONSES)
def test_same_verdict_as_jsonschema_validate(response: dict[str, Any]) -> None:
    assert_same_verdict_as_jsonschema(response)


@settings(max_examples=400, deadline=None)
@given(ACTION_RESPONSES)
def test_any_response_gets_jsonschemas_verdict(response: dict[str, Any]) -> None:
    """Each event checked against its own name's schema only: the verdict of the whole one."""
    assert_same_verdict_as_jsonschema(response)


def assert_same_verdict_as_jsonschema(response: dict[str, Any]) -> None:
    action = RemoteAction("action_track_order", None)
    try:
        jsonschema.validate(response, RemoteAction.action_response_format_spec())
        expected = None
    except jsonschema.ValidationError as error:
        expected = error.message
    assert valid_by_event_name(response) is (expected is None)  # the fast path decides alone
    if expected is None:
        assert action._validate_action_result(response) is True
    else:
        with pytest.raises(jsonschema.ValidationError) as raised:
            action._validate_action_result(response)
        assert raised.value.message.startswith(expected)
        assert "Failed to validate Action server response" in raised.value.message


@pytest.mark.parametrize("formats", [("coo", "coo"), ("csr", "coo"), ("coo", "csr")])
@pytest.mark.parametrize("dtypes", [(np.float32, np.float32), (np.int64, np.float64)])
def test_sparse_features_join_as_scipy_hstack(formats: tuple[str, str], dtypes: tuple) -> None:
    rng = np.random.default_rng(7)
    left = scipy.sparse.random(6, 40, density=0.2, format=formats[0], random_state=rng)
    right = scipy.sparse.random(6, 900, density=0.05, format=formats[1], random_state=rng)
    left, right = left.astype(dtypes[0]), right.astype(dtypes[1])
    expected = scipy.sparse.hstack([left, right])
    joined = hstack_sparse(left, right)
    assert joined.format == expected.format == "coo"
    assert joined.shape == expected.shape and joined.dtype == expected.dtype
    assert (joined.row == expected.row).all() and (joined.col == expected.col).all()
    assert (joined.data == expected.data).all()


def test_features_are_joined_with_the_fast_hstack() -> None:
    assert Features._combine_sparse_features is combine_sparse_features
    first = Features(scipy.sparse.coo_matrix(np.eye(2)), "sequence", "text", "a")
    second = Features(scipy.sparse.coo_matrix(np.ones((2, 3))), "sequence", "text", "b")
    first.combine_with_features(second)
    assert (first.features.toarray() == np.hstack([np.eye(2), np.ones((2, 3))])).all()
    with pytest.raises(ValueError, match="sequence dimensions do not match"):
        first.combine_with_features(
            Features(scipy.sparse.coo_matrix(np.ones((3, 1))), "sequence", "text", "c")
        )


def message_features(tokens: int) -> list[Features]:
    """A message's features as Rasa's featurizers leave them: sparse and dense, sequence and
    sentence, one named after two featurizers (its origin a list)."""
    rng = np.random.default_rng(tokens)
    sparse = scipy.sparse.random(tokens, 900, density=0.05, random_state=rng, dtype=np.float32)
    return [
        Features(sparse.tocoo(), "sequence", "text", ["CountVectorsFeaturizer", "Regex"]),
        Features(scipy.sparse.coo_matrix(np.ones((1, 30))), "sentence", "text", "Regex"),
        Features(rng.random((tokens, 300)), "sequence", "text", "SpacyFeaturizer"),
        Features(rng.random((1, 300)).astype(np.float32), "sentence", "text", "Spacy"),
    ]


def as_compared(features: Features) -> tuple:
    matrix = features.features
    return (
        type(matrix),
        matrix.shape,
        matrix.dtype,
        features.is_sparse() and matrix.nnz,
        features.type,
        features.attribute,
        features.origin,
    )


def test_stand_in_features_are_rasas_without_the_deep_copy() -> None:
    examples = [[None], [message_features(4)], [message_features(9)]]
    ours, rasas = fake_features(examples), RASA_FAKE_FEATURES(examples)
    assert [as_compared(f) for f in ours] == [as_compared(f) for f in rasas]
    assert [f.features.shape[0] for f in ours] == [0, 0, 0, 0]
    ours[0].origin.append("changed")  # the stand-in's origin is its own, as the copy's was
    assert examples[1][0][0].origin == ["CountVectorsFeaturizer", "Regex"]


def test_rasa_builds_its_stand_ins_with_ours() -> None:
    from rasa.utils.tensorflow import model_data_utils

    assert model_data_utils._create_fake_features is fake_features


def test_a_domain_is_empty_as_rasa_says() -> None:
    from rasa.shared.core.domain import Domain

    full = Domain.from_yaml((ROOT / "domain.yml").read_text())
    one_intent = Domain.from_dict({"intents": ["a"]})
    for domain in (Domain.empty(), Domain.from_dict({}), full, one_intent):
        assert domain_is_empty(domain) is RASA_DOMAIN_IS_EMPTY(domain)
    assert Domain.is_empty is domain_is_empty
    assert Domain.empty().is_empty() and not full.is_empty()


class Unhashable:
    """An output whose fingerprint fails the test if the training hook asks for it."""

    def fingerprint(self) -> str:
        raise AssertionError("fingerprinted")


def training_hook(tmp_path: Any, monkeypatch: pytest.MonkeyPatch, cache_mb: str) -> Any:
    from rasa.engine.caching import LocalTrainingCache
    from rasa.engine.graph import GraphSchema, SchemaNode
    from rasa.engine.training.hooks import TrainingHook

    from bot.entity_cleanup import EntityCleanup

    monkeypatch.setenv("RASA_CACHE_DIRECTORY", str(tmp_path / "cache"))
    monkeypatch.setenv("RASA_MAX_CACHE_SIZE", cache_mb)
    node = SchemaNode(
        needs={}, uses=EntityCleanup, constructor_name="create", fn="process", config={}
    )
    schema = GraphSchema({"node": node})
    return TrainingHook(cache=LocalTrainingCache(), model_storage=None, pruned_schema=schema)


def test_training_hook_hashes_nothing_when_the_cache_is_off(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = training_hook(tmp_path, monkeypatch, "0")
    assert hook.on_before_node("node", None, {}, {"input": Unhashable()}) == {}
    hook.on_after_node("node", None, {}, Unhashable(), {})


def test_training_hook_still_hashes_for_the_cache_when_it_is_on(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = training_hook(tmp_path, monkeypatch, "100")
    with pytest.raises(AssertionError, match="fingerprinted"):
        hook.on_after_node("node", None, {}, Unhashable(), {"fingerprint_key": "key"})


SWITCHED = """
import bot
from rasa.core.actions.action import RemoteAction
from rasa.core.policies.rule_policy import RulePolicy
from bot import rasa_speedups
print(RemoteAction._validate_action_result is rasa_speedups.validate_action_result,
      RulePolicy._get_possible_keys is rasa_speedups.possible_rule_keys)
"""


@pytest.mark.parametrize(("switch", "applied"), [("", "True True"), ("off", "False False")])
def test_the_environment_switch_keeps_rasas_own_code(switch: str, applied: str) -> None:
    out = subprocess.run(
        [sys.executable, "-c", SWITCHED],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "BIJOU_RASA_SPEEDUPS": switch},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == applied


def doubled_graph() -> Any:
    """A graph of Rasa's prediction's shape: one argument, a list of tensors."""
    import tensorflow as tf

    signature = [[tf.TensorSpec([None, 2], tf.float32), tf.TensorSpec([None], tf.int64)]]
    graph = tf.function(lambda batch: {"sum": batch[0] * 2, "ids": batch[1] + 1}, signature)
    return graph.get_concrete_function()


def test_the_flat_call_gives_what_the_graph_gives() -> None:
    graph = doubled_graph()
    batch = (np.array([[1.0, 2.0]], dtype=np.float32), np.array([4, 5]))
    flat, structured = FlatCall(graph)(batch), graph(list(batch))
    assert flat.keys() == structured.keys()
    for name in flat:
        assert np.array_equal(flat[name].numpy(), structured[name].numpy())


@pytest.mark.parametrize(
    "batch",
    [
        (np.array([[1.0, 2.0]], dtype=np.float64), np.array([4, 5], dtype=np.int32)),  # cast
        ([[1.5, 2.0]], [4, 5]),  # Python lists
        (np.zeros((0, 2), dtype=np.float32), np.zeros((0,), dtype=np.int64)),  # empty
    ],
)
def test_the_flat_call_converts_as_tensorflow_converts(batch: tuple) -> None:
    import tensorflow as tf

    graph = doubled_graph()
    specs = tf.nest.flatten(graph.structured_input_signature)
    converted = [
        tf.convert_to_tensor(v, dtype_hint=s.dtype) for v, s in zip(batch, specs, strict=True)
    ]
    flat, structured = FlatCall(graph)(batch), graph(converted)
    for name in flat:
        assert flat[name].dtype == structured[name].dtype
        assert np.array_equal(flat[name].numpy(), structured[name].numpy())


def test_the_flat_call_takes_any_shape_where_the_signature_has_no_rank() -> None:
    import tensorflow as tf

    graph = tf.function(lambda x: x + 1, [tf.TensorSpec(None, tf.float32)])
    concrete = graph.get_concrete_function()
    for value in (np.float32(1.0), np.ones((2, 3), dtype=np.float32)):
        assert np.array_equal(FlatCall(concrete)((value,)).numpy(), value + 1)


@pytest.mark.parametrize(
    "batch",
    [
        (np.array([[1.0, 2.0]], dtype=np.float32),),  # an input missing
        (np.array([1.0, 2.0], dtype=np.float32), np.array([4])),  # rank 1 for rank 2
        (np.array([[1.0, 2.0, 3.0]], dtype=np.float32), np.array([4])),  # 3 features for 2
        (np.array([[1.0, 2.0]], dtype=np.float32), np.array(["quatre"])),  # words for integers
    ],
)
def test_the_flat_call_refuses_what_the_signature_refuses(batch: tuple) -> None:
    with pytest.raises(ValueError):
        FlatCall(doubled_graph())(batch)


class BatchEcho:
    """A model whose prediction tells what batch it was given: each input's sum and the first
    input's shape (a sum in a nested output, as DIET nests its diagnostics)."""

    _merge_batch_outputs = staticmethod(RasaModel._merge_batch_outputs)

    def _rasa_predict(self, batch: tuple) -> dict[str, Any]:
        sums = [float(np.asarray(part, dtype=float).sum()) for part in batch]
        return {"sums": np.array([sums]), "inner": {"shape": np.array([np.shape(batch[0])])}}


def three_messages() -> RasaModelData:
    """Three messages of 2, 3 and 1 tokens, with dense and sparse features (padded per batch)."""
    lengths = (2, 3, 1)
    dense = [np.arange(n * 4, dtype=np.float32).reshape(n, 4) + n for n in lengths]
    sparse = [scipy.sparse.coo_matrix(np.eye(n, 5, dtype=np.float32)) for n in lengths]
    features = [
        FeatureArray(np.array(arrays, dtype=object), number_of_dimensions=3)
        for arrays in (dense, sparse)
    ]
    return RasaModelData(data={"text": {"sequence": features}})


def test_inference_one_batch_at_a_time_gives_what_rasa_gives() -> None:
    data = three_messages()
    ours = run_inference_one_batch_at_a_time(BatchEcho(), data)  # type: ignore[arg-type]
    rasas = RASA_RUN_INFERENCE(BatchEcho(), data)
    assert ours.keys() == rasas.keys() == {"sums", "inner"}
    assert np.array_equal(ours["sums"], rasas["sums"])
    assert ours["sums"].shape[0] == 3  # one row a message
    assert np.array_equal(ours["inner"]["shape"], rasas["inner"]["shape"])
    kept = run_inference_one_batch_at_a_time(
        BatchEcho(),
        data,
        output_keys_expected=["sums"],  # type: ignore[arg-type]
    )
    assert kept.keys() == {"sums"} and np.array_equal(kept["sums"], rasas["sums"])
