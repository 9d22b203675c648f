"""The fuzz campaigns of the learning loop: the review inbox's forms (label, undo, export), the
accounts page, the dashboard's period (page, CSV, JSON) and the shopper's rating of an answer
or of an agent, with and without the conversation's token.

Each campaign takes a ``Fuzzer`` logged in as an administrator (every form opens to it) and
keeps its books: review labels written, accounts created or changed, ratings accepted; the end
checks compare them with the database, so a refusal that stored something is found.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from desk.service import printable
from devtools.fuzz.campaigns import (
    CONSOLE_FORM,
    INJECTIONS,
    csrf_choices,
    csrf_of,
    encode,
    mostly,
    with_cookies,
)
from devtools.fuzz.harness import Answer, Fuzzer
from devtools.fuzz.inputs import (
    any_text,
    bodies,
    conversation_ids,
    json_values,
    query_values,
    short_text,
)
from shop.store.learning import BotTurn

# A FAQ question: the bot answers it and asks « Cette réponse vous a-t-elle aidé ? ».
ASKING = "je peux payer en 3 fois ?"
HANDOFF = "je veux parler à un conseiller"
FEEDBACK_FIELDS = ("kind", "message_id", "score", "comment")
REVIEW_FIELDS = ("csrf_token", "turns", "choice", "other", "next")
ACCOUNT_FIELDS = ("csrf_token", "username", "display_name", "role", "password")
ROLES = ["agent", "editor", "admin"]
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,79}")
SQLISH = [
    "1 OR 1=1",
    "1; DROP TABLE review_labels",
    "1,2,3' --",
    "intent:track_order' OR '1'='1",
    "admin'--",
    "1 UNION SELECT password_hash FROM desk_agents",
]
# Hypothesis draws small integers more often: a well-formed request three times in five (its
# parts still hostile), so that the forms are also accepted and the books have something to check.
well_formed = st.sampled_from([True, True, True, False, False])
HUGE = st.sampled_from([2**31, 2**63, 2**64, 2**70, 10**30, -1, -(2**63), 0])
REVIEW_TEXTS = [
    "où est ma commande 482913 ? claire.martin@gmail.com",
    "vous vendez des montres pour homme ?",
    "ma bague est trop petite, je peux l'échanger ?",
    *INJECTIONS[:4],
    "\u202e colis\u2028perdu\u00a0🇫🇷 e\u0301",
    "é" * 3000,
    # What could break the exported training data (YAML, Rasa's annotations)
    "- intent: greet\n  examples: |\n    - bonjour",
    "#commentaire: « oui »",
    '\'apostrophe "guillemets" : deux-points',
    '[bague](product_kind) {"entity": "x"} ma [commande]',
    "&ancre *alias !!python/object:os.system %TAG ! |",
    "/restart",
]


def seed_review_inbox(session: Session, now: datetime) -> None:
    """Messages the bot was unsure about, hostile text among them, for the review inbox (as
    the desk passes a shopper's text to the bot: without control characters)."""
    for index, text in enumerate(REVIEW_TEXTS * 2):
        session.add(
            BotTurn(
                conversation_id=f"fuzz-review-{index}",
                text=printable(text),
                intent="nlu_fallback" if index % 2 else "track_order",
                confidence=0.3,
                entities=[],
                actions=[],
                doubt=["fallback", "ambiguous", "low_confidence"][index % 3],
                created_at=now - timedelta(minutes=5 + index),
            )
        )


# --- the review inbox -------------------------------------------------------------------------


def review_turns(fuzzer: Fuzzer) -> list[str]:
    """The ``turns`` of every group the inbox shows now."""
    page = fuzzer.client.get("/console/revue").text
    return re.findall(r'name="turns" value="([^"]+)"', page)


GOOD_CHOICES = [
    "intent:track_order",
    "faq:paiement_plusieurs_fois",
    "out_of_scope",
    "new_faq",
    "other",
]
choices = st.one_of(
    st.sampled_from(
        [
            "intent:track_order",
            "intent:greet",
            "faq:livraison_delais",
            "faq:paiement_plusieurs_fois",
            "out_of_scope",
            "new_faq",
            "other",
            "intent:",
            "faq:",
            "intent:n'existe_pas",
            "faq:../../etc/passwd",
            ":",
            "OUT_OF_SCOPE",
        ]
    ),
    st.sampled_from(SQLISH),
    any_text,
)
others = st.one_of(
    st.none(),
    st.sampled_from(["track_order", "faq/livraison_delais", "faq/", "Suivre ma commande", " "]),
    any_text,
)


@st.composite
def turn_lists(draw: st.DrawFn, shown: list[str]) -> Any:
    """The turns a form names: a group the page showed, or ids that are not one."""
    odd: st.SearchStrategy[Any] = st.one_of(
        st.lists(HUGE.map(str), min_size=1, max_size=4).map(",".join),
        st.sampled_from(SQLISH + ["", ",", ",,,", "1,,2", " 1 ", "1e3", "0x1", "١", "+1", "-1"]),
        st.just(",".join(["1"] * 5001)),
        st.just(",".join(str(n) for n in range(1, 6000))),
        any_text,
        json_values,
    )
    if shown and draw(st.integers(0, 2)) > 0:
        return draw(st.sampled_from(shown))
    return draw(odd)


def _labelled(answer: Answer) -> int:
    """How many labels an accepted form wrote (its JSON, or ``n`` in its redirect)."""
    if answer.status == 303:
        query = parse_qs(urlsplit(answer.headers.get("location", "")).query)
        if query.get("fait") == ["etiquete"]:
            return int(query.get("n", ["0"])[0])
        return 0
    if answer.status == 200 and answer.headers.get("content-type", "").startswith("application"):
        return int(json.loads(answer.body).get("labelled", 0))
    return 0


def review_inbox_forms(fuzzer: Fuzzer) -> Callable[[], None]:
    """Label, undo and export with hostile turns, choices and bodies, with and without a
    session and its CSRF token. Every label written is in the books."""
    fuzzer.log_in(*fuzzer.agent)
    editor = fuzzer.agent[0]
    fuzzer.books.labels[editor] += 0  # the end checks count this editor's labels
    shown = review_turns(fuzzer)

    @given(
        valid=well_formed,
        form=mostly(
            st.sampled_from(["etiqueter"] * 6 + ["annuler", "exporter", "page"]), short_text
        ),
        turns=turn_lists(shown),
        choice=st.one_of(st.none(), choices, json_values),
        good_choice=st.sampled_from(GOOD_CHOICES),
        other=others,
        next_key=st.one_of(st.none(), st.sampled_from(["3", "-1", "../x", "3#x"]), short_text),
        raw=mostly(st.none(), bodies(REVIEW_FIELDS)),
        csrf=csrf_choices,
        cookies=with_cookies,
        as_json=st.booleans(),
    )
    def submit(
        valid: bool,
        form: str,
        turns: Any,
        choice: Any,
        good_choice: str,
        other: Any,
        next_key: Any,
        raw: tuple[str, bytes] | None,
        csrf: str,
        cookies: bool,
        as_json: bool,
    ) -> None:
        if form == "page":
            # Cut: without a session the login redirect carries the URL, and httpx reads no
            # Location header over 64 KiB.
            fait = choice[:2000] if isinstance(choice, str) else ""
            query = urlencode({"fait": fait, "n": next_key})
            fuzzer.console_get("GET /console/revue", f"/console/revue?{query}", cookies)
            return
        if valid:
            form = form if form in ("annuler", "exporter") else "etiqueter"
            turns = turns if isinstance(turns, str) and turns in shown else (shown or ["1"])[0]
            choice, raw, csrf, cookies = good_choice, None, "valid", True
            if choice == "other" and not isinstance(other, str):
                other = "faq/livraison_delais"
        fields: dict[str, Any] = {"turns": turns}
        for name, value in (("choice", choice), ("other", other), ("next", next_key)):
            if value is not None:
                fields[name] = value
        content_type, body = raw if raw is not None else encode(fields, as_json)
        path = f"/console/revue/{quote(form, safe='')}"
        answer = fuzzer.console_post(
            "POST /console/revue/{form}", path, content_type, body, csrf_of(fuzzer, csrf), cookies
        )
        fuzzer.books.labels[editor] += _labelled(answer)
        page = answer.body.decode("utf-8", "replace")
        in_json = answer.headers.get("content-type", "").startswith("application/json")
        if (
            form == "exporter"
            and answer.status == 200
            and not (in_json or "Export effectué" in page)
        ):
            fuzzer.fail("POST /console/revue/{form}", "an export without its report")

    return submit


# --- the accounts page ------------------------------------------------------------------------


def accounts_now(fuzzer: Fuzzer) -> dict[str, str]:
    """Every account on the accounts page, with the role it shows."""
    page = fuzzer.client.get("/console/comptes").text
    accounts = {}
    for row in page.split('<tr data-username="')[1:]:
        name = row.split('"', 1)[0]
        role = re.search(r'<option value="(\w+)" selected>', row)
        accounts[name] = role.group(1) if role else ""
    return accounts


usernames = st.one_of(
    st.from_regex(USERNAME, fullmatch=True).map(lambda name: name[:20]),
    st.sampled_from(["a", "ab", "x" * 80, "x" * 81, "Marie", " claire ", "zoé", "admin'--"]),
    st.sampled_from(SQLISH),
    any_text,
)
passwords = st.one_of(
    st.just("un mot de passe assez long"),
    st.sampled_from(["", "court", " " * 12, "\u0000" * 12, "é" * 11, "a" * 4000]),
    any_text,
)


def accounts_forms(fuzzer: Fuzzer) -> Callable[[], None]:
    """New accounts and role changes with hostile names, roles and passwords. The account the
    fuzzer works with keeps its admin role (the campaign never demotes it: it would end the
    campaign, not find a bug); every account created or changed is in the books."""
    fuzzer.log_in(*fuzzer.agent)
    own = fuzzer.agent[0]
    fuzzer.books.accounts_before = accounts_now(fuzzer)

    @given(
        valid=well_formed,
        form=st.sampled_from(["create", "create", "role", "role", "page"]),
        username=usernames,
        display_name=st.one_of(st.none(), any_text, json_values),
        role=st.one_of(
            st.sampled_from(ROLES), st.sampled_from(["", "Admin", "root", "0"]), any_text
        ),
        password=passwords,
        target=st.one_of(st.sampled_from(["louise", "agent", "", "..", "%2F"]), usernames),
        created=st.integers(0, 2).map(lambda n: n == 0),
        query=st.one_of(st.none(), query_values, any_text.map(lambda t: quote(t[:40], safe=""))),
        raw=mostly(st.none(), bodies(ACCOUNT_FIELDS)),
        csrf=csrf_choices,
        cookies=with_cookies,
        as_json=st.booleans(),
    )
    def submit(
        valid: bool,
        form: str,
        username: Any,
        display_name: Any,
        role: Any,
        password: Any,
        target: str,
        created: bool,
        query: str | None,
        raw: tuple[str, bytes] | None,
        csrf: str,
        cookies: bool,
        as_json: bool,
    ) -> None:
        if form == "page":
            fuzzer.console_get("GET /console/comptes", f"/console/comptes?fait={query}", cookies)
            return
        if valid:
            raw, csrf, cookies = None, "valid", True
            role = role if role in ROLES else ROLES[len(str(role)) % 3]
            if not USERNAME.fullmatch(str(username).strip().lower()):
                username = f"compte{len(fuzzer.books.accounts)}"
            if not isinstance(password, str) or len(password) < 12:
                password = "un mot de passe assez long"
        token = csrf_of(fuzzer, csrf)
        if form == "create":
            fields = {"username": username, "role": role, "password": password}
            if display_name is not None:
                fields["display_name"] = display_name
            content_type, body = raw if raw is not None else encode(fields, as_json)
            answer = fuzzer.console_post(
                "POST /console/comptes", "/console/comptes", content_type, body, token, cookies
            )
            if answer.status == 303:
                _book_created_account(fuzzer, body, content_type)
            return
        if (created or valid) and set(fuzzer.books.accounts) - {own}:
            target = sorted(set(fuzzer.books.accounts) - {own})[0]
        content_type, body = raw if raw is not None else encode({"role": role}, as_json)
        if target.strip().lower() == own:  # see the docstring
            content_type, body = encode({"role": "admin"}, as_json)
        # Cut: a URL over 64 KiB never leaves httpx.
        path = f"/console/comptes/{quote(target[:4000], safe='')}/role"
        answer = fuzzer.console_post(
            "POST /console/comptes/{username}/role", path, content_type, body, token, cookies
        )
        if answer.status == 303:
            fuzzer.books.accounts[target.strip().lower()] = _field(body, content_type, "role")

    return submit


def _field(body: bytes, content_type: str, name: str) -> str:
    """A field as the desk's ``form_data`` reads it (urlencoded or JSON)."""
    if content_type.startswith("application/json"):
        data = json.loads(body or b"{}")
        value = data.get(name, "") if isinstance(data, dict) else ""
        return value if isinstance(value, str) else ""
    values = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).get(name, [""])
    return values[-1]


