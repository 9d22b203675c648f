"""Console roles: every /console route of the app lets exactly its roles through (agents answer
shoppers, editors review what the bot understood, admins do both and manage accounts and
personal data), 403 in French for the others, the login page or 401 for nobody. A new console
route that no rule below covers fails here, so each one gets its role decided.

The command line names roles too: ``--role`` for a new account, ``--set-role`` for an existing
one, never leaving the console without an administrator; accounts made before roles are agents.
"""

from __future__ import annotations

import fnmatch
import html
import io
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from desk import create_agent
from desk.app import create_app
from desk.bootstrap import prepare_database
from desk.settings import Settings
from devtools.servers import FROZEN_NOW, ROOT
from shop.store import conversation_repository as repo
from shop.store.conversations import Agent, Role
from shop.store.db import make_engine, make_session_factory, session_scope
from tests.desk.client import DeskTestClient
from tests.desk.conftest import FAST_SCRYPT_N, add_account, login

FORBIDDEN = "Votre compte n'a pas accès à cette page."
AGENT, EDITOR, ADMIN = Role.AGENT, Role.EDITOR, Role.ADMIN
EVERYONE = {AGENT, EDITOR, ADMIN}
OPEN = {"/console/login", "/console/logout"}  # the way in and out, for anybody
# Who may use a console path, first matching pattern wins.
RULES: list[tuple[str, set[Role]]] = [
    ("/console", {AGENT, ADMIN}),
    ("/console/conversations/*", {AGENT, ADMIN}),
    ("/console/api/queue", {AGENT, ADMIN}),
    ("/console/api/conversations/*", {AGENT, ADMIN}),
    ("/console/api/me", EVERYONE),
    ("/console/mot-de-passe", EVERYONE),
    ("/console/dashboard*", EVERYONE),
    ("/console/api/metrics*", EVERYONE),
    ("/console/revue*", {EDITOR, ADMIN}),
    ("/console/comptes*", {ADMIN}),
    ("/console/donnees-personnelles*", {ADMIN}),
]
PASSWORD = "un-mot-de-passe-solide"
NAMES = {AGENT: "louise", EDITOR: "eliane", ADMIN: "camille"}


def console_routes() -> list[tuple[str, str]]:
    """(method, path) of every console route of the real app."""
    settings = Settings(database_url="sqlite://", secret_key="s" * 48)
    routes = []
    for route in create_app(settings).routes:
        if isinstance(route, APIRoute) and route.path.startswith("/console"):
            routes += [(method, route.path) for method in sorted(route.methods)]
    return routes


ROUTES = [route for route in console_routes() if route[1] not in OPEN]


def allowed_roles(path: str) -> set[Role]:
    for pattern, roles in RULES:
        if fnmatch.fnmatchcase(path, pattern):
            return roles
    raise AssertionError(f"no role rule for the console route {path}: add one to RULES")


