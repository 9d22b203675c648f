"""Train the Rasa model only when its inputs changed.

The cache key is a hash of config.yml, domain.yml, every file under bot/data/, the custom
components in bot/*.py (not the tracker and lock stores, which the Rasa server uses and the
model does not contain) with every project module they import, directly or not (a helper of
``shop/`` a component calls changes what the model learns as much as the component does),
and the identity of the lean spaCy package the pipeline names (its
meta.json: source model, versions, components left out; installed first if missing); the model
is kept as .var/models/<hash>.tar.gz (an ignored folder), so CI and a second `run` reuse it.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

from scripts import make_lean_spacy

ROOT = Path(__file__).resolve().parent.parent

MODELS = ROOT / ".var" / "models"
KEEP = 3
# Modules of bot/ that only the running server uses (scripts/write_endpoints.py and
# scripts/rasa_run.py name them, or those modules import them).
SERVER_ONLY = {
    "tracker_store.py",
    "kept_trackers.py",
    "turn_recorder.py",
    "lock_store.py",
    "repeated_messages.py",
    "action_connections.py",
    "off_loop.py",
    "applied_events.py",
    "prediction_states.py",
    "debug_log_copies.py",
    "tracker_copies.py",
    "count_vectors.py",
}


# The project's own packages: what a component imports from them is part of the model.
PROJECT_PACKAGES = ("bot", "shop", "actions")


def training_inputs() -> list[Path]:
    data = sorted(p for p in (ROOT / "bot" / "data").rglob("*") if p.is_file())
    components = sorted(p for p in (ROOT / "bot").glob("*.py") if p.name not in SERVER_ONLY)
    imported = sorted(imported_project_files(components) - set(components))
    return [ROOT / "config.yml", ROOT / "domain.yml", *data, *components, *imported]


def imported_project_files(paths: list[Path]) -> set[Path]:
    """The project's source files that ``paths`` import, directly or through each other, with
    the ``__init__.py`` of every package on the way (importing a module runs them)."""
    seen: set[Path] = set()
    todo = list(paths)
    while todo:
        path = todo.pop()
        for name in _imported_names(path):
            for file in _module_files(name):
                if file not in seen:
                    seen.add(file)
                    todo.append(file)
    return seen


def _imported_names(path: Path) -> set[str]:
    """Every module name ``path`` imports, anywhere in it (``from a import b`` gives ``a`` and
    ``a.b``: b may be a module)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the importing file's package
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([base] if base else [])])
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _module_files(name: str) -> list[Path]:
    """The project files importing ``name`` runs: each package's ``__init__.py`` on the way
    and the module itself; none for a module outside the project."""
    parts = name.split(".")
    if parts[0] not in PROJECT_PACKAGES:
        return []
    files = []
    for depth in range(1, len(parts) + 1):
        folder = ROOT.joinpath(*parts[:depth])
        if (folder / "__init__.py").is_file():
            files.append(folder / "__init__.py")
        elif depth == len(parts) and folder.with_suffix(".py").is_file():
            files.append(folder.with_suffix(".py"))
    return files


def lean_spacy_meta() -> bytes:
    """The installed lean spaCy package's meta.json (built and installed if missing or stale;
    its messages go to stderr: ``--print-path`` prints the path alone)."""
    with contextlib.redirect_stdout(sys.stderr):
        make_lean_spacy.ensure()
    path = make_lean_spacy.installed_meta_path()
    if path is None:
        raise RuntimeError(f"{make_lean_spacy.PACKAGE} is not installed: run scripts/setup.sh")
    return path.read_bytes()


def inputs_hash() -> str:
    digest = hashlib.sha256()
    for path in training_inputs():
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    digest.update(make_lean_spacy.PACKAGE.encode())
    digest.update(b"\0")
    digest.update(lean_spacy_meta())
    return digest.hexdigest()[:16]


def model_path() -> Path:
    return MODELS / f"{inputs_hash()}.tar.gz"


# No training cache: a model is trained only when its inputs changed, from scratch, and the
# cache would copy every featurised message to disk (~1 GB in .rasa/cache) for nothing. With it
# off, Rasa does not hash each node's inputs and output either (bot/rasa_speedups.py).
TRAINING_ENV = {"RASA_MAX_CACHE_SIZE": "0"}


def training_command(out: Path, name: str) -> list[str]:
    """`rasa train` for the model ``out/<name>.tar.gz``."""
    return [
        str(ROOT / ".venv" / "bin" / "rasa"),
        "train",
        "--config",
        "config.yml",
        "--domain",
        "domain.yml",
        "--data",
        "bot/data",
        "--out",
        str(out),
        "--fixed-model-name",
        name,
        # scripts/test.sh and scripts/update_knowledge.sh run `rasa data validate` before
        # training; no need to validate twice.
        "--skip-validation",
    ]


def train(path: Path) -> float:
    MODELS.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    subprocess.run(
        training_command(MODELS, path.name.removesuffix(".tar.gz")),
        cwd=ROOT,
        check=True,
        env={**os.environ, **TRAINING_ENV},
    )
    return time.perf_counter() - started


def prune() -> None:
    models = sorted(MODELS.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in models[KEEP:]:
        old.unlink()
        old.with_suffix("").with_suffix(".train-seconds").unlink(missing_ok=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--print-path", action="store_true", help="only print the model path")
    args = parser.parse_args()
    path = model_path()
    if args.print_path:
        print(path)
        return 0
    if path.exists():
        print(f"==> model up to date: {path.relative_to(ROOT)}")
        return 0
    print(f"==> training data changed: training {path.relative_to(ROOT)}")
    seconds = train(path)
    path.with_suffix("").with_suffix(".train-seconds").write_text(f"{seconds:.1f}\n")
    print(f"==> trained in {seconds:.0f} s")
    prune()
    return 0


if __name__ == "__main__":
    sys.exit(main())