def _book_created_account(fuzzer: Fuzzer, body: bytes, content_type: str) -> None:
    username = _field(body, content_type, "username").strip().lower()
    fuzzer.books.accounts[username] = _field(body, content_type, "role")


# --- the other roles -------------------------------------------------------------------------

ROLE_PASSWORD = "un mot de passe de test assez long"
# route -> (method, path, body, the roles it opens to)
GUARDED: dict[str, tuple[str, str, dict[str, str], set[str]]] = {
    "label": (
        "POST",
        "/console/revue/etiqueter",
        {"turns": "", "choice": "out_of_scope"},
        {"editor", "admin"},
    ),
    "undo": ("POST", "/console/revue/annuler", {}, {"editor", "admin"}),
    "export": ("POST", "/console/revue/exporter", {}, {"editor", "admin"}),
    "review page": ("GET", "/console/revue", {}, {"editor", "admin"}),
    "new account": (
        "POST",
        "/console/comptes",
        {"username": "", "role": "admin", "password": ROLE_PASSWORD},
        {"admin"},
    ),
    "role": ("POST", "/console/comptes/{own}/role", {"role": "admin"}, {"admin"}),
    "accounts page": ("GET", "/console/comptes", {}, {"admin"}),
    "dashboard": ("GET", "/console/dashboard", {}, {"agent", "editor", "admin"}),
    "metrics": ("GET", "/console/api/metrics", {}, {"agent", "editor", "admin"}),
}


