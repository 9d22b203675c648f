"""The dashboard through the desk: the JSON, the page with each section, the CSV export, the
period picker, and who may read it. The figures themselves are tested in
tests/unit/test_dashboard_metrics.py; here the shoppers write through the widget and the bot's
turns are written as the Rasa server's recorder would."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from desk import charts
from devtools.servers import FROZEN_NOW
from shop.store.conversations import Role
from shop.store.db import session_scope
from shop.store.learning import BotTurn, Feedback
from tests.desk.conftest import add_account, login, say, start

NBSP = "\u00a0"


def bot_turns(db: sessionmaker, conversation: str, *turns: tuple[str, str, str | None]) -> None:
    """What the bot understood of each (text, intent, doubt), as the recorder writes it."""
    with session_scope(db) as s:
        for text, intent, doubt in turns:
            s.add(
                BotTurn(
                    conversation_id=conversation,
                    text=text,
                    intent=intent,
                    entities=[],
                    actions=[],
                    doubt=doubt,
                    created_at=FROZEN_NOW,
                )
            )


def test_metrics_count_what_happened(client: TestClient, db: sessionmaker) -> None:
    contained = start(client)
    say(client, contained, "bonjour")
    say(client, contained, "zzz quoi")
    handed = start(client)
    say(client, handed, "zzz quoi")
    say(client, handed, "Parler à un conseiller")
    start(client)  # opened the widget, never wrote: not a conversation
    bot_turns(db, contained, ("bonjour", "greet", None), ("zzz quoi", "greet", "fallback"))
    bot_turns(
        db,
        handed,
        ("ZZZ  quoi", "track_order", "fallback"),
        ("Parler à un conseiller", "human_handoff", None),
    )
    login(client)

    figures = client.get("/console/api/metrics", params={"days": 7}).json()
    assert figures["conversations"] == 2
    assert (figures["contained"], figures["handed_off"]) == (1, 1)
    assert figures["containment_rate"] == 0.5 and figures["handoff_rate"] == 0.5
    assert figures["handoff_reasons"] == {"shopper_request": 1}
    assert figures["classified_messages"] == 4 and figures["fallback_messages"] == 2
    assert figures["fallback_rate"] == 0.5
    assert figures["top_intents"] == [
        {"intent": "nlu_fallback", "count": 2},
        {"intent": "greet", "count": 1},
        {"intent": "human_handoff", "count": 1},
    ]
    assert figures["not_understood"] == [{"text": "zzz quoi", "count": 2, "examples": ["ZZZ quoi"]}]
    assert [d["conversations"] for d in figures["per_day"]] == [0, 0, 0, 0, 0, 0, 2]
    assert figures["per_day"][-1]["day"] == "2026-11-24"
    assert (figures["from"], figures["to"], figures["days"]) == ("2026-11-18", "2026-11-24", 7)
    assert figures["trend"][-1]["conversations"] == 2
    assert figures["first_agent_reply"] == {
        "count": 0,
        "pending": 1,
        "median_s": None,
        "p90_s": None,
        "median": "—",
        "p90": "—",
    }


def test_metrics_by_week_between_two_dates(client: TestClient) -> None:
    conversation = start(client)
    say(client, conversation, "bonjour")
    login(client)
    figures = client.get(
        "/console/api/metrics",
        params={"from": "2026-11-11", "to": "2026-11-24", "granularity": "week"},
    ).json()
    assert figures["days"] == 14 and figures["granularity"] == "week"
    # Wednesday 11 to Sunday 15, then Monday 16 to Sunday 22, then Monday 23 and Tuesday 24.
    assert [(p["start"], p["end"]) for p in figures["trend"]] == [
        ("2026-11-11", "2026-11-15"),
        ("2026-11-16", "2026-11-22"),
        ("2026-11-23", "2026-11-24"),
    ]
    assert [p["conversations"] for p in figures["trend"]] == [0, 0, 1]


def test_ratings_are_shown_per_intent_and_per_faq_entry(
    client: TestClient, db: sessionmaker
) -> None:
    conversation = start(client)
    say(client, conversation, "bonjour")
    with session_scope(db) as s:
        for score, topic in ((1, "faq/sav_reclamation"), (-1, "track_order"), (1, "track_order")):
            s.add(
                Feedback(
                    conversation_id=conversation,
                    kind="answer",
                    score=score,
                    topic=topic,
                    created_at=FROZEN_NOW,
                )
            )
        s.add(Feedback(conversation_id=conversation, kind="agent", score=4, created_at=FROZEN_NOW))
    login(client)
    satisfaction = client.get("/console/api/metrics").json()["satisfaction"]
    assert satisfaction["thumbs_up_rate"] == 2 / 3
    assert satisfaction["per_faq_entry"][0]["label"] == "FAQ : Faire une réclamation"
    assert satisfaction["per_intent"][0]["up_share"] == f"50{NBSP}%"
    assert (satisfaction["agent_ratings"], satisfaction["agent_average"]) == (1, 4.0)

    page = client.get("/console/dashboard").text
    assert "FAQ : Faire une réclamation" in page
    assert f'id="kpi-thumbs-up">67{NBSP}%' in page
    assert f'id="kpi-agent-rating">4,0{NBSP}/{NBSP}5' in page


def test_dashboard_page_draws_every_section(client: TestClient, db: sessionmaker) -> None:
    conversation = start(client)
    say(client, conversation, "bonjour")
    bot_turns(
        db,
        conversation,
        ("bonjour", "greet", None),
        ("mon mail est lea@example.fr ??", "greet", "fallback"),
    )
    login(client)
    page = client.get("/console/dashboard")
    assert page.status_code == 200
    assert page.text.count("<svg") == 5
    assert f'id="kpi-containment">100{NBSP}%' in page.text
    sections = ("trend", "handoffs", "next-steps", "satisfaction", "agents", "topics", "unanswered")
    for section in sections:
        assert f'<section class="card" id="{section}"' in page.text
    assert "Conversations par jour" in page.text and "Salutation seule" in page.text
    assert "mon mail est [e-mail] ??" in page.text and "lea@example.fr" not in page.text
    assert 'aria-current="page">30 derniers jours' in page.text
    assert "style=" not in page.text and "<script>" not in page.text  # the console's CSP


def test_empty_dashboard_has_no_division_by_zero(client: TestClient) -> None:
    login(client)
    page = client.get("/console/dashboard?days=1")
    assert page.status_code == 200 and 'id="kpi-handoff">—' in page.text
    assert 'id="first-reply-median">—' in page.text


def test_csv_export_opens_in_a_french_excel(client: TestClient, db: sessionmaker) -> None:
    conversation = start(client)
    say(client, conversation, "bonjour")
    bot_turns(
        db, conversation, ("a", "greet", None), ("b", "greet", "fallback"), ("c", "greet", None)
    )
    login(client)
    response = client.get("/console/dashboard.csv", params={"days": 7})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert (
        'filename="tableau-de-bord_2026-11-18_2026-11-24.csv"'
        in response.headers["content-disposition"]
    )
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [row["début"] for row in rows] == [
        (FROZEN_NOW.date() - timedelta(days=6 - n)).isoformat() for n in range(7)
    ]
    today = rows[-1]
    assert (today["conversations"], today["sans conseiller"]) == ("1", "1")
    assert today["taux de non-compris (%)"] == "33,3"
    assert today["taux sans conseiller (%)"] == "100,0"
    assert rows[0]["taux sans conseiller (%)"] == ""  # nothing to divide that day


def test_a_period_that_makes_no_sense_is_refused_in_french(client: TestClient) -> None:
    login(client)
    page = client.get("/console/dashboard", params={"from": "2026-11-24", "to": "2026-11-01"})
    assert page.status_code == 400
    assert "La date de fin est avant la date de début." in page.text
    assert 'value="2026-11-01"' in page.text  # what was typed stays in the form
    for params in (
        {"days": "0"},
        {"days": "abc"},
        {"days": "²"},
        {"from": "24/11/2026"},
        {"from": "0001-01-01"},
        {"to": "9999-12-31"},
        {"granularity": "x"},
    ):
        answer = client.get("/console/api/metrics", params=params)
        assert answer.status_code == 400, params
        assert answer.json()["detail"].endswith(".")
    too_long = client.get("/console/dashboard.csv", params={"from": "2024-01-01"})
    assert too_long.status_code == 400
    assert too_long.json()["detail"] == "Une période dure au plus 366 jours."


def test_logged_out_reader_gets_401_or_the_login_page(client: TestClient) -> None:
    assert client.get("/console/api/metrics").status_code == 401
    assert client.get("/console/dashboard.csv").status_code == 401
    page = client.get("/console/dashboard?days=7", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/console/login?next=/console/dashboard")


def test_an_editor_reads_the_dashboard_too(client: TestClient, db: sessionmaker) -> None:
    add_account(db, "eve", "mot-de-passe-editeur", Role.EDITOR)
    login(client, "eve", "mot-de-passe-editeur")
    assert client.get("/console/dashboard").status_code == 200
    assert client.get("/console/dashboard.csv").status_code == 200
    assert client.get("/console/api/metrics").status_code == 200


def test_trend_line_breaks_on_a_day_without_value_and_says_so() -> None:
    svg = charts.percent_line_chart(
        "Évolution",
        ["01/11", "02/11", "03/11", "04/11"],
        [charts.Line("Non compris", "#a40e26", [0.5, None, 0.2, 0.3])],
    )
    assert svg.count("<polyline") == 1  # 03/11 to 04/11; 01/11 stands alone as a dot
    assert svg.count("<circle") == 3
    assert f"Non compris : 01/11 50{NBSP}%, 02/11 —, 03/11 20{NBSP}%, 04/11 30{NBSP}%" in svg


def test_ninety_days_of_columns_keep_their_axis_readable() -> None:
    points = [(f"{n:02d}", n) for n in range(90)]
    svg = charts.column_chart("Conversations par jour", points)
    assert svg.count('text-anchor="middle" fill=') <= 16  # one date label in six
    assert svg.count("</title>") == 91  # still every day in a tooltip, plus the chart's title


def test_chart_counts_space_their_thousands_as_the_figures_do() -> None:
    columns = charts.column_chart("Conversations par jour", [("01/11", 12345), ("02/11", 7)])
    bars = charts.bar_chart("Motifs de transfert", [("Demande du client", 1200)])
    assert ">12\u202f345</text>" in columns and "01/11 : 12\u202f345, 02/11 : 7" in columns
    assert ">1\u202f200</text>" in bars and "Demande du client : 1\u202f200" in bars
