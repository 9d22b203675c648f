"""The review inbox in the console: the messages the bot was unsure about, grouped with their
reasons in French and the bot's guesses, personal data never shown; one POST labels a group
(it leaves the inbox), undo brings it back, an unknown intent is refused in French and
nothing is labelled, the export writes its files under the export root; agents may not."""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from devtools.servers import FROZEN_NOW, ROOT
from shop.store.conversations import Role
from shop.store.db import session_scope
from shop.store.learning import BotTurn, ReviewLabel
from tests.desk.conftest import add_account, login

EDITOR = "eliane"
EDITOR_PASSWORD = "le-mot-de-passe-d-eliane"
WHERE = "où est ma commande 482913 ? claire.martin@gmail.com"
WATCHES = "vous vendez des montres pour homme ?"


def add_turn(db: sessionmaker, text: str, minutes_ago: int = 5, **fields: object) -> int:
    with session_scope(db) as session:
        turn = BotTurn(
            conversation_id=f"c-{minutes_ago}-{len(text)}",
            text=text,
            entities=[],
            actions=[],
            created_at=FROZEN_NOW - timedelta(minutes=minutes_ago),
            **fields,
        )
        session.add(turn)
        session.flush()
        return int(turn.id)


def seed_inbox(db: sessionmaker) -> dict[str, list[int]]:
    """Three messages about a parcel (the bot hesitated about tracking), one about watches
    (out of scope), and one the bot was sure of (not for review)."""
    where = [
        add_turn(db, WHERE, 50, intent="track_order", confidence=0.41, doubt="fallback"),
        add_turn(
            db,
            "où est ma commande 615024 ?",
            40,
            intent="track_order",
            confidence=0.52,
            next_step="rephrased",
        ),
        add_turn(db, "ou est ma commande 390172", 30, intent="lost_parcel", doubt="low_confidence"),
    ]
    watches = [add_turn(db, WATCHES, 20, intent="out_of_scope", confidence=0.3, doubt="fallback")]
    sure = [add_turn(db, "je veux annuler ma commande", 10, intent="cancel_order", confidence=0.97)]
    return {"where": where, "watches": watches, "sure": sure}


@pytest.fixture()
def editor(client: TestClient, db: sessionmaker) -> str:
    """``client`` logged in as an editor; returns the CSRF token."""
    add_account(db, EDITOR, EDITOR_PASSWORD, Role.EDITOR)
    return login(client, EDITOR, EDITOR_PASSWORD)


def groups_of(page: str) -> dict[str, str]:
    """Each group's representative text → its form's turn ids."""
    groups = {}
    for block in page.split('<li class="group"')[1:]:
        text = html.unescape(re.search(r"<q>(.*?)</q>", block, re.S).group(1))  # type: ignore[union-attr]
        groups[text] = re.search(r'name="turns" value="([^"]+)"', block).group(1)  # type: ignore[union-attr]
    return groups


def live_labels(db: sessionmaker) -> list[tuple[int, str, str | None, str]]:
    with session_scope(db) as session:
        rows = session.query(ReviewLabel).filter(ReviewLabel.undone_at.is_(None))
        return sorted((r.turn_id, r.kind, r.value, r.editor) for r in rows)


def test_the_inbox_groups_unsure_messages_with_reasons_and_guesses_without_personal_data(
    client: TestClient, db: sessionmaker, editor: str
) -> None:
    turns = seed_inbox(db)
    page = client.get("/console/revue")
    assert page.status_code == 200
    groups = groups_of(page.text)
    where = "où est ma commande [n° de commande] ? [e-mail]"
    assert groups == {
        where: ",".join(map(str, turns["where"])),
        WATCHES: ",".join(map(str, turns["watches"])),
    }
    text = html.unescape(page.text)
    for secret in ("482913", "615024", "390172", "claire.martin@gmail.com"):
        assert secret not in text
    first = text.split('<li class="group"')[1]
    assert "3 messages" in first
    for reason in ("n'a pas compris", "confiance faible", "reformulé"):
        assert reason in first
    suggestions = re.findall(r'data-shortcut="(\d)">\s*<kbd>\d</kbd> ([^<]+)<code>([^<]+)', first)
    assert [(n, title.strip(), value) for n, title, value in suggestions] == [
        ("1", "Suivre une commande ou un colis", "track_order"),
        ("2", "Colis perdu, volé ou marqué livré sans être reçu", "lost_parcel"),
    ]
    assert "je veux annuler ma commande" not in text


