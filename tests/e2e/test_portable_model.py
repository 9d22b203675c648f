"""The trained model travels: copied to another folder, it loads in a `rasa run` started from a
third, empty working directory (as on another host that ran the set-up), and understands French.
The archive names its spaCy pipeline as the installed package, never a path of this project."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devtools.servers import ROOT, VENV_BIN, model_path, stop_process
from devtools.services import free_port
from scripts.make_lean_spacy import PACKAGE

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def moved_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("elsewhere") / "assistant.tar.gz"
    shutil.copy(model_path(), copy)
    return copy


@pytest.fixture(scope="module")
def rasa_elsewhere(
    moved_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str, Path]]:
    """`rasa run` on the copied model, its working directory an empty folder."""
    cwd = tmp_path_factory.mktemp("empty-cwd")
    port, token = free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),  # the project's components, as installed on any host
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    log = open(cwd.parent / f"{cwd.name}.log", "wb")  # noqa: SIM115 - lives with the process
    process = subprocess.Popen(
        [
            str(VENV_BIN / "rasa"),
            "run",
            "--model",
            str(moved_model),
            "--enable-api",
            "--interface",
            "127.0.0.1",
            "--port",
            str(port),
            "--auth-token",
            token,
        ],
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            if process.poll() is not None:
                pytest.fail(f"rasa exited: {Path(log.name).read_text()[-3000:]}")
            try:
                status = httpx.get(f"{url}/status", params={"token": token}, timeout=2)
                if status.status_code == 200 and status.json().get("model_file"):
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("rasa not ready after 300 s")
            time.sleep(0.5)
        yield url, token, cwd
    finally:
        stop_process(process)
        log.close()


def parse(url: str, token: str, text: str) -> dict[str, Any]:
    response = httpx.post(
        f"{url}/model/parse", params={"token": token}, json={"text": text}, timeout=30
    )
    response.raise_for_status()
    return dict(response.json())


def test_archive_names_the_spacy_package_not_a_path(moved_model: Path) -> None:
    with tarfile.open(moved_model) as archive:
        member = archive.extractfile("metadata.json")
        assert member is not None
        metadata = json.loads(member.read())
    text = json.dumps(metadata)
    assert str(ROOT) not in text and ".var/" not in text
    spacy_nodes = [
        node
        for node in metadata["predict_schema"]["nodes"].values()
        if node["uses"].endswith("SpacyNLP")
    ]
    assert spacy_nodes and all(node["config"]["model"] == PACKAGE for node in spacy_nodes)


def test_moved_model_understands_french_from_another_working_directory(
    rasa_elsewhere: tuple[str, str, Path],
) -> None:
    url, token, cwd = rasa_elsewhere
    parsed = parse(url, token, "bonjour, je voudrais annuler ma commande 482913 svp")
    assert parsed["intent"]["name"] == "cancel_order"
    assert ("order_number", "482913") in [(e["entity"], e["value"]) for e in parsed["entities"]]
    tracking = parse(url, token, "où en est mon colis ? je l'attends depuis une semaine")
    assert tracking["intent"]["name"] in {"track_order", "lost_parcel"}
    assert not (cwd / ".var").exists()
