"""Schema migrations of the store (Alembic): ``python -m shop.store.migrate`` brings any
database the product ever made to the models' schema, keeping its rows.

The revisions live in ``shop/store/migrations/versions/``; Alembic is configured here, in code,
so there is no ``alembic.ini``. ``upgrade`` follows three rules:

- no table of ours (a new database): create every table from the models and stamp the head
  (the tests check that the revisions, run one by one, build the very same schema);
- tables but no ``alembic_version`` (made by a release before migrations existed): recognise
  which release made them, stamp its revision, then upgrade;
- otherwise: upgrade to the head.

All of it happens in one transaction that only one process at a time may hold (a
transaction-level advisory lock on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), so a desk and an
action server starting together never run a migration twice. Rasa's tracker store table
(``events``) lives in the same database but is not ours: it is never created, compared nor
dropped here.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine, make_url

from shop.store.db import VERSION_TABLE, database_url, make_engine
from shop.store.models import Base, UTCDateTime

MIGRATIONS_DIR = Path(__file__).resolve().with_name("migrations")
# Rasa's SQLTrackerStore creates and owns it in the same database.
FOREIGN_TABLES = frozenset({"events"})
# Any constant shared by every process of the product; pg_advisory_xact_lock takes a bigint.
ADVISORY_LOCK_KEY = 0x5E0B_1A00_0001

# The revision each release made before migrations left its database at, newest first, with a
# table that tells it from the older ones. The baseline is the release before the learning loop
# (commit 7605cbd); the learning loop (ba2f9da) added bot_turns and friends.
BASELINE_REVISION = "0001"
RELEASES_BEFORE_MIGRATIONS: tuple[tuple[str, str], ...] = (
    ("bot_turns", "0002"),
    ("desk_agents", BASELINE_REVISION),
)
BASELINE_TABLES = frozenset(
    {
        "audit_events",
        "customers",
        "desk_agent_notes",
        "desk_agents",
        "desk_console_sessions",
        "desk_conversations",
        "desk_handoffs",
        "desk_login_failures",
        "desk_messages",
        "identity_failures",
        "order_lines",
        "orders",
        "promo_code_uses",
        "promo_codes",
        "shipments",
        "tickets",
    }
)


class UnknownSchema(RuntimeError):
    """The database is not one this code can migrate: tables no known release left without a
    version, or a revision newer than this code's."""


@dataclass
class MigrationReport:
    """What ``upgrade`` did, for the operator."""

    created: bool = False
    recognised: str | None = None  # revision stamped on a database made before migrations
    applied: list[str] = field(default_factory=list)  # revisions run, oldest first
    head: str = ""

    def lines(self) -> list[str]:
        if self.created:
            return [f"Created every table from the models and stamped revision {self.head}."]
        lines = []
        if self.recognised is not None:
            lines.append(
                "Found tables made before migrations existed: recognised revision "
                f"{self.recognised} and stamped it."
            )
        lines += [f"Applied revision {revision}: {_title(revision)}" for revision in self.applied]
        if not self.applied:
            lines.append(f"Already at revision {self.head}: nothing to do.")
        else:
            lines.append(f"Now at revision {self.head}.")
        return lines


