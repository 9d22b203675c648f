"""Databases for tests: seeded SQLite files (the demo shop as of the frozen test clock) and
empty databases on a throwaway PostgreSQL cluster."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg2
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from devtools.servers import FROZEN_NOW
from devtools.services import PostgresServer
from shop.store.db import create_schema, make_engine, make_session_factory
from shop.store.seed import reset_and_seed

_template: Path | None = None


def seeded_sqlite(path: Path) -> Path:
    """A SQLite database at ``path`` holding the demo data; ``path`` itself.

    The demo is seeded once per test process and copied (the seed is deterministic at the frozen
    clock): a seed writes and syncs every table, a copy is one file, which keeps the many tests
    on a seeded store fast. An existing file is seeded in place, as before."""
    global _template
    if path.exists():
        return _seed(path)
    if _template is None:
        folder = Path(tempfile.mkdtemp(prefix="seeded-sqlite-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _template = _seed(folder / "shop.db")
    make_engine(f"sqlite:///{path}").dispose()  # its folder and the file, private, as a seed makes
    shutil.copyfile(_template, path)
    return path


def _seed(path: Path) -> Path:
    engine = make_engine(f"sqlite:///{path}")
    reset_and_seed(engine, FROZEN_NOW)
    engine.dispose()  # the last connection checkpoints the WAL: the file alone is the database
    return path


def sessions_of(path: Path) -> Iterator[sessionmaker]:
    """A session factory on the SQLite file, its engine closed afterwards (``yield from`` it
    in a fixture)."""
    engine = make_engine(f"sqlite:///{path}")
    yield make_session_factory(engine)
    engine.dispose()


def fresh_postgres_database(cluster: PostgresServer, name: str) -> str:
    """The URL of an empty database ``name`` on ``cluster``, dropped first if an earlier test
    left one (the cluster is shared by the whole run)."""
    admin = psycopg2.connect(
        host="127.0.0.1", port=cluster.port, user=cluster.user, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return cluster.url.rsplit("/", 1)[0] + f"/{name}"


def fresh_postgres_engine(cluster: PostgresServer, name: str, pool_size: int) -> Iterator[Engine]:
    """The product's engine (``make_engine``) on a fresh database ``name``, disposed afterwards
    (``yield from`` it in a fixture)."""
    engine = make_engine(fresh_postgres_database(cluster, name), pool_size=pool_size)
    try:
        yield engine
    finally:
        engine.dispose()


def schema_sessions(engine: Engine) -> sessionmaker:
    """A session factory on ``engine``'s database, brought to the store's schema."""
    create_schema(engine)
    return make_session_factory(engine)
