"""A long-running program under test (the outbox sender, the poller): wait for what it should
do while checking it is still alive, then stop it the way supervisord, systemd and Kubernetes
do, with SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable

import pytest


def wait_until(
    check: Callable[[], bool], what: str, process: subprocess.Popen[str], timeout_s: float = 30.0
) -> None:
    """Poll ``check`` until it holds; fail with the program's output if it ends first."""
    deadline = time.monotonic() + timeout_s
    while not check():
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"the program ended ({process.returncode}) before {what}:\n{out}\n{err}")
        assert time.monotonic() < deadline, f"no {what} within {timeout_s:g} s"
        time.sleep(0.05)


def stop(process: subprocess.Popen[str], timeout_s: float = 30.0) -> tuple[int, str, str]:
    """SIGTERM, then the exit status and what the program wrote (stderr is empty when it was
    sent to stdout)."""
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=timeout_s)
    return process.returncode, out, err or ""
