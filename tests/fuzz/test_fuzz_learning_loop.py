"""Fuzzing the learning loop's routes: the review inbox's forms, the accounts page, the
dashboard's period and the shopper's rating. Every answer is a well-formed page, a redirect
inside the console, a CSV or a French refusal, never a server error or a traceback; what the
desk accepted is stored, and a refusal stored nothing (no rating, label, account or role)."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from devtools.fuzz import learning_campaigns
from devtools.fuzz.harness import Fuzzer
from shop.learning.export import DRAFTS_FILE, HELDOUT_FILE, PROJECT_ROOT, TRAINING_FILE
from shop.store.learning import Feedback
from tests.desk.fake_rasa import FakeRasa
from tests.fuzz.conftest import FUZZ
from tests.fuzz.test_fuzz_widget import assert_final

EXPORTED = (TRAINING_FILE, HELDOUT_FILE, DRAFTS_FILE)


def project_files() -> dict[Path, int | None]:
    """The export's files in the project, with their modification time (None: absent)."""
    return {
        path: (PROJECT_ROOT / path).stat().st_mtime_ns if (PROJECT_ROOT / path).exists() else None
        for path in EXPORTED
    }


def test_fuzz_review_inbox_forms_export_only_under_the_export_root(
    learning_fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa, export_root: Path
) -> None:
    before = project_files()
    FUZZ(learning_campaigns.review_inbox_forms(learning_fuzzer))()
    assert_final(learning_fuzzer, db, fake_rasa)
    for turns in learning_campaigns.review_turns(learning_fuzzer):  # every group, one label
        learning_fuzzer.client.post(
            "/console/revue/etiqueter",
            json={"turns": turns, "choice": "intent:track_order"},
            headers={"x-csrf-token": learning_fuzzer.csrf or ""},
        )
    exported = learning_fuzzer.client.post(
        "/console/revue/exporter",
        json={},
        headers={"x-csrf-token": learning_fuzzer.csrf or ""},
    )
    assert exported.status_code == 200, exported.text
    assert [row["path"] for row in exported.json()["files"]][:2] == [
        str(export_root / TRAINING_FILE),
        str(export_root / HELDOUT_FILE),
    ]
    assert project_files() == before
    for path in (TRAINING_FILE, HELDOUT_FILE):  # hostile shoppers' text leaves them readable
        data = yaml.safe_load((export_root / path).read_text(encoding="utf-8"))
        for block in data["nlu"]:
            assert isinstance(block["intent"], str) and isinstance(block["examples"], str)
            assert all(line.startswith("- ") for line in block["examples"].splitlines())


def test_fuzz_accounts_page_and_forms(
    learning_fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa
) -> None:
    FUZZ(learning_campaigns.accounts_forms(learning_fuzzer))()
    assert_final(learning_fuzzer, db, fake_rasa)
    assert learning_fuzzer.books.accounts_before


def test_fuzz_dashboard_periods_on_the_page_the_csv_and_the_json(
    learning_fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa
) -> None:
    FUZZ(learning_campaigns.dashboard_queries(learning_fuzzer))()
    assert_final(learning_fuzzer, db, fake_rasa)


def test_fuzz_ratings_with_and_without_the_conversation_token(
    learning_fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa
) -> None:
    FUZZ(learning_campaigns.ratings(learning_fuzzer))()
    assert_final(learning_fuzzer, db, fake_rasa)
    assert learning_fuzzer.rated_messages  # the bot's answers asked for a rating
    with db() as session:
        stored = session.scalar(select(func.count()).select_from(Feedback))
    assert stored == len(learning_fuzzer.books.ratings)


def test_fuzz_the_learning_loop_on_postgresql(
    pg_fuzzer: Fuzzer, pg_db: sessionmaker, fake_rasa: FakeRasa
) -> None:
    for campaign in (
        learning_campaigns.ratings,
        learning_campaigns.review_inbox_forms,
        learning_campaigns.dashboard_queries,
        learning_campaigns.accounts_forms,
    ):
        FUZZ(campaign(pg_fuzzer))()
    assert_final(pg_fuzzer, pg_db, fake_rasa)


def test_fuzz_an_agent_and_an_editor_on_the_learning_loop_routes(
    learning_fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa
) -> None:
    FUZZ(learning_campaigns.other_roles(learning_fuzzer))()
    assert_final(learning_fuzzer, db, fake_rasa)
    assert learning_fuzzer.books.labels["fuzz-editor"] > 0
    assert learning_fuzzer.books.labels["fuzz-agent"] == 0
