"""Statements built once and run inside a session's transaction, for the shopper's turn.

A turn runs about a dozen statements in the desk and five in the Rasa server (its tracker
store and turn recorder). Built anew at each call and passed through the ORM (objects loaded,
the unit of work flushed), each cost about four times the CPU of a statement built once, with
bound parameters, and run on the session's connection (0.5 against 0.14 ms, BENCHMARKS.md).
Everything else keeps the ORM: it is rarer and reads better.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session


def run(session: Session, statement: Any, **params: Any) -> CursorResult:
    """``statement`` with ``params`` on the session's connection, in its transaction, after its
    pending changes (as ``session.execute`` would flush them first)."""
    session.flush()
    return session.connection().execute(statement, params)
