"""Rules matched the fast way (``bot/rasa_speedups.py``) are the rules Rasa's own filter keeps,
on the trained model's own rules and conversation states made of their states."""

from __future__ import annotations

import json
import tarfile
from functools import cache
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa.core.policies.rule_policy import RulePolicy

from bot import rasa_speedups
from devtools.servers import model_path


@cache
def lookups() -> dict[str, dict[str, str]]:
    """The trained RulePolicy's rule tables (rules, unhappy loop paths, rules not in stories)."""
    with tarfile.open(model_path()) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith("rule_policy.json"))
        data = json.load(archive.extractfile(member))  # type: ignore[arg-type]
    return {name: table for name, table in data["lookup"].items() if isinstance(table, dict)}


@cache
def rule_states() -> list[str]:
    """Every state some rule holds, as JSON (hypothesis draws conversations from them)."""
    states = {
        json.dumps(state, sort_keys=True)
        for table in lookups().values()
        for key in table
        for state in json.loads(key)
    }
    return sorted(states)


def conversations() -> st.SearchStrategy[list[dict[str, Any]]]:
    """Deferred: the trained model is read when the test runs, never while tests are collected.
    A state is some rule's state, or one rule's state with parts of another's (its previous
    action, its message, its slots...)."""
    rule_state = st.deferred(lambda: st.sampled_from(rule_states())).map(json.loads)
    mixed = st.tuples(rule_state, rule_state, st.sets(st.sampled_from(STATE_PARTS))).map(
        lambda drawn: {
            **drawn[0],
            **{part: drawn[1][part] for part in drawn[2] if part in drawn[1]},
        }
    )
    return st.lists(st.one_of(rule_state, mixed), max_size=14)


STATE_PARTS = ["prev_action", "user", "slots", "active_loop"]


def test_the_model_has_rules_longer_than_one_state() -> None:
    lengths = {len(json.loads(key)) for table in lookups().values() for key in table}
    assert max(lengths) > 1 and len(rule_states()) > 20


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(states=conversations(), table=st.sampled_from(["rules", "rules_for_loop_unhappy_path"]))
def test_the_fast_filter_keeps_the_rules_rasas_filter_keeps(
    states: list[dict[str, Any]], table: str
) -> None:
    policy = object.__new__(RulePolicy)  # the filter reads no state of the policy
    lookup = lookups()[table]
    expected = rasa_speedups.RASA_POSSIBLE_RULE_KEYS(policy, lookup, states)
    assert rasa_speedups.possible_rule_keys(policy, lookup, states) == expected
