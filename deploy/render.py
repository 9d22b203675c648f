"""Render the production configs (nginx, supervisord, redis) from ``deploy/templates``.

One source of truth: ``scripts/serve.sh`` renders these templates into its run folder and the
tests in ``tests/deploy`` render the same ones, so what is checked is what runs. Sizes and ports
come from ``SERVE_*`` settings with defaults per core count (``ServeSettings.from_env``).

``python -m deploy.render --out DIR`` writes ``nginx.conf``, ``supervisord.conf`` and, when
the launcher runs its own Redis, ``redis.conf``; ``--print-sizes`` prints the chosen sizes,
``--print-platform-programs`` the programs the shop profile's platform needs.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from shop.policy.profile import load_profile, resolve_profile_path
from shop.sources.connect import programs_needed

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = Path(__file__).resolve().parent / "templates"
# What answers 200 once each kind is ready (Rasa opens its port only after loading its model);
# the launcher, the Kubernetes probes and the tests use these.
HEALTH_PATHS = {"rasa": "/", "actions": "/health", "desk": "/healthz"}
RASA_RESIDENT_GB = 1.3  # measured resident size of one Rasa server (BENCHMARKS.md), rounded up


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _memory_gb() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        return 4.0


def default_sizes(cores: int, memory_gb: float) -> tuple[int, int, int]:
    """(Rasa, action, desk) processes for a host: Rasa is the CPU-bound part (one per two
    cores, and never more than 60 % of memory can hold); actions and desks are I/O-bound."""
    by_memory = max(1, int(memory_gb * 0.6 / RASA_RESIDENT_GB))
    rasa = max(1, min(cores // 2, by_memory))
    return rasa, max(1, cores // 4), max(1, cores // 2)


@dataclass(frozen=True)
class ServeSettings:
    """Everything the launcher's configs depend on (none of it secret: secrets reach the
    processes through the environment supervisord inherits, never through a config file)."""

    root: Path = ROOT
    run_dir: Path = ROOT / ".var" / "serve"
    log_dir: Path = ROOT / ".var" / "logs"
    python: str = str(ROOT / ".venv" / "bin" / "python")
    rasa_bin: str = str(ROOT / ".venv" / "bin" / "rasa")
    model: str = ""
    rasa_processes: int = 1
    action_processes: int = 1
    desk_processes: int = 1
    public_host: str = "0.0.0.0"
    public_port: int = 8080
    rasa_port: int = 5105
    actions_port: int = 5155
    desk_port: int = 8100
    rasa_lb_port: int = 5100
    actions_lb_port: int = 5150
    own_postgres: bool = True
    own_redis: bool = True
    postgres_port: int = 5433
    postgres_dir: Path = ROOT / ".var" / "serve" / "postgres"
    postgres_bin: str = "/usr/lib/postgresql/15/bin/postgres"
    redis_port: int = 6380
    nginx_bin: str = "/usr/sbin/nginx"
    nginx_user: str = ""  # workers' account when nginx starts as root (e.g. www-data)
    run_as_postgres: bool = False  # PostgreSQL refuses root: its program runs as 'postgres'
    # The proxies whose X-Forwarded-For the desks believe: nginx, and any the operator names
    # (DESK_TRUSTED_PROXIES: a TLS terminator in front of nginx).
    trusted_proxies: str = "127.0.0.1"
    # What the shop profile's platform needs beside the desks (shop.sources.connect):
    # ("outbox",) for Shopify and WooCommerce, ("outbox", "poller") for PrestaShop, () for none.
    platform_programs: tuple[str, ...] = ()
    extra_env: Mapping[str, str] = field(default_factory=dict)

    @property
    def rasa_ports(self) -> list[int]:
        return [self.rasa_port + i for i in range(self.rasa_processes)]

    @property
    def actions_ports(self) -> list[int]:
        return [self.actions_port + i for i in range(self.action_processes)]

    @property
    def desk_ports(self) -> list[int]:
        return [self.desk_port + i for i in range(self.desk_processes)]

    @property
    def rasa_url(self) -> str:
        """Where the desks reach Rasa: nginx's loopback-only balancer over the Rasa servers."""
        return f"http://127.0.0.1:{self.rasa_lb_port}"

    @property
    def programs(self) -> list[str]:
        """Every supervisord program, as ``group:name`` (what ``supervisorctl status`` shows)."""
        names = [f"rasa:rasa-{i}" for i in range(self.rasa_processes)]
        names += [f"actions:actions-{i}" for i in range(self.action_processes)]
        names += [f"desk:desk-{i}" for i in range(self.desk_processes)]
        names += [f"platform:{name}" for name in self.platform_programs]
        names.append("nginx")
        if self.own_postgres:
            names.append("postgres")
        if self.own_redis:
            names.append("redis")
        return names

    def health_urls(self) -> list[str]:
        """Every process's readiness URL, then the public entry's (through nginx)."""
        urls = [f"http://127.0.0.1:{p}{HEALTH_PATHS['rasa']}" for p in self.rasa_ports]
        urls += [f"http://127.0.0.1:{p}{HEALTH_PATHS['actions']}" for p in self.actions_ports]
        urls += [f"http://127.0.0.1:{p}{HEALTH_PATHS['desk']}" for p in self.desk_ports]
        urls.append(f"http://127.0.0.1:{self.public_port}{HEALTH_PATHS['desk']}")
        return urls

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServeSettings:
        env = os.environ if environ is None else environ
        rasa, actions, desks = default_sizes(_cores(), _memory_gb())
        run_dir = Path(env.get("SERVE_DIR") or ROOT / ".var" / "serve")
        root_user = os.geteuid() == 0
        return cls(
            run_dir=run_dir,
            log_dir=Path(env.get("SERVE_LOG_DIR") or ROOT / ".var" / "logs"),
            model=env.get("SERVE_MODEL", ""),
            rasa_processes=_positive(env, "SERVE_RASA_PROCESSES", rasa),
            action_processes=_positive(env, "SERVE_ACTION_PROCESSES", actions),
            desk_processes=_positive(env, "SERVE_DESK_PROCESSES", desks),
            public_host=env.get("SERVE_PUBLIC_HOST", "0.0.0.0"),
            public_port=int(env.get("SERVE_PUBLIC_PORT", "8080")),
            rasa_port=int(env.get("SERVE_RASA_PORT", "5105")),
            actions_port=int(env.get("SERVE_ACTIONS_PORT", "5155")),
            desk_port=int(env.get("SERVE_DESK_PORT", "8100")),
            rasa_lb_port=int(env.get("SERVE_RASA_LB_PORT", "5100")),
            actions_lb_port=int(env.get("SERVE_ACTIONS_LB_PORT", "5150")),
            own_postgres=_own(env, "SERVE_OWN_POSTGRES", "SHOP_DATABASE_URL"),
            own_redis=_own(env, "SERVE_OWN_REDIS", "SHOP_REDIS_URL"),
            postgres_port=int(env.get("SERVE_POSTGRES_PORT", "5433")),
            postgres_dir=Path(env.get("SERVE_POSTGRES_DIR") or default_postgres_dir(run_dir)),
            postgres_bin=postgres_binary("postgres"),
            redis_port=int(env.get("SERVE_REDIS_PORT", "6380")),
            nginx_bin=shutil.which("nginx") or "/usr/sbin/nginx",
            nginx_user=env.get("SERVE_NGINX_USER", "www-data" if root_user else ""),
            run_as_postgres=root_user,
            trusted_proxies=_trusted_proxies(env.get("DESK_TRUSTED_PROXIES", "")),
            platform_programs=platform_programs(env.get("SHOP_PROFILE", "")),
        )


