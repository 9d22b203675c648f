"""The console's operations on a conversation, one route each (claim, reply, note, hand back,
close): every one checks the session's CSRF token before it touches the conversation, takes
its fields from a form or from JSON, and refuses in French (JSON for console.js, the
conversation's page for a plain form)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.desk.conftest import login
from tests.desk.test_handoff import claimed, handed_over

OPERATIONS: dict[str, dict[str, str]] = {
    "claim": {},
    "reply": {"text": "Bonjour, je regarde votre commande."},
    "note": {"text": "Cliente fidèle."},
    "hand-back": {},
    "close": {"outcome": "resolved"},
}


def state(client: TestClient, conversation: str) -> dict[str, Any]:
    view = client.get(f"/console/api/conversations/{conversation}").json()
    return {key: view[key] for key in ("mode", "assignee", "messages", "notes")}


@pytest.mark.parametrize("operation", OPERATIONS)
def test_an_operation_without_the_sessions_csrf_token_changes_nothing(
    client: TestClient, operation: str
) -> None:
    conversation = handed_over(client)
    login(client)
    before = state(client, conversation)
    url = f"/console/conversations/{conversation}/{operation}"
    fields = OPERATIONS[operation]
    assert client.post(url, data=fields).status_code == 403
    assert client.post(url, data={**fields, "csrf_token": "faux"}).status_code == 403
    assert client.post(url, json=fields, headers={"X-CSRF-Token": "faux"}).status_code == 403
    assert state(client, conversation) == before


def test_each_operation_takes_its_fields_as_json(client: TestClient) -> None:
    conversation = handed_over(client)
    csrf = login(client)
    for operation in ("claim", "reply", "note", "close"):
        done = client.post(
            f"/console/conversations/{conversation}/{operation}",
            json=OPERATIONS[operation],
            headers={"X-CSRF-Token": csrf},
        )
        assert done.json() == {"ok": True}, operation
    after = state(client, conversation)
    assert after["mode"] == "closed"
    assert OPERATIONS["reply"]["text"] in [m["text"] for m in after["messages"]]
    assert [n["text"] for n in after["notes"]] == [OPERATIONS["note"]["text"]]


def test_a_refused_form_comes_back_as_the_conversations_page_in_french(
    client: TestClient,
) -> None:
    conversation, csrf = claimed(client)
    page = client.post(
        f"/console/conversations/{conversation}/close",
        data={"csrf_token": csrf, "outcome": "n'importe quoi"},
    )
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert "Choisissez une issue dans la liste." in page.text
    assert state(client, conversation)["mode"] == "agent"


def test_an_unknown_operation_is_an_unknown_address(client: TestClient) -> None:
    conversation = handed_over(client)
    csrf = login(client)
    refused = client.post(
        f"/console/conversations/{conversation}/supprimer", data={"csrf_token": csrf}
    )
    assert refused.status_code == 404 and refused.json()["detail"] == "Adresse introuvable."
