"""Seeded SQLite files for tests: the demo shop as of the frozen test clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.orm import sessionmaker

from devtools.servers import FROZEN_NOW
from shop.store.db import make_engine, make_session_factory
from shop.store.seed import reset_and_seed


def seeded_sqlite(path: Path) -> Path:
    """A SQLite database at ``path`` holding the demo data; ``path`` itself."""
    engine = make_engine(f"sqlite:///{path}")
    reset_and_seed(engine, FROZEN_NOW)
    engine.dispose()
    return path


def sessions_of(path: Path) -> Iterator[sessionmaker]:
    """A session factory on the SQLite file, its engine closed afterwards (``yield from`` it
    in a fixture)."""
    engine = make_engine(f"sqlite:///{path}")
    yield make_session_factory(engine)
    engine.dispose()
