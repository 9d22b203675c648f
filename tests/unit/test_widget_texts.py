"""The widget speaks only through its generated block, and the block is the catalogue's.

``desk/static/widget.js`` carries the ``widget_page`` texts of ``shop/voice/shopper.yml`` in
one generated ``var TEXTS = {...}`` (it must speak when the desk is unreachable); a change to
the catalogue that was not copied, a key the script reads that the catalogue lacks, a text
nobody reads any more or a French sentence typed straight into the script fails here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from desk import widget_texts
from desk.widget_texts import WIDGET, MarkersMissing, render, rewritten, split, texts

_FRENCH = re.compile(
    r"[éèêëàâùûçôîïœ«»…]|\b(?:vous|votre|vos|je|nous|merci|oui|non|conseiller)\b",
    re.I,
)


def _script_outside_the_block() -> str:
    before, _, after = split(WIDGET.read_text(encoding="utf-8"))
    return before + after


def _code_without_comments(script: str) -> str:
    """The script's code: block comments and ``//`` comments (after a space or at a line's
    start, so ``https://`` in a string stays) left out."""
    script = re.sub(r"/\*.*?\*/", "", script, flags=re.S)
    return re.sub(r"(^|\s)//[^\n]*", r"\1", script)


def test_the_block_in_the_widget_is_the_catalogue_s_current_texts() -> None:
    _, block, _ = split(WIDGET.read_text(encoding="utf-8"))
    assert block == render(), "run python -m desk.widget_texts"


def test_the_block_is_the_group_as_json() -> None:
    literal = render().split("var TEXTS = ", 1)[1].rsplit(";", 1)[0]
    assert json.loads(literal) == texts()


def test_every_text_the_widget_reads_is_defined_and_every_text_is_read() -> None:
    code = _code_without_comments(_script_outside_the_block())
    assert "TEXTS[" not in code  # a computed key would escape this check
    read = set(re.findall(r"\bTEXTS\.(\w+)", code))
    defined = set(texts())
    assert read - defined == set(), "read by widget.js, missing from shopper.yml"
    assert defined - read == set(), "in shopper.yml, read by nobody in widget.js"


def test_the_widget_holds_no_french_sentence_outside_its_block() -> None:
    code = _code_without_comments(_script_outside_the_block())
    french = [line.strip() for line in code.splitlines() if _FRENCH.search(line)]
    assert french == []
    inlined = [text for text in texts().values() if json.dumps(text)[1:-1] in code]
    assert inlined == []


def test_the_french_check_sees_a_sentence_typed_into_the_script() -> None:
    assert _FRENCH.search('showError("Réessayez plus tard.");')
    assert _FRENCH.search('el("button", {}, "Votre avis");')
    assert not _FRENCH.search(_code_without_comments("send(x); // « Effacer » is a comment"))
    assert not _FRENCH.search('el("a", { href: "https://example.fr/" }, TEXTS.privacy_link);')


def test_rewriting_replaces_only_the_block() -> None:
    stale = f"head();\n{widget_texts.BEGIN}\n  var TEXTS = {{}};\n{widget_texts.END}\ntail();\n"
    assert rewritten(stale) == f"head();\n{render()}\ntail();\n"
    assert rewritten(rewritten(stale)) == rewritten(stale)
    with pytest.raises(MarkersMissing):
        rewritten("var TEXTS = {};\n")


def test_check_says_when_the_widget_is_out_of_date(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "widget.js"
    current = WIDGET.read_text(encoding="utf-8")
    copy.write_text(current.replace(json.dumps(texts()["send"], ensure_ascii=False), '"x"'))
    monkeypatch.setattr(widget_texts, "WIDGET", copy)
    assert widget_texts.main(["--check"]) == 1
    assert "out of date" in capsys.readouterr().err
    assert widget_texts.main([]) == 0
    assert copy.read_text(encoding="utf-8") == current
    assert widget_texts.main(["--check"]) == 0
