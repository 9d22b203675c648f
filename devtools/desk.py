"""The desk as a real process (``python -m desk``, uvicorn) wired to the real Rasa of a
``Stack``: used by the browser tests and by the desk's end-to-end API tests."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from desk.security import hash_password
from devtools.lanes import refuse_in_fast_lane
from devtools.servers import FROZEN_NOW, ROOT, Stack
from devtools.services import free_port
from shop.store import conversation_repository as repo
from shop.store.conversations import Role
from shop.store.db import make_engine, make_session_factory, session_scope


@dataclass
class DeskServer:
    stack: Stack
    port: int = field(default_factory=free_port)
    extra_env: dict[str, str] = field(default_factory=dict)  # applied last (e.g. the limits)
    process: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def var_dir(self) -> Path:
        return self.stack.workdir / "desk-var"

    @property
    def export_root(self) -> Path:
        return self.stack.workdir / "review-export"

    @property
    def agent_password(self) -> str:
        return (self.var_dir / "demo_agent_password").read_text(encoding="utf-8").strip()

    def add_account(self, username: str, password: str, role: Role, display_name: str) -> None:
        """A console account in the desk's database (left as it is when it exists)."""
        engine = make_engine(self.stack.database_url)
        with session_scope(make_session_factory(engine)) as session:
            if repo.find_agent(session, username) is None:
                password_hash = hash_password(password, 2**10)
                repo.create_agent(
                    session, username, password_hash, display_name, FROZEN_NOW, role=role
                )
        engine.dispose()

    def start(self) -> DeskServer:
        refuse_in_fast_lane("a desk server")
        env = self.stack.env()
        env.update(
            DESK_HOST="127.0.0.1",
            DESK_PORT=str(self.port),
            DESK_VAR_DIR=str(self.var_dir),
            RASA_URL=self.stack.rasa_url,
            RASA_TOKEN=self.stack.token,
            SHOP_NOW=FROZEN_NOW.isoformat(),
            # The review inbox's export writes here, never into the project's training data.
            SHOP_REVIEW_EXPORT_ROOT=str(self.export_root),
            # Every test talks from 127.0.0.1 to this one desk: the per-client limits are the
            # desk API tests' concern, not a budget the whole session shares.
            DESK_NEW_CONVERSATIONS_PER_HOUR="0",
            DESK_MESSAGES_PER_MINUTE="0",
            DESK_HANDOFFS_PER_HOUR="0",
        )
        env.update(self.extra_env)
        self._log = open(self.stack.workdir / "desk.log", "ab")  # noqa: SIM115 - lives with the process
        self.process = subprocess.Popen(
            [sys.executable, "-m", "desk"],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"desk exited; see {self.stack.workdir / 'desk.log'}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.3)
        raise RuntimeError("desk not ready after 60 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def restart(self) -> None:
        self.stop()
        self.start()
