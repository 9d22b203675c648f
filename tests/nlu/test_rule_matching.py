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
    A state is some rule's state, or one rule's state with parts of another's, parts dropped
    (a conversation's start has no previous action) and an oddity no rule holds."""
    rule_state = st.deferred(lambda: st.sampled_from(rule_states())).map(json.loads)
    parts = st.sets(st.sampled_from(STATE_PARTS))
    mixed = st.tuples(rule_state, rule_state, parts, parts, st.sampled_from(ODDITIES)).map(
        lambda drawn: {
            **{
                part: value
                for part, value in {
                    **drawn[0],
                    **{part: drawn[1][part] for part in drawn[2] if part in drawn[1]},
                }.items()
                if part not in drawn[3]
            },
            **drawn[4],
        }
    )
    return st.lists(st.one_of(rule_state, mixed), max_size=14)


STATE_PARTS = ["prev_action", "user", "active_loop"]
ODDITIES: list[dict[str, Any]] = [
    {},
    {"prev_action": {"action_name": "action_no_rule_has"}},
    {"prev_action": {"action_text": "Bonjour !"}},
    {"user": {"intent": "intent_no_rule_has"}},
    {"user": {"text": "bonjour"}},
]


@cache
def shared_policy() -> RulePolicy:
    """One policy for every drawn conversation, as a loaded model has: its indexes are reused."""
    return object.__new__(RulePolicy)  # the filter reads no other state of the policy


def test_the_model_has_rules_longer_than_one_state() -> None:
    lengths = {len(json.loads(key)) for table in lookups().values() for key in table}
    assert max(lengths) > 1 and len(rule_states()) > 20


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(states=conversations(), table=st.sampled_from(["rules", "rules_for_loop_unhappy_path"]))
def test_the_fast_filter_keeps_the_rules_rasas_filter_keeps(
    states: list[dict[str, Any]], table: str
) -> None:
    policy = shared_policy()
    lookup = lookups()[table]
    expected = rasa_speedups.RASA_POSSIBLE_RULE_KEYS(policy, lookup, states)
    assert rasa_speedups.possible_rule_keys(policy, lookup, states) == expected


def test_a_rule_removed_or_added_after_the_index_was_built_counts() -> None:
    """A policy in training removes rules from a table it already filtered (its check for
    contradictions); a rule added since is indexed too."""
    policy = object.__new__(RulePolicy)
    lookup = dict(lookups()["rules"])
    states = [json.loads(state) for state in rule_states()[:3]]
    rasa_speedups.possible_rule_keys(policy, lookup, states)  # the index is built
    for key in list(lookup)[:40]:
        first_state = json.loads(key)[-1:]
        assert rasa_speedups.possible_rule_keys(policy, lookup, first_state) == (
            rasa_speedups.RASA_POSSIBLE_RULE_KEYS(policy, lookup, first_state)
        )
        removed = lookup.pop(key)
        assert key not in rasa_speedups.possible_rule_keys(policy, lookup, first_state)
        lookup[key + " "] = removed  # another key, the same states
        found = rasa_speedups.possible_rule_keys(policy, lookup, first_state)
        assert found == rasa_speedups.RASA_POSSIBLE_RULE_KEYS(policy, lookup, first_state)
        del lookup[key + " "]
        lookup[key] = removed
