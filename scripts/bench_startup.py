"""Benchmark (not a test): how long a Rasa server takes to be ready, and how much memory it holds.

Starts the real `rasa run` as scripts/run.sh does (same arguments as devtools/servers.py,
the environment of scripts/env.sh), with an action server and a seeded database in a temporary
folder, then reports for each run: seconds until the HTTP server answers, until the model is
loaded (``/status`` names it: what scripts/wait_ready.py waits for), the first parse and the
first full turn, and the CPU seconds the server used until ready (user + system: what the start
costs, whatever else the machine runs at the time); resident (RSS) and proportional (PSS)
memory after warm-up (one turn of each kind) and after ``--turns`` turns, and the peak RSS.

    .venv/bin/python scripts/bench_startup.py [--runs 3] [--turns 200] [--set NAME=VALUE ...]
        [--command "PROGRAM ARGS"]   # instead of .venv/bin/rasa, e.g. another launcher
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from devtools.servers import VENV_BIN, Stack, model_path, new_sender
from scripts.bench import MESSAGES

ROOT = Path(__file__).resolve().parent.parent

RASA_PORT = 5500
ACTIONS_PORT = 5555


def env_sh() -> dict[str, str]:
    """The variables scripts/env.sh exports, as run.sh's servers get them."""
    out = subprocess.run(
        ["bash", "-c", "source scripts/env.sh >/dev/null && env -0"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    pairs = (item.split("=", 1) for item in out.stdout.split("\0") if "=" in item)
    return dict(pairs)


def memory_mb(pid: int) -> dict[str, float]:
    """RSS, PSS and peak RSS (MB) of a process and its children (Rasa runs in one process)."""
    pids = [pid, *children(pid)]
    totals = {"rss": 0.0, "pss": 0.0, "peak": 0.0}
    for one in pids:
        for line in Path(f"/proc/{one}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                totals["rss"] += int(line.split()[1]) / 1024
            elif line.startswith("Pss:"):
                totals["pss"] += int(line.split()[1]) / 1024
        for line in Path(f"/proc/{one}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                totals["peak"] += int(line.split()[1]) / 1024
    return totals


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        for child in map(int, text):
            found += [child, *children(child)]
    return found


@dataclass
class Run:
    http_s: float
    ready_s: float
    ready_cpu_s: float
    first_parse_s: float
    first_turn_s: float
    warm: dict[str, float]
    after: dict[str, float]
    turns: int
    turns_s: float


def start_and_measure(
    stack: Stack, model: Path, turns: int, extra_env: dict[str, str], command: list[str]
) -> Run:
    args = [
        *command,
        "run",
        "--model",
        str(model),
        "--endpoints",
        str(stack.write_endpoints()),
        "--credentials",
        "credentials.yml",
        "--interface",
        "127.0.0.1",
        "--port",
        str(stack.rasa_port),
        "--enable-api",
        "--auth-token",
        stack.token,
        "--logging-config-file",
        str(ROOT / "scripts" / "rasa_logging.yml"),
    ]
    started = time.perf_counter()
    stack._spawn("rasa", args, extra_env)
    process = stack.processes["rasa"]
    status = f"{stack.rasa_url}/status?token={stack.token}"
    http_s = ready_s = ready_cpu_s = 0.0
    try:
        with httpx.Client(timeout=5) as client:
            while not ready_s:
                if process.poll() is not None:
                    raise RuntimeError(f"rasa exited; see {stack.workdir / 'rasa.log'}")
                if time.perf_counter() - started > 300:
                    raise RuntimeError("rasa not ready after 300 s")
                try:
                    response = client.get(status)
                except httpx.HTTPError:
                    time.sleep(0.05)
                    continue
                http_s = http_s or time.perf_counter() - started
                if response.status_code == 200 and response.json().get("model_file"):
                    ready_s = time.perf_counter() - started
                    ready_cpu_s = cpu_seconds(process.pid)
                else:
                    time.sleep(0.05)
            parsed = stack.parse("bonjour")
            assert parsed["intent"]["name"], parsed
            first_parse_s = time.perf_counter() - started
            stack.say(new_sender("warm"), MESSAGES[0])
            first_turn_s = time.perf_counter() - started
            sender = new_sender("warm")
            for message in MESSAGES:
                stack.say(sender, message)
            warm = memory_mb(process.pid)
            turns_started = time.perf_counter()
            for i in range(turns):
                if i % len(MESSAGES) == 0:
                    sender = new_sender("bench")
                stack.say(sender, MESSAGES[i % len(MESSAGES)])
            turns_s = time.perf_counter() - turns_started
            after = memory_mb(process.pid)
    finally:
        stack.stop("rasa")
    return Run(
        http_s, ready_s, ready_cpu_s, first_parse_s, first_turn_s, warm, after, turns, turns_s
    )


def spread(values: list[float], unit: str, digits: int = 1) -> str:
    mid = statistics.median(values)
    return f"{mid:.{digits}f} {unit} (min {min(values):.{digits}f}, max {max(values):.{digits}f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--model", type=Path, help="default: scripts/ensure_model.py's")
    parser.add_argument("--command", default=str(VENV_BIN / "rasa"), help="Rasa's launcher")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="extra env for Rasa"
    )
    args = parser.parse_args()
    os.environ.update(env_sh())
    extra_env = dict(item.split("=", 1) for item in args.set)
    model = args.model or model_path()
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as workdir:
        stack = Stack(Path(workdir), rasa_port=RASA_PORT, actions_port=ACTIONS_PORT)
        stack.seed()
        stack.start_actions()
        try:
            for i in range(args.runs):
                run = start_and_measure(
                    stack, model, args.turns, extra_env, shlex.split(args.command)
                )
                runs.append(run)
                print(
                    f"run {i + 1}: http {run.http_s:.1f} s, ready {run.ready_s:.1f} s "
                    f"({run.ready_cpu_s:.1f} s CPU), "
                    f"first parse {run.first_parse_s:.1f} s, first turn {run.first_turn_s:.1f} s;"
                    f" warm RSS {run.warm['rss']:.0f} MB PSS {run.warm['pss']:.0f} MB; after "
                    f"{run.turns} turns ({run.turns / run.turns_s:.0f}/s) RSS "
                    f"{run.after['rss']:.0f} MB PSS {run.after['pss']:.0f} MB, peak "
                    f"{run.after['peak']:.0f} MB",
                    flush=True,
                )
        finally:
            stack.stop_all()
    print(f"model {model.name}; {args.command}; env {extra_env or 'as scripts/env.sh'}")
    print(f"{len(runs)} runs, medians:")
    print("  ready (model loaded):", spread([r.ready_s for r in runs], "s"))
    print("  CPU until ready:     ", spread([r.ready_cpu_s for r in runs], "s"))
    print("  first parse answered:", spread([r.first_parse_s for r in runs], "s"))
    print("  first turn answered: ", spread([r.first_turn_s for r in runs], "s"))
    print("  RSS after warm-up:   ", spread([r.warm["rss"] for r in runs], "MB", 0))
    print("  PSS after warm-up:   ", spread([r.warm["pss"] for r in runs], "MB", 0))
    print(f"  RSS after {args.turns} turns:", spread([r.after["rss"] for r in runs], "MB", 0))
    print(f"  PSS after {args.turns} turns:", spread([r.after["pss"] for r in runs], "MB", 0))
    print("  peak RSS:            ", spread([r.after["peak"] for r in runs], "MB", 0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
