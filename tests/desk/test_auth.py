"""Console authentication: sessions, redirects, wrong passwords, CSRF on every POST, logout."""

from __future__ import annotations

from fastapi.testclient import TestClient

from desk.security import SESSION_COOKIE, hash_password, verify_password
from tests.desk.conftest import AGENT, FAST_SCRYPT_N, login, login_csrf, start


def test_password_hash_is_salted_and_verifiable() -> None:
    first = hash_password("secret-123", FAST_SCRYPT_N)
    second = hash_password("secret-123", FAST_SCRYPT_N)
    assert first != second
    assert verify_password("secret-123", first)
    assert not verify_password("secret-124", first)
    assert not verify_password("secret-123", "garbage")


def test_api_without_session_is_401(client: TestClient) -> None:
    assert client.get("/console/api/queue").status_code == 401
    assert client.get("/console/api/metrics").status_code == 401
    assert client.post("/console/conversations/abc/claim").status_code == 401


def test_pages_without_session_redirect_to_login(client: TestClient) -> None:
    for path in ("/console", "/console/dashboard", "/console/conversations/x" * 1):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/console/login?next=/console")


def test_an_absurdly_long_address_returns_to_the_console_home_after_login(
    client: TestClient,
) -> None:
    response = client.get("/console/dashboard?days=" + "9" * 30_000, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/console/login?next=/console"
    kept = client.get("/console/dashboard?days=7", follow_redirects=False)
    assert kept.headers["location"] == "/console/login?next=/console/dashboard%3Fdays%3D7"


def test_wrong_password_is_refused_with_the_same_message(client: TestClient) -> None:
    for username, password in ((AGENT, "mauvais"), ("inconnu", "mauvais")):
        token = login_csrf(client)
        response = client.post(
            "/console/login",
            data={"csrf_token": token, "username": username, "password": password},
            follow_redirects=False,
        )
        assert response.status_code == 401
        assert "Identifiant ou mot de passe incorrect." in response.text
        assert SESSION_COOKIE not in response.cookies


def test_login_without_or_with_wrong_csrf_is_403(client: TestClient) -> None:
    login_csrf(client)
    data = {"username": AGENT, "password": "x"}
    assert client.post("/console/login", data=data).status_code == 403
    assert client.post("/console/login", data={**data, "csrf_token": "faux"}).status_code == 403


def test_login_sets_a_httponly_lax_cookie_and_opens_the_console(client: TestClient) -> None:
    token = login_csrf(client)
    response = client.post(
        "/console/login",
        data={"csrf_token": token, "username": AGENT, "password": "un-mot-de-passe-solide"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/console"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    page = client.get("/console")
    assert page.status_code == 200 and "File d'attente" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_cookies_are_secure_over_https(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(base_url="https://testserver")
    token = login_csrf(client)
    response = client.post(
        "/console/login",
        data={"csrf_token": token, "username": AGENT, "password": "un-mot-de-passe-solide"},
        follow_redirects=False,
    )
    assert "Secure" in response.headers["set-cookie"]


def test_console_posts_need_the_session_csrf_token(client: TestClient) -> None:
    csrf = login(client)
    conversation = start(client)
    url = f"/console/conversations/{conversation}/note"
    assert client.post(url, data={"text": "note"}).status_code == 403
    assert client.post(url, data={"text": "note", "csrf_token": "faux"}).status_code == 403
    ok = client.post(url, data={"text": "note", "csrf_token": csrf}, follow_redirects=False)
    assert ok.status_code == 303
    header = client.post(url, json={"text": "note"}, headers={"X-CSRF-Token": csrf})
    assert header.status_code == 200


def test_tampered_session_cookie_is_rejected(client: TestClient) -> None:
    login(client)
    value = client.cookies.get(SESSION_COOKIE)
    assert value
    body, mac = value.split(".")
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, f"{body[:-3]}xyz.{mac}")
    assert client.get("/console/api/me").status_code == 401
    client.cookies.set(SESSION_COOKIE, f"{body}.{mac[:-3]}xyz")
    assert client.get("/console/api/me").status_code == 401


def test_logout_needs_csrf_and_ends_the_session(client: TestClient) -> None:
    csrf = login(client)
    assert client.post("/console/logout").status_code == 403
    response = client.post("/console/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/console/api/me").status_code == 401


def test_login_redirects_only_inside_the_console(client: TestClient) -> None:
    token = login_csrf(client)
    response = client.post(
        "/console/login",
        data={
            "csrf_token": token,
            "username": AGENT,
            "password": "un-mot-de-passe-solide",
            "next": "https://evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/console"