def other_roles(fuzzer: Fuzzer) -> Callable[[], None]:
    """An agent and an editor on every route of the learning loop, their CSRF token valid:
    a route their role does not open refuses (403 in French, the login page for a page) and
    stores nothing; the others answer as they do for an administrator."""
    fuzzer.log_in(*fuzzer.agent)
    before = accounts_now(fuzzer)
    if fuzzer.books.accounts_before is None:
        fuzzer.books.accounts_before = before
    shown = review_turns(fuzzer) or ["1"]
    names = {role: f"fuzz-{role}" for role in ("agent", "editor")}
    for role, name in names.items():
        if name not in before and name not in fuzzer.books.accounts:
            fields = {"username": name, "role": role, "password": ROLE_PASSWORD}
            answer = fuzzer.console_post(
                "POST /console/comptes", "/console/comptes", *encode(fields, True), fuzzer.csrf
            )
            assert answer.status == 303, answer.status
            fuzzer.books.accounts[name] = role
        fuzzer.books.labels[name] += 0
    current = [""]

    @given(
        role=st.sampled_from(["agent", "editor"]),
        route=st.sampled_from(sorted(GUARDED)),
        turns=st.sampled_from(shown),
        username=st.from_regex(USERNAME, fullmatch=True).map(lambda name: name[:20]),
        as_json=st.booleans(),
    )
    def act(role: str, route: str, turns: str, username: str, as_json: bool) -> None:
        if current[0] != role:
            fuzzer.log_in(names[role], ROLE_PASSWORD)
            current[0] = role
        method, path, fields, opens_to = GUARDED[route]
        path = path.replace("{own}", names[role])
        fields = {**fields, "turns": turns} if "turns" in fields else dict(fields)
        if "username" in fields:
            fields["username"] = f"r{username}"
        endpoint = f"{method} {path} as {role}"
        if method == "GET":
            answer = fuzzer.console_get(endpoint, path)
        else:
            answer = fuzzer.console_post(endpoint, path, *encode(fields, as_json), fuzzer.csrf)
        allowed = role in opens_to
        if not allowed and answer.status not in (303, 403):
            fuzzer.fail(endpoint, f"{answer.status} for a role it does not open to")
        if not allowed and method == "GET" and answer.status == 303:
            location = answer.headers.get("location", "")
            if path in location:
                fuzzer.fail(endpoint, "a page it does not open to, redirected to itself")
        if allowed and answer.status >= 400:
            fuzzer.fail(endpoint, f"{answer.status} for a role it opens to")
        if allowed:
            fuzzer.books.labels[names[role]] += _labelled(answer)

    return act


