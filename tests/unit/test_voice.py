"""The French voice: the catalogues fail loudly, every key is used and defined, values match.

The key checks read the code (AST), so a text nobody says any more, a key with a typo or a
sentence that lost one of its values fails here, not in front of a shopper.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import pytest

from shop.voice import (
    VoiceError,
    agent_catalogue,
    agent_labels,
    fields_of,
    labels,
    say,
    say_to_agent,
    shopper_catalogue,
)
from shop.voice.catalogue import Catalogue
from shop.voice.french import (
    format_amount,
    format_date,
    format_day_and_time,
    format_delay,
    format_duration,
    format_time,
    format_weekly_hours,
    join_words,
)

ROOT = Path(__file__).resolve().parents[2]
CODE_FOLDERS = ("shop", "desk", "actions", "bot", "scripts", "devtools")
SAYERS = {"say": "shopper", "say_to_agent": "agent"}
TABLES = {"labels": "shopper", "agent_labels": "agent"}


# --------------------------------------------------------------------------- the loader


def test_say_fills_the_named_values() -> None:
    text = say("cancellation.already_shipped", order_number="482913")
    assert text == "Votre commande 482913 est déjà expédiée : elle ne peut plus être annulée."


def test_an_unknown_key_fails_loudly() -> None:
    with pytest.raises(VoiceError, match="cancellation.already_shiped"):
        say("cancellation.already_shiped", order_number="482913")
    with pytest.raises(VoiceError, match="no group"):
        labels("statuses")


def test_a_missing_value_fails_loudly_and_names_it() -> None:
    with pytest.raises(VoiceError, match="order_number"):
        say("cancellation.already_shipped")


def test_a_catalogue_refuses_an_empty_or_non_text_entry(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("promo:\n  unknown: ''\n", encoding="utf-8")
    with pytest.raises(VoiceError, match="promo.unknown"):
        Catalogue.load(broken)
    broken.write_text("promo:\n  unknown: 3\n", encoding="utf-8")
    with pytest.raises(VoiceError, match="promo.unknown"):
        Catalogue.load(broken)


def test_labels_come_whole_by_group() -> None:
    assert labels("status")["shipped"] == "expédiée"
    assert agent_labels("priority") == {"1": "Urgente", "2": "Normale", "3": "Faible"}
    assert say_to_agent("outcome.handed_back") == "Rendu à l'assistant"


def test_the_two_audiences_never_share_a_group() -> None:
    shopper = {key.split(".")[0] for key in shopper_catalogue().texts}
    agent = {key.split(".")[0] for key in agent_catalogue().texts}
    assert not shopper & agent


def test_shopper_texts_speak_with_vous_not_tu() -> None:
    for key, text in shopper_catalogue().texts.items():
        words = set(text.lower().replace("'", " ").split())
        assert not words & {"tu", "ton", "ta", "tes", "toi"}, key


# --------------------------------------------------------------------------- French formats


def test_hours_are_written_as_french_shops_write_them() -> None:
    assert format_time(time(13, 0)) == "13h"
    assert format_time(time(13, 5)) == "13h05"
    assert format_time(time(9, 30)) == "9h30"
    assert format_day_and_time(datetime(2025, 11, 24, 13, 0)) == "lundi 24 novembre à 13h"
    assert format_day_and_time(datetime(2025, 11, 24, 12, 30)) == "lundi 24 novembre à 12h30"


def test_dates_amounts_delays_and_lists() -> None:
    assert format_date(date(2026, 2, 1)) == "dimanche 1 février"
    assert format_date("2025-08-15") == "vendredi 15 août"
    assert format_amount(-50) == "-0,50\u00a0€"
    assert format_delay(7, 15, "working") == "sous 7 à 15 jours ouvrés"
    assert format_delay(0, 14, "calendar") == "sous 14 jours"
    assert format_delay(1, 1, "working") == "sous 1 jour ouvré"
    assert format_duration(365) == "1 an" and format_duration(730) == "2 ans"
    assert format_duration(90) == "90 jours"
    assert join_words(["a", "b", "c"]) == "a, b et c"
    assert join_words(["un remboursement", "un nouvel envoi"], last="ou") == (
        "un remboursement ou un nouvel envoi"
    )
    assert join_words(["seul"]) == "seul" and join_words([]) == ""


def test_weekly_hours_group_days_with_the_same_slots() -> None:
    morning_afternoon = [(time(9), time(12, 30)), (time(13, 30), time(18))]
    hours = {0: morning_afternoon, 1: morning_afternoon, 2: morning_afternoon}
    hours |= {3: morning_afternoon, 4: [(time(9), time(17))], 5: [(time(10, 30), time(17))]}
    assert format_weekly_hours(hours) == (
        "du lundi au jeudi de 9h à 12h30 et de 13h30 à 18h, le vendredi de 9h à 17h, "
        "le samedi de 10h30 à 17h"
    )
    assert format_weekly_hours({5: [(time(10), time(12))], 6: [(time(10), time(12))]}) == (
        "le samedi et le dimanche de 10h à 12h"
    )


# --------------------------------------------------------------------------- keys in the code


@dataclass(frozen=True)
class Use:
    """One place the code names a catalogue key (or a group, or a key prefix)."""

    key: str
    audience: str | None  # None: a constant handed to a helper, either catalogue
    values: frozenset[str] | None  # the names passed; None when unknown
    exact: bool  # the values must be exactly the text's fields (a literal call)
    kind: str  # "key", "group" or "prefix"
    where: str


def _code_files() -> Iterator[Path]:
    for folder in CODE_FOLDERS:
        yield from sorted((ROOT / folder).rglob("*.py"))


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _dict_literals(function: ast.AST) -> dict[str, frozenset[str]]:
    """Names bound to a dict literal with constant keys in a function: ``values = {"a": ...}``."""
    found = {}
    for node in ast.walk(function):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Dict)
            and all(isinstance(k, ast.Constant) for k in node.value.keys)
        ):
            keys = frozenset(str(k.value) for k in node.value.keys if isinstance(k, ast.Constant))
            found[node.targets[0].id] = keys
    return found


def _values_of(call: ast.Call, dicts: dict[str, frozenset[str]]) -> tuple[frozenset[str], bool]:
    """The names a call passes, and whether that list is complete."""
    names: set[str] = set()
    complete = True
    for keyword in call.keywords:
        if keyword.arg is not None:
            names.add(keyword.arg)
        elif isinstance(keyword.value, ast.Name) and keyword.value.id in dicts:
            names |= dicts[keyword.value.id]
        else:
            complete = False
    return frozenset(names), complete


def _uses_in(path: Path) -> Iterator[Use]:
    source = path.read_text(encoding="utf-8")
    if "shop.voice" not in source:
        return
    tree = ast.parse(source)
    where = str(path.relative_to(ROOT))
    speaks = any(
        isinstance(node, ast.ImportFrom) and (node.module or "").startswith("shop.voice")
        for node in ast.walk(tree)
    )
    if not speaks:
        return
    forwarders: dict[str, tuple[int, frozenset[str] | None, str]] = {}
    passed_on: set[int] = set()
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        params = [a.arg for a in function.args.args]
        dicts = _dict_literals(function)
        for call in ast.walk(function):
            if not isinstance(call, ast.Call) or not call.args:
                continue
            name = _called_name(call)
            first = call.args[0]
            if name in SAYERS and isinstance(first, ast.Name) and first.id in params:
                values, complete = _values_of(call, dicts)
                index = params.index(first.id)
                forwarders[function.name] = (index, values if complete else None, SAYERS[name])
            elif name in SAYERS and isinstance(first, ast.JoinedStr):
                head = first.values[0] if first.values else None
                if isinstance(head, ast.Constant) and isinstance(head.value, str):
                    values, complete = _values_of(call, dicts)
                    prefix = head.value
                    passed_on.add(id(head))
                    yield Use(
                        prefix,
                        SAYERS[name],
                        values if complete else None,
                        False,
                        "prefix",
                        where,
                    )
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call) or not call.args:
            continue
        name = _called_name(call)
        first = call.args[0]
        if name in SAYERS and isinstance(first, ast.Constant) and isinstance(first.value, str):
            values, complete = _values_of(call, {})
            passed_on.add(id(first))
            yield Use(first.value, SAYERS[name], values if complete else None, True, "key", where)
        elif name in TABLES and isinstance(first, ast.Constant) and isinstance(first.value, str):
            passed_on.add(id(first))
            yield Use(first.value, TABLES[name], frozenset(), False, "group", where)
        elif name in forwarders:
            index, forwarded, audience = forwarders[name]
            argument = call.args[index] if index < len(call.args) else None
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                passed_on.add(id(argument))
                yield Use(argument.value, audience, forwarded, False, "key", where)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in passed_on
            and _looks_like_a_key(node.value)
        ):
            yield Use(node.value, None, None, False, "key", where)


@functools.cache
def _groups() -> frozenset[str]:
    return frozenset(
        key.split(".")[0] for key in (*shopper_catalogue().texts, *agent_catalogue().texts)
    )


def _looks_like_a_key(text: str) -> bool:
    parts = text.split(".")
    return (
        len(parts) > 1
        and parts[0] in _groups()
        and all(part and part.replace("_", "").isalnum() for part in parts)
    )


def _catalogues(audience: str | None) -> list[Catalogue]:
    if audience == "shopper":
        return [shopper_catalogue()]
    if audience == "agent":
        return [agent_catalogue()]
    return [shopper_catalogue(), agent_catalogue()]


def _covered(use: Use, catalogue: Catalogue) -> list[str]:
    """The keys of the catalogue this use reaches."""
    if use.kind == "key":
        return [use.key] if use.key in catalogue.texts else []
    prefix = use.key if use.kind == "prefix" else f"{use.key}."
    return [
        key
        for key in catalogue.texts
        if key.startswith(prefix) and (use.kind == "prefix" or "." not in key[len(prefix) :])
    ]


@functools.cache
def _all_uses() -> tuple[Use, ...]:
    return tuple(use for path in _code_files() for use in _uses_in(path))


def test_the_scan_finds_the_code_that_speaks() -> None:
    uses = _all_uses()
    assert any(u.key == "cancellation.before_cutoff" and u.exact for u in uses)
    assert any(u.key == "returns.line." and u.kind == "prefix" for u in uses)
    assert any(u.key == "promo.expired" and u.values for u in uses)  # through _promo_sentence
    assert any(u.key == "handoff_reason" and u.kind == "group" for u in uses)


def test_every_key_the_code_names_is_defined() -> None:
    undefined = [
        f"{use.where}: {use.key}"
        for use in _all_uses()
        if not any(_covered(use, catalogue) for catalogue in _catalogues(use.audience))
    ]
    assert not undefined


def test_every_catalogue_key_is_used_somewhere_in_the_code() -> None:
    uses = _all_uses()
    for catalogue in (shopper_catalogue(), agent_catalogue()):
        reached = {
            key
            for use in uses
            if use.audience in (None, "agent" if catalogue is agent_catalogue() else "shopper")
            for key in _covered(use, catalogue)
        }
        unused = sorted(set(catalogue.texts) - reached)
        assert not unused, f"{catalogue.source}: {unused}"


def test_each_text_gets_the_values_it_names() -> None:
    wrong = []
    for use in _all_uses():
        if use.values is None:
            continue
        for catalogue in _catalogues(use.audience):
            for key in _covered(use, catalogue):
                fields = fields_of(catalogue.text(key))
                if use.kind == "group" and fields:
                    wrong.append(f"{use.where}: label {key} has a placeholder {sorted(fields)}")
                elif (use.exact and fields != use.values) or not fields <= use.values:
                    wrong.append(
                        f"{use.where}: {key} needs {sorted(fields)}, gets {sorted(use.values)}"
                    )
    assert not wrong


# --------------------------------------------------------------------------- no stray French

SPEAKING_THROUGH_THE_CATALOGUE = (
    "shop/assistant.py",
    "shop/policy/answers.py",
    "shop/knowledge/placeholders.py",
    "desk/canned.py",
    "desk/charts.py",
    "desk/dashboard_view.py",
    "desk/deps.py",
    "desk/errors.py",
    "desk/handoff.py",
    "desk/limits.py",
    "desk/login_guard.py",
    "desk/routers/accounts.py",
    "desk/routers/console.py",
    "desk/routers/dashboard.py",
    "desk/routers/review.py",
    "desk/routers/widget.py",
    "desk/service.py",
    "desk/shopper_access.py",
    "desk/views.py",
    "actions/confirmation.py",
    "actions/faq.py",
    "actions/handoff.py",
    "actions/journey.py",
    "actions/repair.py",
)
_FRENCH = re.compile(r"[éèêëàâùûçôîïœ«»]|\b(?:vous|votre|vos|je|nous|commande|colis)\b", re.I)


def _french_literals(path: Path) -> list[str]:
    """String literals that read as French, leaving out docstrings and the placeholders'
    meanings (written for the FAQ's editors, shown in their guide)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            skipped.add(id(body[0].value))
        if isinstance(node, ast.Call) and _called_name(node) == "Placeholder":
            skipped.update(id(arg) for arg in node.args[:2])
    return [
        f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:60]}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skipped
        and _FRENCH.search(node.value)
    ]


def test_the_modules_moved_to_the_catalogue_hold_no_french_sentence() -> None:
    found = [
        line for name in SPEAKING_THROUGH_THE_CATALOGUE for line in _french_literals(ROOT / name)
    ]
    assert not found
