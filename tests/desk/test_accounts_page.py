"""The accounts page: an admin lists the console's accounts, creates one with a role and an
initial password, changes a role; bad input is refused in French and nothing is created; the
last admin keeps the role; every change is in the audit log; CSRF on every form."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from desk.security import verify_password
from shop.store import conversation_repository as repo
from shop.store.audit import AuditEvent
from shop.store.conversations import Agent, Role
from shop.store.db import session_scope
from tests.desk.conftest import ADMIN, ADMIN_PASSWORD, AGENT, login

PASSWORD = "bienvenue-a-la-boutique"


def account(db: sessionmaker, username: str) -> tuple[str, str, str] | None:
    with session_scope(db) as session:
        agent = repo.find_agent(session, username)
        if agent is None:
            return None
        return str(agent.display_name), str(agent.role), str(agent.password_hash)


def audit_actions(db: sessionmaker) -> list[tuple[str, str, str | None, dict[str, str]]]:
    with session_scope(db) as session:
        rows = session.query(AuditEvent).order_by(AuditEvent.id).all()
        return [(r.actor, r.action, r.target, dict(r.detail)) for r in rows]


def test_an_admin_sees_every_account_with_its_role(client: TestClient) -> None:
    login(client, ADMIN, ADMIN_PASSWORD)
    page = client.get("/console/comptes")
    assert page.status_code == 200
    rows = page.text.split("<tbody>")[1].split("</tbody>")[0]
    assert rows.index('data-username="camille"') < rows.index('data-username="louise"')
    louise = rows.split('data-username="louise"')[1].split("</tr>")[0]
    assert "Louise" in louise and 'value="agent" selected' in louise


def test_an_admin_creates_an_editor_who_can_log_in(client: TestClient, db: sessionmaker) -> None:
    csrf = login(client, ADMIN, ADMIN_PASSWORD)
    form = {
        "username": " Eliane.R ",
        "display_name": "Éliane",
        "role": "editor",
        "password": PASSWORD,
    }
    assert client.post("/console/comptes", data=form).status_code == 403  # no CSRF token
    assert account(db, "eliane.r") is None
    created = client.post("/console/comptes", data={**form, "csrf_token": csrf})
    assert created.status_code == 200 and "Le compte est créé" in created.text
    stored = account(db, "eliane.r")
    assert stored is not None and stored[:2] == ("Éliane", "editor")
    assert verify_password(PASSWORD, stored[2])
    assert audit_actions(db) == [(ADMIN, "account.create", "eliane.r", {"role": "editor"})]

    client.cookies.clear()
    login(client, "eliane.r", PASSWORD)
    assert client.get("/console/revue", follow_redirects=False).status_code != 403
    assert client.get("/console/comptes").status_code == 403


def test_a_new_account_is_refused_in_french_when_its_fields_are_wrong(
    client: TestClient, db: sessionmaker
) -> None:
    csrf = login(client, ADMIN, ADMIN_PASSWORD)
    good = {"username": "paul", "display_name": "Paul", "role": "agent", "password": PASSWORD}
    cases = [
        ({"username": "p"}, 422, "L'identifiant compte de 2 à 80 caractères"),
        ({"username": "paul <b>"}, 422, "L'identifiant compte de 2 à 80 caractères"),
        ({"role": "superuser"}, 422, "Choisissez un rôle"),
        ({"password": "court"}, 422, "Le mot de passe initial doit compter au moins 10"),
        ({"username": AGENT}, 409, "Cet identifiant est déjà pris."),
    ]
    for change, status, message in cases:
        response = client.post("/console/comptes", data={**good, **change, "csrf_token": csrf})
        assert response.status_code == status, change
        assert message in html.unescape(response.text), change
        assert 'value="Paul"' in response.text  # what was typed is still in the form
    assert account(db, "paul") is None and account(db, "p") is None
    assert account(db, AGENT) is not None and account(db, AGENT)[1] == "agent"  # type: ignore[index]


def test_an_admin_changes_a_role_and_it_applies_at_once(
    client: TestClient,
    make_client,
    db: sessionmaker,  # type: ignore[no-untyped-def]
) -> None:
    louise = make_client()
    login(louise)
    assert louise.get("/console/donnees-personnelles").status_code == 403

    csrf = login(client, ADMIN, ADMIN_PASSWORD)
    changed = client.post(
        f"/console/comptes/{AGENT}/role", data={"role": "admin", "csrf_token": csrf}
    )
    assert changed.status_code == 200 and "Le rôle est changé" in changed.text
    assert louise.get("/console/donnees-personnelles").status_code == 200
    assert audit_actions(db)[-1] == (ADMIN, "account.role", AGENT, {"from": "agent", "to": "admin"})

    unknown = client.post(
        "/console/comptes/personne/role", data={"role": "agent", "csrf_token": csrf}
    )
    assert unknown.status_code == 404 and "Ce compte n&#39;existe pas." in unknown.text
    bad = client.post(f"/console/comptes/{AGENT}/role", data={"role": "chef", "csrf_token": csrf})
    assert bad.status_code == 422 and account(db, AGENT)[1] == "admin"  # type: ignore[index]


def test_the_last_admin_cannot_lose_the_role(client: TestClient, db: sessionmaker) -> None:
    with session_scope(db) as session:
        admins = session.query(Agent).filter(Agent.role == Role.ADMIN.value).all()
        assert [a.username for a in admins] == [ADMIN]
    csrf = login(client, ADMIN, ADMIN_PASSWORD)
    refused = client.post(
        f"/console/comptes/{ADMIN}/role", data={"role": "editor", "csrf_token": csrf}
    )
    assert refused.status_code == 409
    assert f"{ADMIN} est le dernier administrateur" in refused.text
    assert account(db, ADMIN)[1] == "admin"  # type: ignore[index]

    client.post(f"/console/comptes/{AGENT}/role", data={"role": "admin", "csrf_token": csrf})
    demoted = client.post(
        f"/console/comptes/{ADMIN}/role", data={"role": "editor", "csrf_token": csrf}
    )
    assert demoted.status_code == 403  # done: camille is an editor now, the page is for admins
    assert account(db, ADMIN)[1] == "editor"  # type: ignore[index]
