"""``python -m shop.privacy``: export or erase a shopper's data, apply the retention periods,
read the audit log. Works on ``SHOP_DATABASE_URL`` (the same database as the desk and Rasa).

    python -m shop.privacy export --email lea@example.fr [--out lea.json]
    python -m shop.privacy erase --email lea@example.fr [--dry-run]
    python -m shop.privacy retain [--dry-run]
    python -m shop.privacy audit [--since 2026-11-01] [--email lea@example.fr]

Every export and erasure is written to the audit log with the actor ``cli``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.orm import Session

from shop.clock import Clock, clock_from_env
from shop.privacy import audit
from shop.privacy.retention import RetentionSettings, retain
from shop.privacy.subject import InvalidEmail, Report, erase_subject, export_subject
from shop.store.db import create_schema, make_engine, make_session_factory, session_scope

ACTOR = "cli"


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by its owner only (0600), even if it existed."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.chmod(path, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def print_report(title: str, report: Report, dry_run: bool, out: TextIO) -> None:
    verb = "would change" if dry_run else "changed"
    print(
        f"{title}: {report.total} rows {verb}{' (dry run: nothing done)' if dry_run else ''}",
        file=out,
    )
    for table, count in report.as_dict().items():
        print(f"  {table}: {count}", file=out)


def _parse_since(text: str | None, now: datetime) -> datetime:
    if not text:
        return now - timedelta(days=7)
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def main(
    argv: list[str] | None = None, out: TextIO | None = None, clock: Clock | None = None
) -> int:
    out = out or sys.stdout
    parser = argparse.ArgumentParser(
        prog="python -m shop.privacy",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="every stored data about one e-mail, as JSON")
    export.add_argument("--email", required=True)
    export.add_argument("--out", type=Path, help="write to this file (mode 0600), not stdout")
    erase = commands.add_parser("erase", help="erase or anonymise everything about one e-mail")
    erase.add_argument("--email", required=True)
    erase.add_argument("--dry-run", action="store_true", help="count, change nothing")
    keep = commands.add_parser("retain", help="delete what is older than the retention periods")
    keep.add_argument("--dry-run", action="store_true", help="count, change nothing")
    log = commands.add_parser("audit", help="list the audit log, newest first")
    log.add_argument("--since", help="ISO date or instant (default: 7 days ago)")
    log.add_argument("--email", help="only the events about this e-mail")
    args = parser.parse_args(argv)

    now = (clock or clock_from_env()).now()
    engine = make_engine()
    try:
        create_schema(engine)  # the audit table on a database made before it existed
        sessions = make_session_factory(engine)
        with session_scope(sessions) as session:
            return _run(args, session, now, out)
    except InvalidEmail as error:
        print(f"error: not an e-mail address: {error}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()


def _run(args: argparse.Namespace, session: Session, now: datetime, out: TextIO) -> int:
    if args.command == "export":
        data = export_subject(session, args.email, now)
        audit.record(
            session,
            ACTOR,
            audit.EXPORT,
            audit.email_hash(args.email),
            now,
            {"conversations": len(data["conversations"])},
        )
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        if args.out:
            write_private(args.out, text)
            print(
                f"exported {len(data['conversations'])} conversations, {len(data['orders'])} "
                f"orders, {len(data['tickets'])} tickets to {args.out}",
                file=out,
            )
        else:
            out.write(text)
        return 0
    if args.command == "erase":
        report = erase_subject(session, args.email, now)
        _finish(
            session,
            args.dry_run,
            audit.PREVIEW_ERASE if args.dry_run else audit.ERASE,
            audit.email_hash(args.email),
            now,
            report,
        )
        print_report(f"erase {audit.email_hash(args.email)}", report, args.dry_run, out)
        return 0
    if args.command == "retain":
        settings = RetentionSettings.from_env()
        report = retain(session, settings, now)
        _finish(session, args.dry_run, audit.RETAIN, None, now, report)
        print_report(
            f"retention (conversations {settings.conversation_days} days, tracker events "
            f"{settings.tracker_days} days, audit {settings.audit_days} days)",
            report,
            args.dry_run,
            out,
        )
        return 0
    target = audit.email_hash(args.email) if args.email else None
    for event in reversed(
        audit.events_since(session, _parse_since(args.since, now), target=target)
    ):
        row: dict[str, Any] = audit.as_dict(event)
        print(
            f"{row['at']}  {row['actor']:<16} {row['action']:<22} {row['target'] or '-'}  "
            f"{json.dumps(row['detail'], ensure_ascii=False)}",
            file=out,
        )
    return 0


def _finish(
    session: Session, dry_run: bool, action: str, target: str | None, now: datetime, report: Report
) -> None:
    """A dry run is the real work rolled back; either way the use is audited."""
    if dry_run:
        session.rollback()
    audit.record(session, ACTOR, action, target, now, report.as_dict())


if __name__ == "__main__":
    raise SystemExit(main())
