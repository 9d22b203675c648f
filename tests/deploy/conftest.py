"""The launcher's settings as the deploy tests render them: small sizes, ports of their own,
every file under a temporary folder."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from deploy.render import ServeSettings, write


@pytest.fixture
def settings(tmp_path: Path) -> ServeSettings:
    return dataclasses.replace(
        ServeSettings(),
        run_dir=tmp_path / "run",
        log_dir=tmp_path / "logs",
        model="/models/current.tar.gz",
        rasa_processes=2,
        action_processes=1,
        desk_processes=2,
        public_host="127.0.0.1",
        public_port=8790,
        desk_port=8791,
        rasa_lb_port=5790,
        rasa_port=5791,
        actions_lb_port=5795,
        actions_port=5796,
        postgres_port=5798,
        postgres_dir=tmp_path / "postgres",
        redis_port=5799,
    )


@pytest.fixture
def rendered(settings: ServeSettings) -> dict[str, Path]:
    """The configs written as scripts/serve.sh writes them, by file name."""
    settings.log_dir.mkdir(parents=True)
    (settings.run_dir / "nginx-tmp").mkdir(parents=True)
    return {path.name: path for path in write(settings, settings.run_dir)}
