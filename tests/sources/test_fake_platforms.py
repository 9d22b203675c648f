"""The played platforms refuse what the real ones refuse, with their documented error shapes:
otherwise the outbox tests would prove nothing about the requests it sends."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.sources.fake_platforms import (
    PRESTASHOP_KEY,
    SHOPIFY_TOKEN,
    WOO_KEY,
    WOO_SECRET,
    FakePlatforms,
    running,
)


@pytest.fixture
def fake() -> Iterator[FakePlatforms]:
    with running() as platforms_server:
        platforms_server.state.shopify_orders["450789469"] = {"id": 450789469, "cancelled_at": None}
        platforms_server.state.woo_orders["727"] = {"id": 727, "status": "processing"}
        platforms_server.state.presta_orders["5"] = {"id": 5, "current_state": "3"}
        yield platforms_server


def shopify(fake: FakePlatforms, token: str = SHOPIFY_TOKEN) -> httpx.Client:
    return httpx.Client(base_url=fake.url, headers={"X-Shopify-Access-Token": token})


def test_shopify_refuses_a_wrong_token_a_wrong_version_and_a_wrong_reason(
    fake: FakePlatforms,
) -> None:
    path = "/admin/api/2024-01/orders/450789469/cancel.json"
    with shopify(fake, "shpat_wrong") as client:
        refused = client.post(path, json={})
    assert refused.status_code == 401
    assert refused.json()["errors"].startswith("[API] Invalid API key or access token")
    with shopify(fake) as client:
        assert client.post(path.replace("2024-01", "2019-04"), json={}).json() == {
            "errors": "Not Found"
        }
        assert client.get(path).status_code == 404  # a cancel is a POST
        wrong = client.post(path, json={"reason": "changed_mind"})
        assert (wrong.status_code, wrong.json()) == (
            422,
            {"errors": {"reason": ["is not included in the list"]}},
        )
        not_json = client.post(path, content=b"reason=customer")
        assert not_json.status_code == 400
        assert client.post(path, json={"reason": "customer"}).status_code == 200
        again = client.post(path, json={"reason": "customer"})
        assert again.json() == {"errors": {"base": ["Order has already been cancelled"]}}
    assert fake.applied() == [("shopify", "cancel", "450789469")]


def test_woocommerce_refuses_without_basic_auth_and_an_unknown_status(
    fake: FakePlatforms,
) -> None:
    path = "/wp-json/wc/v3/orders/727"
    anonymous = httpx.put(fake.url + path, json={"status": "cancelled"})
    assert anonymous.json() == {
        "code": "woocommerce_rest_cannot_view",
        "message": "Sorry, you cannot list resources.",
        "data": {"status": 401},
    }
    with httpx.Client(base_url=fake.url, auth=(WOO_KEY, WOO_SECRET)) as client:
        wrong = client.put(path, json={"status": "canceled"})
        assert wrong.status_code == 400 and wrong.json()["code"] == "rest_invalid_param"
        assert client.get("/wp-json/wc/v3/orders/1").json()["code"] == (
            "woocommerce_rest_shop_order_invalid_id"
        )
        empty_note = client.post(path + "/notes", json={"customer_note": False})
        assert empty_note.json()["code"] == "rest_missing_callback_param"
        assert client.put(path, json={"status": "cancelled"}).json()["status"] == "cancelled"
    assert fake.applied() == [("woocommerce", "cancelled", "727")]


def test_prestashop_refuses_without_the_key_and_a_history_without_its_state(
    fake: FakePlatforms,
) -> None:
    anonymous = httpx.get(fake.url + "/api/orders/5", params={"output_format": "JSON"})
    assert anonymous.status_code == 401
    assert "PrestaShop Webservice" in anonymous.headers["WWW-Authenticate"]
    with httpx.Client(base_url=fake.url, auth=(PRESTASHOP_KEY, "")) as client:
        no_state = client.post(
            "/api/order_histories",
            content=b"<prestashop><order_history><id_order>5</id_order></order_history>"
            b"</prestashop>",
        )
        assert no_state.status_code == 400
        assert no_state.json()["errors"][0]["code"] == 41
        not_xml = client.post("/api/order_histories", json={"id_order": 5})
        assert not_xml.json()["errors"][0]["code"] == 127
        listing = client.get(
            "/api/orders",
            params={"display": "full", "filter[date_upd]": "[2026-12-01,2026-12-02]"},
        )
        assert listing.status_code == 400  # no output_format, no times, no date=1
    assert fake.applied() == []


def test_the_server_fails_as_told_then_answers(fake: FakePlatforms) -> None:
    fake.fail_next(2, status=503)
    with shopify(fake) as client:
        path = "/admin/api/2024-01/orders/450789469.json"
        assert [client.get(path).status_code for _ in range(3)] == [503, 503, 200]
