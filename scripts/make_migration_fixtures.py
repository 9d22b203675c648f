"""Write the databases earlier releases made, as SQL, for the migration tests.

Run once per release that changed the schema (it needs the full git history, which a CI clone
may lack; the tests only read the committed files):

    .venv/bin/python scripts/make_migration_fixtures.py

For SQLite and for a throwaway PostgreSQL it builds, with each release's own code (its ``shop``
package taken from git into a temporary folder, run in a subprocess):

- ``release_7605cbd``: the release before the learning loop (no migrations): its
  ``create_schema``, an order with a line and a shipment, a ticket, a conversation with
  messages, an agent from before roles logged into the console, and a row of Rasa's tracker
  store (``events``);
- ``release_ba2f9da``: the same database after the learning-loop release started on it (its
  ``ALTER TABLE … ADD COLUMN`` stand-in), plus a recorded bot turn and a rating.

and writes them to ``tests/migrations/<release>.<sqlite|postgresql>.sql``.
"""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from devtools.services import PostgresServer

ROOT = Path(__file__).resolve().parents[1]

OUT = ROOT / "tests" / "migrations"
PREVIOUS, LEARNING_LOOP = "7605cbd", "ba2f9da"

# Runs inside a release's own tree: argv = database URL, stage.
BUILD = r"""
import sys
from datetime import datetime, timedelta, timezone

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, insert

from shop.store import conversations as desk
from shop.store import models
from shop.store.db import create_schema, make_engine, make_session_factory, session_scope

url, stage = sys.argv[1], sys.argv[2]
at = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)
engine = make_engine(url)
create_schema(engine)
sessions = make_session_factory(engine)
with session_scope(sessions) as session:
    if stage == "previous":
        claire = models.Customer(
            email="claire.martin@example.fr", first_name="Claire", last_name="Martin",
            postal_code="69002", loyalty_points=120,
        )
        order = models.Order(
            number="474918", customer=claire, status=models.OrderStatus.SHIPPED,
            status_changed_at=at, placed_at=at - timedelta(days=3),
            payment_method=models.PaymentMethod.CARD, total_cents=18900, shipping_cents=0,
            carrier="colissimo",
        )
        shipment = models.Shipment(
            order=order, carrier="colissimo", tracking_number="6A12345678901",
            shipped_at=at,
        )
        models.OrderLine(
            order=order, shipment=shipment, sku="BG-OR-52", title="Bague solitaire or",
            kind=models.ProductKind.RING, size="52", quantity=1, unit_price_cents=18900,
        )
        session.add(models.Ticket(
            number="T-260001", kind="lost_parcel", order=order, customer=claire,
            conversation_id="c0nv-previous-release", facts={"carrier": "colissimo"},
            outcome="open_inquiry", reason_code="parcel_late", priority=1,
            status=models.TicketStatus.OPEN, created_at=at, due_at=at + timedelta(days=2),
        ))
        conversation = desk.Conversation(
            id="c0nv-previous-release", mode=desk.ConversationMode.BOT,
            created_at=at, updated_at=at + timedelta(seconds=2),
        )
        conversation.messages = [
            desk.Message(
                author=desk.MessageAuthor.SHOPPER, relayed=True, created_at=at,
                text="Bonjour, où en est ma commande 474918 ?",
            ),
            desk.Message(
                author=desk.MessageAuthor.BOT, intent="track_order", confidence=0.93,
                created_at=at + timedelta(seconds=2),
                text="Votre commande est partie le 20 novembre avec Colissimo.",
            ),
        ]
        session.add_all([claire, order, conversation])
        camille = desk.Agent(
            username="camille", password_hash="scrypt$not-a-real-hash",
            display_name="Camille", created_at=at,
        )
        session.add(camille)
        session.flush()
        session.add(desk.ConsoleSession(
            id="0" * 64, agent_id=camille.id, created_at=at, last_seen_at=at,
        ))
    else:
        from shop.store import learning

        session.add(learning.BotTurn(
            conversation_id="c0nv-previous-release", text="merci beaucoup",
            intent="thank", confidence=0.97, entities=[], actions=["utter_thank"],
            created_at=at + timedelta(minutes=1),
        ))
        session.add(learning.Feedback(
            conversation_id="c0nv-previous-release", message_id=2, kind="answer", score=1,
            topic="track_order", created_at=at + timedelta(minutes=1),
        ))
if stage == "previous":
    # Rasa's SQLTrackerStore table, as Rasa 3.6 creates it: in the database, never ours.
    events = Table(
        "events", MetaData(),
        Column("id", Integer, primary_key=True),
        Column("sender_id", String(255), nullable=False, index=True),
        Column("type_name", String(255), nullable=False),
        Column("timestamp", Float),
        Column("intent_name", String(255)),
        Column("action_name", String(255)),
        Column("data", Text),
    )
    with engine.begin() as connection:
        events.create(connection)
        connection.execute(insert(events).values(
            sender_id="c0nv-previous-release", type_name="user", timestamp=at.timestamp(),
            intent_name="track_order", data='{"event": "user", "text": "Bonjour"}',
        ))
engine.dispose()
"""


