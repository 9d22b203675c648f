"""The widget's French texts, copied from the shoppers' catalogue into ``static/widget.js``.

The widget is one static file with no build step, served by the desk and by nginx, and it must
still say « Connexion impossible » when the desk cannot be reached, so it cannot fetch its texts.
It carries a generated block instead, ``var TEXTS = {...}`` between two marker lines, made from
the ``widget_page`` group of ``shop/voice/shopper.yml``; the rest of the script reads
``TEXTS.key``. ``python -m desk.widget_texts`` rewrites the block after the catalogue changed,
``--check`` fails when it is out of date (a unit test does the same).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from shop.voice import labels

ROOT = Path(__file__).resolve().parents[1]
WIDGET = ROOT / "desk/static/widget.js"
BEGIN = (
    "  // BEGIN texts generated from shop/voice/shopper.yml (python -m desk.widget_texts): "
    "do not edit"
)
END = "  // END texts"


class MarkersMissing(ValueError):
    """The script has lost the lines that frame its generated block."""


def texts() -> dict[str, str]:
    """The widget's texts by key, in the catalogue's order."""
    return labels("widget_page")


def render() -> str:
    """The generated block, marker lines included, as it must stand in ``widget.js``."""
    body = json.dumps(texts(), ensure_ascii=False, indent=2)
    indented = "\n".join("  " + line for line in body.splitlines())
    return f"{BEGIN}\n  var TEXTS = {indented.lstrip()};\n{END}"


def split(source: str) -> tuple[str, str, str]:
    """The script before the block, the block itself (markers included), and after it."""
    start = source.find(BEGIN + "\n")
    end = source.find("\n" + END + "\n", start)
    if start < 0 or end < 0:
        raise MarkersMissing(f"{WIDGET.name}: the lines {BEGIN.strip()!r} and {END.strip()!r}")
    stop = end + 1 + len(END)
    return source[:start], source[start:stop], source[stop:]


def rewritten(source: str) -> str:
    """``source`` with its block replaced by the current ``render()``."""
    before, _, after = split(source)
    return before + render() + after


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if widget.js is out of date, write nothing"
    )
    args = parser.parse_args(argv)
    source = WIDGET.read_text(encoding="utf-8")
    try:
        current = rewritten(source)
    except MarkersMissing as error:
        print(f"cannot find the generated block: {error}", file=sys.stderr)
        return 2
    if current == source:
        print(f"{_shown(WIDGET)} is up to date")
        return 0
    if args.check:
        print(
            f"{_shown(WIDGET)} is out of date with shop/voice/shopper.yml "
            f"(widget_page): run python -m desk.widget_texts",
            file=sys.stderr,
        )
        return 1
    WIDGET.write_text(current, encoding="utf-8")
    print(f"rewrote the texts of {_shown(WIDGET)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
