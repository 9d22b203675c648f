"""Fuzz the desk for real: ``python -m desk`` with the real Rasa and action servers, hostile
inputs on every endpoint of the widget and the console (``devtools/fuzz/campaigns.py``), the
learning loop's included: review inbox, accounts, dashboard, ratings
(``devtools/fuzz/learning_campaigns.py``).

    .venv/bin/python scripts/fuzz.py --examples 10000 [--seed 1] [--report fuzz.json] [--postgres]

The servers run on loopback on a seeded temporary database (SQLite, or with ``--postgres`` a
PostgreSQL cluster of its own, which refuses text SQLite stores: a NUL character), the desk
with its shoppers' and login limits lifted (so that the inputs reach the code behind them); a
second desk with the default limits gets a share of the inputs too. The review inbox starts
with messages to label; its export writes into the servers' temporary folder, never into the
project. The report: inputs per endpoint, the status codes seen, failures with the minimal
failing input (hypothesis shrinks each one), then the end checks: every accepted message stored
once, every accepted rating, review label and account stored and nothing a refusal sent, no
typed command reached Rasa, the project's training files untouched, every server alive. Exit
status 1 when anything failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import socket
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import simple_websocket
from hypothesis import HealthCheck, seed, settings
from sqlalchemy import text

from desk.security import Signer
from desk.settings import Settings
from desk.shopper_access import conversation_token
from devtools.desk import DeskServer
from devtools.fuzz import learning_campaigns
from devtools.fuzz.campaigns import CAMPAIGNS as WIDGET_AND_CONSOLE
from devtools.fuzz.campaigns import under_default_limits
from devtools.fuzz.harness import Fuzzer, FuzzFailure, ServerError
from devtools.servers import FROZEN_NOW, Stack, model_path
from devtools.services import PostgresServer, free_port
from shop.learning.export import (
    DRAFTS_FILE,
    EXPORT_ROOT_ENV,
    HELDOUT_FILE,
    PROJECT_ROOT,
    TRAINING_FILE,
)
from shop.store.db import create_schema, make_engine, make_session_factory, session_scope

ROOT = Path(__file__).resolve().parents[1]

NO_LIMITS = {
    "DESK_NEW_CONVERSATIONS_PER_HOUR": "0",
    "DESK_MESSAGES_PER_MINUTE": "0",
    "DESK_HANDOFFS_PER_HOUR": "0",
    "DESK_LOGIN_MAX_FAILURES": "0",
    "DESK_LOGIN_MAX_FAILURES_PER_ADDRESS": "0",
}
DEFAULTS = Settings()
DEFAULT_LIMITS = {
    "DESK_NEW_CONVERSATIONS_PER_HOUR": str(DEFAULTS.new_conversations_per_hour),
    "DESK_MESSAGES_PER_MINUTE": str(DEFAULTS.messages_per_minute),
    "DESK_HANDOFFS_PER_HOUR": str(DEFAULTS.handoffs_per_hour),
    "DESK_LOGIN_MAX_FAILURES": str(DEFAULTS.login_max_failures),
    "DESK_LOGIN_MAX_FAILURES_PER_ADDRESS": str(DEFAULTS.login_max_failures_per_address),
}
CAMPAIGNS = {**WIDGET_AND_CONSOLE, **learning_campaigns.CAMPAIGNS}
EXPORTED = (TRAINING_FILE, HELDOUT_FILE, DRAFTS_FILE)
DEFAULT_LIMITS_SHARE = 0.03
RERUNS_AFTER_A_FAILURE = 2


class RealSocket:
    """A WebSocket to the running desk (simple-websocket, a blocking client)."""

    def __init__(self, url: str) -> None:
        self.close_code: int | None = None
        try:
            self._ws = simple_websocket.Client.connect(url)
        except simple_websocket.ConnectionError as error:
            raise ConnectionRefusedError(str(error)) from error

    def _closed(self, error: simple_websocket.ConnectionClosed) -> None:
        self.close_code = int(error.reason)
        if self.close_code == 1011:
            raise ServerError(f"closed 1011 {error.message or ''}")

    def send_text(self, text: str) -> None:
        self._send(text)

    def send_bytes(self, data: bytes) -> None:
        self._send(data)

    def _send(self, data: str | bytes) -> None:
        if self.close_code is not None:
            return
        try:
            self._ws.send(data)
        except simple_websocket.ConnectionClosed as error:
            self._closed(error)

    def receive(self, timeout_s: float) -> str | None:
        if self.close_code is not None:
            return None
        try:
            data = self._ws.receive(timeout=timeout_s)
        except simple_websocket.ConnectionClosed as error:
            self._closed(error)
            return None
        if data is None:
            return None
        return data if isinstance(data, str) else data.decode("latin-1")

    def close(self) -> None:
        with contextlib.suppress(simple_websocket.ConnectionClosed):
            self._ws.close()


@dataclass
class Run:
    failures: list[dict[str, Any]] = field(default_factory=list)
    examples: Counter[str] = field(default_factory=Counter)


def fuzzer_for(desk: DeskServer) -> Fuzzer:
    secret = (desk.var_dir / "desk_secret").read_text(encoding="utf-8").strip()
    signer = Signer(secret)
    client = httpx.Client(base_url=desk.url, timeout=httpx.Timeout(60, connect=5))
    ws_base = desk.url.replace("http://", "ws://")
    return Fuzzer(
        client,
        lambda path: RealSocket(ws_base + path),
        lambda conversation: conversation_token(signer, conversation),
        agent=("agent", desk.agent_password),
    )


def run_campaign(name: str, make: Any, fuzzer: Fuzzer, examples: int, run: Run, seed_: int) -> None:
    """Runs ``examples`` inputs; a failure is shrunk, reported, then known (recorded without
    stopping) while the campaign goes on."""
    budget = examples
    for attempt in range(RERUNS_AFTER_A_FAILURE + 1):
        before = sum(fuzzer.books.inputs.values())
        test = make(fuzzer)
        configured = settings(
            max_examples=max(budget, 1),
            database=None,
            deadline=None,
            derandomize=False,
            print_blob=False,
            suppress_health_check=list(HealthCheck),
        )(test)
        started = time.monotonic()
        try:
            seed(seed_ + attempt)(configured)()
            run.examples[name] += budget
            return
        except Exception as error:  # noqa: BLE001 - every failure is reported
            for failure in _leaves(error):
                signature = getattr(failure, "signature", None) or _signature(failure)
                fuzzer.known.add(signature)
                run.failures.append(
                    {
                        "campaign": name,
                        "failure": signature,
                        "minimal input": "\n".join(getattr(failure, "__notes__", []) or []),
                    }
                )
            sent = sum(fuzzer.books.inputs.values()) - before
            print(
                f"  {name}: failure after {sent} requests in {time.monotonic() - started:.0f} s",
                flush=True,
            )
            run.examples[name] += budget // 2
            budget = budget // 2


def _leaves(error: BaseException) -> list[BaseException]:
    nested = getattr(error, "exceptions", None)
    if nested:
        return [leaf for inner in nested for leaf in _leaves(inner)]
    return [error]


def _signature(error: BaseException) -> str:
    first = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {first[:200]}"


def raw_requests(desk: DeskServer, fuzzer: Fuzzer) -> None:
    """What no HTTP library sends: a declared size that lies, a broken chunked body."""
    conversation = fuzzer.start_conversation()
    assert conversation is not None
    token = fuzzer.sign(conversation)
    path = f"/api/chat/{conversation}/messages"
    cases = {
        "Content-Length far over the limit, short body": (
            f"Content-Length: {10**12}\r\nContent-Type: application/json\r\n",
            b'{"text": "a"}',
        ),
        "Content-Length not a number": ("Content-Length: abc\r\n", b"{}"),
        "Content-Length negative": ("Content-Length: -5\r\n", b"{}"),
        "chunked, 200 kB": (
            "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n",
            b"".join(b"4000\r\n" + b"a" * 0x4000 + b"\r\n" for _ in range(13)) + b"0\r\n\r\n",
        ),
        "chunked, broken chunk size": ("Transfer-Encoding: chunked\r\n", b"zz\r\nabc\r\n0\r\n\r\n"),
        "both Content-Length and chunked": (
            "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n",
            b"3\r\nabc\r\n0\r\n\r\n",
        ),
    }
    host, port = desk.url.removeprefix("http://").split(":")
    for case, (headers, body) in cases.items():
        request = (
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nX-Conversation-Token: {token}\r\n"
            f"{headers}Connection: close\r\n\r\n"
        ).encode() + body
        with socket.create_connection((host, int(port)), timeout=30) as connection:
            with contextlib.suppress(OSError):  # the desk may answer before reading it all
                connection.sendall(request)
            answer = b""
            try:
                while chunk := connection.recv(65536):
                    answer += chunk
            except OSError:
                pass
        status_line = answer.split(b"\r\n", 1)[0].decode("latin-1")
        status = status_line.split(" ")[1] if status_line.count(" ") >= 2 else "no answer"
        fuzzer.books.count("raw HTTP", status)
        print(f"  raw HTTP, {case}: {status_line or 'no answer'}", flush=True)
        if not status.isdigit() or int(status) >= 500:
            fuzzer.failures.append(FuzzFailure("raw HTTP", f"{case}: {status_line or 'no answer'}"))


def seed_review_inbox(database_url: str) -> None:
    """Messages for the review inbox (the bot's own turns are recorded as the fuzzing goes)."""
    engine = make_engine(database_url)
    try:
        create_schema(engine)
        with session_scope(make_session_factory(engine)) as session:
            learning_campaigns.seed_review_inbox(session, FROZEN_NOW)
    finally:
        engine.dispose()


def project_files() -> dict[Path, int | None]:
    """The review export's files in the project, with their modification time (None: absent)."""
    return {
        path: (PROJECT_ROOT / path).stat().st_mtime_ns if (PROJECT_ROOT / path).exists() else None
        for path in EXPORTED
    }


def commands_received(database_url: str, conversations: set[str]) -> list[str]:
    """What Rasa received as the shoppers' text, from its tracker store (the same database)."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT sender_id, data FROM events WHERE type_name = 'user'")
            ).all()
    finally:
        engine.dispose()
    return [
        str(json.loads(data).get("text") or "") for sender, data in rows if sender in conversations
    ]


def servers_alive(stack: Stack, desks: list[DeskServer]) -> list[str]:
    problems = []
    for name, process in stack.processes.items():
        if process.poll() is not None:
            problems.append(f"{name} exited with {process.returncode}")
    for desk in desks:
        if desk.process is None or desk.process.poll() is not None:
            problems.append(f"the desk on {desk.url} exited")
    checks = {
        "rasa": f"{stack.rasa_url}/status?token={stack.token}",
        "actions": f"http://127.0.0.1:{stack.actions_port}/health",
        **{f"desk {d.url}": f"{d.url}/api/widget/config" for d in desks},
    }
    for name, url in checks.items():
        try:
            if httpx.get(url, timeout=10).status_code != 200:
                problems.append(f"{name} does not answer 200")
        except httpx.HTTPError as error:
            problems.append(f"{name} does not answer: {error}")
    return problems


def report(
    fuzzers: dict[str, Fuzzer], run: Run, problems: list[str], seconds: float, examples: int
) -> dict[str, Any]:
    endpoints: dict[str, dict[str, Any]] = {}
    for fuzzer in fuzzers.values():
        for endpoint, count in fuzzer.books.inputs.items():
            entry = endpoints.setdefault(endpoint, {"inputs": 0, "statuses": Counter()})
            entry["inputs"] += count
            entry["statuses"].update(fuzzer.books.statuses[endpoint])
    known = [
        {"failure": f.signature, "minimal input": "(recorded again after the first)"}
        for fuzzer in fuzzers.values()
        for f in fuzzer.failures
    ]
    return {
        "examples": examples,
        "seconds": round(seconds),
        "requests": sum(e["inputs"] for e in endpoints.values()),
        "endpoints": {
            name: {"inputs": e["inputs"], "statuses": dict(sorted(e["statuses"].items()))}
            for name, e in sorted(endpoints.items())
        },
        "failures": run.failures,
        "failures seen again": Counter(k["failure"] for k in known),
        "end checks": problems,
    }


def print_report(result: dict[str, Any]) -> None:
    print(
        f"\n{result['examples']} generated inputs, {result['requests']} requests and sockets, "
        f"{result['seconds']} s"
    )
    print(f"\n{'endpoint':48} {'inputs':>7}  status codes")
    for name, entry in result["endpoints"].items():
        statuses = ", ".join(f"{code}: {n}" for code, n in entry["statuses"].items())
        print(f"{name:48} {entry['inputs']:>7}  {statuses}")
    print(f"\nfailures: {len(result['failures'])}")
    for failure in result["failures"]:
        print(f"- [{failure['campaign']}] {failure['failure']}")
        for line in failure["minimal input"].splitlines():
            print(f"    {line if len(line) <= 160 else line[:150] + f'… ({len(line)} chars)'}")
    for signature, count in result["failures seen again"].items():
        print(f"- seen again {count} times: {signature}")
    print("\nend checks: " + ("all passed" if not result["end checks"] else ""))
    for problem in result["end checks"]:
        print(f"- {problem}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=10_000, help="generated inputs in all")
    parser.add_argument("--seed", type=int, default=int(time.time()), help="hypothesis's seed")
    parser.add_argument("--report", type=Path, help="also write the report as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the servers' folder and logs")
    parser.add_argument(
        "--postgres", action="store_true", help="a PostgreSQL database instead of SQLite"
    )
    args = parser.parse_args(argv)

    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="bijou-fuzz-"))
    print(f"seed {args.seed}; servers' folder {workdir}", flush=True)
    postgres = PostgresServer().start() if args.postgres else None
    stack = Stack(
        workdir,
        rasa_port=free_port(),
        actions_port=free_port(),
        database=postgres.url if postgres else None,
    )
    desks: list[DeskServer] = []
    try:
        model = model_path()
        stack.seed()
        seed_review_inbox(stack.database_url)
        exported_before = project_files()
        stack.start_actions()
        stack.start_rasa(model)
        export_root = workdir / "review-export"  # never the project's training data
        lifted = DeskServer(
            stack, extra_env={**NO_LIMITS, EXPORT_ROOT_ENV: str(export_root)}
        ).start()
        desks.append(lifted)
        limited = DeskServer(  # same secret and agent
            stack, extra_env={**DEFAULT_LIMITS, EXPORT_ROOT_ENV: str(export_root)}
        ).start()
        desks.append(limited)
        print(f"servers ready in {time.monotonic() - started:.0f} s", flush=True)

        run = Run()
        fuzzers = {"lifted": fuzzer_for(lifted), "limited": fuzzer_for(limited)}
        fuzz_started = time.monotonic()
        limited_examples = max(int(args.examples * DEFAULT_LIMITS_SHARE), 10)
        shares = sum(share for _, share in CAMPAIGNS.values())
        counts = {
            name: max((args.examples - limited_examples) * share // shares, 1)
            for name, (_, share) in CAMPAIGNS.items()
        }
        first = next(iter(counts))  # the rounding's remainder, so that the total is exact
        counts[first] += max(args.examples - limited_examples - sum(counts.values()), 0)
        for name, (make, _) in CAMPAIGNS.items():
            count = counts[name]
            print(f"{name}: {count} inputs", flush=True)
            run_campaign(name, make, fuzzers["lifted"], count, run, args.seed)
        print(f"default limits: {limited_examples} inputs", flush=True)
        run_campaign(
            "default limits",
            under_default_limits,
            fuzzers["limited"],
            limited_examples,
            run,
            args.seed,
        )
        for _ in range(21):
            fuzzers["limited"].start_conversation()
        raw_requests(lifted, fuzzers["lifted"])
        fuzz_seconds = time.monotonic() - fuzz_started

        problems: list[str] = []
        conversations = set().union(*(f.books.conversations for f in fuzzers.values()))
        received = commands_received(stack.database_url, conversations)
        sessions = make_session_factory(make_engine(stack.database_url))
        for fuzzer in fuzzers.values():
            problems += fuzzer.final_problems(sessions, received)
        problems += servers_alive(stack, desks)
        if project_files() != exported_before:
            problems.append("the review export wrote into the project's training files")
        result = report(fuzzers, run, problems, fuzz_seconds, sum(run.examples.values()))
        print_report(result)
        if args.report:
            args.report.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
        return 1 if result["failures"] or problems or result["failures seen again"] else 0
    finally:
        for desk in desks:
            desk.stop()
        stack.stop_all()
        if postgres is not None:
            postgres.stop()
        if args.keep:
            print(f"servers' folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
