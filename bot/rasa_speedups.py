"""Speed fixes for Rasa 3.6 internals, applied as soon as Rasa loads this package's components.

**Action responses.** Rasa checks every action-server response with
``jsonschema.validate(result, schema)``, which first validates the schema itself against the
JSON Schema meta-schema, on every call, although Rasa's response schema never changes. Sampled
with py-spy during full turns, that re-check was half of the Rasa server's CPU (a turn runs two
or three custom actions: the form validation, the form itself, the answer). Here the validator
is built and its schema checked once; every response is still validated against the same
schema and a bad one still raises the same ``ValidationError`` with Rasa's message. The
schema says that each event matches exactly one of 23 schemas (``oneOf``), one for each
``event`` name, so every event was checked against all 23: 1.1-1.3 ms a response of three events.
Each event is checked against the one schema of its name instead (the others require another
name: the verdict is the same), and a response found invalid is checked again against the
whole schema for Rasa's own error; 0.11-0.16 ms (BENCHMARKS.md).

**Loading DIET.** To give its network weights of the right shapes before reading them, Rasa's
``RasaModel.load`` trains it for one step on one example: TensorFlow then traces the whole
training graph (loss, CRF, gradients), most of the model's load time. Here the weights file is
opened first and the prediction graph is traced instead; TensorFlow restores each weight as
the prediction creates it, and the load fails unless every weight it created was restored.
Same predictions, to the last digit, on the 955 held-out and development messages; the model
loads in 8.5 s instead of 22.5 s (``tests/nlu/test_fast_load.py`` compares both on each model).
The prediction graph is traced without AutoGraph, which rewrites the Python source of each of
the ~110 functions the prediction calls before tracing it (9 s of a 12 s trace, cProfile):
DIET's prediction branches and loops on Python values only (its settings, lists of layers),
which tracing follows as they are, so the graph is the same; a branch on a tensor would fail
the load loudly, not change it. DIET's load: ~9 s -> ~3 s.
Each parse then calls the prediction's concrete function, the graph itself: the ``tf.function``
matched its inputs against its signature first, on every call, which took longer than running
the graph (py-spy: 15 % of a parse, against 11 %); ~0.2 ms less a parse. The concrete function
still matched them against its structured signature (nesting, names, then a cast of each
array): 7 % of the Rasa server's CPU under load. The arrays are turned into tensors of the
signature's types here (converted as the check converted them) and given to the graph as its
flat list of inputs; one that cannot take its type, or of another shape, fails loudly
(``ValueError``), as the check did; 0.2-0.7 ms less a parse (BENCHMARKS.md). Each array goes
straight to TensorFlow's tensor constructor, where ``tf.convert_to_tensor`` ends after its
dispatch, conversion registry and error filters (18 against 8 µs an input, ten inputs a parse),
and the shape is compared with the signature's dimensions as a tuple (13 µs an input through
``TensorSpec.is_compatible_with``). Rasa's ``run_inference`` wraps each message in a data
generator (an epoch, a Keras iterator) to cut it into batches of one; the same batches are cut
here by Rasa's own ``prepare_batch``, one example at a time, and merged the same way. Same
parses, to the last digit, on the held-out messages.

**One spaCy pipeline.** Rasa's SpacyNLP loads its spaCy model twice when a model loads: once
for the node that provides it to the pipeline and once for the node that processes messages,
which only uses the provided one. Loading by name is memoised here, so both nodes share one
pipeline: ~80 MB and ~0.6 s less. Loading the French language compiles spaCy's French token
pattern (266 alternatives, 1.4 MB of text): Python's regex compiler spent 1.5 of its 2.6 CPU
seconds optimising the same few character classes again and again. During the load that
step is memoised (a pure function of its arguments), so the compiled code is the same
(``tests/rasa_components/test_rasa_speedups.py`` compares it): spaCy loads in ~1.1 s of CPU.

**Joining sparse features.** Before DIET reads a message, Rasa joins the sparse features of its
featurizers with ``scipy.sparse.hstack``, which goes through ``bmat``'s general block
machinery: 8 % of a parse for two small matrices (py-spy). The same COO matrix, entries in the
same order, is built here from the two matrices' arrays directly.

**Running a graph.** Rasa runs each graph (the NLU pipeline on every message, the policies on
every action prediction) through dask: on each run it selects the nodes the targets need,
builds a dask graph and lets dask's local scheduler order and call them, one after the other.
Here the nodes a target needs are put in order once per target, and each run calls them in
that order: the same calls with the same inputs, so the same results
(``tests/nlu/test_graph_runner.py``; a training gives the same losses, epoch by epoch); a parse
takes ~0.5 ms less (4.05 -> 3.49 ms p50, alternating the two in one process).

**Training without the cache.** Around each node of the training graph, Rasa's ``TrainingHook``
hashes the node's inputs and its whole output (every message with its spaCy doc and features)
to file the output in the training cache, even when the cache is turned off and drops it
(``RASA_MAX_CACHE_SIZE=0``, as ``scripts/ensure_model.py`` trains: only when the inputs
changed, from scratch). Here the hook does nothing when the cache is off: ~12 s of a
three-minute training (py-spy).

**Matching rules.** To find the rules that match a conversation, Rasa's ``RulePolicy`` filters
its rules (328 here, none longer than four states) against every state of the conversation,
from the latest back to the first; a rule shorter than the states already compared matches by
definition, and is checked again at each older state all the same. Its cost grew with the
conversation: 7 % of the Rasa server's CPU, and the main reason a turn late in a long
conversation cost twice one early in it (py-spy). Here the filter stops at the length of the
table's longest rule (an older state matches every rule), and compares a state only to the
rules that require its previous action and intent, or none (an index built once per table): the
same rules come out (``tests/nlu/test_rule_matching.py`` compares both on the trained model's
rules). Comparing every rule to the latest state was still ~9 % of the server's CPU.

**Stand-ins and checks built once.** Before DIET reads a message, Rasa builds zero-row
stand-ins for any feature a message may lack by deep-copying the message's own features, their
matrices included, then replacing each matrix; they are built here from the type, attribute,
origin and width alone: the same stand-ins, 0.05 ms a parse instead of 0.10. After each parse
Rasa asks whether the domain is empty by comparing it with an empty domain built again from
nothing; the empty domain's form is built once here: 0.0002 ms instead of 0.044. Small (py-spy
under load gave each ~2 % of the server's samples; timed alone, ~0.1 ms of a ~16 ms turn
together), kept because they change nothing else.

**Kept honest.** The fixes replace functions of Rasa 3.6 by their name: ``apply`` puts them in
place only on Rasa 3.6 (another version keeps Rasa's own code and logs a warning), and
``BIJOU_RASA_SPEEDUPS=off`` in the environment keeps Rasa's own code to compare.
"""

