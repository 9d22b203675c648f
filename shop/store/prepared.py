"""PostgreSQL statements prepared once per connection, then executed by name.

psycopg2 puts the values into the statement's text and sends it whole, so PostgreSQL parses,
analyses and plans every statement again: for the product's short statements, planning alone
took more of the server's time than running them (``pg_stat_statements``, BENCHMARKS.md).
Here a connection that runs a statement a second time prepares it (``PREPARE bijou_<hash>
AS ...``, its parameters as ``$1``, ``$2``...) and from then on sends ``EXECUTE
bijou_<hash>(values)``: the values are still put in by psycopg2, quoted and typed as before,
and PostgreSQL reuses the statement's analysis and, once it has seen it is as good, its plan.
A connection opened for one transaction (beyond a pool's kept ones) never pays for preparing.

The preparation runs inside the caller's transaction under a savepoint, so a statement
PostgreSQL cannot prepare (a parameter whose type it cannot tell) costs nothing but the
attempt: it runs as it always did, and is not tried again. Each connection prepares at most
``MAX_PER_CONNECTION`` statements (every kind of statement the product makes fits; a
statement made anew each time would not fill the server's memory). Statements read through a
server-side cursor and statements without parameters are sent as before.

A prepared statement keeps the types of the columns it returns: after a migration changed one
(a new release's, while this process still runs), PostgreSQL refuses to run it ("cached plan
must not change result type"). That run fails, its transaction with it (as on any database
error); the connection prepares the statement again on its next run, with the new types,
instead of failing on every run until the process restarts. The process's other connections
that prepared it before that refusal prepare it again too before their next run, instead of
each failing once (the migration changed it for all of them): only those running it when the
migration lands fail, usually one a process.

``SHOP_PREPARED_STATEMENTS=off`` turns it off: needed behind a pooler that hands a client a
different server connection for each transaction (PgBouncer's transaction pooling), where a
statement prepared on one connection is unknown on the next.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import threading
import weakref
from dataclasses import dataclass
from typing import Any

import psycopg2
from psycopg2.errors import FeatureNotSupported
from psycopg2.extensions import TRANSACTION_STATUS_INERROR
from psycopg2.extensions import connection as PsycopgConnection
from sqlalchemy import event
from sqlalchemy.engine import Engine

from shop.settings import current_settings

logger = logging.getLogger(__name__)
MAX_PER_CONNECTION = 500
# Only these are worth preparing; anything else (DDL, SET, SHOW...) is sent as it is.
PREPARABLE = re.compile(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", re.IGNORECASE)
# What psycopg2 reads in a statement sent with a dict of values: a named value, or a % sign.
PYFORMAT = re.compile(r"%\((\w+)\)s|%%")
SAVEPOINT = "bijou_prepare"
# A statement's state on a connection: run once (prepared on its next run), prepared (the
# number of stale refusals the process had seen of it then, ``_stale_refusals``), or prepared
# with result types a migration changed since (prepared again on its next run).
SEEN, STALE = "seen", "stale"
# PostgreSQL's function that refuses a prepared statement whose result types changed (the
# message itself is translated with the server's language).
STALE_PLAN = "RevalidateCachedQuery"


@dataclass(frozen=True)
class Shape:
    """A statement as prepared (``prepare``: its text with ``$n``) and as run (``execute``,
    whose ``%(name)s`` psycopg2 fills with the caller's values)."""

    name: str
    prepare: str
    execute: str


@functools.lru_cache(maxsize=4096)
def shape_of(statement: str) -> Shape | None:
    """How to prepare and run ``statement``, or None when it is not for preparing."""
    if not PREPARABLE.match(statement) or "%" in PYFORMAT.sub("", statement):
        return None  # not a query, or a placeholder other than %(name)s (nothing guessed)
    names: list[str] = []

    def numbered(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return "%"  # psycopg2 would have sent %% as %
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    body = PYFORMAT.sub(numbered, statement)
    if not names:
        return None
    name = "bijou_" + hashlib.sha1(statement.encode()).hexdigest()[:24]
    values = ", ".join(f"%({value})s" for value in names)
    return Shape(name, f"PREPARE {name} AS {body}", f"EXECUTE {name}({values})")


# Per server connection, the statements it ran and their state (forgotten with it).
_known: weakref.WeakKeyDictionary[PsycopgConnection, dict[str, str | int]] = (
    weakref.WeakKeyDictionary()
)
# Statements PostgreSQL refused to prepare: sent as they are from then on.
_refused: set[str] = set()
# Per statement, how many times PostgreSQL refused its preparation as stale on any of this
# process's connections: one prepared before the latest refusal is stale too. Counted under a
# lock (the desk's transactions run in a pool of threads).
_stale_refusals: dict[str, int] = {}
_counting = threading.Lock()


def install(engine: Engine) -> None:
    """Prepare ``engine``'s statements (a PostgreSQL engine with psycopg2; once per engine),
    unless ``SHOP_PREPARED_STATEMENTS`` is off."""
    if engine.dialect.name != "postgresql" or engine.dialect.driver != "psycopg2":
        return
    if not current_settings().prepared_statements:
        return
    if not event.contains(engine, "do_execute", _execute):
        event.listen(engine, "do_execute", _execute)


def _execute(cursor: Any, statement: str, parameters: Any, context: Any) -> bool:
    """SQLAlchemy's ``do_execute`` hook: True when the statement was run here, by name. Errors
    raised here are the database's, handled by SQLAlchemy as for any statement."""
    if not isinstance(parameters, dict) or getattr(cursor, "name", None):
        return False  # positional values, or a server-side cursor (DECLARE ... FOR)
    shape = shape_of(statement)
    if shape is None or shape.name in _refused:
        return False
    connection = cursor.connection
    known = _known.setdefault(connection, {})
    state = known.get(shape.name)
    if state is None:  # its first run here: sent as it is
        if len(known) < MAX_PER_CONNECTION:
            known[shape.name] = SEEN
        return False
    refusals = _stale_refusals.get(shape.name, 0)
    # Prepared here since the latest stale refusal: run by name. Else prepared first: run once
    # (SEEN), refused here (STALE), or prepared before another connection's refusal (a count).
    if state in (SEEN, STALE) or state != refusals:
        if not _prepare(cursor, connection, shape, replace=state != SEEN):
            return False
        known[shape.name] = refusals
    try:
        cursor.execute(shape.execute, parameters)
    except FeatureNotSupported as error:
        if error.diag.source_function == STALE_PLAN:  # its result's types changed
            known[shape.name] = STALE
            with _counting:
                _stale_refusals[shape.name] = _stale_refusals.get(shape.name, 0) + 1
        raise
    return True


def _prepare(
    cursor: Any, connection: PsycopgConnection, shape: Shape, replace: bool = False
) -> bool:
    """Prepare ``shape`` on this connection (``replace``: dropping its stale preparation
    first); False (nothing changed) when PostgreSQL refuses. In a transaction a refusal would
    abort it: the attempt runs under a savepoint."""
    if connection.get_transaction_status() == TRANSACTION_STATUS_INERROR:
        return False  # the statement fails as it would have
    guarded = not connection.autocommit
    if guarded:
        cursor.execute(f"SAVEPOINT {SAVEPOINT}")
    try:
        if replace and _is_prepared(cursor, shape.name):  # unless the server forgot it
            cursor.execute(f"DEALLOCATE {shape.name}")
        cursor.execute(shape.prepare)
    except psycopg2.Error as error:
        if connection.closed or error.pgcode is None:
            raise  # the connection, not the statement: SQLAlchemy handles it
        if guarded:
            cursor.execute(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}")
            cursor.execute(f"RELEASE SAVEPOINT {SAVEPOINT}")
        if error.pgcode == "42P05":  # already prepared on this connection (not recorded here)
            return True
        _refused.add(shape.name)
        logger.debug("sent unprepared (%s): %s", error.pgcode, shape.prepare)
        return False
    if guarded:
        cursor.execute(f"RELEASE SAVEPOINT {SAVEPOINT}")
    return True


def _is_prepared(cursor: Any, name: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %(name)s", {"name": name})
    return cursor.fetchone() is not None