def concrete(path: str) -> str:
    """The route's path with its parameters filled (an unknown conversation)."""
    return re.sub(r"\{[^}]+\}", "inconnue", path)


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, sessionmaker]]:
    folder = tmp_path_factory.mktemp("roles")
    url = f"sqlite:///{folder / 'shop.db'}"
    engine = make_engine(url)
    prepare_database(engine)
    sessions = make_session_factory(engine)
    for role, name in NAMES.items():
        add_account(sessions, name, PASSWORD, role)
    settings = Settings(
        rasa_url="http://127.0.0.1:9",  # no Rasa: none of these requests reaches the bot
        database_url=url,
        secret_key="s" * 48,
        var_dir=folder / "var",
        knowledge_dir=ROOT / "knowledge" / "faq",
        password_scrypt_n=FAST_SCRYPT_N,
        create_demo_agent=False,
        relay_retry_s=0,
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SHOP_NOW", FROZEN_NOW.isoformat())
        patch.setenv("SHOP_REVIEW_EXPORT_ROOT", str(folder / "export"))
        yield settings, sessions
    engine.dispose()


@pytest.fixture(scope="module")
def clients(
    desk: tuple[Settings, sessionmaker],
) -> Iterator[dict[Role | None, tuple[TestClient, str]]]:
    settings, _ = desk
    made: dict[Role | None, tuple[TestClient, str]] = {}
    for role in (None, *NAMES):
        client = DeskTestClient(create_app(replace(settings)))
        client.__enter__()
        csrf = login(client, NAMES[role], PASSWORD) if role else ""
        made[role] = (client, csrf)
    yield made
    for client, _ in made.values():
        client.__exit__(None, None, None)


def test_every_console_route_has_a_role_rule() -> None:
    assert ROUTES, "the app has console routes"
    for _, path in ROUTES:
        allowed_roles(path)


@pytest.mark.parametrize("role", [AGENT, EDITOR, ADMIN, None], ids=lambda r: r or "nobody")
@pytest.mark.parametrize("method,path", ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_a_console_route_lets_exactly_its_roles_through(
    clients: dict[Role | None, tuple[TestClient, str]], role: Role | None, method: str, path: str
) -> None:
    client, csrf = clients[role]
    if method == "GET":
        response = client.get(concrete(path), follow_redirects=False)
    else:
        response = client.post(concrete(path), data={"csrf_token": csrf}, follow_redirects=False)
    if role is None:
        to_login = response.status_code == 303 and response.headers["location"].startswith(
            "/console/login"
        )
        assert response.status_code == 401 or to_login, response.text
    elif role in allowed_roles(path):
        assert response.status_code not in (401, 403), response.text
    else:
        assert response.status_code == 403 and FORBIDDEN in html.unescape(response.text)


def test_the_login_page_and_the_console_files_stay_open_to_nobody(
    clients: dict[Role | None, tuple[TestClient, str]],
) -> None:
    client, _ = clients[None]
    assert client.get("/console/login").status_code == 200
    assert client.get("/static/console.js").status_code == 200
    assert client.get("/static/console.css").status_code == 200


def test_a_page_refused_to_a_role_is_a_french_page_with_that_roles_menu(
    clients: dict[Role | None, tuple[TestClient, str]],
) -> None:
    client, _ = clients[EDITOR]
    page = client.get("/console")
    assert page.status_code == 403 and page.headers["content-type"].startswith("text/html")
    assert "Accès refusé" in page.text and FORBIDDEN in html.unescape(page.text)
    assert 'href="/console/dashboard"' in page.text
    assert 'href="/console/donnees-personnelles"' not in page.text


@pytest.mark.parametrize(
    "role,menu",
    [
        (AGENT, ["/console", "/console/dashboard", "/console/mot-de-passe"]),
        (EDITOR, ["/console/revue", "/console/dashboard", "/console/mot-de-passe"]),
        (
            ADMIN,
            [
                "/console",
                "/console/revue",
                "/console/dashboard",
                "/console/comptes",
                "/console/donnees-personnelles",
                "/console/mot-de-passe",
            ],
        ),
    ],
)
def test_the_menu_shows_only_what_the_role_may_open(
    clients: dict[Role | None, tuple[TestClient, str]], role: Role, menu: list[str]
) -> None:
    client, _ = clients[role]
    page = client.get("/console/mot-de-passe")
    nav = page.text.split('<nav aria-label="Console">')[1].split("</nav>")[0]
    assert re.findall(r'href="([^"]+)"', nav) == menu
    for link in menu:
        assert client.get(link).status_code == 200, link


@pytest.mark.parametrize("role,home", [(AGENT, "/console"), (EDITOR, "/console/revue")])
def test_a_login_lands_on_the_first_page_the_role_may_open(
    desk: tuple[Settings, sessionmaker], role: Role, home: str
) -> None:
    settings, _ = desk
    with DeskTestClient(create_app(settings)) as client:
        page = client.get("/console/login")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        response = client.post(
            "/console/login",
            data={"csrf_token": token, "username": NAMES[role], "password": PASSWORD},
            follow_redirects=False,
        )
        assert response.status_code == 303 and response.headers["location"] == home
        assert client.get(home).status_code == 200


def test_a_role_change_applies_to_an_open_session(
    desk: tuple[Settings, sessionmaker],
) -> None:
    settings, sessions = desk
    add_account(sessions, "maxime", PASSWORD)
    with DeskTestClient(create_app(settings)) as client:
        login(client, "maxime", PASSWORD)
        assert client.get("/console/donnees-personnelles").status_code == 403
        with session_scope(sessions) as session:
            agent = repo.find_agent(session, "maxime")
            assert agent is not None
            agent.role = Role.ADMIN.value
        assert client.get("/console/donnees-personnelles").status_code == 200


# --- the command line -------------------------------------------------------------------------


def run_cli(monkeypatch: pytest.MonkeyPatch, *argv: str, password: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return create_agent.main(list(argv))


def role_of(db: sessionmaker, username: str) -> str:
    with session_scope(db) as session:
        agent = repo.find_agent(session, username)
        assert agent is not None
        return str(agent.role)


def test_the_command_line_creates_an_account_with_a_role_and_changes_it(
    database_url: str, db: sessionmaker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SHOP_DATABASE_URL", database_url)
    monkeypatch.setenv("DESK_VAR_DIR", str(tmp_path))
    assert run_cli(monkeypatch, "sophie", "--password-stdin", password="mot-de-passe-long") == 0
    assert role_of(db, "sophie") == "agent"
    assert (
        run_cli(monkeypatch, "eric", "--role", "editor", "--password-stdin", password=PASSWORD) == 0
    )
    assert role_of(db, "eric") == "editor"
    assert run_cli(monkeypatch, "sophie", "--set-role", "admin") == 0
    assert role_of(db, "sophie") == "admin"
    assert run_cli(monkeypatch, "nobody", "--set-role", "admin") == 1
    with pytest.raises(SystemExit):
        run_cli(monkeypatch, "sophie", "--reset", "--role", "agent", "--password-stdin")


def test_the_command_line_keeps_the_last_admin(
    database_url: str, db: sessionmaker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SHOP_DATABASE_URL", database_url)
    monkeypatch.setenv("DESK_VAR_DIR", str(tmp_path))
    with session_scope(db) as session:
        for agent in session.query(Agent).filter(Agent.role == "admin"):
            agent.role = "agent"
    assert run_cli(monkeypatch, "louise", "--set-role", "admin") == 0
    assert run_cli(monkeypatch, "louise", "--set-role", "editor") == 1
    assert role_of(db, "louise") == "admin"


def test_accounts_made_before_roles_are_agents(tmp_path: Path) -> None:
    """A database the release before roles made (written by that release's own code)."""
    path = tmp_path / "old.db"
    previous = sqlite3.connect(path)
    previous.executescript((ROOT / "tests/migrations/release_7605cbd.sqlite.sql").read_text())
    previous.close()
    engine = make_engine(f"sqlite:///{path}")
    prepare_database(engine)
    with session_scope(make_session_factory(engine)) as session:
        agent = repo.find_agent(session, "camille")
        assert agent is not None and agent.role == Role.AGENT.value
    engine.dispose()
