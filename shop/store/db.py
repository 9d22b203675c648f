"""Where the order store lives and how to open it: one engine factory, one session factory.

The Rasa server, the action server and the desk all open the same SQLite file by default, so
SQLite connections are set up for several processes at once (WAL journal, a busy timeout,
foreign keys enforced). ``SHOP_DATABASE_URL`` points the whole stack at PostgreSQL instead.
The SQLite file holds customers' data, conversations and password hashes: it and its journal
files are readable by their owner only (made so when found more open).
"""

from __future__ import annotations

import time
import weakref
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from shop.private_files import close_to_others, private_file
from shop.settings import ShopSettings, current_settings

# Every module that declares tables, so that the schema is whole whoever creates it.
from shop.store import (  # noqa: F401
    audit,
    conversations,
    identity_attempts,
    learning,
    platform_deliveries,
    platform_requests,
    prepared,
)
from shop.store.models import Base

DATABASE_URL_ENV = ShopSettings.variables()["database_url"]
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_PATH = REPO_ROOT / ".var" / "shop.db"
BUSY_TIMEOUT_SECONDS = 5.0
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
# PostgreSQL connections a program keeps open (the desk: DESK_DB_POOL_SIZE).
DEFAULT_POOL_SIZE = 8
# A kept PostgreSQL connection idle longer than this is pinged before it serves (a server
# restarted meanwhile has closed it): under load a connection serves again within milliseconds
# and skips the round trip, 3 to 4 of a turn's 37.5 statements (BENCHMARKS.md).
PING_AFTER_IDLE_S = 1.0
# Alembic's table, and the head revision of shop/store/migrations that the models match (a new
# revision moves it; tests/stores/test_migrations.py fails until it does).
VERSION_TABLE = "alembic_version"
SCHEMA_REVISION = "0008"


def database_url(settings: ShopSettings | None = None) -> str:
    """The URL from ``SHOP_DATABASE_URL`` (of ``settings``, default: the process's), else the
    SQLite file ``<repo>/.var/shop.db``."""
    configured = (settings or current_settings()).database_url
    if configured:
        return configured
    DEFAULT_DATABASE_PATH.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_DATABASE_PATH}"


def _is_in_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:")


def _set_sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def make_engine(
    url: str | None = None, *, echo: bool = False, pool_size: int = DEFAULT_POOL_SIZE
) -> Engine:
    """An engine for ``url`` (default: ``database_url()``), tuned for SQLite shared by processes.

    PostgreSQL connections: ``pool_size`` stay open; up to 10 more are opened when needed, each
    for one transaction only (a new server process every time): a program that runs many
    transactions at once keeps them within ``pool_size`` (the desk: ``DESK_DB_POOL_SIZE``).
    A kept connection is pinged when it has been idle (``PING_AFTER_IDLE_S``), not at every
    transaction; a failed ping, or a transaction that finds its connection closed (it served a
    moment before the server restarted), replaces every connection of the pool opened before.
    Each connection prepares the statements it runs again (``shop.store.prepared``).
    """
    parsed = make_url(url or database_url())
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(parsed, echo=echo, future=True, pool_size=pool_size)
        event.listen(engine, "checkin", _note_idle_since)
        event.listen(engine, "checkout", _ping_if_idle(engine))
        prepared.install(engine)
        return engine

    options: dict[str, Any] = {
        "connect_args": {"check_same_thread": False, "timeout": BUSY_TIMEOUT_SECONDS},
    }
    if _is_in_memory(parsed):
        options["poolclass"] = StaticPool  # one shared connection, or each one sees an empty db
    else:
        _private_sqlite_files(Path(str(parsed.database)).expanduser())
    engine = create_engine(parsed, echo=echo, future=True, **options)
    event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


def _note_idle_since(dbapi_connection: Any, connection_record: Any) -> None:
    connection_record.info["idle_since"] = time.monotonic()


