"""The product as production runs it (``scripts/serve.sh``: supervisord, nginx, N Rasa servers,
M action servers, K desks, PostgreSQL and Redis), started in a folder of its own for a load or
fault run, with what those runs need: the pids per program, kill -9 and the time until the
supervisor has the program serving again, Locust against the public door.

The desks' per-client limits are turned off (``0``): every simulated shopper comes from the
load generator's one address, which the limits would otherwise treat as one abusive client.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg2
import redis

ROOT = Path(__file__).resolve().parent.parent
LOCUST = ROOT / ".var" / "load-venv" / "bin" / "locust"
LOCUSTFILE = ROOT / "loadtest" / "locustfile.py"
# A line worth a failed run's report, whatever the program's case (nginx writes "[alert]").
PROBLEM = re.compile(r"warn|error|crit|alert|emerg|traceback|exited", re.IGNORECASE)
NO_LIMITS = {
    "DESK_MESSAGES_PER_MINUTE": "0",
    "DESK_NEW_CONVERSATIONS_PER_HOUR": "0",
    "DESK_HANDOFFS_PER_HOUR": "0",
}


@dataclass
class ServedProduct:
    """``scripts/serve.sh start --detach`` with its own run folder, ports from ``base_port``
    (Rasa, actions, balancers, PostgreSQL, Redis) and ``public_port`` (nginx, desks)."""

    rasa: int = 1
    actions: int = 1
    desks: int = 2
    base_port: int = 5800
    public_port: int = 8880
    extra_env: dict[str, str] = field(default_factory=dict)
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="bijou-load-")))
    ready_s: float = 0.0

    @property
    def run_dir(self) -> Path:
        return self.folder / "run"

    @property
    def log_dir(self) -> Path:
        return self.folder / "logs"

    @property
    def postgres_dir(self) -> Path:
        # PostgreSQL runs as 'postgres' under root: a folder it can enter, outside ``folder``.
        return Path(f"{self.folder}-postgres")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.public_port}"

    @property
    def spool(self) -> Path:
        return self.folder / "spool" / "tickets.jsonl"

    def env(self) -> dict[str, str]:
        env = {
            k: v for k, v in os.environ.items() if k not in ("SHOP_DATABASE_URL", "SHOP_REDIS_URL")
        }
        env.update(NO_LIMITS)
        env.update(
            SERVE_DIR=str(self.run_dir),
            SERVE_LOG_DIR=str(self.log_dir),
            SERVE_POSTGRES_DIR=str(self.postgres_dir),
            SERVE_SKIP_SETUP="1",
            SERVE_PUBLIC_HOST="127.0.0.1",
            SERVE_PUBLIC_PORT=str(self.public_port),
            SERVE_DESK_PORT=str(self.public_port + 10),
            SERVE_RASA_LB_PORT=str(self.base_port),
            SERVE_ACTIONS_LB_PORT=str(self.base_port + 1),
            SERVE_RASA_PORT=str(self.base_port + 10),
            SERVE_ACTIONS_PORT=str(self.base_port + 30),
            SERVE_POSTGRES_PORT=str(self.base_port + 50),
            SERVE_REDIS_PORT=str(self.base_port + 51),
            SERVE_RASA_PROCESSES=str(self.rasa),
            SERVE_ACTION_PROCESSES=str(self.actions),
            SERVE_DESK_PROCESSES=str(self.desks),
            SHOP_TICKET_SPOOL=str(self.spool),
            DESK_VAR_DIR=str(self.folder / "desk-var"),
            DESK_DEMO_AGENT="0",
        )
        env.update(self.extra_env)
        return env

    def serve(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        # Read whole, then run (``$0`` still names it): bash reads a script file as it goes,
        # so an edit of serve.sh during a long start must not change what this run executes.
        launcher = ROOT / "scripts" / "serve.sh"
        return subprocess.run(
            ["bash", "-c", launcher.read_text(), str(launcher), *args],
            cwd=ROOT,
            env=self.env(),
            check=check,
            capture_output=True,
            text=True,
        )

    def start(self) -> ServedProduct:
        self.spool.parent.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        done = self.serve("start", "--detach", check=False)
        if done.returncode != 0:
            self.stop()
            raise RuntimeError(
                f"serve.sh start failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
            )
        self.ready_s = time.monotonic() - started
        subprocess.run(
            [sys.executable, "-m", "shop.store.seed"],
            cwd=ROOT,
            env={**self.env(), "SHOP_DATABASE_URL": self.database_url},
            check=True,
            capture_output=True,
        )
        return self

    def stop(self) -> None:
        self.serve("stop", check=False)
        shutil.rmtree(self.postgres_dir, ignore_errors=True)

    def remove(self) -> None:
        """Stop, then delete the run folder (logs included), never through a mount left on it."""
        self.stop()
        if os.path.ismount(self.spool.parent):
            subprocess.run(["umount", str(self.spool.parent)], check=False)
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def database_url(self) -> str:
        password = (self.run_dir / "postgres_password").read_text().strip()
        return f"postgresql://shop:{password}@127.0.0.1:{self.base_port + 50}/shop"

    def redis_client(self) -> redis.Redis:
        password = (self.run_dir / "redis_password").read_text().strip()
        return redis.Redis(host="127.0.0.1", port=self.base_port + 51, password=password)

    def problems_logged(self, lines: int = 40) -> str:
        """The last warnings and errors of nginx, the supervisor and every program, for a failed
        run's report (the folder, logs included, is removed at the end)."""
        report = []
        for log in sorted(self.log_dir.glob("*.log")):
            text = log.read_text(encoding="utf-8", errors="replace").splitlines()
            wanted = [line for line in text if PROBLEM.search(line)]
            if wanted:
                report.append(f"--- {log.name}\n" + "\n".join(wanted[-lines:]))
        return "\n".join(report)

    # --- processes -----------------------------------------------------------------------

    def pids(self) -> dict[str, int]:
        """Running programs (``rasa-0``, ``desk-1``, ``nginx``...) and their pids."""
        status = self.serve("ctl", "status", check=False).stdout
        found = re.findall(r"^(?:\S+:)?(\S+)\s+RUNNING\s+pid (\d+)", status, re.MULTILINE)
        return {name: int(pid) for name, pid in found}

    def health_url(self, program: str) -> str | None:
        kind, _, index = program.partition("-")
        ports = {
            "rasa": (self.base_port + 10, "/"),
            "actions": (self.base_port + 30, "/health"),
            "desk": (self.public_port + 10, "/healthz"),
        }
        if kind in ports:
            port, path = ports[kind]
            return f"http://127.0.0.1:{port + int(index or 0)}{path}"
        if program == "nginx":
            return f"{self.url}/healthz"
        return None

    def healthy(self, program: str) -> bool:
        try:
            if program == "postgres":
                psycopg2.connect(self.database_url, connect_timeout=1).close()
                return True
            if program == "redis":
                return bool(self.redis_client().ping())
            url = self.health_url(program)
            return url is not None and httpx.get(url, timeout=1).status_code == 200
        except (OSError, httpx.HTTPError, psycopg2.Error, redis.RedisError):
            return False

    def kill9(self, program: str) -> float:
        """kill -9 the program (its whole process group); returns the moment, monotonic."""
        pid = self.pids()[program]
        try:
            os.killpg(os.getpgid(pid), signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
        return time.monotonic()

    def wait_back(self, program: str, old_pid: int, timeout: float = 180) -> float:
        """Seconds until the supervisor runs the program again (a new pid) and it answers."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            pid = self.pids().get(program)
            if pid and pid != old_pid and self.healthy(program):
                return time.monotonic() - started
            time.sleep(0.2)
        raise TimeoutError(f"{program} not back after {timeout:.0f} s")

    # --- load ----------------------------------------------------------------------------

    def locust(
        self,
        users: int,
        run_time_s: int,
        journal: Path,
        think: str = "5-15",
        spawn_rate: float = 10,
        csv_prefix: Path | None = None,
        stop_timeout_s: int = 90,
    ) -> subprocess.Popen[str]:
        """Locust against nginx, headless, in the background (``.wait()`` for its end)."""
        args = [
            str(LOCUST),
            "-f",
            str(LOCUSTFILE),
            "--host",
            self.url,
            "--headless",
            "-u",
            str(users),
            "-r",
            str(spawn_rate),
            "-t",
            f"{run_time_s}s",
            "--stop-timeout",
            str(stop_timeout_s),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ]
        if csv_prefix is not None:
            args += ["--csv", str(csv_prefix)]
        env = {**os.environ, "LOAD_THINK_S": think, "LOAD_JOURNAL": str(journal)}
        log = open(journal.with_suffix(".locust.log"), "w")  # noqa: SIM115 - closed with the run
        return subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True
        )