def _title(revision: str) -> str:
    """The first paragraph of a revision's docstring, on one line."""
    script = script_directory().get_revision(revision)
    return " ".join((script.doc if script is not None else "").split())


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Leave Rasa's tables (and their columns, indexes and constraints) out of every comparison,
    so that autogenerate never proposes to drop them."""
    if type_ == "table":
        return name not in FOREIGN_TABLES
    table = getattr(obj, "table", None)
    return table is None or table.name not in FOREIGN_TABLES


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Revisions stay frozen: our column types are written as SQLAlchemy's, never imported from
    the models (which will change after the revision is written)."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def context_options() -> dict[str, Any]:
    """The options every migration context of the store is configured with."""
    return {
        "target_metadata": Base.metadata,
        "include_object": include_object,
        "render_item": render_item,
        "render_as_batch": True,  # SQLite rebuilds a table to alter a column
        "compare_type": True,
        "compare_server_default": True,
        "version_table": VERSION_TABLE,
    }


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, in code; ``connection`` is handed to ``env.py``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = script_directory().get_current_head()
    assert head is not None, "shop/store/migrations/versions holds no revision"
    return head


def run_environment(context: Any) -> None:
    """What ``env.py`` does when Alembic's commands run it: configure the store's options on the
    connection they were given, and migrate in its transaction."""
    attributes = context.config.attributes
    if attributes.get("connection") is None:
        raise RuntimeError("Alembic is configured in code: use python -m shop.store.migrate")
    context.configure(
        connection=attributes["connection"],
        on_version_apply=attributes.get("on_version_apply"),
        **context_options(),
    )
    with context.begin_transaction():
        context.run_migrations()


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """One transaction that no other process migrating the same database runs alongside."""
    with engine.connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            # Rebuilding a table (batch mode) drops it: foreign keys must be off, and they can
            # only be switched outside a transaction.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        elif engine.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
            )
        try:
            yield connection
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left rows without their parent: {broken}")
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def upgrade(engine: Engine, *, with_revisions: bool = False) -> MigrationReport:
    """Bring the database to the head revision (see the module's rules). ``with_revisions``
    builds a new database by running every revision instead of from the models."""
    with migration_connection(engine) as connection:
        return upgrade_on(connection, with_revisions=with_revisions)


def upgrade_on(connection: Connection, *, with_revisions: bool = False) -> MigrationReport:
    """``upgrade`` on a connection whose transaction the caller holds (and serialises)."""
    report = MigrationReport(head=head_revision())
    tables = set(inspect(connection).get_table_names()) - FOREIGN_TABLES
    ours = tables - {VERSION_TABLE}
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    heads = context.get_current_heads() if VERSION_TABLE in tables else ()
    unknown = [head for head in heads if not _knows(head)]
    if unknown:
        raise UnknownSchema(
            f"The database is at revision {', '.join(unknown)}, which this code does not know "
            f"(its newest is {report.head}): a newer release migrated it. Run that release, "
            "or restore the backup taken before its migration."
        )
    if not ours and not with_revisions:
        Base.metadata.create_all(connection)
        context.stamp(script_directory(), "head")
        report.created = True
        return report
    if ours and not heads:
        report.recognised = recognise_release(ours)
        context.stamp(script_directory(), report.recognised)
    _run_upgrade(connection, report)
    return report


def _knows(revision: str) -> bool:
    try:
        return script_directory().get_revision(revision) is not None
    except CommandError:  # "No such revision"
        return False


def recognise_release(tables: set[str]) -> str:
    """The revision a database made before migrations is at, from the tables it holds."""
    for marker, revision in RELEASES_BEFORE_MIGRATIONS:
        if marker in tables:
            missing = BASELINE_TABLES - tables
            if missing:
                raise UnknownSchema(
                    "The database holds the store's tables but not "
                    + ", ".join(sorted(missing))
                    + ": it was made by a release older than any migration knows. Start the "
                    "release before the learning loop on it once (it creates them), or restore "
                    "a backup."
                )
            return revision
    raise UnknownSchema(
        "The database holds tables the store does not know ("
        + ", ".join(sorted(tables))
        + ") and no alembic_version: is SHOP_DATABASE_URL the shop's database?"
    )


def _run_upgrade(connection: Connection, report: MigrationReport) -> None:
    def note(ctx: Any, step: Any, heads: Any, run_args: Any) -> None:
        report.applied.extend(step.up_revision_ids)

    config = alembic_config(connection)
    config.attributes["on_version_apply"] = note
    command.upgrade(config, "head")


def differences(connection: Connection) -> list[Any]:
    """What separates the database's schema from the models (empty: nothing), as Alembic's
    autogenerate sees it; a model changed without a revision shows up here."""
    context = MigrationContext.configure(connection, opts=context_options())
    return list(compare_metadata(context, Base.metadata))


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def next_revision_id() -> str:
    numbers = [int(r.revision) for r in script_directory().walk_revisions() if r.revision.isdigit()]
    return f"{max(numbers, default=0) + 1:04d}"


def write_revision(message: str) -> Path:
    """Autogenerate a revision: a scratch SQLite database built by every revision is compared
    with the models, and the differences are written as a new revision file to review."""
    with tempfile.TemporaryDirectory(prefix="shop-revision-") as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'head.db'}")
        try:
            upgrade(engine, with_revisions=True)
            with engine.connect() as connection:
                created = command.revision(
                    alembic_config(connection),
                    message=message,
                    autogenerate=True,
                    rev_id=next_revision_id(),
                )
        finally:
            engine.dispose()
    script_directory.cache_clear()
    assert created is not None and not isinstance(created, list)
    return Path(created.path)


def _describe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m shop.store.migrate",
        description="Schema migrations of the store (default: upgrade to the head revision).",
    )
    parser.add_argument("--url", help="database URL (default: SHOP_DATABASE_URL, else SQLite)")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("upgrade", help="bring the database to the head revision (default)")
    commands.add_parser("current", help="print the database's revision")
    commands.add_parser("check", help="exit 1 if the database's schema differs from the models")
    revision = commands.add_parser("revision", help="autogenerate a revision from the models")
    revision.add_argument("-m", "--message", required=True, help="what the revision changes")
    args = parser.parse_args(argv)

    if args.command == "revision":
        path = write_revision(args.message)
        print(
            f"Wrote {path}: read it, set SCHEMA_REVISION in shop/store/db.py to its revision, "
            "then run tests/stores/test_migrations.py."
        )
        return 0
    url = args.url or database_url()
    engine = make_engine(url)
    try:
        if args.command == "current":
            with engine.connect() as connection:
                print(current_revision(connection) or "no revision (not migrated yet)")
            return 0
        if args.command == "check":
            with engine.connect() as connection:
                found = differences(connection)
            for difference in found:
                print(difference)
            print(f"{_describe(url)}: {len(found)} difference(s) from the models.")
            return 1 if found else 0
        try:
            report = upgrade(engine)
        except UnknownSchema as refusal:
            print(f"{_describe(url)}: {refusal}", file=sys.stderr)
            return 2
        print(f"Migrating {_describe(url)}:")
        for line in report.lines():
            print(f"  {line}")
        return 0
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
