"""``python -m shop.learning``: the review inbox and its export from a terminal.

    python -m shop.learning pending [--days 30] [--limit 50]
    python -m shop.learning export  [--root DIR] [--heldout-share 5]

Works on ``SHOP_DATABASE_URL`` (the database the Rasa server records turns in). ``export``
writes under ``SHOP_REVIEW_EXPORT_ROOT``, else the project; a retrain then picks the new
examples up (``scripts/learn_from_reviews.py`` measures it). Exit status 1 when the export
cannot run (an unreadable drafts file), 2 when the database cannot be reached.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from shop.clock import Clock, clock_from_env
from shop.learning.export import ExportError, export_reviewed, export_root
from shop.learning.inbox import pending_groups
from shop.store.db import create_schema, make_engine, make_session_factory, session_scope


def main(
    argv: list[str] | None = None, out: TextIO | None = None, clock: Clock | None = None
) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m shop.learning", description="The review inbox and its export."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    pending = commands.add_parser("pending", help="print the groups waiting for review")
    pending.add_argument("--days", type=int, default=30, help="look back this many days")
    pending.add_argument("--limit", type=int, default=50, help="print at most this many groups")
    export = commands.add_parser("export", help="write the training, held-out and draft files")
    export.add_argument("--root", type=Path, default=None, help="default: the project")
    export.add_argument(
        "--heldout-share", type=int, default=5, help="one message in N goes to the held-out file"
    )
    args = parser.parse_args(argv)
    out = out or sys.stdout
    now = (clock or clock_from_env()).now()
    engine = make_engine()
    try:
        create_schema(engine)
        sessions = make_session_factory(engine)
        with session_scope(sessions) as session:
            if args.command == "pending":
                groups = pending_groups(session, now, days=args.days, limit=args.limit)
                for group in groups:
                    reasons = ", ".join(f"{reason} {count}" for reason, count in group.reasons)
                    guesses = ", ".join(f"{s.kind}:{s.value}" for s in group.suggestions)
                    print(f"[{group.key}] ×{group.count} {group.text}", file=out)
                    print(f"    reasons: {reasons}; bot thought: {guesses or '-'}", file=out)
                print(f"{len(groups)} group(s) waiting for review", file=out)
                return 0
            try:
                report = export_reviewed(
                    session, args.root or export_root(), now, heldout_share=args.heldout_share
                )
            except ExportError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 1
            print(report.summary(), file=out)
            return 0
    except SQLAlchemyError as exc:
        print(f"error: the database cannot be read ({type(exc).__name__})", file=sys.stderr)
        return 2
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
