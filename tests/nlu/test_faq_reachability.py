"""Every FAQ entry is reachable: phrasings kept out of training reach the right entry."""

from __future__ import annotations

import json

import pytest

from devtools.nlu_evaluation import faq_reachability
from devtools.servers import ROOT, Stack

pytestmark = pytest.mark.nlu

MIN_SHARE = 0.90


def test_heldout_faq_phrasings_reach_their_entry(stack: Stack) -> None:
    report = faq_reachability(stack.parse)
    path = ROOT / ".var" / "reports" / "faq_reachability.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report.__dict__, ensure_ascii=False, indent=2))
    print("\n" + report.summary())
    assert report.share >= MIN_SHARE, f"{report.summary()}; misses: {report.misses[:15]}"
