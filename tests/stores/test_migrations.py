"""Schema migrations: databases made by earlier releases reach the models' schema with their rows,
on SQLite and on a real PostgreSQL; the revisions and the models never drift apart.

The earlier releases' databases are SQL files in ``tests/migrations/``, written by those
releases' own code (``scripts/make_migration_fixtures.py``), with Rasa's ``events`` table.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, MetaData, String, func, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from desk.bootstrap import prepare_database
from devtools.servers import ROOT
from devtools.services import PostgresServer
from shop.store import conversation_repository as repo
from shop.store import db, migrate
from shop.store.conversations import Agent, ConsoleSession, Conversation, Role
from shop.store.learning import BotTurn, Feedback
from shop.store.models import Base, Order, Ticket
from tests.support.databases import fresh_postgres_database

FIXTURES = ROOT / "tests" / "migrations"
HEAD = db.SCHEMA_REVISION
REVISIONS = [f"{number:04d}" for number in range(1, int(HEAD) + 1)]  # 0001 … HEAD, in turn
# Release → (the revision its database is recognised at, the revisions then applied).
RELEASES = {
    release: (recognised, REVISIONS[REVISIONS.index(recognised) + 1 :])
    for release, recognised in {"7605cbd": "0001", "ba2f9da": "0002"}.items()
}
NEXT = f"{int(HEAD) + 1:04d}"


# --- databases -----------------------------------------------------------------------------


def sqlite_database(tmp_path: Path, release: str | None = None) -> Engine:
    """A SQLite file, empty or as ``release`` left it."""
    path = tmp_path / f"shop-{release or 'new'}.db"
    if release is not None:
        connection = sqlite3.connect(path)
        connection.executescript((FIXTURES / f"release_{release}.sqlite.sql").read_text())
        connection.close()
    return db.make_engine(f"sqlite:///{path}")


@pytest.fixture
def postgres_database(
    postgres_cluster: PostgresServer,
) -> Iterator[Callable[[str | None], Engine]]:
    """A new database of the cluster per call, empty or as a release left it."""
    engines: list[Engine] = []

    def make(release: str | None = None) -> Engine:
        url = fresh_postgres_database(postgres_cluster, f"shop_{len(engines)}_{release or 'new'}")
        if release is not None:
            loader = psycopg2.connect(url)
            loader.autocommit = True
            with loader.cursor() as cursor:
                cursor.execute((FIXTURES / f"release_{release}.postgresql.sql").read_text())
            loader.close()
        engine = db.make_engine(url)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.dispose()


def differences(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        return migrate.differences(connection)


def revision_of(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return migrate.current_revision(connection)


def index_condition(index: dict[str, Any]) -> str:
    """A partial index's condition, as the database reports it ("" for a whole-table index)."""
    options = index.get("dialect_options", {})
    return " ".join(f"{name}: {options[name]}" for name in sorted(options))


def schema_snapshot(engine: Engine) -> dict[str, Any]:
    """Every table's columns, indexes and foreign keys, as the database describes them."""
    inspector = inspect(engine)
    return {
        table: (
            sorted(  # by name: a column added later comes last, and that is no difference
                (c["name"], str(c["type"]), c["nullable"], c.get("default"))
                for c in inspector.get_columns(table)
            ),
            sorted(
                (i["name"], tuple(i["column_names"]), i["unique"], index_condition(i))
                for i in inspector.get_indexes(table)
            ),
            sorted(str(fk) for fk in inspector.get_foreign_keys(table)),
        )
        for table in sorted(inspector.get_table_names())
    }


def assert_rows_survived(engine: Engine, release: str) -> None:
    with Session(engine) as session:
        order = session.execute(select(Order).where(Order.number == "474918")).scalar_one()
        assert [line.title for line in order.lines] == ["Bague solitaire or"]
        assert [s.tracking_number for s in order.shipments] == ["6A12345678901"]
        assert order.customer.email == "claire.martin@example.fr"
        assert (order.platform, order.source_status, order.status_unknown) == (None, None, False)
        ticket = session.execute(select(Ticket)).scalar_one()
        assert (ticket.number, ticket.facts) == ("T-260001", {"carrier": "colissimo"})
        conversation = session.get(Conversation, "c0nv-previous-release")
        assert conversation is not None
        assert [m.text[:7] for m in conversation.messages] == ["Bonjour", "Votre c"]
        assert [m.feedback_topic for m in conversation.messages] == [None, None]
        agent = session.execute(select(Agent).where(Agent.username == "camille")).scalar_one()
        assert agent.role == Role.AGENT.value  # made before roles: an agent
        logins = session.execute(select(ConsoleSession.agent_id)).scalars().all()
        assert logins == [agent.id]  # its table was rebuilt under the login (SQLite)
        turns = session.execute(select(func.count()).select_from(BotTurn)).scalar_one()
        ratings = session.execute(select(Feedback.score)).scalars().all()
        assert (turns, ratings) == ((1, [1]) if release == "ba2f9da" else (0, []))
        events = session.execute(text("SELECT sender_id, type_name FROM events")).all()
        assert [tuple(row) for row in events] == [("c0nv-previous-release", "user")]


