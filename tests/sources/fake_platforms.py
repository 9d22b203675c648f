"""Shopify, WooCommerce and PrestaShop played on this machine: a small HTTP server that checks
every request against the platforms' documented formats and answers like them.

The platforms cannot run in the tests, so this server plays their side of the outbox and of
polling. It refuses what the real ones refuse, with their documented error shapes:

- Shopify Admin REST 2024-01: ``X-Shopify-Access-Token`` (401 ``{"errors": "[API] Invalid API
  key or access token ..."}``), ``GET /admin/api/2024-01/orders/{id}.json``, ``POST
  /admin/api/2024-01/orders/{id}/cancel.json`` with a JSON object whose ``reason`` is one of
  customer, inventory, fraud, declined, other (422 ``{"errors": {...}}``); 404 ``{"errors":
  "Not Found"}``.
- WooCommerce REST v3: HTTP Basic with the consumer key and secret (401 ``{"code":
  "woocommerce_rest_cannot_view", "message": ..., "data": {"status": 401}}``), ``GET|PUT
  /wp-json/wc/v3/orders/{id}`` (``status`` one of the order statuses, else 400
  ``rest_invalid_param``), ``GET|POST /wp-json/wc/v3/orders/{id}/notes`` (``note`` required).
- PrestaShop webservice: HTTP Basic, the key as user name (401 with ``WWW-Authenticate``),
  ``GET /api/orders/{id}``, ``GET /api/orders?display=full&filter[date_upd]=[A,B]&date=1``
  (``limit=offset,count``, ``sort=[date_upd_ASC,id_ASC]``), ``GET /api/customers/{id}``, ``POST
  /api/order_histories`` with an XML ``order_history`` (``{"errors": [{"code", "message"}]}``).

It can be told to fail the next N requests (``fail_next``), or to apply the next N changes and
lose their answer (``lose_next_answers``: the connection closes with no response), and it
counts every change it applied (``applied``), so a test sees a change made once or twice.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

SHOPIFY_TOKEN = "shpat_test_0123456789abcdef"
WOO_KEY = "ck_test_0123456789"
WOO_SECRET = "cs_test_0123456789"
PRESTASHOP_KEY = "PSKEY0123456789ABCDEFGHIJKLMNOPQR"

SHOPIFY_CANCEL_REASONS = {"customer", "inventory", "fraud", "declined", "other"}
WOO_STATUSES = {
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "checkout-draft",
}
PRESTASHOP_STATES = {str(n) for n in range(1, 15)}
_DATE_RANGE = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\]$")


@dataclass
class Recorded:
    platform: str
    method: str
    path: str
    query: dict[str, str]
    status: int


@dataclass
class _Failure:
    times: int
    status: int
    headers: dict[str, str]
    path: str | None
    after: int

    def fails(self, path: str) -> bool:
        """Whether this request fails (counting it either way)."""
        if self.times <= 0 or (self.path is not None and self.path != path):
            return False
        if self.after > 0:
            self.after -= 1
            return False
        self.times -= 1
        return True


@dataclass
class PlatformState:
    """What the played platforms hold, which tests set and read."""

    shopify_orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    woo_orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    woo_notes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    presta_orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    presta_customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    applied: list[tuple[str, str, str]] = field(default_factory=list)  # platform, change, id
    requests: list[Recorded] = field(default_factory=list)
    failures: list[_Failure] = field(default_factory=list)
    answers_to_lose: int = 0


class _Answer(Exception):
    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


class _LoseAnswer(Exception):
    pass


class FakePlatforms:
    """The server; ``url`` is its base address (every platform under one host)."""

    def __init__(self) -> None:
        self.state = PlatformState()
        self.lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"platforms": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakePlatforms:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ---- what tests tell it
    def fail_next(
        self,
        times: int,
        status: int = 503,
        headers: dict[str, str] | None = None,
        *,
        path: str | None = None,
        after: int = 0,
    ) -> None:
        """The next ``times`` requests (to ``path`` only, if given; once ``after`` of them were
        answered) get ``status``, in the platform's error shape."""
        with self.lock:
            self.state.failures.append(_Failure(times, status, dict(headers or {}), path, after))

    def lose_next_answers(self, times: int = 1) -> None:
        """The next ``times`` changes are applied, then the connection closes unanswered."""
        with self.lock:
            self.state.answers_to_lose += times

    def applied(self, change: str | None = None) -> list[tuple[str, str, str]]:
        with self.lock:
            return [a for a in self.state.applied if change is None or a[1] == change]


