"""The model's graphs run in order without dask (bot/rasa_speedups.py), with dask's results."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.core.agent import Agent
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.loading import load_data

from bot import rasa_speedups
from devtools.nlu_evaluation import HELDOUT, agent_parser
from devtools.servers import model_path
from tests.support.threads import in_own_thread

pytestmark = pytest.mark.nlu


def parse_and_predict(agent: Agent, texts: list[str]) -> list[tuple[Any, ...]]:
    """Each text's parse, then the next action the policies choose after it."""

    def run_all() -> list[tuple[Any, ...]]:
        parse = agent_parser(agent)
        results = []
        for text in texts:
            parsed = parse(text)
            tracker = DialogueStateTracker.from_events(
                "runner", [ActionExecuted("action_listen"), UserUttered(text, parsed["intent"])]
            )
            prediction = agent.processor._predict_next_with_tracker(tracker)
            results.append(
                (
                    [(i["name"], round(i["confidence"], 6)) for i in parsed["intent_ranking"]],
                    [(e["entity"], e["value"], e["start"]) for e in parsed["entities"]],
                    prediction.policy_name,
                    [round(p, 6) for p in prediction.probabilities],
                )
            )
        return results

    return in_own_thread(run_all)


@pytest.fixture(scope="module")
def agent() -> Agent:
    return Agent.load(str(model_path()))


def test_graphs_run_in_order_as_dask_runs_them(
    agent: Agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [m.get("text") for m in load_data(str(HELDOUT)).intent_examples][1::5]
    assert DaskGraphRunner.run is rasa_speedups.run_in_order
    in_order = parse_and_predict(agent, texts)
    monkeypatch.setattr(DaskGraphRunner, "run", rasa_speedups.RASA_GRAPH_RUN)
    with_dask = parse_and_predict(agent, texts)
    assert len(texts) > 60
    assert in_order == with_dask
    assert {policy for *_, policy, _ in in_order} >= {"RulePolicy"}


def test_an_input_named_like_a_node_is_refused(agent: Agent) -> None:
    runner = agent.processor.graph_runner
    target = agent.processor.model_metadata.nlu_target
    with pytest.raises(GraphRunError, match="clashes with a node name"):
        runner.run(inputs={"__message__": "nlu_message_converter"}, targets=[target])