from __future__ import annotations

import copy
import logging
import sre_compile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache, lru_cache
from typing import Any

import numpy as np
import scipy.sparse
from jsonschema import exceptions
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa import __version__ as RASA_VERSION
from rasa.core.actions.action import RemoteAction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.training.hooks import TrainingHook
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET, USER
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.constants import ACTION_NAME, INTENT
from rasa.shared.nlu.training_data.features import Features
from rasa.utils.tensorflow import model_data_utils
from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
from rasa.utils.tensorflow.data_generator import RasaDataGenerator
from rasa.utils.tensorflow.models import RasaModel
from tensorflow.python.framework.ops import EagerTensor  # TensorFlow is loaded by Rasa's models

from shop.settings import ShopSettings, current_settings

RASA_MODEL_LOAD = RasaModel.load.__func__
RASA_RUN_INFERENCE = RasaModel.run_inference
RASA_ON_BEFORE_NODE = TrainingHook.on_before_node
RASA_ON_AFTER_NODE = TrainingHook.on_after_node
RASA_GRAPH_RUN = DaskGraphRunner.run
RASA_SPACY_LOAD = SpacyNLP.load_model
RASA_POSSIBLE_RULE_KEYS = RulePolicy._get_possible_keys
RASA_FAKE_FEATURES = model_data_utils._create_fake_features
RASA_DOMAIN_IS_EMPTY = Domain.is_empty

