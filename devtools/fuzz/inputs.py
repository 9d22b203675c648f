"""Hostile inputs for the desk, as hypothesis strategies: what a broken widget, a bored visitor
or an attacker may send to the shopper's and the agent's endpoints."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st

# A marker in every injection string: a page that shows one of them unescaped is an XSS.
MARKER = "fuzzmark"

COMMANDS = [
    "/restart",
    "/session_start",
    "/human_handoff",
    "/track_order",
    '/track_order{"email": "marie.dupont@example.fr", "order_number": "474918"}',
    '/cancel_order{"order_number":"474918"}',
    "/nlu_fallback",
    "/action_restart",
    "  /restart",
    "//restart",
    "\u200b/restart",
    "\ufeff/restart",
    "\t\n/restart",
    "/ restart",
    "/greet{}",
    "/faq/livraison_delais",
    "/EXTERNAL_reminder",
]
INJECTIONS = [
    f"<script>{MARKER}(1)</script>",
    f'"><img src=x onerror={MARKER}(1)>',
    f"<svg/onload={MARKER}>",
    f"javascript:{MARKER}()",
    f"{{{{ {MARKER} }}}}",  # a template expression
    f"{{% raw %}}{MARKER}",
    "'; DROP TABLE desk_messages; --",
    "1' OR '1'='1",
    '" OR 1=1 --',
    "%' UNION SELECT password_hash FROM desk_agents --",
    "${jndi:ldap://127.0.0.1/a}",
    "../../../../etc/passwd",
    "..%2f..%2f..%2fetc%2fpasswd",
    "%00",
    "\x00\x01\x02",
    "\r\nSet-Cookie: desk_session=x",
    "{{7*7}}",
    "__proto__",
]
FRENCH = [
    "bonjour",
    "Bonjour, je voudrais annuler ma commande 474918 s'il vous plaît",
    "slt jveux annulé ma cmd",
    "mon colis est marqué livré mais j'ai rien reçu",
    "je veux parler à un conseiller",
    "merci, au revoir",
    "Où est ma bague ? 😢💍",
]
SPECIAL_CHARS = [
    "\u200b",  # zero-width space
    "\u200d",  # zero-width joiner
    "\u202e",  # right-to-left override
    "\u200f",  # right-to-left mark
    "\ufeff",  # byte-order mark
    "\u0000",
    "\u0007",
    "\u001b[31m",
    "\u2028",
    "\u00a0",
    "\ufffd",
    "e\u0301",  # combining accent
    "👨‍👩‍👧‍👦",
    "🇫🇷",
    "ﷺ",
    "𒀱",
    "\U0010ffff",
]
ENGLISH_DETAILS = {
    "Not Found",
    "Method Not Allowed",
    "Bad Request",
    "Unprocessable Entity",
    "Internal Server Error",
    "field required",
}

short_text = st.text(max_size=40)
any_text = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x3F), max_size=30),
    st.lists(st.sampled_from(SPECIAL_CHARS + FRENCH), max_size=8).map("".join),
    st.sampled_from(COMMANDS + INJECTIONS + FRENCH + SPECIAL_CHARS + ["", " ", "\n\t "]),
    st.builds(
        lambda prefix, command: prefix + command,
        st.sampled_from(["", " ", "\u200b", "\t", "\u00a0", "/", "\n"]),
        st.sampled_from(COMMANDS),
    ),
    st.integers(min_value=1, max_value=9000).map(lambda n: "é" * n),
    st.sampled_from([1999, 2000, 2001, 4000, 4001, 70_000]).map(lambda n: "a" * n),
)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    any_text,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(short_text, inner, max_size=4)
    ),
    max_leaves=12,
)
# Numbers JSON allows but Python's json module writes only with allow_nan (NaN, Infinity).
odd_json_numbers = st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "-0", "1" * 5000])
# Lone surrogates are valid JSON escapes (\ud800) but not valid UTF-8.
surrogate_escapes = st.sampled_from(['"\\ud800"', '"\\udfff x"', '"a\\ud83d"', '"\\u0000"'])

conversation_ids = st.one_of(
    st.text(max_size=80),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=16, max_size=64),
    st.sampled_from(
        [
            "..",
            "../..",
            "..%2F..%2Fetc%2Fpasswd",
            "%2e%2e",
            "0" * 16,
            "a" * 65,
            "a" * 10_000,
            "abcdefghijklmnop\n",
            "abcdefghijklmnop%0A",
            "' OR 1=1 --",
            "null",
            "-1",
            "\u202eabcdefghijklmnop",
            "console",
            "%00",
        ]
    ),
)
query_values = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(
        ["", "nan", "NaN", "inf", "-inf", "1e309", "0x10", "1_000", " 1", "١", "²", "9" * 400]
        + [str(2**63 - 1), str(2**63), str(2**64), str(2**70), "-1", "-0", "1.5"]
    ),
    short_text,
)


@st.composite
def json_bodies(draw: st.DrawFn, fields: tuple[str, ...]) -> str:
    """A JSON document: an object with the endpoint's fields (any JSON type), or any value."""
    kind = draw(st.integers(min_value=0, max_value=5))
    if kind == 0:
        return json.dumps(draw(json_values))
    if kind == 1:  # the fields, as odd numbers or lone surrogates, written by hand
        name = draw(st.sampled_from(fields))
        value = draw(st.one_of(odd_json_numbers, surrogate_escapes))
        return "{" + json.dumps(name) + ":" + value + "}"
    chosen = draw(st.lists(st.sampled_from(fields), unique=True, max_size=len(fields)))
    document: dict[str, Any] = {name: draw(st.one_of(any_text, json_values)) for name in chosen}
    document.update(draw(st.dictionaries(short_text, json_values, max_size=2)))
    return json.dumps(document, ensure_ascii=draw(st.booleans()))