def test_labelling_a_group_removes_it_and_undo_brings_it_back(
    client: TestClient, db: sessionmaker, editor: str
) -> None:
    turns = seed_inbox(db)
    first_key, watches_key = turns["where"][0], turns["watches"][0]
    form = {
        "csrf_token": editor,
        "turns": ",".join(map(str, turns["where"])),
        "choice": "intent:track_order",
        "next": str(watches_key),
    }
    assert (
        client.post("/console/revue/etiqueter", data={**form, "csrf_token": ""}).status_code == 403
    )
    done = client.post("/console/revue/etiqueter", data=form, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == f"/console/revue?fait=etiquete&n=3#groupe-{watches_key}"
    assert live_labels(db) == [(t, "intent", "track_order", EDITOR) for t in turns["where"]]
    page = client.get(done.headers["location"])
    assert "3 messages étiquetés." in page.text
    assert list(groups_of(page.text)) == [WATCHES]
    recent = html.unescape(page.text.split('id="recent"')[1])
    assert "où est ma commande [n° de commande]" in recent and "track_order" in recent

    undone = client.post(
        "/console/revue/annuler", data={"csrf_token": editor}, follow_redirects=False
    )
    assert (
        undone.status_code == 303 and undone.headers["location"] == "/console/revue?fait=annule&n=3"
    )
    page = client.get(undone.headers["location"])
    assert f'id="groupe-{first_key}"' in page.text and len(groups_of(page.text)) == 2
    assert live_labels(db) == []
    nothing = client.post("/console/revue/annuler", data={"csrf_token": editor})
    assert "Rien à annuler." in nothing.text


def test_out_of_scope_new_faq_and_a_searched_faq_entry_label_a_group(
    client: TestClient, db: sessionmaker, editor: str
) -> None:
    first = add_turn(db, WATCHES, 20, doubt="fallback")
    second = add_turn(db, "faites-vous des gravures sur les alliances ?", 15, doubt="ambiguous")
    third = add_turn(db, "livrez-vous au japon ?", 12, doubt="fallback")
    client.post(
        "/console/revue/etiqueter",
        data={"csrf_token": editor, "turns": str(first), "choice": "out_of_scope"},
    )
    client.post(
        "/console/revue/etiqueter",
        data={"csrf_token": editor, "turns": str(second), "choice": "other", "other": "gravure"},
    )
    client.post(
        "/console/revue/etiqueter",
        data={"csrf_token": editor, "turns": str(third), "choice": "new_faq"},
    )
    assert live_labels(db) == [
        (first, "out_of_scope", None, EDITOR),
        (second, "faq", "bijoux_gravure", EDITOR),
        (third, "new_faq", None, EDITOR),
    ]
    assert groups_of(client.get("/console/revue").text) == {}


def test_an_unknown_intent_is_refused_in_french_and_nothing_is_labelled(
    client: TestClient, db: sessionmaker, editor: str
) -> None:
    turns = seed_inbox(db)
    form = {"csrf_token": editor, "turns": ",".join(map(str, turns["watches"]))}
    typed = client.post(
        "/console/revue/etiqueter", data={**form, "choice": "other", "other": "commander_pizza"}
    )
    assert typed.status_code == 422
    assert "« commander_pizza » n'est ni une intention ni une entrée de FAQ" in html.unescape(
        typed.text
    )
    assert WATCHES in groups_of(typed.text)  # the page, with the group still there
    as_json = client.post(
        "/console/revue/etiqueter",
        json={**form, "choice": "faq:livraison_sur_mars"},
        headers={"X-CSRF-Token": editor},
    )
    assert as_json.status_code == 422
    assert as_json.json()["detail"].startswith("« livraison_sur_mars » n'est ni une intention")
    empty = client.post("/console/revue/etiqueter", data={**form, "choice": "other", "other": " "})
    assert empty.status_code == 422 and "Choisissez une intention" in empty.text
    gone = client.post(
        "/console/revue/etiqueter", data={**form, "turns": "99999", "choice": "new_faq"}
    )
    assert gone.status_code == 422 and "plus dans la revue" in gone.text
    assert live_labels(db) == []


def test_the_export_writes_the_reviewed_examples_under_the_export_root(
    client: TestClient,
    db: sessionmaker,
    editor: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SHOP_REVIEW_EXPORT_ROOT", str(tmp_path / "export"))
    turns = seed_inbox(db)
    client.post(
        "/console/revue/etiqueter",
        data={
            "csrf_token": editor,
            "turns": ",".join(map(str, turns["where"])),
            "choice": "intent:track_order",
        },
    )
    client.post(
        "/console/revue/etiqueter",
        data={"csrf_token": editor, "turns": str(turns["watches"][0]), "choice": "new_faq"},
    )
    assert client.post("/console/revue/exporter", data={}).status_code == 403
    report = client.post("/console/revue/exporter", data={"csrf_token": editor})
    assert report.status_code == 200 and "Export effectué" in report.text
    rows = re.findall(
        r"<tr><td>([^<]+)</td><td>(\d+)</td><td><code>([^<]+)</code>",
        html.unescape(report.text.split('id="export-report"')[1]),
    )
    root = tmp_path / "export"
    training, heldout, drafts = (Path(path) for _, _, path in rows)
    assert training == root / "bot" / "data" / "reviewed.yml"
    assert heldout == root / "tests" / "nlu" / "reviewed_heldout.yml"
    assert drafts == root / "knowledge" / "faq" / "a_rediger.yml"
    # three messages, two wordings once redacted and folded (« ou est ma commande [n°] »)
    assert int(rows[0][1]) + int(rows[1][1]) == 2 and rows[2][1] == "1"
    written = training.read_text(encoding="utf-8") + heldout.read_text(encoding="utf-8")
    assert "intent: track_order" in written
    assert "482913" not in written and "claire.martin" not in written
    assert "montres pour homme" in drafts.read_text(encoding="utf-8")


def test_an_agent_may_not_open_or_use_the_review_inbox(
    client: TestClient, db: sessionmaker
) -> None:
    turns = seed_inbox(db)
    csrf = login(client)
    assert client.get("/console/revue").status_code == 403
    form = {"csrf_token": csrf, "turns": str(turns["watches"][0]), "choice": "out_of_scope"}
    assert client.post("/console/revue/etiqueter", data=form).status_code == 403
    assert client.post("/console/revue/annuler", data={"csrf_token": csrf}).status_code == 403
    assert client.post("/console/revue/exporter", data={"csrf_token": csrf}).status_code == 403
    assert live_labels(db) == []


def test_the_export_keeps_a_label_naming_an_entry_of_the_desks_own_faq_folder(
    make_client: Callable[..., TestClient],
    db: sessionmaker,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The desk's FAQ folder is the one its editors choose from, whatever KNOWLEDGE_DIR says."""
    folder = tmp_path / "faq"
    shutil.copytree(ROOT / "knowledge" / "faq", folder)
    (folder / "gravure.yml").write_text(
        "- id: gravure_prenom\n"
        "  title: Gravure d'un prénom\n"
        "  question: Pouvez-vous graver un prénom ?\n"
        "  answer: Oui, jusqu'à douze lettres.\n"
        "  examples:\n"
        "    - gravure prénom possible\n"
        "  tags: [bijoux]\n"
        "  source: {document: 001_92e98ef0ecfea5a2.txt, section: Gravure}\n",
        encoding="utf-8",
    )
    monkeypatch.delenv("KNOWLEDGE_DIR", raising=False)
    monkeypatch.setenv("SHOP_REVIEW_EXPORT_ROOT", str(tmp_path / "export"))
    client = make_client(knowledge_dir=folder)
    add_account(db, EDITOR, EDITOR_PASSWORD, Role.EDITOR)
    csrf = login(client, EDITOR, EDITOR_PASSWORD)
    turn = add_turn(db, "vous gravez les prénoms sur les bagues ?", doubt="fallback")
    form = {"csrf_token": csrf, "turns": str(turn), "choice": "faq:gravure_prenom"}
    assert client.post("/console/revue/etiqueter", data=form).status_code == 200

    report = client.post(
        "/console/revue/exporter", data={"csrf_token": csrf}, headers={"Accept": "application/json"}
    )

    assert report.status_code == 200 and report.json()["notes"] == []
    exported = [Path(row["path"]).read_text(encoding="utf-8") for row in report.json()["files"]]
    assert "faq/gravure_prenom" in "".join(exported)