SUPPORTED_RASA = "3.6."  # the version whose internals these fixes replace
SWITCH = ShopSettings.variables()["rasa_speedups"]  # "off": Rasa's own code everywhere
logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def action_response_validator() -> Validator:
    """The validator of action-server responses, built once with its schema checked once."""
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@lru_cache(maxsize=1)
def event_validators() -> tuple[Validator, dict[str, Validator]] | None:
    """The response's schema without its events' ``oneOf``, and each of its alternatives by
    the ``event`` name it requires; None if the schema is not of that shape (another Rasa):
    then every response goes through the whole schema."""
    schema = copy.deepcopy(RemoteAction.action_response_format_spec())
    try:
        alternatives = schema["properties"]["events"]["items"].pop("oneOf")
        names = [alternative["properties"]["event"]["const"] for alternative in alternatives]
    except (KeyError, TypeError):
        return None
    if len(set(names)) != len(names):
        return None
    cls = validator_for(schema)
    return cls(schema), {name: cls(alt) for name, alt in zip(names, alternatives, strict=True)}


def valid_by_event_name(result: dict[str, Any]) -> bool:
    """True when the response is valid, each event checked against its own name's schema;
    False when it is not, or when that cannot say (the whole schema then decides)."""
    split = event_validators()
    if split is None:
        return False
    outer, by_name = split
    if not outer.is_valid(result):
        return False
    for event in result.get("events") or ():  # the outer schema checked it is an object
        name = event.get("event")  # a dict with a string name: the outer schema checked it
        if name not in by_name or not by_name[name].is_valid(event):
            return False
    return True


def validate_action_result(_action: RemoteAction, result: dict[str, Any]) -> bool:
    """What ``RemoteAction._validate_action_result`` does, without re-checking the schema."""
    if valid_by_event_name(result):
        return True
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
    if not model._run_eagerly:
        model._tf_predict_step = predict_function_without_autograph(model, predict_data_example)
    model.run_inference(predict_data_example)  # creates (and restores) the weights it uses
    status.expect_partial()  # the optimizer's state is in the file but not needed to predict
    if model._tf_predict_step is not None:  # None when run eagerly
        # The one graph the prediction function has: calling the tf.function itself first
        # matches the inputs against its signature to find it, on every parse.
        model._tf_predict_step = FlatCall(model._tf_predict_step.get_concrete_function())
    status.assert_existing_objects_matched()
    return model


class FlatCall:
    """A prediction graph called with a batch's arrays as its flat list of tensors (see the
    module's docstring)."""

    def __init__(self, function: Any) -> None:
        import tensorflow as tf
        from tensorflow.python.eager import context

        self.function = function
        self.specs = tf.nest.flatten(function.structured_input_signature)
        self.context = context.context()
        self.context.ensure_initialized()
        # For each input: its type (as TensorFlow's constructor takes it) and its dimensions,
        # None where any size goes; None for an input of any rank.
        self.kinds = [
            (spec.dtype.as_datatype_enum, None if spec.shape.rank is None else spec.shape.as_list())
            for spec in self.specs
        ]

    def __call__(self, batch_in: Any) -> Any:
        if len(batch_in) != len(self.specs):
            raise ValueError(f"{len(batch_in)} inputs for a graph of {len(self.specs)}")
        device = self.context.device_name
        tensors = []
        for value, (dtype, dims), spec in zip(batch_in, self.kinds, self.specs):  # noqa: B905
            try:  # what tf.convert_to_tensor(value, dtype_hint=...) ends in, for an array
                tensor = EagerTensor(value, device, dtype)
            except (TypeError, ValueError) as error:
                raise ValueError(
                    f"input {getattr(value, 'dtype', type(value))} for {spec}"
                ) from error
            if dims is not None and not fits(tensor._shape_tuple(), dims):
                raise ValueError(f"input {tensor.dtype} {tensor.shape} for {spec}")
            tensors.append(tensor)
        return self.function._call_flat(tensors, self.function.captured_inputs)


def fits(shape: tuple[int, ...], dims: list[int | None]) -> bool:
    """A tensor's shape matches a signature's dimensions (None: any size there)."""
    return len(shape) == len(dims) and all(
        want is None or size == want
        for size, want in zip(shape, dims)  # noqa: B905
    )