def assert_new_rows_fit(engine: Engine) -> None:
    """The upgraded tables take what the current code writes (new columns, new tables)."""
    with db.session_scope(db.make_session_factory(engine)) as session:
        conversation = session.get(Conversation, "c0nv-previous-release")
        assert conversation is not None
        conversation.messages[1].feedback_topic = "track_order"
        session.add(
            Agent(
                username="lea",
                password_hash="x",
                display_name="Léa",
                role=Role.EDITOR.value,
                created_at=conversation.created_at,
            )
        )
    with Session(engine) as session:
        roles = session.execute(select(Agent.username, Agent.role).order_by(Agent.id)).all()
        assert [tuple(row) for row in roles] == [("camille", "agent"), ("lea", "editor")]


# --- SQLite ----------------------------------------------------------------------------------


@pytest.mark.parametrize("release", sorted(RELEASES))
def test_database_of_an_earlier_release_upgrades_to_the_models_with_its_rows(
    tmp_path: Path, release: str
) -> None:
    engine = sqlite_database(tmp_path, release)
    report = migrate.upgrade(engine)
    recognised, applied = RELEASES[release]
    assert (report.recognised, report.applied, report.head) == (recognised, applied, HEAD)
    assert differences(engine) == []
    assert revision_of(engine) == HEAD
    assert_rows_survived(engine, release)
    assert_new_rows_fit(engine)
    engine.dispose()


def test_the_desk_starting_on_a_previous_release_database_migrates_it(tmp_path: Path) -> None:
    """The desk's start (``prepare_database``) is a ``create_schema`` caller like the seed and
    the privacy and learning commands: it migrates, and finds the old agent an agent."""
    engine = sqlite_database(tmp_path, "7605cbd")
    prepare_database(engine)
    assert revision_of(engine) == HEAD
    with db.session_scope(db.make_session_factory(engine)) as session:
        agent = repo.find_agent(session, "camille")
        assert agent is not None and agent.role == Role.AGENT.value
    engine.dispose()


def test_upgrading_twice_changes_nothing(tmp_path: Path) -> None:
    engine = sqlite_database(tmp_path, "7605cbd")
    migrate.upgrade(engine)
    before = schema_snapshot(engine)
    again = migrate.upgrade(engine)
    assert (again.recognised, again.applied, again.created) == (None, [], False)
    assert again.lines() == [f"Already at revision {HEAD}: nothing to do."]
    assert schema_snapshot(engine) == before
    assert_rows_survived(engine, "7605cbd")
    engine.dispose()


def test_every_revision_run_in_turn_builds_exactly_the_models(tmp_path: Path) -> None:
    """The guard: a model that gains a column, table or index without a revision fails here."""
    engine = sqlite_database(tmp_path)
    report = migrate.upgrade(engine, with_revisions=True)
    assert report.applied == REVISIONS
    assert differences(engine) == []
    engine.dispose()


def test_the_models_revision_is_the_newest_migration() -> None:
    assert db.SCHEMA_REVISION == migrate.head_revision() == HEAD, (
        "a new revision: set SCHEMA_REVISION in shop/store/db.py (and HEAD here) to it"
    )


