"""``python -m shop.sources``: a shop's orders from its platform, and what the store owes it.

    python -m shop.sources import --platform shopify orders_export.csv
    python -m shop.sources import --platform woocommerce orders.csv [--timezone Europe/Paris]
    python -m shop.sources import --platform prestashop orders.csv --customers customers.csv
        [--mappings shop_mappings.yml] [--database-url URL]
    python -m shop.sources outbox [--once] [--profile ID|PATH] [--database-url URL]
    python -m shop.sources poll --platform prestashop [--profile ID|PATH] [--database-url URL]

Works on ``SHOP_DATABASE_URL`` unless ``--database-url`` is given, migrating it first.
``import``: the first load; the report lists the rows taken and the rows skipped with
file:line and the reason; exit status 0 when every row was taken, 1 when some were skipped, 2
when the file or the mappings are not readable. ``outbox`` sends the cancellations and returns
queued for the platform (``shop.sources.outbox``), once or until stopped; ``poll`` reads the
orders PrestaShop changed since its checkpoint (``shop.sources.polling``). Both take the
platform's address and the names of its secrets' variables from the shop profile's
``platform:`` section (``SHOP_PROFILE``, or ``--profile``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

import yaml
from pydantic import ValidationError

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
from shop.sources.mappings import SourceSettings
from shop.sources.outbox import Sender, SendReport
from shop.sources.polling import poll_prestashop
from shop.sources.record import Platform, SourceError, reasons
from shop.store.db import create_schema, make_engine, make_session_factory


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
    sender.add_argument("--once", action="store_true", help="send what is due, then stop")
    poller = commands.add_parser("poll", help="read the orders the platform changed")
    poller.add_argument("--platform", required=True, choices=[Platform.PRESTASHOP.value])
    for each in (sender, poller):
        each.add_argument("--profile", help="the shop profile (default: SHOP_PROFILE)")
        each.add_argument("--database-url", help="default: SHOP_DATABASE_URL, else SQLite")
    args = parser.parse_args(argv)
    if args.command == "outbox":
        return _outbox(args, out)
    if args.command == "poll":
        return _poll(args, out)

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

        def report(sent: SendReport) -> None:
            for line in sent.lines():
                print(line, file=out, flush=True)

        sender.run(once=args.once, report=report)
    except KeyboardInterrupt:
        pass
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
    try:
        create_schema(engine)
        report = poll_prestashop(
            make_session_factory(engine),
            connection,
            clock_from_env(),
            connect.source_settings(settings),
            local_zone=profile.timezone,
        )
    except (platforms.Unavailable, platforms.Refused) as error:
        print(f"Poll stopped (the pages stored so far are kept): {error}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    for line in report.lines():
        print(line, file=out)
    return 1 if report.skipped else 0


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
