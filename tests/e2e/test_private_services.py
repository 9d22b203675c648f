"""The internal servers answer only each other, and their logs hold no personal data.

Real processes on loopback: an action server alone (forged trackers from a local caller), and
the session's Rasa, action server and desk, plus a second Rasa at DEBUG level (Rasa logs each
message and its parse data there).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devtools.desk import DeskServer
from devtools.servers import Stack, new_sender, slot
from devtools.services import free_port
from devtools.shopper import carry_conversation_tokens
from shop.store.demo import DEMO_ORDERS

pytestmark = pytest.mark.e2e

ORDER = DEMO_ORDERS["cancellable"]


@pytest.fixture(scope="module")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """An action server alone, on its own seeded database."""
    servers = Stack(tmp_path_factory.mktemp("actions-only"), actions_port=free_port())
    servers.seed()
    try:
        servers.start_actions()
        yield servers
    finally:
        servers.stop_all()


def forged_call(order_number: str, email: str) -> dict[str, Any]:
    """What a local process would post: a tracker whose slots it chose, asking the identity
    check of the cancellation form to validate them."""
    return {
        "next_action": "validate_cancel_form",
        "sender_id": "forger",
        "version": "3.6.0",
        "domain": {"slots": {}, "forms": {"cancel_form": {"required_slots": []}}},
        "tracker": {
            "sender_id": "forger",
            "slots": {"order_number": order_number, "order_email": email},
            "latest_message": {"text": email, "intent": {}, "entities": []},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": "cancel_form"},
            "latest_action_name": "action_listen",
        },
    }


def test_finding_13_action_server_refuses_a_forged_tracker_without_the_token(
    action_server: Stack,
) -> None:
    base = f"http://127.0.0.1:{action_server.actions_port}"
    call = forged_call(ORDER.number, ORDER.email)
    assert httpx.post(f"{base}/webhook", json=call, timeout=10).status_code == 401
    wrong = httpx.post(f"{base}/webhook", params={"token": "devine"}, json=call, timeout=10)
    assert wrong.status_code == 401 and ORDER.number not in wrong.text
    assert httpx.get(f"{base}/actions", timeout=10).status_code == 401
    assert httpx.get(f"{base}/health", timeout=10).status_code == 200


def test_finding_13_action_server_answers_with_the_shared_token(action_server: Stack) -> None:
    base = f"http://127.0.0.1:{action_server.actions_port}"
    answer = httpx.post(
        f"{base}/webhook",
        params={"token": action_server.actions_token},
        json=forged_call(ORDER.number, ORDER.email),
        timeout=10,
    )
    assert answer.status_code == 200 and "events" in answer.json()


def test_rasa_server_reaches_the_actions_with_its_token(stack: Stack) -> None:
    shopper = new_sender("token")
    stack.say(shopper, f"je veux annuler ma commande {ORDER.number}")
    stack.say(shopper, ORDER.email)
    assert slot(stack.tracker(shopper), "verified_order")  # the identity check ran


@pytest.fixture(scope="module")
def debug_rasa(stack: Stack, trained_model: Path) -> Iterator[str]:
    """A second Rasa server of the session's stack, logging at DEBUG level."""
    stack.start_rasa(
        trained_model, name="rasa-debug", port=free_port(), extra_env={"LOG_LEVEL": "DEBUG"}
    )
    try:
        yield stack.rasa_urls["rasa-debug"]
    finally:
        stack.stop("rasa-debug")


def test_finding_14_rasa_at_debug_level_logs_no_email_order_number_or_conversation_id(
    stack: Stack, debug_rasa: str
) -> None:
    shopper = secrets.token_urlsafe(24)
    stack.say(shopper, f"je veux annuler ma commande {ORDER.number}", rasa_url=debug_rasa)
    stack.say(shopper, ORDER.email, rasa_url=debug_rasa)
    log = (stack.workdir / "rasa-debug.log").read_text(encoding="utf-8", errors="replace")
    assert "processor.message.parse" in log  # Rasa did log the messages, masked
    assert "<email>" in log and "<order>" in log
    for secret in (ORDER.email, ORDER.number, shopper):
        assert secret not in log
    actions_log = (stack.workdir / "actions.log").read_text(encoding="utf-8", errors="replace")
    assert ORDER.email not in actions_log and shopper not in actions_log


def test_finding_14_desk_log_holds_no_conversation_id_email_or_order_number(
    stack: Stack, desk_server: DeskServer
) -> None:
    with httpx.Client(base_url=desk_server.url, timeout=30) as http:
        carry_conversation_tokens(http)  # as the widget does
        conversation = str(http.post("/api/chat").json()["id"])
        for text in (f"annuler la commande {ORDER.number}", ORDER.email):
            sent = http.post(f"/api/chat/{conversation}/messages", json={"text": text})
            assert sent.status_code == 200
        assert http.get(f"/api/chat/{conversation}/messages").status_code == 200
    log = (stack.workdir / "desk.log").read_text(encoding="utf-8", errors="replace")
    for secret in (conversation, ORDER.email, ORDER.number, desk_server.agent_password):
        assert secret not in log