def test_create_schema_on_a_database_at_the_head_does_not_load_alembic(tmp_path: Path) -> None:
    """Processes started after the launcher migrated pay two queries, not Alembic's import."""
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    check = (
        "import sys\n"
        "from shop.store.db import create_schema, make_engine\n"
        f"create_schema(make_engine({url!r}))\n"
        "print('alembic' in sys.modules)\n"
    )

    def loads_alembic() -> str:
        result = subprocess.run(
            [sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert (loads_alembic(), loads_alembic()) == ("True", "False")


def test_the_guard_sees_a_model_column_no_revision_adds(tmp_path: Path) -> None:
    engine = sqlite_database(tmp_path)
    migrate.upgrade(engine, with_revisions=True)
    models = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(models)
    models.tables["desk_agents"].append_column(Column("phone", String(20), nullable=True))
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=migrate.context_options())
        found = compare_metadata(context, models)
    assert [(d[0], d[2], d[3].name) for d in found] == [("add_column", "desk_agents", "phone")]
    engine.dispose()


def test_a_new_database_is_created_from_the_models_and_stamped(tmp_path: Path) -> None:
    engine = sqlite_database(tmp_path)
    db.create_schema(engine)
    assert revision_of(engine) == HEAD
    assert differences(engine) == []
    created = schema_snapshot(engine)
    built = sqlite_database(tmp_path / "built")
    migrate.upgrade(built, with_revisions=True)
    assert schema_snapshot(built) == created
    with engine.connect() as connection:  # the pool's connections enforce foreign keys again
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
    built.dispose()


def test_rasa_tracker_table_is_left_alone_on_a_new_database(tmp_path: Path) -> None:
    engine = sqlite_database(tmp_path)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT)"))
        connection.execute(text("INSERT INTO events (sender_id) VALUES ('abc')"))
    report = migrate.upgrade(engine)
    assert report.created
    assert differences(engine) == []
    with engine.connect() as connection:
        assert connection.execute(text("SELECT sender_id FROM events")).scalars().all() == ["abc"]
    engine.dispose()


def test_the_baseline_revision_builds_the_previous_release_schema(tmp_path: Path) -> None:
    built = sqlite_database(tmp_path)
    with built.begin() as connection:
        command.upgrade(migrate.alembic_config(connection), migrate.BASELINE_REVISION)
    previous = sqlite_database(tmp_path, "7605cbd")
    assert_same_schema(built, previous)
    built.dispose()
    previous.dispose()


def test_the_revisions_undo_down_to_the_previous_release_schema(tmp_path: Path) -> None:
    built = sqlite_database(tmp_path)
    migrate.upgrade(built, with_revisions=True)
    with migrate.migration_connection(built) as connection:
        command.downgrade(migrate.alembic_config(connection), migrate.BASELINE_REVISION)
    previous = sqlite_database(tmp_path, "7605cbd")
    assert_same_schema(built, previous)
    built.dispose()
    previous.dispose()


def assert_same_schema(built: Engine, reference: Engine) -> None:
    """Alembic's comparison of ``built`` against the reflected schema of ``reference``."""
    reflected = MetaData()
    reflected.reflect(bind=reference)
    reflected.remove(reflected.tables["events"])
    with built.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={**migrate.context_options(), "target_metadata": reflected}
        )
        assert compare_metadata(context, reflected) == []


def test_drop_then_create_gives_the_whole_schema_again(tmp_path: Path) -> None:
    engine = sqlite_database(tmp_path)
    db.create_schema(engine)
    db.drop_schema(engine)
    assert inspect(engine).get_table_names() == []
    db.create_schema(engine)
    assert differences(engine) == []
    engine.dispose()


def test_tables_no_release_made_are_refused_untouched(tmp_path: Path) -> None:
    engine = sqlite_database(tmp_path)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY)"))
    with pytest.raises(migrate.UnknownSchema, match="invoices"):
        migrate.upgrade(engine)
    assert inspect(engine).get_table_names() == ["invoices"]
    engine.dispose()


def test_a_release_older_than_the_baseline_is_refused_with_the_missing_tables(
    tmp_path: Path,
) -> None:
    engine = sqlite_database(tmp_path, "7605cbd")
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE audit_events"))
    with pytest.raises(migrate.UnknownSchema, match="audit_events"):
        migrate.upgrade(engine)
    assert revision_of(engine) is None
    engine.dispose()