# --- the dashboard ----------------------------------------------------------------------------

dates = st.one_of(
    st.dates().map(lambda day: day.isoformat()),
    st.sampled_from(
        [
            "2026-12-01",
            "2026-02-30",
            "1999-12-31",
            "2101-01-01",
            "0001-01-01",
            "9999-12-31",
            "2026-1-1",
            "20261201",
            "2026-12-01T00:00",
            "2026-W49",
            "-2026-12-01",
            "2026-12-01' OR 1=1",
        ]
    ),
    query_values,
)


def dashboard_queries(fuzzer: Fuzzer) -> Callable[[], None]:
    """The period's parameters on the page, the CSV and the JSON: numbers of days, dates and
    granularities that do not make a period, repeated, too long, or in odd encodings."""
    fuzzer.log_in(*fuzzer.agent)

    @given(
        valid=well_formed,
        route=st.sampled_from(["dashboard", "dashboard.csv", "api/metrics"]),
        days=st.one_of(st.none(), st.sampled_from(["7", "30", "90", "366", "367"]), query_values),
        start=st.one_of(st.none(), dates),
        end=st.one_of(st.none(), dates),
        granularity=st.one_of(
            st.none(), st.sampled_from(["day", "week", "month", "DAY", " week "]), short_text
        ),
        repeated=st.booleans(),
        cookies=with_cookies,
    )
    def read(
        valid: bool,
        route: str,
        days: str | None,
        start: str | None,
        end: str | None,
        granularity: str | None,
        repeated: bool,
        cookies: bool,
    ) -> None:
        if valid:  # a period the picker could send, the rest as drawn
            cookies, repeated = True, False
            days = days if days in ("7", "30", "90") else None
            start = start if start and start.startswith("2026-") else None
        given = {"days": days, "from": start, "to": end, "granularity": granularity}
        params = [(name, value) for name, value in given.items() if value is not None]
        if repeated:
            params += [("days", "7"), ("from", "x")]
        query = urlencode(params, encoding="utf-8", errors="surrogatepass")
        endpoint = f"GET /console/{route}"
        answer = fuzzer.console_get(endpoint, f"/console/{route}?{query}", cookies)
        content_type = answer.headers.get("content-type", "")
        if (
            answer.status == 200
            and route == "api/metrics"
            and not (
                content_type.startswith("application/json") and isinstance(answer.json(), dict)
            )
        ):
            fuzzer.fail(endpoint, "figures that are not a JSON object", content_type)
        if answer.status == 200 and route == "dashboard.csv" and "text/csv" not in content_type:
            fuzzer.fail(endpoint, "a CSV answer that is not CSV", content_type)

    return read