def _ping_if_idle(engine: Engine) -> Callable[[Any, Any, Any], None]:
    """A pool ``checkout`` listener: a connection idle for ``PING_AFTER_IDLE_S`` or more is
    pinged; a dead one raises ``InvalidatePoolError``, on which the pool opens a new one and
    replaces the others opened before (SQLAlchemy's "pessimistic disconnect handling", as
    ``pool_pre_ping`` does it: the server restarted)."""

    def ping(dbapi_connection: Any, connection_record: Any, connection_proxy: Any) -> None:
        idle_since = connection_record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_S:
            return  # just opened, or served a moment ago
        if not engine.dialect.do_ping(dbapi_connection):
            raise InvalidatePoolError("the kept connection was closed by the server")

    return ping


def _private_sqlite_files(path: Path) -> None:
    """Create the database file 0600 before SQLite does (its journals take the file's mode)
    and close any of them found readable by others."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    private_file(path)
    for suffix in SQLITE_SIDE_FILES:
        close_to_others(path.with_name(path.name + suffix))


def make_session_factory(engine: Engine) -> sessionmaker:
    """Sessions whose objects stay readable after commit (the policy engine reads them detached)."""
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error, always close."""
    session: Session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def read_scope(factory: sessionmaker) -> Iterator[Session]:
    """A unit of work that only reads. On PostgreSQL its statements run outside any transaction
    (each one sees what was committed when it started, as in a READ COMMITTED transaction):
    no BEGIN and COMMIT round trips (the desk's reads: 3.6 transactions a turn instead of 5.4,
    BENCHMARKS.md). The kept connection is switched by psycopg2's own flag, which sends nothing
    (SQLAlchemy's isolation option sends a statement each way). ``ReadOnly`` if the work tries
    to write: nothing of it is sent."""
    session: Session = _reading(factory)()
    try:
        connection = session.connection()
        dbapi_connection = connection.connection.dbapi_connection
        outside = connection.dialect.name == "postgresql"
        if outside:
            dbapi_connection.autocommit = True
        try:
            yield session
        finally:
            if outside:
                try:
                    dbapi_connection.autocommit = False
                except Exception:  # closed or broken: never back to the pool in autocommit
                    connection.invalidate()
    finally:
        session.close()


class ReadOnly(RuntimeError):
    """A unit of work opened for reads tried to write."""


_READING: weakref.WeakKeyDictionary[sessionmaker, sessionmaker] = weakref.WeakKeyDictionary()


def _reading(factory: sessionmaker) -> sessionmaker:
    """``factory``'s sessions, refusing to flush anything (made once per factory)."""
    reading = _READING.get(factory)
    if reading is None:
        reading = sessionmaker(class_=factory.class_, **factory.kw)
        event.listen(reading, "before_flush", _refuse_writes)
        _READING[factory] = reading
    return reading


def _refuse_writes(session: Session, flush_context: Any, instances: Any) -> None:
    raise ReadOnly("a read_scope session does not write: use session_scope")


def create_schema(engine: Engine) -> None:
    """Bring the database to the models' schema: a new one is created and stamped, one made by
    an earlier release is migrated, rows are kept (``shop.store.migrate`` has the rules).

    A database already at ``SCHEMA_REVISION`` costs two queries and no import of Alembic
    (~0.3 s at each process start), the common case once the launcher has migrated."""
    if schema_revision(engine) == SCHEMA_REVISION:
        return
    from shop.store.migrate import upgrade  # builds on this module's engine factory

    upgrade(engine)


def schema_revision(engine: Engine) -> str | None:
    """The revision ``alembic_version`` holds (None: no such table, or several heads)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        versions = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).all()
    return str(versions[0][0]) if len(versions) == 1 else None


def drop_schema(engine: Engine) -> None:
    """Drop every table of the store and its migration version (demo resets and tests only)."""
    Base.metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.execute(text(f"DROP TABLE IF EXISTS {VERSION_TABLE}"))
