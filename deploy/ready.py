"""Wait for the launcher's parts, or fail clearly: ``python -m deploy.ready`` with

- ``--database`` (SHOP_DATABASE_URL): until PostgreSQL accepts connections; with
  ``--create-database`` the database is created on a fresh cluster;
- ``--redis`` (SHOP_REDIS_URL): until Redis answers PING;
- ``--http URL`` (repeatable): until each URL answers 200.

Rasa binds its port only once its model is loaded, so a 200 on ``/`` means ready.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable

import httpx
import psycopg2
import redis
from psycopg2 import sql
from sqlalchemy.engine import make_url


def _database_up(url_text: str, create: bool) -> bool:
    url = make_url(url_text)
    options = {
        "host": url.host or "127.0.0.1",
        "port": url.port or 5432,
        "user": url.username,
        "password": url.password,
        "connect_timeout": 2,
    }
    try:
        connection = psycopg2.connect(dbname=url.database, **options)
    except psycopg2.OperationalError as error:
        if not create or "does not exist" not in str(error):
            return False
        admin = psycopg2.connect(dbname="postgres", **options)
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(url.database)))
        admin.close()
        return _database_up(url_text, create=False)
    connection.close()
    return True


def _redis_up(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def _http_up(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def wait(name: str, check: Callable[[], bool], deadline: float) -> bool:
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.3)
    print(f"error: {name} not ready in time; see the logs in SERVE_LOG_DIR", file=sys.stderr)
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", action="store_true")
    parser.add_argument("--create-database", action="store_true")
    parser.add_argument("--redis", action="store_true")
    parser.add_argument("--http", action="append", default=[], metavar="URL")
    parser.add_argument("--timeout", type=float, default=240.0)
    args = parser.parse_args(argv)
    deadline = time.monotonic() + args.timeout
    checks: list[tuple[str, Callable[[], bool]]] = []
    if args.database:
        database = os.environ["SHOP_DATABASE_URL"]
        checks.append(("PostgreSQL", lambda: _database_up(database, args.create_database)))
    if args.redis:
        redis_url = os.environ["SHOP_REDIS_URL"]
        checks.append(("Redis", lambda: _redis_up(redis_url)))
    for url in args.http:
        checks.append((url, lambda url=url: _http_up(url)))  # type: ignore[misc]
    try:
        return 0 if all(wait(name, check, deadline) for name, check in checks) else 1
    except KeyboardInterrupt:  # Ctrl-C while the launcher waits: it stops everything
        return 130


if __name__ == "__main__":
    sys.exit(main())
