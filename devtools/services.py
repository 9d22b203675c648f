"""Throwaway PostgreSQL and Redis servers on loopback, for the production-stores tests.

The product runs on SQLite by default and on PostgreSQL + Redis in production (design.md:
Rasa's SQL tracker store and Redis lock store, several Rasa processes). These start the real
Debian servers (``scripts/setup.sh`` installs them when missing) in a temporary folder, each on
a free port, and remove everything when they stop. PostgreSQL refuses to run as root, so under
root the cluster belongs to the ``postgres`` account the Debian package creates.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import redis

from devtools.lanes import refuse_in_fast_lane


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _postgres_bin(name: str) -> str:
    """``initdb``/``pg_ctl`` from PATH, else from Debian's versioned folder."""
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise RuntimeError(f"{name} not found: scripts/setup.sh installs Debian's postgresql")
    return found


@dataclass
class PostgresServer:
    """A PostgreSQL cluster of its own (trust authentication, loopback only)."""

    port: int = field(default_factory=free_port)
    user: str = "shop"
    database: str = "shop"
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="shop-pg-")))

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{self.database}"

    def _as_owner(self, args: list[str]) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *args]
        return args

    def start(self) -> PostgresServer:
        refuse_in_fast_lane("a PostgreSQL server")
        data = self.folder / "data"
        if os.geteuid() == 0:
            shutil.chown(self.folder, user="postgres", group="postgres")
        subprocess.run(
            self._as_owner(
                [
                    _postgres_bin("initdb"),
                    "-D",
                    str(data),
                    "-U",
                    self.user,
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            capture_output=True,
        )
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off"
        subprocess.run(
            self._as_owner(
                [
                    _postgres_bin("pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    options,
                    "-l",
                    str(self.folder / "postgres.log"),
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )
        admin = psycopg2.connect(
            host="127.0.0.1", port=self.port, user=self.user, dbname="postgres"
        )
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{self.database}"')
        admin.close()
        return self

    def stop(self) -> None:
        data = self.folder / "data"
        if (data / "postmaster.pid").exists():
            subprocess.run(
                self._as_owner([_postgres_bin("pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
                check=False,
                capture_output=True,
            )
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class RedisServer:
    """``redis-server`` on loopback, without persistence."""

    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port)

    def start(self) -> RedisServer:
        refuse_in_fast_lane("a redis-server")
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server not found: scripts/setup.sh installs Debian's redis")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return self
            except redis.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("redis-server not ready after 30 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
