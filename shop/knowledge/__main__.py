"""Command line for editors and tooling: validate the FAQ, build the training data, preview.

    python -m shop.knowledge validate [--folder knowledge/faq] [--allow-drafts]
    python -m shop.knowledge build    [--folder knowledge/faq] [--output bot/data/faq.yml]
                                      [--allow-drafts]
    python -m shop.knowledge show ID  [--profile maison_ocre]

Exit status 1 when the files are invalid (or, for ``show``, the id is unknown), so a CI step or
a pre-commit hook can stop a broken file before it ships. A draft without an answer (the review
inbox's ``a_rediger.yml``) is an error, except with ``--allow-drafts`` (the run command): then
it is listed, left out of the training data, and the rest goes on.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from shop.knowledge.loader import KnowledgeError
from shop.knowledge.model import KnowledgeBase
from shop.knowledge.placeholders import fill
from shop.knowledge.training import read_digest, training_digest, write_rasa_training_data
from shop.knowledge.validator import check, drafts, summary
from shop.policy.profile import (
    PROFILE_ENV_VAR,
    REPO_ROOT,
    ProfileError,
    load_profile,
    resolve_profile_path,
)
from shop.settings import current_settings

DEFAULT_FOLDER = REPO_ROOT / "knowledge" / "faq"
DEFAULT_OUTPUT = REPO_ROOT / "bot" / "data" / "faq.yml"
_DESCRIPTION = "Validate the FAQ files, build the Rasa training data, preview an answer."


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shop.knowledge", description=_DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="check the FAQ files")
    validate.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    build = commands.add_parser("build", help="write the Rasa training file from the FAQ")
    build.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    build.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    for command in (validate, build):
        command.add_argument(
            "--allow-drafts",
            action="store_true",
            help="leave out the entries without an answer instead of refusing the folder",
        )
    show = commands.add_parser("show", help="print an entry's answer as a shop would send it")
    show.add_argument("id")
    show.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    show.add_argument(
        "--profile", default=None, help=f"shop id or path (default: ${PROFILE_ENV_VAR})"
    )
    args = parser.parse_args(argv)
    knowledge = _checked(args.folder, getattr(args, "allow_drafts", False))
    if knowledge is None:
        return 1
    if args.command == "validate":
        counts = summary(knowledge)
        files = ", ".join(f"{Path(name).name} {count}" for name, count in counts.items())
        print(f"OK: {len(knowledge)} entries in {len(counts)} files ({files})")
        return 0
    if args.command == "build":
        return _build(knowledge, args.output)
    return _show(knowledge, args.id, args.profile)


def _checked(folder: Path, allow_drafts: bool) -> KnowledgeBase | None:
    if allow_drafts:
        for entry in drafts(folder):
            print(
                f"{entry.file}:{entry.line_of('answer')}: draft {entry.id!r} left out: "
                "réponse à écrire",
                file=sys.stderr,
            )
    try:
        knowledge, errors = check(folder, allow_drafts=allow_drafts)
    except ProfileError as exc:
        errors = [KnowledgeError(exc.file, exc.line or 0, str(exc))]
        knowledge = None
    for error in errors:
        print(error, file=sys.stderr)
    if knowledge is None:
        print(f"{len(errors)} error(s): nothing changed.", file=sys.stderr)
    return knowledge


def _build(knowledge: KnowledgeBase, output: Path) -> int:
    before = read_digest(output)
    after = training_digest(knowledge)
    written = write_rasa_training_data(knowledge, output)
    state = "written" if written else "already up to date"
    print(f"{output}: {len(knowledge)} FAQ intents, {state}.")
    if before == after:
        print("Phrasings unchanged: no retrain needed (answer edits are live on reload).")
    else:
        print("Phrasings changed: retrain needed (bash scripts/run.sh retrains when data change).")
    return 0


def _show(knowledge: KnowledgeBase, entry_id: str, profile_name: str | None) -> int:
    if entry_id not in knowledge:
        print(f"unknown entry {entry_id!r}", file=sys.stderr)
        return 1
    name = profile_name or current_settings().shop_profile
    try:
        profile = load_profile(resolve_profile_path(name))
    except ProfileError as exc:
        print(exc, file=sys.stderr)
        return 1
    entry = knowledge.entry(entry_id)
    print(f"[{profile.display_name}] {entry.title}\n{fill(entry.answer, profile)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
