"""``python -m shop.sources``: the first load of a shop's orders from its platform's export.

    python -m shop.sources import --platform shopify orders_export.csv
    python -m shop.sources import --platform woocommerce orders.csv [--timezone Europe/Paris]
    python -m shop.sources import --platform prestashop orders.csv --customers customers.csv
        [--mappings shop_mappings.yml] [--database-url URL]

Works on ``SHOP_DATABASE_URL`` unless ``--database-url`` is given, migrating it first. The
report lists the rows taken and the rows skipped with file:line and the reason. Exit status 0
when every row was taken, 1 when some were skipped, 2 when the file or the mappings are not
readable.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

import yaml
from pydantic import ValidationError

from shop.sources.importer import import_export
from shop.sources.mappings import SourceSettings
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
    args = parser.parse_args(argv)

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
