"""A fresh order store per test (a SQLite file, or a database of a throwaway PostgreSQL
cluster for the tests that take ``store_url``), the sample payloads and the mappings."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from sqlalchemy.orm import sessionmaker

from devtools.services import PostgresServer
from shop.sources.mappings import PlatformMappings, SourceSettings, mappings_for
from shop.sources.record import Platform
from shop.store.db import create_schema, make_engine, make_session_factory

SAMPLES = Path(__file__).resolve().with_name("samples")


def sample(name: str) -> Any:
    """A fresh copy of a sample payload (tests change their copy freely)."""
    return copy.deepcopy(json.loads((SAMPLES / name).read_text(encoding="utf-8")))


def mappings(platform: Platform, **overrides: Any) -> PlatformMappings:
    return mappings_for(platform, SourceSettings.parse_obj(overrides))


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresServer]:
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shop.db'}"
    cluster: PostgresServer = request.getfixturevalue("postgres_cluster")
    name = f"sources_{abs(hash(request.node.nodeid)) % 10**9}"
    admin = psycopg2.connect(
        host="127.0.0.1", port=cluster.port, user=cluster.user, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return cluster.url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
def sessions(store_url: str) -> Iterator[sessionmaker]:
    engine = make_engine(store_url)
    create_schema(engine)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


@pytest.fixture
def sqlite_sessions(tmp_path: Path) -> Iterator[sessionmaker]:
    """A SQLite store only, for the tests about mapping rather than storage."""
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    create_schema(engine)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()