broken_json = st.one_of(
    st.sampled_from(
        [
            "{",
            '{"text": "bonjour"',
            "{'text': 'bonjour'}",
            '{"text": "a",}',
            "[" * 5000,
            "{" * 5000,
            '{"a":' * 3000,
            "\ufeff{}",
            "",
            "null",
            "nul",
            '{"text": "\\x41"}',
        ]
    ),
    st.text(max_size=60),
)

CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "text/plain",
    "application/xml",
    "application/json; charset=latin-1",
    "",
]


@st.composite
def bodies(draw: st.DrawFn, fields: tuple[str, ...]) -> tuple[str, bytes]:
    """(content type, raw body) for a POST whose fields are ``fields``."""
    kind = draw(st.sampled_from(["json", "json", "form", "form", "broken", "bytes", "mismatch"]))
    if kind == "json":
        return "application/json", draw(json_bodies(fields)).encode("utf-8", "surrogatepass")
    if kind == "form":
        return "application/x-www-form-urlencoded", draw(form_bodies(fields))
    if kind == "broken":
        return "application/json", draw(broken_json).encode("utf-8", "surrogatepass")
    if kind == "bytes":
        return draw(st.sampled_from(CONTENT_TYPES)), draw(st.binary(max_size=300))
    content_type = draw(st.sampled_from(CONTENT_TYPES))
    body = draw(st.one_of(json_bodies(fields), form_bodies(fields).map(bytes.decode)))
    return content_type, body.encode("utf-8", "surrogatepass")


@st.composite
def form_bodies(draw: st.DrawFn, fields: tuple[str, ...]) -> bytes:
    """An urlencoded body: the fields (repeated, empty, percent-encoded oddities) and others."""
    parts = []
    for _ in range(draw(st.integers(min_value=0, max_value=5))):
        name = draw(st.one_of(st.sampled_from(fields), short_text))
        value = draw(any_text)
        raw = draw(st.booleans())
        encoded = value if raw else quote(value.encode("utf-8", "surrogatepass"))
        parts.append(f"{quote(name)}={encoded}")
    parts.extend(draw(st.lists(st.sampled_from(["%", "%zz", "%ED%A0%80", "&&", "=", ";"]))))
    return "&".join(parts).encode("utf-8", "surrogatepass")
