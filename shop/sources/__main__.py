"""``python -m shop.sources``: a shop's orders from its platform, and what the store owes it.

    python -m shop.sources import --platform shopify orders_export.csv
    python -m shop.sources import --platform woocommerce orders.csv [--timezone Europe/Paris]
    python -m shop.sources import --platform prestashop orders.csv --customers customers.csv
        [--mappings shop_mappings.yml] [--database-url URL]
    python -m shop.sources outbox [--once | --every SECONDS] [--profile ID|PATH]
        [--database-url URL]
    python -m shop.sources poll --platform prestashop [--every SECONDS] [--profile ID|PATH]
        [--database-url URL]
    python -m shop.sources programs [--profile ID|PATH] [--needs outbox|poller]

Works on ``SHOP_DATABASE_URL`` unless ``--database-url`` is given, migrating it first.
``import``: the first load; the report lists the rows taken and the rows skipped with
file:line and the reason; exit status 0 when every row was taken, 1 when some were skipped, 2
when the file or the mappings are not readable. ``outbox`` sends the cancellations and returns
queued for the platform (``shop.sources.outbox``), once or, by default, every few seconds
until SIGTERM; ``poll`` reads the orders PrestaShop changed since its checkpoint
(``shop.sources.polling``), once or, with ``--every``, until SIGTERM. Both take the platform's
address and the names of its secrets' variables from the shop profile's ``platform:`` section
(``SHOP_PROFILE``, or ``--profile``). ``programs`` prints the supervised programs the profile's
platform needs (``outbox``, ``poller``), one a line; with ``--needs NAME`` it prints nothing and
exits 0 when NAME is needed, 1 when not, 255 when the profile cannot be read (systemd's
``ExecCondition``: a unit the shop does not need is skipped, a broken profile fails).
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from pathlib import Path
from typing import Callable, TextIO

import yaml
from pydantic import ValidationError

from shop import log_privacy
from shop.clock import clock_from_env
from shop.policy.profile import (
    ProfileError,
    ShopProfile,
    load_active_profile,
    load_profile,
    resolve_profile_path,
)
from shop.sources import connect, platforms
from shop.sources.importer import import_export
from shop.sources.loop import run_every, stop_on_signals
from shop.sources.mappings import SourceSettings
from shop.sources.outbox import Sender
from shop.sources.polling import PollReport, poll_prestashop
from shop.sources.record import Platform, SourceError, reasons
from shop.store.db import create_schema, make_engine, make_session_factory

OUTBOX_EVERY_S = 5.0
NOT_NEEDED = 1
UNREADABLE_PROFILE = 255


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    parser = argparse.ArgumentParser(
        prog="python -m shop.sources",
        description="Bring a shop's orders in from its platform's order export.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("import", help="import an order export (CSV)")
    command.add_argument("--platform", required=True, choices=[p.value for p in Platform])
    command.add_argument("file", type=Path, help="the platform's order export")
    command.add_argument("--customers", type=Path, help="PrestaShop: the customers export")
    command.add_argument("--mappings", type=Path, help="the shop's own mappings (YAML)")
    command.add_argument("--timezone", default="Europe/Paris", help="the shop's time zone")
    command.add_argument("--database-url", help="default: SHOP_DATABASE_URL, else SQLite")
    sender = commands.add_parser("outbox", help="send the requests queued for the platform")
    once_or_every = sender.add_mutually_exclusive_group()
    once_or_every.add_argument("--once", action="store_true", help="send what is due, then stop")
    once_or_every.add_argument(
        "--every",
        type=_seconds,
        default=OUTBOX_EVERY_S,
        help=f"seconds between passes until SIGTERM (default {OUTBOX_EVERY_S:g})",
    )
    poller = commands.add_parser("poll", help="read the orders the platform changed")
    poller.add_argument("--platform", required=True, choices=[Platform.PRESTASHOP.value])
    poller.add_argument("--every", type=_seconds, help="poll again every SECONDS until SIGTERM")
    for each in (sender, poller):
        each.add_argument("--profile", help="the shop profile (default: SHOP_PROFILE)")
        each.add_argument("--database-url", help="default: SHOP_DATABASE_URL, else SQLite")
    needed = commands.add_parser("programs", help="the programs the shop's platform needs")
    needed.add_argument("--profile", help="the shop profile (default: SHOP_PROFILE)")
    needed.add_argument("--needs", choices=[connect.OUTBOX, connect.POLLER])
    args = parser.parse_args(argv)
    if args.command == "outbox":
        return _outbox(args, out)
    if args.command == "poll":
        return _poll(args, out)
    if args.command == "programs":
        return _programs(args, out)

    try:
        settings = _settings(args.mappings)
        engine = make_engine(args.database_url)
        try:
            create_schema(engine)
            report = import_export(
                make_session_factory(engine),
                args.file,
                Platform(args.platform),
                settings,
                local_zone=args.timezone,
                customers_path=args.customers,
            )
        finally:
            engine.dispose()
    except (SourceError, OSError, UnicodeDecodeError) as error:
        print(f"Import refused: {error}", file=sys.stderr)
        return 2
    for line in report.lines():
        print(line, file=out)
    return 1 if report.skipped else 0


def _profile(name: str | None) -> ShopProfile:
    return load_profile(resolve_profile_path(name)) if name else load_active_profile()


def _seconds(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"a number of seconds above 0, not {text}")
    return value


def _programs(args: argparse.Namespace, out: TextIO) -> int:
    try:
        programs = connect.programs_needed(_profile(args.profile))
    except ProfileError as error:
        print(f"The shop profile cannot be read: {error}", file=sys.stderr)
        return UNREADABLE_PROFILE
    if args.needs is not None:
        return 0 if args.needs in programs else NOT_NEEDED
    for name in programs:
        print(name, file=out)
    return 0


def _outbox(args: argparse.Namespace, out: TextIO) -> int:
    try:
        profile = _profile(args.profile)
        connection = connect.connection(connect.platform_settings(profile))
    except (ProfileError, SourceError, platforms.Refused) as error:
        print(f"Outbox not started: {error}", file=sys.stderr)
        return 2
    engine = make_engine(args.database_url)
    try:
        create_schema(engine)
        sender = Sender(
            sessions=make_session_factory(engine),
            connections={connection.platform.value: connection},
            clock=clock_from_env(),
            profile=profile,
        )

        stop = threading.Event() if args.once else _supervised()

        def send() -> None:
            for line in sender.send_due(stopping=stop.is_set).lines():
                print(line, file=out, flush=True)

        if args.once:
            send()
        else:
            run_every(send, args.every, stop, name="the outbox's pass")
    finally:
        engine.dispose()
    return 0


def _poll(args: argparse.Namespace, out: TextIO) -> int:
    try:
        profile = _profile(args.profile)
        settings = connect.platform_settings(profile)
        if settings.kind != args.platform:
            raise SourceError(
                f"the shop profile's platform is {settings.kind}, not {args.platform}"
            )
        connection = connect.connection(settings)
    except (ProfileError, SourceError, platforms.Refused) as error:
        print(f"Poll not started: {error}", file=sys.stderr)
        return 2
    engine = make_engine(args.database_url)
    sessions = make_session_factory(engine)
    stop = threading.Event() if args.every is None else _supervised()

    def poll() -> PollReport:
        return poll_prestashop(
            sessions,
            connection,
            clock_from_env(),
            connect.source_settings(settings),
            local_zone=profile.timezone,
            stopping=stop.is_set,
        )

    try:
        create_schema(engine)
        if args.every is not None:
            run_every(lambda: _poll_pass(poll, out), args.every, stop, name="poll")
            return 0
        report = poll()
    except (platforms.Unavailable, platforms.Refused) as error:
        print(f"Poll stopped (the pages stored so far are kept): {error}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    for line in report.lines():
        print(line, file=out)
    return 1 if report.skipped else 0


def _supervised() -> threading.Event:
    """A supervised program: its log lines with their time, masked like every process's, and
    the event SIGTERM (or Ctrl-C) sets."""
    log_privacy.install()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    return stop_on_signals()


def _poll_pass(poll: Callable[[], PollReport], out: TextIO) -> None:
    """One pass of the supervised poller: says what it stored or skipped, nothing when idle;
    a platform away is a line in the log, and the next pass tries again."""
    try:
        report = poll()
    except (platforms.Unavailable, platforms.Refused) as error:
        print(f"Poll stopped (the pages stored so far are kept): {error}", file=sys.stderr)
        return
    if report.results or report.skipped:
        for line in report.lines():
            print(line, file=out, flush=True)


def _settings(path: Path | None) -> SourceSettings:
    if path is None:
        return SourceSettings()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return SourceSettings.parse_obj(data)
    except yaml.YAMLError as error:
        raise SourceError(f"{path}: not YAML: {error}") from None
    except ValidationError as error:
        raise SourceError(f"{path}: not a shop's mappings: {reasons(error)}") from None


if __name__ == "__main__":
    sys.exit(main())