def run_inference_one_batch_at_a_time(
    model: RasaModel,
    model_data: Any,
    batch_size: int | list[int] = 1,
    output_keys_expected: list[str] | None = None,
) -> dict[str, Any]:
    """``RasaModel.run_inference`` for batches of one example (DIET's, at every parse): the
    same batches, made by Rasa's ``prepare_batch`` and merged the same way, without building a
    data generator, an epoch and a Keras iterator around them for each message."""
    if batch_size != 1:
        return RASA_RUN_INFERENCE(model, model_data, batch_size, output_keys_expected)
    outputs: dict[str, Any] = {}
    for start in range(model_data.number_of_examples()):
        batch_out = model._rasa_predict(
            RasaDataGenerator.prepare_batch(model_data.data, start, start + 1)
        )
        if output_keys_expected:
            batch_out = {k: v for k, v in batch_out.items() if k in output_keys_expected}
        outputs = model._merge_batch_outputs(outputs, batch_out)
    return outputs


def predict_function_without_autograph(model: RasaModel, predict_data_example: Any) -> Any:
    """The ``tf.function`` Rasa's ``_rasa_predict`` makes on the first prediction, traced
    without AutoGraph (see the module's docstring)."""
    import tensorflow as tf
    from rasa.utils.train_utils import create_data_generators

    generator, _ = create_data_generators(
        model_data=predict_data_example, batch_sizes=1, epochs=1, shuffle=False
    )
    batch_in = next(iter(generator))[0]
    return tf.function(
        model.predict_step, input_signature=model._dynamic_signature(batch_in), autograph=False
    )


@contextmanager
def charsets_optimised_once() -> Iterator[None]:
    """Python's regex compiler optimises each distinct character set once while this lasts."""
    optimize = getattr(sre_compile, "_optimize_charset", None)
    if optimize is None:  # another Python: compile as usual
        yield
        return
    done: dict[tuple[Any, ...], tuple[list[Any], bool]] = {}

    def optimize_once(
        charset: Any, iscased: Any = None, fixup: Any = None, fixes: Any = None
    ) -> tuple[list[Any], bool]:
        try:
            key = (tuple(charset), iscased, fixup, id(fixes))
            hit = done.get(key)
        except TypeError:  # an unhashable set: not memoised
            return optimize(charset, iscased, fixup, fixes)
        if hit is None:
            hit = done[key] = optimize(charset, iscased, fixup, fixes)
        return list(hit[0]), hit[1]  # the caller gets its own list, as from the original

    setattr(sre_compile, "_optimize_charset", optimize_once)  # noqa: B010 - a private name
    try:
        yield
    finally:
        setattr(sre_compile, "_optimize_charset", optimize)  # noqa: B010


@cache
def load_spacy_once(spacy_model_name: str) -> SpacyModel:
    """``SpacyNLP.load_model``, once per model name in a process, its regexes compiled faster."""
    with charsets_optimised_once():
        return RASA_SPACY_LOAD(spacy_model_name)


def hstack_sparse(left: Any, right: Any) -> scipy.sparse.coo_matrix:
    """``scipy.sparse.hstack([left, right])`` for two sparse matrices with the same rows."""
    left, right = left.tocoo(copy=False), right.tocoo(copy=False)
    data = np.concatenate([left.data, right.data])  # in the common type, as hstack's
    rows = np.concatenate([left.row, right.row])
    cols = np.concatenate([left.col, right.col + left.shape[1]])
    shape = (left.shape[0], left.shape[1] + right.shape[1])
    return scipy.sparse.coo_matrix((data, (rows, cols)), shape=shape)


def combine_sparse_features(features: Features, additional: Features) -> None:
    """``Features._combine_sparse_features`` with ``hstack_sparse``."""
    if features.features.shape[0] != additional.features.shape[0]:
        raise ValueError(
            f"Cannot combine sparse features as sequence dimensions do not "
            f"match: {features.features.shape[0]} != {additional.features.shape[0]}."
        )
    features.features = hstack_sparse(features.features, additional.features)
    features._cached_fingerprint = None


def fake_features(all_features: list[list[list[Features] | None]]) -> list[Features]:
    """``model_data_utils._create_fake_features`` without deep-copying the features it replaces:
    a zero-row matrix of each feature's kind and width, named as that feature."""
    example = next(f for examples in all_features for f in examples if f is not None)
    stand_ins = []
    for features in example:
        width = features.features.shape[-1]
        if features.is_sparse():  # float64 as Rasa's: its dtype lands where scipy ignores it
            matrix: Any = scipy.sparse.coo_matrix((0, width))
        else:
            matrix = np.zeros((0, width), features.features.dtype)
        origin = copy.copy(features.origin)  # a list when features were combined
        stand_ins.append(Features(matrix, features.type, features.attribute, origin))
    return stand_ins


