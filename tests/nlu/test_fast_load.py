"""DIET loaded the fast way (bot/rasa_speedups.py) predicts exactly what Rasa's own load does."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.loading import load_data
from rasa.utils.tensorflow.models import RasaModel

from bot import rasa_speedups
from devtools.nlu_evaluation import HELDOUT, agent_parser
from devtools.servers import model_path
from tests.support.threads import in_own_thread

pytestmark = pytest.mark.nlu


def parses(agent: Agent, texts: list[str]) -> list[dict[str, Any]]:
    def parse_all() -> list[dict[str, Any]]:
        parse = agent_parser(agent)
        return [parse(text) for text in texts]

    results = in_own_thread(parse_all)
    return [
        {
            "ranking": [(i["name"], round(i["confidence"], 6)) for i in r["intent_ranking"]],
            "entities": [(e["entity"], e["value"], e["start"]) for e in r["entities"]],
        }
        for r in results
    ]


def test_fast_load_predicts_like_rasas_load(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [m.get("text") for m in load_data(str(HELDOUT)).intent_examples][::4]
    model = str(model_path())
    assert RasaModel.load.__func__ is rasa_speedups.load_for_prediction
    fast = parses(Agent.load(model), texts)
    monkeypatch.setattr(RasaModel, "load", classmethod(rasa_speedups.RASA_MODEL_LOAD))
    slow = parses(Agent.load(model), texts)
    assert len(texts) > 80
    assert fast == slow