# --- the shopper's rating ---------------------------------------------------------------------


class Rated:
    """Conversations whose latest bot answer asks for a rating, and conversations an agent
    took and closed (the shopper may rate the agent)."""

    def __init__(self, fuzzer: Fuzzer) -> None:
        self.fuzzer = fuzzer
        self.answers: list[tuple[str, int]] = []
        self.closed: list[str] = []

    def answer(self, fresh: bool, index: int) -> tuple[str, int]:
        if fresh or not self.answers:
            conversation = self._started()
            answer = self.fuzzer.post_message(
                conversation, "application/json", json.dumps({"text": ASKING}).encode()
            )
            messages = answer.json().get("messages", []) if answer.status == 200 else []
            bot = [m for m in messages if m.get("author") == "bot"]
            asking = [m for m in bot if m.get("feedback")]
            # Without a request for a rating the bot's answer is still rated: it is refused.
            chosen = asking[-1] if asking else (bot[-1] if bot else {"id": 1})
            if asking:
                self.fuzzer.rated_messages[int(chosen["id"])] = conversation
            self.answers.append((conversation, int(chosen["id"])))
        return self.answers[index % len(self.answers)]

    def other_than(self, conversation: str) -> tuple[str, int]:
        """Another conversation's rated answer."""
        others = [pair for pair in self.answers if pair[0] != conversation]
        return others[0] if others else self.answer(True, -1)

    def closed_by_agent(self, fresh: bool, index: int) -> str:
        if fresh or not self.closed:
            conversation = self._started()
            self.fuzzer.post_message(
                conversation, "application/json", json.dumps({"text": HANDOFF}).encode()
            )
            for action, fields in (
                ("claim", {}),
                ("reply", {"text": "Bonjour, je regarde votre commande."}),
                ("close", {"outcome": "resolved"}),
            ):
                answer = self.fuzzer.console_post(
                    CONSOLE_FORM,
                    f"/console/conversations/{conversation}/{action}",
                    "application/json",
                    json.dumps(fields).encode(),
                    self.fuzzer.csrf,
                )
                if action == "reply" and answer.status in (200, 303):
                    self.fuzzer.books.agent_messages[conversation] += 1
            self.closed.append(conversation)
        return self.closed[index % len(self.closed)]

    def _started(self) -> str:
        conversation = self.fuzzer.start_conversation()
        assert conversation is not None
        return conversation


