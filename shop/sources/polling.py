"""PrestaShop polling: the orders its webservice changed since a checkpoint kept in the store.

PrestaShop sends no webhooks, so ``python -m shop.sources poll --platform prestashop`` reads
``GET /api/orders?display=full&filter[date_upd]=[CHECKPOINT,NOW]&date=1&output_format=JSON``,
oldest change first, a page at a time, fetches each order's customer (for the e-mail) and
upserts through ``shop.sources.ingest``. A page and the checkpoint that follows it (its latest
``date_upd``) are stored in one transaction, so a poll that dies resumes after the last page
stored; the checkpoint's own second is read again (orders changed in the same second), which
the idempotent upsert makes harmless. An order the mapping refuses is reported and skipped:
it comes back when the shop changes it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy.orm import sessionmaker

from shop.clock import Clock
from shop.sources.ingest import IngestResult, ingest_order
from shop.sources.mappings import PlatformMappings, SourceSettings, mappings_for
from shop.sources.platforms import Connection, Refused, Unavailable, answer
from shop.sources.prestashop import order_from_prestashop, unwrap
from shop.sources.record import Platform, SourceError
from shop.store import platform_requests
from shop.store.db import session_scope

LOG = logging.getLogger(__name__)
CHECKPOINT = "prestashop:orders"
FIRST_CHECKPOINT = "1970-01-01 00:00:00"
PAGE_SIZE = 50
WALL_TIME = "%Y-%m-%d %H:%M:%S"  # PrestaShop's date_upd, the shop's wall time


@dataclass
class PollReport:
    pages: int = 0
    results: list[IngestResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    checkpoint: str | None = None

    def lines(self) -> list[str]:
        lines = [
            f"PrestaShop poll: {self.pages} pages, {len(self.results)} orders stored, "
            f"{len(self.skipped)} skipped; checkpoint {self.checkpoint}"
        ]
        lines += [f"  stored  {result.describe()}" for result in self.results]
        lines += [f"  skipped {reason}" for reason in self.skipped]
        return lines


def poll_prestashop(
    sessions: sessionmaker,
    connection: Connection,
    clock: Clock,
    settings: SourceSettings | None = None,
    *,
    local_zone: str = "Europe/Paris",
    page_size: int = PAGE_SIZE,
    stopping: Callable[[], bool] | None = None,
) -> PollReport:
    """Bring in every order changed since the checkpoint; ``Unavailable`` or ``Refused`` when
    the webservice does not answer (the pages stored so far stay stored, and counted). When
    ``stopping`` says the process is asked to stop, the poll ends after the page it stored:
    the next one resumes from its checkpoint."""
    mappings = mappings_for(Platform.PRESTASHOP, settings)
    with session_scope(sessions) as session:
        since = platform_requests.read_checkpoint(session, CHECKPOINT) or FIRST_CHECKPOINT
    until = clock.now().astimezone(ZoneInfo(local_zone)).strftime(WALL_TIME)
    report = PollReport(checkpoint=since)
    customers: dict[str, Mapping[str, Any]] = {}
    with connection.client() as client:
        offset = 0
        while True:
            page = _orders(client, since, until, offset, page_size)
            if not page:
                return report
            for order in page:
                _store(
                    sessions,
                    mappings,
                    local_zone,
                    report,
                    order,
                    _customer(client, customers, order.get("id_customer")),
                )
            latest = max(str(order.get("date_upd", "")) for order in page)
            if latest > (report.checkpoint or ""):
                with session_scope(sessions) as session:
                    platform_requests.write_checkpoint(session, CHECKPOINT, latest, clock.now())
                report.checkpoint = latest
            report.pages += 1
            if len(page) < page_size or (stopping is not None and stopping()):
                return report
            offset += page_size


def _store(
    sessions: sessionmaker,
    mappings: PlatformMappings,
    local_zone: str,
    report: PollReport,
    order: Mapping[str, Any],
    customer: Mapping[str, Any] | None,
) -> None:
    """One order in its own transaction: a refused one stores nothing and stops no other."""
    try:
        record = order_from_prestashop(order, customer, mappings, local_zone=local_zone)
        with session_scope(sessions) as session:
            report.results.append(ingest_order(session, record))
    except SourceError as error:
        reason = f"order {order.get('id')} ({order.get('reference')}): {error}"
        report.skipped.append(reason)
        LOG.warning("PrestaShop %s", reason)


def _orders(
    client: httpx.Client, since: str, until: str, offset: int, size: int
) -> list[Mapping[str, Any]]:
    params = {
        "display": "full",
        "filter[date_upd]": f"[{since},{until}]",
        "date": "1",
        "sort": "[date_upd_ASC,id_ASC]",
        "limit": f"{offset},{size}",
        "output_format": "JSON",
    }
    body = _read(client, "/api/orders", params)
    if body in (None, [], ""):  # the webservice answers [] when nothing matches
        return []
    orders = body.get("orders") if isinstance(body, dict) else None
    if not isinstance(orders, list) or not all(isinstance(o, dict) for o in orders):
        raise Unavailable(f"/api/orders answered no list of orders: {body!r}"[:300])
    return orders


def _customer(
    client: httpx.Client, cache: dict[str, Mapping[str, Any]], customer_id: Any
) -> Mapping[str, Any] | None:
    if customer_id in (None, "", "0"):
        return None
    key = str(customer_id)
    if key not in cache:
        try:
            body = _read(client, f"/api/customers/{key}", {"output_format": "JSON"})
        except Refused as error:  # the order is then refused for want of its e-mail
            LOG.warning("PrestaShop customer %s: %s", key, error)
            return None
        if not isinstance(body, dict):
            return None
        cache[key] = unwrap(body, "customer")
    return cache[key]


def _read(client: httpx.Client, path: str, params: Mapping[str, str]) -> Any:
    try:
        return answer(client.get(path, params=params))
    except httpx.HTTPError as error:
        raise Unavailable(f"{type(error).__name__}: {error}") from None