@contextmanager
def running() -> Iterator[FakePlatforms]:
    platforms = FakePlatforms().start()
    try:
        yield platforms
    finally:
        platforms.stop()


class _Handler(BaseHTTPRequestHandler):
    platforms: FakePlatforms
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet in tests
        return

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        platform = _platform_of(parts.path)
        shape = _ERROR_SHAPES.get(platform, _ERROR_SHAPES["prestashop"])
        status = 500
        try:
            with self.platforms.lock:
                failure = next(
                    (f for f in self.platforms.state.failures if f.fails(parts.path)), None
                )
                if failure is not None:
                    message = "Service unavailable, try again"
                    raise _Answer(failure.status, shape(failure.status, message), failure.headers)
                route = _ROUTES.get(platform)
                if route is None:
                    raise _Answer(404, {"errors": "Not Found"})
                route(self, self.platforms.state, method, parts.path, query, body)
        except _LoseAnswer:
            self._record(platform, method, parts.path, query, 0)
            self.close_connection = True
            return
        except _Answer as answer:
            status = answer.status
            self._record(platform, method, parts.path, query, status)
            payload = json.dumps(answer.body).encode()
            self.send_response(status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    def _record(self, platform: str, method: str, path: str, query: dict[str, str], status: int):
        with self.platforms.lock:
            self.platforms.state.requests.append(Recorded(platform, method, path, query, status))

    def basic_auth(self) -> tuple[str, str] | None:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return None
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return None
        return user, password

    def json_body(self, body: bytes, refuse: Any) -> dict[str, Any]:
        if "application/json" not in self.headers.get("Content-Type", ""):
            raise refuse("the body must be JSON (Content-Type: application/json)")
        try:
            data = json.loads(body or b"null")
        except ValueError:
            raise refuse("the body is not JSON") from None
        if not isinstance(data, dict):
            raise refuse("the body must be a JSON object")
        return data


def _platform_of(path: str) -> str:
    if path.startswith("/admin/api/"):
        return "shopify"
    if path.startswith("/wp-json/"):
        return "woocommerce"
    return "prestashop"


def _changed(state: PlatformState, platform: str, change: str, order_id: str) -> None:
    """A change the platform made: counted, then its answer lost if the test said so."""
    state.applied.append((platform, change, order_id))
    if state.answers_to_lose:
        state.answers_to_lose -= 1
        raise _LoseAnswer()


# --- Shopify -------------------------------------------------------------------------------


def _shopify(
    handler: _Handler,
    state: PlatformState,
    method: str,
    path: str,
    query: dict[str, str],
    body: bytes,
) -> None:
    if handler.headers.get("X-Shopify-Access-Token") != SHOPIFY_TOKEN:
        raise _Answer(
            401,
            {
                "errors": "[API] Invalid API key or access token (unrecognized login or "
                "wrong password)"
            },
        )
    read = re.fullmatch(r"/admin/api/2024-01/orders/(\d+)\.json", path)
    cancel = re.fullmatch(r"/admin/api/2024-01/orders/(\d+)/cancel\.json", path)
    match = read or cancel
    if match is None or (read and method != "GET") or (cancel and method != "POST"):
        raise _Answer(404, {"errors": "Not Found"})
    order = state.shopify_orders.get(match.group(1))
    if order is None:
        raise _Answer(404, {"errors": "Not Found"})
    if read:
        fields = [f for f in query.get("fields", "").split(",") if f]
        shown = {k: v for k, v in order.items() if not fields or k in fields}
        raise _Answer(200, {"order": shown})

    def refuse(reason: str) -> _Answer:
        return _Answer(400, {"errors": {"order": reason}})

    data = handler.json_body(body, refuse)
    unknown = set(data) - {"amount", "currency", "email", "reason", "refund", "restock"}
    if unknown:
        raise _Answer(400, {"errors": {name: "is not a parameter" for name in sorted(unknown)}})
    if "reason" in data and data["reason"] not in SHOPIFY_CANCEL_REASONS:
        raise _Answer(422, {"errors": {"reason": ["is not included in the list"]}})
    if order.get("cancelled_at"):
        raise _Answer(422, {"errors": {"base": ["Order has already been cancelled"]}})
    if order.get("fulfillment_status") == "fulfilled":
        raise _Answer(422, {"errors": {"base": ["Cannot cancel a fulfilled order"]}})
    order["cancelled_at"] = "2026-12-02T10:00:00+01:00"
    order["cancel_reason"] = data.get("reason", "other")
    _changed(state, "shopify", "cancel", match.group(1))
    raise _Answer(200, {"order": order})


# --- WooCommerce ---------------------------------------------------------------------------


def _woo_error(status: int, code: str, message: str, **data: Any) -> _Answer:
    return _Answer(status, {"code": code, "message": message, "data": {"status": status, **data}})


def _woocommerce(
    handler: _Handler,
    state: PlatformState,
    method: str,
    path: str,
    query: dict[str, str],
    body: bytes,
) -> None:
    if handler.basic_auth() != (WOO_KEY, WOO_SECRET):
        raise _woo_error(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
    order_path = re.fullmatch(r"/wp-json/wc/v3/orders/(\d+)", path)
    notes_path = re.fullmatch(r"/wp-json/wc/v3/orders/(\d+)/notes", path)
    match = order_path or notes_path
    if match is None:
        raise _woo_error(
            404, "rest_no_route", "No route was found matching the URL and request method."
        )
    order = state.woo_orders.get(match.group(1))
    if order is None:
        raise _woo_error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")

    def refuse(reason: str) -> _Answer:
        return _woo_error(400, "rest_invalid_json", reason)

    if order_path and method == "GET":
        raise _Answer(200, order)
    if order_path and method in ("PUT", "POST"):
        data = handler.json_body(body, refuse)
        status = data.get("status")
        if status is not None and status not in WOO_STATUSES:
            raise _woo_error(
                400,
                "rest_invalid_param",
                "Invalid parameter(s): status",
                params={"status": "status is not one of " + ", ".join(sorted(WOO_STATUSES))},
            )
        if status is not None and status != order["status"]:
            order["status"] = status
            _changed(state, "woocommerce", status, match.group(1))
        raise _Answer(200, order)
    notes = state.woo_notes.setdefault(match.group(1), [])
    if notes_path and method == "GET":
        raise _Answer(200, notes)
    if notes_path and method == "POST":
        data = handler.json_body(body, refuse)
        if not isinstance(data.get("note"), str) or not data["note"].strip():
            raise _woo_error(
                400, "rest_missing_callback_param", "Missing parameter(s): note", params=["note"]
            )
        note = {
            "id": len(notes) + 1,
            "note": data["note"],
            "customer_note": bool(data.get("customer_note", False)),
        }
        notes.append(note)
        _changed(state, "woocommerce", "note", match.group(1))
        raise _Answer(201, note)
    raise _woo_error(
        404, "rest_no_route", "No route was found matching the URL and request method."
    )


# --- PrestaShop ----------------------------------------------------------------------------


def _presta_error(status: int, code: int, message: str) -> _Answer:
    return _Answer(status, {"errors": [{"code": code, "message": message}]})


def _prestashop(
    handler: _Handler,
    state: PlatformState,
    method: str,
    path: str,
    query: dict[str, str],
    body: bytes,
) -> None:
    auth = handler.basic_auth()
    if auth is None or auth[0] != PRESTASHOP_KEY:
        raise _Answer(
            401,
            {"errors": [{"code": 25, "message": "Authentification key is not active"}]},
            {
                "WWW-Authenticate": 'Basic realm="Welcome to PrestaShop Webservice, please '
                'enter the authentication key as the login. No password required."'
            },
        )
    if method == "GET" and query.get("output_format") != "JSON":
        raise _presta_error(400, 0, "these tests read JSON: output_format=JSON is missing")
    if path == "/api/orders" and method == "GET":
        _presta_list(state, query)
    one = re.fullmatch(r"/api/(orders|customers)/(\d+)", path)
    if one and method == "GET":
        table = state.presta_orders if one.group(1) == "orders" else state.presta_customers
        item = table.get(one.group(2))
        if item is None:
            raise _presta_error(404, 87, f"Id(s) not exists: {one.group(2)}")
        raise _Answer(200, {one.group(1)[:-1]: item})
    if path == "/api/order_histories" and method == "POST":
        _presta_history(state, body)
    raise _presta_error(405, 20, f"Method {method} is not valid for {path}")


def _presta_list(state: PlatformState, query: dict[str, str]) -> None:
    if query.get("display") != "full":
        raise _presta_error(400, 0, "display=full: these tests read whole orders")
    dates = _DATE_RANGE.match(query.get("filter[date_upd]", ""))
    if dates is None:
        raise _presta_error(400, 0, "filter[date_upd] must be [YYYY-MM-DD HH:MM:SS,...]")
    if query.get("date") != "1":
        raise _presta_error(400, 0, "a filter on a date needs date=1")
    if query.get("sort") not in (None, "[date_upd_ASC]", "[date_upd_ASC,id_ASC]"):
        raise _presta_error(400, 0, f"unknown sort {query.get('sort')}")
    since, until = dates.groups()
    found = sorted(
        (o for o in state.presta_orders.values() if since <= o["date_upd"] <= until),
        key=lambda o: (o["date_upd"], int(o["id"])),
    )
    limit = query.get("limit")
    if limit:
        if not re.fullmatch(r"\d+(,\d+)?", limit):
            raise _presta_error(400, 0, "limit must be 'count' or 'offset,count'")
        numbers = [int(n) for n in limit.split(",")]
        offset, count = (0, numbers[0]) if len(numbers) == 1 else numbers
        found = found[offset : offset + count]
    raise _Answer(200, {"orders": found} if found else [])


def _presta_history(state: PlatformState, body: bytes) -> None:
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        raise _presta_error(400, 127, "XML error : the body is not XML") from None
    history = root.find("order_history")
    if root.tag != "prestashop" or history is None:
        raise _presta_error(400, 127, "XML error : <prestashop><order_history> expected")
    order_id = (history.findtext("id_order") or "").strip()
    state_id = (history.findtext("id_order_state") or "").strip()
    if not order_id or not state_id:
        raise _presta_error(400, 41, "parameter id_order and id_order_state required")
    if state_id not in PRESTASHOP_STATES:
        raise _presta_error(400, 0, f"id_order_state {state_id} is not an order state")
    order = state.presta_orders.get(order_id)
    if order is None:
        raise _presta_error(400, 0, f"id_order {order_id} does not exist")
    order["current_state"] = state_id
    _changed(state, "prestashop", f"state {state_id}", order_id)
    raise _Answer(201, {"order_history": {"id": len(state.applied), "id_order": order_id}})


def _shopify_error(status: int, message: str) -> Any:
    return {"errors": message}


def _woo_shape(status: int, message: str) -> Any:
    return {"code": "http_error", "message": message, "data": {"status": status}}


def _presta_shape(status: int, message: str) -> Any:
    return {"errors": [{"code": 0, "message": message}]}


_ROUTES = {"shopify": _shopify, "woocommerce": _woocommerce, "prestashop": _prestashop}
_ERROR_SHAPES = {"shopify": _shopify_error, "woocommerce": _woo_shape, "prestashop": _presta_shape}
