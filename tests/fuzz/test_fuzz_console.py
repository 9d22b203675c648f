"""Fuzzing the agent console: its login form, the conversation forms (claim, reply, note, hand
back, close), the order search, the JSON API and the personal-data forms, with a logged-in
agent and its CSRF token, and without. Every answer is a well-formed page, a redirect inside
the console or a French refusal; no shopper text shows unescaped; every reply is stored once."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import sessionmaker

from tests.desk.conftest import AGENT, AGENT_PASSWORD
from tests.desk.fake_rasa import FakeRasa
from tests.fuzz.conftest import FUZZ
from tests.fuzz.harness import Fuzzer
from tests.fuzz.inputs import (
    INJECTIONS,
    any_text,
    bodies,
    conversation_ids,
    json_values,
    query_values,
    short_text,
)
from tests.fuzz.test_fuzz_widget import assert_final

ACTIONS = ["claim", "reply", "note", "hand-back", "close"]
csrf_choices = st.sampled_from(["valid", "valid", "valid", "none", "wrong"])


def encode(fields: dict[str, Any], as_json: bool) -> tuple[str, bytes]:
    if as_json:
        return "application/json", json.dumps(fields).encode()
    flat = {name: value for name, value in fields.items() if isinstance(value, str)}
    return (
        "application/x-www-form-urlencoded",
        urlencode(flat, encoding="utf-8", errors="surrogatepass").encode(),
    )


class HandedOver:
    """Conversations waiting for a person, whose shopper wrote hostile text first."""

    def __init__(self, fuzzer: Fuzzer) -> None:
        self.fuzzer = fuzzer
        self.current: list[str] = []

    def pick(self, fresh: bool, index: int) -> str:
        if fresh or not self.current:
            conversation = self.fuzzer.start_conversation()
            assert conversation is not None
            for text in [*INJECTIONS[:3], "je veux parler à un conseiller"]:
                self.fuzzer.post_message(
                    conversation, "application/json", json.dumps({"text": text}).encode()
                )
            self.current.append(conversation)
        return self.current[index % len(self.current)]


def csrf_of(fuzzer: Fuzzer, choice: str) -> str | None:
    return {"valid": fuzzer.csrf, "none": None, "wrong": "x" * 32}[choice]


def test_fuzz_login_form(fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa) -> None:
    page = fuzzer.client.get("/console/login")
    login_token = page.text.split('name="csrf_token" value="')[1].split('"')[0]

    @FUZZ
    @given(
        username=st.one_of(st.just(AGENT), any_text),
        password=st.one_of(st.just(AGENT_PASSWORD), any_text),
        next_path=st.one_of(
            st.none(),
            st.sampled_from(
                ["/console", "//evil.example", "https://evil.example", "/console\r\nX: y"]
            ),
            any_text,
        ),
        csrf=st.sampled_from(["valid", "valid", "none", "wrong"]),
        as_json=st.booleans(),
        raw=st.one_of(st.none(), bodies(("csrf_token", "username", "password", "next"))),
    )
    def log_in(
        username: str,
        password: str,
        next_path: str | None,
        csrf: str,
        as_json: bool,
        raw: tuple[str, bytes] | None,
    ) -> None:
        fields: dict[str, Any] = {"username": username, "password": password}
        if csrf != "none":
            fields["csrf_token"] = login_token if csrf == "valid" else "x" * 32
        if next_path is not None:
            fields["next"] = next_path
        content_type, body = raw if raw is not None else encode(fields, as_json)
        answer = fuzzer.console_post(
            "POST /console/login", "/console/login", content_type, body, None
        )
        assert answer.status in (303, 400, 401, 403, 413, 422), answer.status
        fuzzer.client.cookies.delete("desk_session")

    log_in()
    assert_final(fuzzer, db, fake_rasa)


def test_fuzz_conversation_forms_with_and_without_a_session(
    fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa
) -> None:
    fuzzer.log_in(AGENT, AGENT_PASSWORD)
    conversations = HandedOver(fuzzer)

    @FUZZ
    @given(
        action=st.one_of(st.sampled_from(ACTIONS), st.sampled_from(ACTIONS), short_text),
        conversation=st.one_of(st.none(), st.none(), conversation_ids),
        text=st.one_of(any_text, json_values),
        canned=st.one_of(st.none(), short_text, st.just("delais_livraison")),
        outcome=st.one_of(st.none(), st.sampled_from(["resolved", "refund", ""]), short_text),
        csrf=csrf_choices,
        cookies=st.integers(0, 9).map(lambda n: n > 0),
        as_json=st.booleans(),
        fresh=st.integers(0, 4).map(lambda n: n == 0),
        index=st.integers(0, 3),
    )
    def act(
        action: str,
        conversation: str | None,
        text: Any,
        canned: str | None,
        outcome: str | None,
        csrf: str,
        cookies: bool,
        as_json: bool,
        fresh: bool,
        index: int,
    ) -> None:
        target = conversation if conversation is not None else conversations.pick(fresh, index)
        fields: dict[str, Any] = {"text": text}
        if canned is not None:
            fields["canned"] = canned
        if outcome is not None:
            fields["outcome"] = outcome
        content_type, body = encode(fields, as_json)
        path = f"/console/conversations/{quote(target, safe='')}/{quote(action, safe='')}"
        answer = fuzzer.console_post(
            "POST /console/conversations/{id}/{action}",
            path,
            content_type,
            body,
            csrf_of(fuzzer, csrf),
            cookies,
        )
        accepted = answer.status == 303 or (
            answer.status == 200
            and answer.headers.get("content-type", "").startswith("application/json")
        )
        if action == "reply" and accepted:
            fuzzer.books.agent_messages[target] += 1
        if action in ("close", "hand-back") and accepted and target in conversations.current:
            conversations.current.remove(target)

    act()
    assert_final(fuzzer, db, fake_rasa)


def test_fuzz_console_pages_search_and_api(
    fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa
) -> None:
    fuzzer.log_in(AGENT, AGENT_PASSWORD)
    conversations = HandedOver(fuzzer)

    @FUZZ
    @given(
        page=st.sampled_from(["conversation", "api", "queue", "dashboard", "metrics", "login"]),
        conversation=st.one_of(st.none(), conversation_ids),
        value=st.one_of(st.none(), query_values, any_text.map(lambda t: quote(t[:80], safe=""))),
        cookies=st.integers(0, 4).map(lambda n: n > 0),
    )
    def read(page: str, conversation: str | None, value: str | None, cookies: bool) -> None:
        target = quote(
            conversation if conversation is not None else conversations.pick(False, 0), safe=""
        )
        given_value = "" if value is None else value
        if page in ("api", "queue") and _positive(given_value):
            given_value = "0"  # a positive wait is a long poll
        path = {
            "conversation": f"/console/conversations/{target}?order={given_value}",
            "api": f"/console/api/conversations/{target}?after={given_value}&wait={given_value}",
            "queue": f"/console/api/queue?wait={given_value}",
            "dashboard": f"/console/dashboard?days={given_value}",
            "metrics": f"/console/api/metrics?days={given_value}",
            "login": f"/console/login?next={given_value}",
        }[page]
        fuzzer.console_get(f"GET /console/{page}", path, cookies)

    read()
    assert_final(fuzzer, db, fake_rasa)


def _positive(value: str) -> bool:
    try:
        return float(value) > 0
    except ValueError:
        return False


def test_fuzz_personal_data_forms(fuzzer: Fuzzer, db: sessionmaker, fake_rasa: FakeRasa) -> None:
    fuzzer.log_in(AGENT, AGENT_PASSWORD)

    @FUZZ
    @given(
        form=st.sampled_from(["export", "erase"]),
        email=st.one_of(
            any_text,
            st.emails().map(str),
            st.sampled_from(["a@b", "@", "x@example.fr\r\n", "' OR 1=1 --@example.fr"]),
        ),
        confirm=st.one_of(st.none(), st.just("oui"), short_text),
        preview=st.one_of(st.none(), st.just("1"), short_text),
        csrf=csrf_choices,
        cookies=st.integers(0, 9).map(lambda n: n > 0),
        as_json=st.booleans(),
    )
    def submit(
        form: str,
        email: str,
        confirm: str | None,
        preview: str | None,
        csrf: str,
        cookies: bool,
        as_json: bool,
    ) -> None:
        fields: dict[str, Any] = {"email": email}
        if confirm is not None:
            fields["confirm"] = confirm
        if preview is not None:
            fields["preview"] = preview
        content_type, body = encode(fields, as_json)
        fuzzer.console_post(
            f"POST /console/donnees-personnelles/{form}",
            f"/console/donnees-personnelles/{form}",
            content_type,
            body,
            csrf_of(fuzzer, csrf),
            cookies,
        )

    submit()
    assert_final(fuzzer, db, fake_rasa)
