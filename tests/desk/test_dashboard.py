"""Dashboard numbers: containment, handoff and fallback rates, intents, not-understood questions."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.desk.conftest import login, say, start


def test_metrics_count_what_happened(client: TestClient) -> None:
    contained = start(client)
    say(client, contained, "bonjour")
    say(client, contained, "zzz quoi")
    handed = start(client)
    say(client, handed, "zzz quoi")
    say(client, handed, "Parler à un conseiller")
    start(client)  # opened the widget, never wrote: not a conversation
    login(client)

    figures = client.get("/console/api/metrics", params={"days": 7}).json()
    assert figures["conversations"] == 2
    assert (figures["contained"], figures["handed_off"]) == (1, 1)
    assert figures["containment_rate"] == 0.5 and figures["handoff_rate"] == 0.5
    assert figures["handoff_reasons"] == {"shopper_request": 1}
    assert figures["classified_messages"] == 4 and figures["fallback_messages"] == 2
    assert figures["fallback_rate"] == 0.5
    assert figures["top_intents"][0] == {"intent": "nlu_fallback", "count": 2}
    assert figures["not_understood"] == [{"text": "zzz quoi", "count": 2}]
    assert [d["conversations"] for d in figures["per_day"]] == [0, 0, 0, 0, 0, 0, 2]
    assert figures["per_day"][-1]["day"] == "2026-11-24"


def test_dashboard_page_draws_svg_charts(client: TestClient) -> None:
    conversation = start(client)
    say(client, conversation, "bonjour")
    login(client)
    page = client.get("/console/dashboard")
    assert page.status_code == 200
    assert page.text.count("<svg") == 3
    assert 'id="kpi-containment">100 %' in page.text
    assert "Conversations par jour" in page.text and "greet" in page.text


def test_empty_dashboard_has_no_division_by_zero(client: TestClient) -> None:
    login(client)
    page = client.get("/console/dashboard?days=1")
    assert page.status_code == 200 and 'id="kpi-handoff">—' in page.text
