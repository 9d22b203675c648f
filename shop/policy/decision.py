"""The value every rule returns: what was decided, why, on which clause, with which facts.

A decision is immutable and carries no French: the sentence shoppers and agents read is
built from it in one place (``shop.policy.answers``), so both see the same reason. Its topic and
outcome are the enums of ``shop.kinds`` (a plain string given is read into them, and refused
when it is none of them); they still compare equal to their strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from shop.kinds import Outcome, Topic


@dataclass(frozen=True)
class Clause:
    """The rule of the shop a decision rests on: which profile, which field, what it says."""

    shop: str
    rule: str  # dotted path of the profile field, e.g. "cancellation.cutoff"
    text: str  # the rule in plain French, as shown to agents (and optionally shoppers)


@dataclass(frozen=True)
class Decision:
    topic: Topic
    outcome: Outcome
    reason_code: str  # stable machine code, e.g. "cutoff_passed"
    clause: Clause
    facts: Mapping[str, Any] = field(default_factory=dict)
    needs_human: bool = False  # a person must act: open a ticket

    def __post_init__(self) -> None:
        object.__setattr__(self, "topic", Topic(self.topic))
        object.__setattr__(self, "outcome", Outcome(self.outcome))

    def as_dict(self) -> dict[str, Any]:
        """Plain data for tickets and logs (no shopper text inside)."""
        return {
            "topic": self.topic.value,
            "outcome": self.outcome.value,
            "reason_code": self.reason_code,
            "clause": {
                "shop": self.clause.shop,
                "rule": self.clause.rule,
                "text": self.clause.text,
            },
            "facts": dict(self.facts),
            "needs_human": self.needs_human,
        }