scores = st.one_of(
    st.sampled_from([1, -1, 1, 2, 3, 4, 5]),
    st.sampled_from([0, 6, -2, 1.0, -1.0, 1.5, True, False, "1", "-1", "5", None, [1], {"n": 1}]),
    HUGE,
    json_values,
)
comments = st.one_of(
    st.none(),
    any_text,
    st.sampled_from(SQLISH),
    st.sampled_from([1, True, [], {}, ["x"]]),
    st.sampled_from([499, 500, 501, 2000, 20_000]).map(lambda n: "é" * n),
)


def ratings(fuzzer: Fuzzer) -> Callable[[], None]:
    """👍/👎 on an answer and 1–5 on an agent: wrong types, missing fields, out-of-range and
    huge numbers, another conversation's message or token, no token, hostile bodies. Only
    ratings of the conversation's own request with its token are accepted, once each."""
    fuzzer.log_in(*fuzzer.agent)
    rated = Rated(fuzzer)

    @given(
        valid=well_formed,
        kind=st.one_of(
            st.sampled_from(["answer", "answer", "agent", None]),
            st.sampled_from(["", "AGENT", "answer ", 1, None]),
            short_text,
        ),
        message=st.sampled_from(["own", "own", "own", "other", "absent", "odd"]),
        odd_id=st.one_of(HUGE, json_values, st.sampled_from(["1", 1.0, True, -5])),
        score=st.one_of(st.just("absent"), scores),
        comment=comments,
        path=mostly(st.sampled_from(["own", "own", "other"]), conversation_ids),
        token=st.sampled_from(["valid"] * 6 + ["none", "other", "garbage"]),
        raw=mostly(st.none(), bodies(FEEDBACK_FIELDS)),
        fresh=st.integers(0, 2).map(lambda n: n == 0),
        index=st.integers(0, 5),
    )
    def rate(
        valid: bool,
        kind: Any,
        message: str,
        odd_id: Any,
        score: Any,
        comment: Any,
        path: str,
        token: str,
        raw: tuple[str, bytes] | None,
        fresh: bool,
        index: int,
    ) -> None:
        if valid:  # the widget's own call, with a hostile comment
            kind = "agent" if kind == "agent" else None
            message, path, token, raw = "own", "own", "valid", None
            fresh = fresh or index % 2 == 0  # a request not yet rated, most of the time
            scale = [1, 2, 3, 4, 5] if kind == "agent" else [1, -1]
            score = score if score in scale and type(score) is int else scale[index % len(scale)]
        if kind == "agent":
            conversation = rated.closed_by_agent(fresh, index)
            message_id: int | None = None
        else:
            conversation, message_id = rated.answer(fresh, index)
        other_conversation, other_id = rated.other_than(conversation)
        fields: dict[str, Any] = {}
        if kind is not None:
            fields["kind"] = kind
        if message != "absent":
            fields["message_id"] = {"own": message_id, "other": other_id, "odd": odd_id}[message]
        if score != "absent":
            fields["score"] = score
        if comment is not None:
            fields["comment"] = comment
        content_type, body = (
            raw
            if raw is not None
            else ("application/json", json.dumps(fields).encode("utf-8", "surrogatepass"))
        )
        target = {"own": conversation, "other": other_conversation}.get(path, path)
        sent_token = {
            "valid": "valid",
            "none": None,
            "other": fuzzer.sign(conversation if target != conversation else other_conversation),
            "garbage": "a.b.c",
        }[token]
        fuzzer.rate(target, content_type, body, sent_token)

    return rate


# name → (campaign, share of the inputs in a full run)
CAMPAIGNS: dict[str, tuple[Callable[[Fuzzer], Callable[[], None]], int]] = {
    "console: review inbox": (review_inbox_forms, 6),
    "console: accounts": (accounts_forms, 4),
    "console: dashboard": (dashboard_queries, 4),
    "console: other roles": (other_roles, 3),
    "widget: ratings": (ratings, 8),
}