def platform_programs(profile_name: str) -> tuple[str, ...]:
    """The programs the shop profile's platform needs (``SHOP_PROFILE``, else the default)."""
    return programs_needed(load_profile(resolve_profile_path(profile_name)))


def default_postgres_dir(run_dir: Path) -> Path:
    """The cluster's folder: in the run folder, except under root, where PostgreSQL runs as
    ``postgres`` and cannot enter the owner-only ``.var``: then beside Debian's clusters, one
    folder per run folder."""
    if os.geteuid() != 0:
        return run_dir / "postgres"
    digest = hashlib.sha1(str(run_dir.resolve()).encode()).hexdigest()[:10]
    return Path("/var/lib/postgresql") / f"bijou-{digest}"


def _trusted_proxies(extra: str) -> str:
    names = ["127.0.0.1", *(name.strip() for name in extra.split(",") if name.strip())]
    return ",".join(dict.fromkeys(names))


def _own(env: Mapping[str, str], flag: str, url_setting: str) -> bool:
    """Whether the launcher runs this store itself: ``flag`` (set by serve.sh, which then
    exports the store's URL) says so, else an unset URL does."""
    if env.get(flag, "") in ("0", "1"):
        return env[flag] == "1"
    return not env.get(url_setting, "").strip()


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    value = int(env.get(name) or default)
    if value < 1:
        raise ValueError(f"{name} must be at least 1, not {value}")
    return value


def postgres_binary(name: str) -> str:
    """``name`` (postgres, initdb, pg_isready) from PATH, else from Debian's newest version."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    return str(versions[0]) if versions else name


def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(settings: ServeSettings) -> dict[str, str]:
    """File name -> rendered text for the settings."""
    templates = environment()
    files = {
        "nginx.conf": templates.get_template("nginx.conf.j2").render(s=settings),
        "supervisord.conf": templates.get_template("supervisord.conf.j2").render(s=settings),
    }
    if settings.own_redis:
        files["redis.conf"] = templates.get_template("redis.conf.j2").render(s=settings)
    return files


def write(settings: ServeSettings, out: Path) -> list[Path]:
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    written = []
    for name, text in render(settings).items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        path.chmod(0o600)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="folder to write the configs into")
    parser.add_argument("--print-sizes", action="store_true", help="print N M K and exit")
    parser.add_argument("--print-health-urls", action="store_true", help="one URL a line")
    parser.add_argument(
        "--print-platform-programs",
        action="store_true",
        help="the programs the shop's platform needs (outbox, poller), one a line",
    )
    args = parser.parse_args(argv)
    settings = ServeSettings.from_env()
    if args.print_sizes:
        print(settings.rasa_processes, settings.action_processes, settings.desk_processes)
        return 0
    if args.print_health_urls:
        print("\n".join(settings.health_urls()))
        return 0
    if args.print_platform_programs:
        print("\n".join(settings.platform_programs))
        return 0
    for path in write(settings, args.out or settings.run_dir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
