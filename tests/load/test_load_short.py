"""A short Locust run through nginx (WebSocket and HTTP shoppers on real journeys): every
message the desk confirmed is stored once and answered, no error; timings are the full run's
business (``scripts/load_test.py``), not a test's."""

from __future__ import annotations

from pathlib import Path

import pytest

from loadtest.checks import check_run, read_journal
from loadtest.product import ServedProduct

pytestmark = pytest.mark.e2e


def test_shoppers_through_nginx_are_all_answered_and_stored_once(
    served: ServedProduct, tmp_path: Path
) -> None:
    journal = tmp_path / "journal.jsonl"
    locust = served.locust(12, 30, journal, think="1-3", spawn_rate=6, csv_prefix=tmp_path / "s")
    assert locust.wait(timeout=180) == 0, (
        journal.with_suffix(".locust.log").read_text()[-3000:] + served.problems_logged()
    )

    lines = [entry for entries in read_journal(journal).values() for entry in entries]
    assert {line["transport"] for line in lines} == {"WS", "HTTP"}
    assert len(lines) >= 40
    assert [line for line in lines if not line["stored"] or line["answer_ms"] is None] == []
    failed = [row for row in (tmp_path / "s_failures.csv").read_text().splitlines()[1:] if row]
    assert failed == []

    check = check_run(served.database_url, journal)
    assert check.problems == []
    assert check.stored == check.sent == len(lines)
    assert check.answered == check.stored  # none left waiting, none with an agent
    assert check.waiting == 0