def extract(commit: str, into: Path) -> Path:
    """The ``shop`` package of ``commit``, in a folder of its own."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit, "shop"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    tree = into / commit
    tree.mkdir()
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tree)
    return tree


def build(tree: Path, url: str, stage: str) -> None:
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    environment.pop("SHOP_DATABASE_URL", None)
    subprocess.run([sys.executable, "-c", BUILD, url, stage], cwd=tree, env=environment, check=True)


def tidy(lines: list[str]) -> str:
    """Without trailing spaces or runs of blank lines (the SQL means the same)."""
    kept: list[str] = []
    for line in (line.rstrip() for line in lines):
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip() + "\n"


def header(release: str, dialect: str) -> str:
    return (
        f"-- A {dialect} database as release {release} left it, with a few rows.\n"
        "-- Written by scripts/make_migration_fixtures.py;"
        " read by tests/stores/test_migrations.py.\n"
    )


def dump_sqlite(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return tidy("\n".join(connection.iterdump()).splitlines())
    finally:
        connection.close()


def dump_postgres(url: str) -> str:
    """``pg_dump`` as plain INSERTs, without the session settings a newer client writes (the
    file loads through one psycopg2 ``execute`` on any recent server)."""
    text = subprocess.run(
        ["pg_dump", "--no-owner", "--no-privileges", "--inserts", "--dbname", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    kept = [
        line
        for line in text.splitlines()
        if not line.startswith(("SET ", "\\", "SELECT pg_catalog.set_config('search_path'"))
        and not (line.startswith("--") and not line.strip("- "))
    ]
    return tidy(kept)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="shop-releases-") as scratch:
        folder = Path(scratch)
        previous, learning_loop = extract(PREVIOUS, folder), extract(LEARNING_LOOP, folder)

        sqlite_file = folder / "shop.db"
        build(previous, f"sqlite:///{sqlite_file}", "previous")
        (OUT / f"release_{PREVIOUS}.sqlite.sql").write_text(
            header(PREVIOUS, "SQLite") + dump_sqlite(sqlite_file)
        )
        build(learning_loop, f"sqlite:///{sqlite_file}", "learning_loop")
        (OUT / f"release_{LEARNING_LOOP}.sqlite.sql").write_text(
            header(LEARNING_LOOP, "SQLite") + dump_sqlite(sqlite_file)
        )

        server = PostgresServer().start()
        try:
            build(previous, server.url, "previous")
            (OUT / f"release_{PREVIOUS}.postgresql.sql").write_text(
                header(PREVIOUS, "PostgreSQL") + dump_postgres(server.url)
            )
            build(learning_loop, server.url, "learning_loop")
            (OUT / f"release_{LEARNING_LOOP}.postgresql.sql").write_text(
                header(LEARNING_LOOP, "PostgreSQL") + dump_postgres(server.url)
            )
        finally:
            server.stop()
    for written in sorted(OUT.glob("release_*.sql")):
        print(f"wrote {written.relative_to(ROOT)}")


if __name__ == "__main__":
    if shutil.which("pg_dump") is None:
        sys.exit("pg_dump not found: scripts/setup.sh installs Debian's postgresql")
    main()
