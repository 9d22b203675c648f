"""The first load: a platform's order export into the store, one order per transaction.

Each order of the file is mapped, then ingested in its own transaction: a refused order (a
malformed row, an unmapped payment method, a number another order holds) stores nothing of
itself and never stops the others. The report says, in English, which rows were taken and
which were skipped and why, as ``file:line``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from shop.sources.csv_exports import RowGroup, read_export
from shop.sources.ingest import IngestResult, ingest_order
from shop.sources.mappings import SourceSettings, mappings_for
from shop.sources.record import Platform, SourceError
from shop.store.db import session_scope


@dataclass(frozen=True)
class Skipped:
    where: str  # "orders.csv:6-7"
    order: str
    reason: str


@dataclass
class ImportReport:
    path: Path
    platform: Platform
    rows: int = 0
    taken_rows: int = 0
    results: list[tuple[str, IngestResult]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def skipped_rows(self) -> int:
        return self.rows - self.taken_rows

    def lines(self) -> list[str]:
        outcomes = Counter(result.outcome.value for _, result in self.results)
        summary = ", ".join(f"{count} {name}" for name, count in sorted(outcomes.items()))
        lines = [
            f"Import of {self.path.name} ({self.platform.value}): {self.rows} rows read, "
            f"{self.taken_rows} taken ({len(self.results)} orders: {summary or 'none'}), "
            f"{self.skipped_rows} skipped."
        ]
        for where, result in self.results:
            lines.append(f"  taken   {where}: {result.describe()}")
        for skipped in self.skipped:
            lines.append(f"  skipped {skipped.where} (order {skipped.order}): {skipped.reason}")
        return lines


def where(path: Path, group: RowGroup) -> str:
    first, last = min(group.line_numbers), max(group.line_numbers)
    return f"{path.name}:{first}" + (f"-{last}" if last != first else "")


def import_export(
    sessions: sessionmaker,
    path: Path,
    platform: Platform,
    settings: SourceSettings | None = None,
    *,
    local_zone: str = "Europe/Paris",
    customers_path: Path | None = None,
) -> ImportReport:
    """Store every order of the export it can; ``SourceError`` when the file is not one."""
    report = ImportReport(path=path, platform=platform)
    mappings = mappings_for(platform, settings)
    for read in read_export(
        path, platform, mappings, local_zone=local_zone, customers_path=customers_path
    ):
        group = read.group
        report.rows += len(group.rows)
        refusal = read.refusal
        if read.order is not None:
            try:
                with session_scope(sessions) as session:
                    result = ingest_order(session, read.order)
            except SourceError as error:
                refusal = str(error)
            except SQLAlchemyError as error:
                refusal = f"the store refused it: {type(error).__name__}: {error.args[0]}"
            else:
                report.taken_rows += len(group.rows)
                report.results.append((where(path, group), result))
                continue
        report.skipped.append(Skipped(where(path, group), group.key or "?", refusal or "?"))
    return report
