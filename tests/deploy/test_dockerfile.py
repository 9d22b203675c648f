"""The container image definition: Python 3.10 slim, every file it copies exists in the project
and is not excluded from the build context, and the image runs the one launcher of every kind
on the ports the Kubernetes manifests expect."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

from deploy.render import ROOT

DOCKERFILE = ROOT / "deploy" / "container" / "Dockerfile"
IGNORE = DOCKERFILE.with_name("Dockerfile.dockerignore")


def instructions() -> list[tuple[str, str]]:
    """(instruction, arguments), continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def ignored(path: str) -> bool:
    patterns = [
        line.strip()
        for line in IGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    parts = Path(path.rstrip("/")).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(fnmatch.fnmatch(prefix, pattern) for pattern in patterns for prefix in prefixes)


def test_base_image_is_python_310_slim() -> None:
    froms = [args for name, args in instructions() if name == "FROM"]
    assert froms[0].startswith("python:3.10-slim")
    assert (ROOT / ".python-version").read_text().strip().startswith("3.10")


def test_every_copied_file_exists_and_reaches_the_build() -> None:
    copies = [args for name, args in instructions() if name == "COPY" and "--from" not in args]
    sources = [source for args in copies for source in args.split()[:-1]]
    assert "requirements.lock" in sources
    for source in sources:
        assert (ROOT / source).exists(), source
        assert not ignored(source), f"{source} is excluded by {IGNORE.name}"
    # The product's code: every top-level package the processes import is copied.
    for package in ("actions", "bot", "desk", "shop", "deploy", "scripts", "knowledge"):
        assert f"{package}/" in sources, package


def test_the_image_runs_bijou_process_on_the_manifests_ports() -> None:
    steps = dict(instructions())
    assert "/app/deploy/bin/bijou-process" in steps["ENTRYPOINT"]
    assert set(steps["EXPOSE"].split()) == {"5005", "5055", "8000"}
    assert "BIND_HOST=0.0.0.0" in " ".join(a for n, a in instructions() if n == "ENV")
    assert steps["USER"] == "bijou"


def test_the_model_is_trained_in_the_build_not_copied_from_the_machine() -> None:
    assert ignored(".var/models/x.tar.gz") and ignored(".var/desk_secret")
    runs = " ".join(args for name, args in instructions() if name == "RUN")
    assert "scripts/ensure_model.py" in runs and "scripts/make_lean_spacy.py" in runs
