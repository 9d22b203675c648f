"""The configs scripts/serve.sh runs, rendered from deploy/templates: nginx accepts its config,
supervisord's own parser reads every program, and both agree on every port (a Rasa server that
nginx does not balance to, or a balancer to a port nobody listens on, fails here)."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from supervisor.options import ServerOptions

from deploy.render import ROOT, ServeSettings, default_sizes, render, write
from tests.sources.conftest import platform_profile

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
APP_KINDS = ("rasa", "actions", "desk")
# Started by the launcher once the schema is up to date, like the servers.
APP_GROUPS = (*APP_KINDS, "platform")


def nginx_test(config: Path, prefix: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NGINX, "-t", "-q", "-c", str(config), "-p", f"{prefix}/"],
        capture_output=True,
        text=True,
        timeout=30,
    )


def upstream_ports(config: str, name: str) -> list[tuple[str, int]]:
    block = re.search(rf"upstream {name} \{{(.*?)\}}", config, re.S)
    assert block, f"no upstream {name}"
    return [(host, int(port)) for host, port in re.findall(r"server ([\d.]+):(\d+)", block[1])]


def server_blocks(config: str) -> list[str]:
    """The text of each ``server { ... }`` block (braces matched)."""
    blocks = []
    for start in (m.end() for m in re.finditer(r"^\s*server \{", config, re.M)):
        depth, end = 1, start
        while depth:
            depth += {"{": 1, "}": -1}.get(config[end], 0)
            end += 1
        blocks.append(config[start:end])
    return blocks


def supervisor_options(path: Path) -> ServerOptions:
    options = ServerOptions()
    options.realize(args=["-c", str(path)])
    return options


def programs(options: ServerOptions) -> dict[str, object]:
    return {
        f"{group.name}:{process.name}" if group.name != process.name else process.name: process
        for group in options.process_group_configs
        for process in group.process_configs
    }


@pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx not installed (scripts/setup.sh)")
@pytest.mark.parametrize("user", ["", "www-data"] if os.geteuid() == 0 else [""])
def test_rendered_nginx_config_passes_nginx_t(
    settings: ServeSettings, rendered: dict[str, Path], user: str
) -> None:
    if user:
        settings = dataclasses.replace(settings, nginx_user=user)
        write(settings, settings.run_dir)
    result = nginx_test(rendered["nginx.conf"], settings.run_dir)
    assert result.returncode == 0, result.stderr


def test_nginx_balances_over_exactly_the_supervised_ports(
    settings: ServeSettings, rendered: dict[str, Path]
) -> None:
    config = rendered["nginx.conf"].read_text()
    supervised = programs(supervisor_options(rendered["supervisord.conf"]))
    ports: dict[str, list[int]] = {kind: [] for kind in APP_KINDS}
    for name, process in supervised.items():
        command = process.command.split()  # type: ignore[attr-defined]
        if name.split(":")[0] in APP_KINDS:
            assert command[0] == str(ROOT / "deploy" / "bin" / "bijou-process")
            kind, port = command[1], int(command[2])
            assert name == f"{kind}:{kind}-{len(ports[kind])}"
            ports[kind].append(port)
    for kind, upstream in (
        ("desk", "bijou_desk"),
        ("rasa", "bijou_rasa"),
        ("actions", "bijou_actions"),
    ):
        assert upstream_ports(config, upstream) == [("127.0.0.1", p) for p in ports[kind]]
    assert ports["rasa"] == settings.rasa_ports
    assert ports["desk"] == settings.desk_ports
    assert ports["actions"] == settings.actions_ports


def test_only_the_public_entry_listens_beyond_loopback(
    settings: ServeSettings, rendered: dict[str, Path]
) -> None:
    public = dataclasses.replace(settings, public_host="0.0.0.0")
    config = render(public)["nginx.conf"]
    listens = re.findall(r"^\s*listen ([\d.]+):(\d+)", config, re.M)
    assert sorted(listens) == sorted(
        [
            ("0.0.0.0", str(settings.public_port)),
            ("127.0.0.1", str(settings.rasa_lb_port)),
            ("127.0.0.1", str(settings.actions_lb_port)),
        ]
    )
    for server in server_blocks(config):
        listen = re.search(r"listen ([\d.]+):(\d+)", server)
        assert listen
        targets = set(re.findall(r"proxy_pass http://(\w+);", server))
        if listen[1] != "127.0.0.1":
            assert targets == {"bijou_desk"}  # Rasa and the action servers are never public


def test_websocket_location_upgrades_and_stays_open(rendered: dict[str, Path]) -> None:
    config = rendered["nginx.conf"].read_text()
    location = re.search(r"location /ws/ \{(.*?)\}", config, re.S)
    assert location, "no WebSocket location"
    body = location[1]
    assert "proxy_set_header Upgrade $http_upgrade;" in body
    assert "proxy_set_header Connection $connection_upgrade;" in body
    assert "proxy_read_timeout 1h;" in body
    static = re.search(r"location /static/ \{\s*alias (\S+);", config)
    assert static and Path(static[1]).is_dir() and (Path(static[1]) / "widget.js").is_file()


def test_access_log_keeps_conversation_ids_out(
    settings: ServeSettings, rendered: dict[str, Path]
) -> None:
    config = rendered["nginx.conf"].read_text()
    assert re.search(r"access_log \S+ bijou;", config)
    assert "$request " not in config and "$request_uri" not in config and " combined" not in config


def test_supervisord_parses_and_names_every_program(
    settings: ServeSettings, rendered: dict[str, Path]
) -> None:
    options = supervisor_options(rendered["supervisord.conf"])
    supervised = programs(options)
    assert sorted(supervised) == sorted(settings.programs)
    assert options.umask == 0o077
    assert options.server_configs[0]["chmod"] == 0o700
    assert options.server_configs[0]["file"] == str(settings.run_dir / "supervisor.sock")
    for name, process in supervised.items():
        config = process  # a ProcessConfig
        assert config.autorestart, name  # type: ignore[attr-defined]
        logfile = Path(config.stdout_logfile)  # type: ignore[attr-defined]
        assert logfile.parent == settings.log_dir, name
        application = name.split(":")[0] in APP_GROUPS
        # The application starts once the schema is up to date (serve.sh), the rest at once.
        assert config.autostart is not application, name  # type: ignore[attr-defined]


def test_processes_reach_each_other_through_the_loopback_balancers(
    settings: ServeSettings, rendered: dict[str, Path]
) -> None:
    supervised = programs(supervisor_options(rendered["supervisord.conf"]))
    retention = []
    for name, process in supervised.items():
        env = process.environment or {}  # type: ignore[attr-defined]
        if name.startswith("rasa:"):
            assert env["ACTIONS_HOST"] == "127.0.0.1"
            assert int(env["ACTIONS_PORT"]) == settings.actions_lb_port
            assert env["SERVE_MODEL"] == settings.model
        if name.startswith("desk:"):
            assert env["RASA_URL"] == f"http://127.0.0.1:{settings.rasa_lb_port}"
            assert env["DESK_TRUSTED_PROXIES"] == "127.0.0.1"
            assert env["DESK_DEMO_AGENT"] == "0"
            assert env["DESK_ACCESS_LOG"] == "0"  # nginx logs every request
            retention.append(env["SHOP_RETENTION_JOB"])
    assert sorted(retention) == ["0", "1"]  # one desk runs the daily job


def test_desks_believe_nginx_and_the_operators_proxies_only() -> None:
    assert ServeSettings.from_env({}).trusted_proxies == "127.0.0.1"
    behind = ServeSettings.from_env({"DESK_TRUSTED_PROXIES": "10.0.0.5, 127.0.0.1"})
    assert behind.trusted_proxies == "127.0.0.1,10.0.0.5"
    assert 'DESK_TRUSTED_PROXIES="127.0.0.1,10.0.0.5"' in render(behind)["supervisord.conf"]


def test_no_secret_in_the_rendered_configs(tmp_path: Path) -> None:
    secrets = {
        "RASA_TOKEN": "hush-rasa-7f3a",
        "ACTIONS_TOKEN": "hush-actions-91bc",
        "DESK_SECRET_KEY": "hush-desk-2d4e",
        "SHOP_DATABASE_URL": "postgresql://shop:hush-db-5a6b@127.0.0.1:5798/shop",
        "SHOP_REDIS_URL": "redis://:hush-redis-8c9d@127.0.0.1:5799/0",
        "SERVE_OWN_POSTGRES": "1",
        "SERVE_OWN_REDIS": "1",
        "SERVE_DIR": str(tmp_path),
    }
    for path in write(ServeSettings.from_env(secrets), tmp_path):
        text = path.read_text()
        for secret in ("hush-rasa", "hush-actions", "hush-desk", "hush-db", "hush-redis"):
            assert secret not in text, (path.name, secret)
        assert path.stat().st_mode & 0o077 == 0, path.name
    assert "requirepass" not in (tmp_path / "redis.conf").read_text()


def test_external_stores_are_not_started() -> None:
    env = {
        "SHOP_DATABASE_URL": "postgresql://db.internal/shop",
        "SHOP_REDIS_URL": "redis://r:6379/0",
    }
    external = ServeSettings.from_env(env)
    assert "postgres" not in external.programs and "redis" not in external.programs
    assert "postgres" not in render(external)["supervisord.conf"]
    own = ServeSettings.from_env({**env, "SERVE_OWN_POSTGRES": "1", "SERVE_OWN_REDIS": "1"})
    assert {"postgres", "redis"} <= set(own.programs)


def test_sizes_follow_cores_and_memory() -> None:
    assert default_sizes(cores=2, memory_gb=24) == (1, 1, 1)
    assert default_sizes(cores=8, memory_gb=32) == (4, 2, 4)
    assert default_sizes(cores=16, memory_gb=4) == (1, 4, 8)  # Rasa bound by memory
    sized = ServeSettings.from_env({"SERVE_RASA_PROCESSES": "3", "SERVE_DESK_PROCESSES": "2"})
    assert (sized.rasa_processes, sized.desk_processes) == (3, 2)
    with pytest.raises(ValueError):
        ServeSettings.from_env({"SERVE_DESK_PROCESSES": "0"})


def test_every_kind_has_one_command_line_in_bijou_process() -> None:
    script = (ROOT / "deploy" / "bin" / "bijou-process").read_text()
    cases = set(re.findall(r"^    ([a-z]+)\)$", script, re.M))
    assert cases == {*APP_KINDS, "migrate", "retain", "outbox", "poller", "needs"}
    assert os.access(ROOT / "deploy" / "bin" / "bijou-process", os.X_OK)


def platform_section(kind: str) -> dict[str, str]:
    section = {"kind": kind, "url": "https://boutique.example.fr", "secret_env": "S"}
    if kind == "woocommerce":
        section["key_env"] = "K"
    return section


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (None, []),
        ("shopify", ["platform:outbox"]),
        ("woocommerce", ["platform:outbox"]),
        ("prestashop", ["platform:outbox", "platform:poller"]),
    ],
)
def test_the_shops_platform_programs_are_supervised_only_when_its_profile_needs_them(
    tmp_path: Path, kind: str | None, expected: list[str]
) -> None:
    env = {"SERVE_DIR": str(tmp_path / "run"), "SERVE_LOG_DIR": str(tmp_path / "logs")}
    if kind is not None:
        env["SHOP_PROFILE"] = str(platform_profile(tmp_path, platform_section(kind)))
    settings = ServeSettings.from_env(env)
    settings.log_dir.mkdir()
    written = {path.name: path for path in write(settings, settings.run_dir)}
    supervised = programs(supervisor_options(written["supervisord.conf"]))
    assert sorted(p for p in supervised if p.startswith("platform:")) == expected
    for name in expected:
        process = supervised[name]
        program = name.split(":")[1]
        assert process.command == f"{ROOT}/deploy/bin/bijou-process {program}"  # type: ignore[attr-defined]
        assert process.stopsignal == signal.SIGTERM  # type: ignore[attr-defined]
        assert process.stopwaitsecs >= 30  # type: ignore[attr-defined]
        assert Path(process.stdout_logfile).name == f"platform-{program}.log"  # type: ignore[attr-defined]
    assert sorted(supervised) == sorted(settings.programs)


def test_the_launcher_starts_the_platform_programs_it_rendered() -> None:
    script = (ROOT / "scripts" / "serve.sh").read_text()
    assert "deploy.render --print-platform-programs" in script
    assert "ctl start 'platform:*'" in script


# A stand-in for a desk or a Rasa server: answers with its port (a GET as text, a POST as a bot
# message, the REST channel's shape).
BACKEND = """
import http.server, json, sys
class Backend(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def _answer(self, body):
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        self._answer(sys.argv[1].encode())
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer(json.dumps([{"text": sys.argv[1]}]).encode())
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Backend).serve_forever()
"""


def wait_answering(urls: list[str]) -> None:
    """Every stand-in and nginx answer first (a server refusing a connection is set aside)."""
    import time

    import httpx

    for url in urls:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(url, timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, f"{url} did not answer"
                time.sleep(0.1)


@contextlib.contextmanager
def nginx_before_stand_ins(settings: ServeSettings, ports: list[int]) -> Iterator[None]:
    """The rendered nginx running, with a stand-in (``BACKEND``) on each of ``ports``, every one
    answering; stopped after the block."""
    (settings.run_dir / "nginx-tmp").mkdir(parents=True)
    settings.log_dir.mkdir(parents=True)
    write(settings, settings.run_dir)
    stand_ins = [subprocess.Popen([sys.executable, "-c", BACKEND, str(port)]) for port in ports]
    nginx = subprocess.Popen(
        [NGINX, "-c", str(settings.run_dir / "nginx.conf"), "-p", f"{settings.run_dir}/"]
    )
    try:
        wait_answering([f"http://127.0.0.1:{port}/" for port in ports])
        yield
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        for stand_in in stand_ins:
            stand_in.terminate()
            stand_in.wait(timeout=10)


@pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx not installed (scripts/setup.sh)")
def test_requests_about_one_conversation_reach_one_desk(settings: ServeSettings) -> None:
    """The shopper's calls and WebSocket and the agent's view of a conversation meet on one
    desk (its wake-ups are in memory); the rest is spread over every desk."""
    import httpx

    settings = dataclasses.replace(settings, public_port=8780, desk_port=8781, desk_processes=2)
    public = f"http://127.0.0.1:{settings.public_port}"
    with nginx_before_stand_ins(settings, settings.desk_ports):
        wait_answering([f"{public}/"])
        reached = set()
        for conversation in ("c1", "c2", "c3", "c4", "c5", "c6"):
            paths = [
                f"/api/chat/{conversation}/messages",
                f"/ws/{conversation}",
                f"/console/conversations/{conversation}",
                f"/console/api/conversations/{conversation}",
            ]
            desks_seen = {httpx.get(public + path).text for path in paths}
            assert len(desks_seen) == 1, (conversation, desks_seen)
            reached |= desks_seen
        assert reached == {str(port) for port in settings.desk_ports}
        spread = {httpx.get(f"{public}/console").text for _ in range(10)}
        assert spread == {str(port) for port in settings.desk_ports}


@pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx not installed (scripts/setup.sh)")
def test_a_conversations_turns_reach_one_rasa_server(settings: ServeSettings) -> None:
    """The desk's calls to Rasa (its own client, through nginx's loopback balancer) go to the
    Rasa server that had the conversation's previous turn, whose kept tracker is current;
    conversations are spread over every server."""
    import asyncio

    from desk.relay import RasaClient
    from tests.support.threads import in_own_thread

    settings = dataclasses.replace(
        settings, public_port=8790, rasa_port=8791, rasa_lb_port=8795, rasa_processes=3
    )
    balancer = f"http://127.0.0.1:{settings.rasa_lb_port}"

    async def servers_of_each_conversation() -> dict[str, set[str]]:
        relay = RasaClient(balancer, "token", 5)
        seen: dict[str, set[str]] = {}
        try:
            for turn in range(3):
                for index in range(20):  # not a multiple of 3: round-robin would mix
                    conversation = f"conversation-{index}"
                    answers = await relay.send(conversation, f"message {turn}")
                    seen.setdefault(conversation, set()).add(answers[0].text)
        finally:
            await relay.aclose()
        return seen

    with nginx_before_stand_ins(settings, settings.rasa_ports):
        wait_answering([f"{balancer}/"])
        seen = in_own_thread(asyncio.run, servers_of_each_conversation())
    assert all(len(ports) == 1 for ports in seen.values()), seen
    assert set().union(*seen.values()) == {str(port) for port in settings.rasa_ports}
