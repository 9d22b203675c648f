"""Start the real Rasa server and action server for tests, on loopback, on a temporary database.

Time is frozen through SHOP_NOW so that the seeded demo orders and the policy decisions are
the same on every run. The model is the one scripts/ensure_model.py trained (trained here if
missing).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import yaml

from devtools.lanes import refuse_in_fast_lane
from scripts.write_endpoints import REDIS_URL_ENV, endpoints

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
FROZEN_NOW = datetime.fromisoformat("2026-11-24T10:00:00+01:00")  # a Tuesday, 10:00 in Paris


def model_path() -> Path:
    refuse_in_fast_lane("a trained model")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "ensure_model.py")], check=True)
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "ensure_model.py"), "--print-path"],
        check=True,
        capture_output=True,
        text=True,
    )
    return Path(out.stdout.strip())


@dataclass
class Stack:
    """A Rasa server + action server pair sharing one database: SQLite in ``workdir``, or
    ``database`` (a PostgreSQL URL); with ``redis_url``, Rasa locks conversations in Redis and
    more Rasa servers can join (``start_rasa(name=..., port=...)``)."""

    workdir: Path
    rasa_port: int = int(os.environ.get("E2E_RASA_PORT", "5105"))
    actions_port: int = int(os.environ.get("E2E_ACTIONS_PORT", "5155"))
    profile: str = "bijou_eclat"
    database: str | None = None
    redis_url: str | None = None
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    actions_token: str = field(default_factory=lambda: uuid.uuid4().hex)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    rasa_urls: dict[str, str] = field(default_factory=dict)  # each Rasa server started, by name

    @property
    def database_url(self) -> str:
        return self.database or f"sqlite:///{self.workdir / 'shop.db'}"

    @property
    def knowledge_dir(self) -> Path:
        """A copy of knowledge/faq the running action server reads (tests may edit it)."""
        return self.workdir / "faq"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            SHOP_DATABASE_URL=self.database_url,
            SHOP_NOW=FROZEN_NOW.isoformat(),
            SHOP_PROFILE=self.profile,
            SHOP_TICKET_SPOOL=str(self.workdir / "spool" / "tickets.jsonl"),
            KNOWLEDGE_DIR=str(self.knowledge_dir),
            ACTIONS_HOST="127.0.0.1",
            ACTIONS_PORT=str(self.actions_port),
            ACTIONS_TOKEN=self.actions_token,
            TF_CPP_MIN_LOG_LEVEL="2",
            PYTHONPATH=str(ROOT),
        )
        env.pop(REDIS_URL_ENV, None)  # never the developer's own Redis
        if self.redis_url:
            env[REDIS_URL_ENV] = self.redis_url
        return env

    def seed(self) -> None:
        shutil.copytree(ROOT / "knowledge" / "faq", self.knowledge_dir, dirs_exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "shop.store.seed",
                "--reset",
                "--i-know-this-deletes-everything",  # a database these tests made (PostgreSQL too)
                "--now",
                FROZEN_NOW.isoformat(),
            ],
            cwd=ROOT,
            env=self.env(),
            check=True,
            capture_output=True,
        )

    def write_endpoints(self) -> Path:
        """The product's own settings (scripts/write_endpoints.py) for this stack's environment."""
        path = self.workdir / "endpoints.yml"
        path.write_text(yaml.safe_dump(endpoints(self.env())))
        return path

    def _spawn(self, name: str, args: list[str], extra_env: dict[str, str] | None = None) -> None:
        refuse_in_fast_lane(f"the {name} server")
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 - lives with the process
        self.processes[name] = subprocess.Popen(
            args,
            cwd=ROOT,
            env={**self.env(), **(extra_env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def start_actions(self) -> None:
        self._spawn("actions", [sys.executable, "-m", "actions.server"])
        self._wait(f"http://127.0.0.1:{self.actions_port}/health", "actions")

    def start_rasa(
        self,
        model: Path,
        name: str = "rasa",
        port: int | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        """Rasa on loopback with the product's logging configuration (personal data masked);
        ``extra_env`` such as ``{"LOG_LEVEL": "DEBUG"}`` for this server only."""
        port = port or self.rasa_port
        self._spawn(
            name,
            [
                str(VENV_BIN / "python"),
                str(ROOT / "scripts" / "rasa_run.py"),  # as scripts/run.sh and serve.sh start it
                "run",
                "--model",
                str(model),
                "--endpoints",
                str(self.write_endpoints()),
                "--credentials",
                "credentials.yml",
                "--interface",
                "127.0.0.1",
                "--port",
                str(port),
                "--enable-api",
                "--auth-token",
                self.token,
                "--logging-config-file",
                str(ROOT / "scripts" / "rasa_logging.yml"),
            ],
            extra_env,
        )
        self.rasa_urls[name] = f"http://127.0.0.1:{port}"
        self._wait(f"{self.rasa_urls[name]}/status?token={self.token}", name, needs_model=True)

    def _wait(self, url: str, name: str, needs_model: bool = False, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            process = self.processes[name]
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited; see {self.workdir / (name + '.log')}")
            try:
                response = httpx.get(url, timeout=2)
                if response.status_code == 200 and (
                    not needs_model or response.json().get("model_file")
                ):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{name} not ready after {timeout:.0f} s")

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is not None:
            stop_process(process)

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)

    # --- talking to the bot -------------------------------------------------------------

    def say(self, sender: str, text: str, rasa_url: str | None = None) -> list[dict[str, Any]]:
        response = httpx.post(
            f"{rasa_url or self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=30,
        )
        response.raise_for_status()
        return list(response.json())

    def tracker(self, sender: str) -> dict[str, Any]:
        response = httpx.get(
            f"{self.rasa_url}/conversations/{sender}/tracker",
            params={"token": self.token},
            timeout=10,
        )
        response.raise_for_status()
        return dict(response.json())

    def parse(self, text: str) -> dict[str, Any]:
        response = httpx.post(
            f"{self.rasa_url}/model/parse",
            params={"token": self.token},
            json={"text": text},
            timeout=10,
        )
        response.raise_for_status()
        return dict(response.json())


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after 20 s: a server gets its chance to close cleanly."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def texts(messages: list[dict[str, Any]]) -> str:
    """All the bot's texts of one turn, joined, for assertions."""
    return "\n".join(str(message.get("text", "")) for message in messages)


def buttons(messages: list[dict[str, Any]]) -> list[str]:
    return [b["title"] for m in messages for b in (m.get("buttons") or [])]


def new_sender(prefix: str = "e2e") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def slot(tracker: dict[str, Any], name: str) -> Any | None:
    return tracker.get("slots", {}).get(name)