def test_a_database_a_newer_release_migrated_is_refused_untouched(tmp_path: Path) -> None:
    engine = sqlite_database(tmp_path)
    db.create_schema(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    before = schema_snapshot(engine)
    with pytest.raises(migrate.UnknownSchema, match="revision 0099, which this code does not"):
        migrate.upgrade(engine)
    assert schema_snapshot(engine) == before
    assert revision_of(engine) == "0099"
    engine.dispose()


def test_two_processes_migrating_one_sqlite_file_at_once_migrate_it_once(
    tmp_path: Path,
) -> None:
    engine = sqlite_database(tmp_path, "7605cbd")
    reports = race(lambda: db.make_engine(str(engine.url)), racers=4)
    assert sorted(len(r.applied) for r in reports) == [0, 0, 0, len(RELEASES["7605cbd"][1])]
    assert differences(engine) == []
    assert_rows_survived(engine, "7605cbd")
    engine.dispose()


def race(open_engine: Callable[[], Engine], racers: int = 2) -> list[migrate.MigrationReport]:
    """``upgrade`` from ``racers`` threads released together, each with its own engine."""
    engines = [open_engine() for _ in range(racers)]
    start = threading.Barrier(racers)
    reports: list[migrate.MigrationReport] = []
    errors: list[BaseException] = []

    def run(engine: Engine) -> None:
        start.wait(timeout=10)
        try:
            reports.append(migrate.upgrade(engine))
        except BaseException as error:  # reported below, with the others
            errors.append(error)

    threads = [threading.Thread(target=run, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for engine in engines:
        engine.dispose()
    assert errors == []
    return reports


def test_command_line_upgrades_reports_and_checks(tmp_path: Path) -> None:
    sqlite_database(tmp_path, "7605cbd").dispose()
    url = f"sqlite:///{tmp_path / 'shop-7605cbd.db'}"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "shop.store.migrate", "--url", url, *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )

    first = run()
    assert first.returncode == 0, first.stderr
    assert "recognised revision 0001" in first.stdout
    assert "Applied revision 0002: The learning loop" in first.stdout
    assert f"Now at revision {HEAD}." in first.stdout
    second = run("upgrade")
    assert f"Already at revision {HEAD}: nothing to do." in second.stdout
    assert (run("current").stdout.strip(), run("check").returncode) == (HEAD, 0)


def test_command_line_refuses_a_database_it_does_not_know(tmp_path: Path) -> None:
    engine = sqlite_database(tmp_path)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    result = subprocess.run(
        [sys.executable, "-m", "shop.store.migrate", "--url", str(engine.url)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "invoices" in result.stderr and "alembic_version" in result.stderr


def test_autogenerate_writes_an_empty_revision_when_the_models_have_not_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ``revision`` command works end to end (env.py, template, numbering) on a copy."""
    copy = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", copy)
    migrate.script_directory.cache_clear()
    try:
        path = migrate.write_revision("nothing changed")
        assert path.parent == copy / "versions"
        assert path.name == f"{NEXT}_nothing_changed.py"
        written = path.read_text()
        assert f"revision = '{NEXT}'" in written and f"down_revision = '{HEAD}'" in written
        assert "op." not in written.split("def upgrade")[1]
        compile(written, str(path), "exec")
    finally:
        migrate.script_directory.cache_clear()


# --- PostgreSQL --------------------------------------------------------------------------------


@pytest.mark.parametrize("release", sorted(RELEASES))
def test_postgres_database_of_an_earlier_release_upgrades_with_its_rows(
    postgres_database: Callable[[str | None], Engine], release: str
) -> None:
    engine = postgres_database(release)
    report = migrate.upgrade(engine)
    assert (report.recognised, report.applied) == RELEASES[release]
    assert differences(engine) == []
    assert_rows_survived(engine, release)
    assert_new_rows_fit(engine)
    before = schema_snapshot(engine)
    assert migrate.upgrade(engine).applied == []
    assert schema_snapshot(engine) == before


def test_postgres_new_database_by_models_or_by_revisions_equals_the_models(
    postgres_database: Callable[[str | None], Engine],
) -> None:
    created, built = postgres_database(None), postgres_database(None)
    db.create_schema(created)
    migrate.upgrade(built, with_revisions=True)
    assert differences(created) == [] and differences(built) == []
    assert schema_snapshot(created) == schema_snapshot(built)
    assert revision_of(created) == revision_of(built) == HEAD


def test_postgres_baseline_revision_builds_the_previous_release_schema(
    postgres_database: Callable[[str | None], Engine],
) -> None:
    built, previous = postgres_database(None), postgres_database("7605cbd")
    with built.begin() as connection:
        command.upgrade(migrate.alembic_config(connection), migrate.BASELINE_REVISION)
    assert_same_schema(built, previous)
    with migrate.migration_connection(built) as connection:  # and back down from the head
        command.upgrade(migrate.alembic_config(connection), "head")
        command.downgrade(migrate.alembic_config(connection), migrate.BASELINE_REVISION)
    assert_same_schema(built, previous)


def test_postgres_processes_starting_together_migrate_once(
    postgres_database: Callable[[str | None], Engine],
) -> None:
    """Four desks or action servers starting at once on a previous release's database: one
    migrates under the advisory lock, the others find it done (none fails)."""
    engine = postgres_database("7605cbd")
    reports = race(lambda: db.make_engine(engine.url.render_as_string(False)), racers=4)
    assert sorted(len(r.applied) for r in reports) == [0, 0, 0, len(RELEASES["7605cbd"][1])]
    assert differences(engine) == []
    assert_rows_survived(engine, "7605cbd")