@cache
def empty_domain_as_dict() -> dict[str, Any]:
    return Domain.empty().as_dict()


def domain_is_empty(domain: Domain) -> bool:
    """``Domain.is_empty`` against an empty domain's form built once, not on every call."""
    return domain.as_dict() == empty_domain_as_dict()


def cache_is_off(hook: TrainingHook) -> bool:
    is_disabled = getattr(hook._cache, "_is_disabled", None)
    return bool(is_disabled is not None and is_disabled())


def fingerprint_unless_cache_off(hook: TrainingHook, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """``TrainingHook.on_before_node``, skipped when the training cache is turned off."""
    return {} if cache_is_off(hook) else RASA_ON_BEFORE_NODE(hook, *args, **kwargs)


def cache_output_unless_off(hook: TrainingHook, *args: Any, **kwargs: Any) -> None:
    """``TrainingHook.on_after_node``, skipped when the training cache is turned off."""
    if not cache_is_off(hook):
        RASA_ON_AFTER_NODE(hook, *args, **kwargs)


def run_plan(runner: DaskGraphRunner, targets: tuple[str, ...]) -> list[tuple[str, list[str]]]:
    """The nodes the targets need, each after the nodes it needs, with the names it reads."""
    plans: dict[tuple[str, ...], list[tuple[str, list[str]]]]
    plans = runner.__dict__.setdefault("_plans_by_targets", {})
    if targets not in plans:
        nodes = runner._graph_schema.nodes
        plan: list[tuple[str, list[str]]] = []
        done: set[str] = set()

        def visit(name: str) -> None:
            if name in done or name not in nodes:  # a name no node has is an input's
                return
            done.add(name)
            needs = list(nodes[name].needs.values())
            for need in needs:
                visit(need)
            plan.append((name, needs))

        for target in targets:
            visit(target)
        plans[targets] = plan
    return plans[targets]


def run_in_order(
    runner: DaskGraphRunner,
    inputs: dict[str, Any] | None = None,
    targets: list[str] | None = None,
) -> dict[str, Any]:
    """``DaskGraphRunner.run`` without dask (see the module's docstring)."""
    run_targets = tuple(targets if targets else runner._graph_schema.target_names)
    plan = run_plan(runner, run_targets)
    results: dict[str, Any] = {}
    for input_name, input_value in (inputs or {}).items():
        if isinstance(input_value, str) and (
            input_value in results or any(input_value == name for name, _ in plan)
        ):
            raise GraphRunError(
                f"Input value '{input_value}' clashes with a node name. Make sure "
                f"that none of the input names passed to the `run` method are the "
                f"same as node names in the graph schema."
            )
        results[input_name] = (input_name, input_value)
    try:
        for name, needs in plan:
            if name not in results:  # an input of the same name stands for the node
                node = runner._instantiated_nodes[name]
                results[name] = node(*(results.get(need, need) for need in needs))
    except RuntimeError as e:
        raise GraphRunError("Error running runner.") from e
    return dict(results[target] for target in run_targets)


def possible_rule_keys(
    policy: RulePolicy, lookup: dict[str, str], states: list[dict[str, Any]]
) -> set[str]:
    """``RulePolicy._get_possible_keys``: the rules applicable to ``states``, the same set,
    without comparing a rule to states older than its own length (it matches them all) nor to
    a state whose previous action or intent it cannot match (``RuleIndex``)."""
    possible = set(lookup)
    index = rule_index(policy, lookup, possible)
    for turn, state in enumerate(reversed(states[-index.longest :] if index.longest else [])):
        candidates = index.candidates(turn, state) & possible
        possible = {key for key in candidates if policy._is_rule_applicable(key, turn, state)}
    return possible


class RuleIndex:
    """A rule table's rules by what each requires of a state, ``turn`` states back: the
    previous action's name and the intent. Rasa's ``_is_rule_applicable`` rejects a rule whose
    required name or intent the state lacks (when the rule's state has a previous action; a
    rule's conversation-start state matches any other start), so only the rules requiring the
    state's own name and intent, or none, can match; those are checked as Rasa does."""

    def __init__(self, lookup: dict[str, str]) -> None:
        self.keys = frozenset(lookup)
        rules = {key: list(reversed(RulePolicy._rule_key_to_state(key))) for key in lookup}
        self.longest = max(map(len, rules.values()), default=0)
        self._buckets: list[dict[tuple[Any, Any], set[str]]] = []
        self._names: list[set[Any]] = []  # the names some rule requires, at each turn back
        self._intents: list[set[Any]] = []
        for turn in range(self.longest):
            buckets: dict[tuple[Any, Any], set[str]] = {}
            for key, reversed_states in rules.items():
                requires = (
                    self._requirement(reversed_states[turn])
                    if turn < len(reversed_states)
                    else (None, None)  # shorter: matches whatever the state
                )
                buckets.setdefault(requires, set()).add(key)
            self._buckets.append(buckets)
            self._names.append({name for name, _ in buckets})
            self._intents.append({intent for _, intent in buckets})
        self._candidates: dict[tuple[int, Any, Any], frozenset[str]] = {}

    @staticmethod
    def _requirement(rule_state: dict[str, Any]) -> tuple[Any, Any]:
        """The previous action's name and the intent the rule's state requires (None: any)."""
        if not rule_state.get(PREVIOUS_ACTION):
            return None, None  # a conversation start: matches any start
        name = rule_state[PREVIOUS_ACTION].get(ACTION_NAME)
        intent = rule_state.get(USER, {}).get(INTENT)
        return (
            name if name and name != SHOULD_NOT_BE_SET else None,
            intent if intent and intent != SHOULD_NOT_BE_SET else None,
        )

    def candidates(self, turn: int, state: dict[str, Any]) -> frozenset[str]:
        """The rules that may match ``state`` ``turn`` states back (a superset of those that
        do)."""
        name = (state.get(PREVIOUS_ACTION) or {}).get(ACTION_NAME)
        intent = (state.get(USER) or {}).get(INTENT)
        # A name or intent no rule requires selects what None does (the cache stays small).
        name = name if name in self._names[turn] else None
        intent = intent if intent in self._intents[turn] else None
        found = self._candidates.get((turn, name, intent))
        if found is None:
            buckets = self._buckets[turn]
            found = frozenset().union(
                *(buckets.get(k, ()) for k in {(name, intent), (name, None), (None, intent)}),
                buckets.get((None, None), ()),
            )
            self._candidates[(turn, name, intent)] = found
        return found


RULE_TABLES = 4  # a RulePolicy looks rules up in two tables (rules, unhappy loop paths)


def rule_index(policy: RulePolicy, lookup: dict[str, str], keys: set[str]) -> RuleIndex:
    """The index of one of the policy's rule tables (``keys``, its rules now), built at its
    first use. A table never changes once the model is loaded; while the policy trains, its
    check for contradictions removes rules (still indexed, no longer among ``keys``), and a
    rule added since the index was built has the index built again."""
    indexes = policy.__dict__.setdefault("_bijou_rule_indexes", {})
    kept = indexes.get(id(lookup))
    if kept is None or kept[0] is not lookup or not keys <= kept[1].keys:
        if len(indexes) >= RULE_TABLES:  # tables replaced while the policy trained
            indexes.clear()
        kept = indexes[id(lookup)] = (lookup, RuleIndex(lookup))
    return kept[1]


def apply() -> None:
    """Put the fixes in place, unless Rasa is not 3.6 or the environment turns them off."""
    if not current_settings().rasa_speedups:
        logger.info("Rasa speed fixes off (%s)", SWITCH)
        return
    if not RASA_VERSION.startswith(SUPPORTED_RASA):
        logger.warning(
            "Rasa %s is not %sx: its own code runs, without the speed fixes",
            RASA_VERSION,
            SUPPORTED_RASA,
        )
        return
    RulePolicy._get_possible_keys = possible_rule_keys
    RemoteAction._validate_action_result = validate_action_result
    RasaModel.load = classmethod(load_for_prediction)
    RasaModel.run_inference = run_inference_one_batch_at_a_time
    Features._combine_sparse_features = combine_sparse_features
    TrainingHook.on_before_node = fingerprint_unless_cache_off
    TrainingHook.on_after_node = cache_output_unless_off
    DaskGraphRunner.run = run_in_order
    SpacyNLP.load_model = staticmethod(load_spacy_once)
    model_data_utils._create_fake_features = fake_features
    Domain.is_empty = domain_is_empty
