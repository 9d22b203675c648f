"""Fixtures of the tests of the Rasa server's parts: the product's domain and the conversations
its training data holds."""

from __future__ import annotations

import pytest
from rasa.core.training import load_data
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.importers.importer import TrainingDataImporter

from devtools.servers import ROOT


@pytest.fixture(scope="session")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture(scope="session")
def training_conversations(domain: Domain) -> list[list[Event]]:
    importer = TrainingDataImporter.load_from_dict(
        domain_path=str(ROOT / "domain.yml"), training_data_paths=[str(ROOT / "bot" / "data")]
    )
    trackers = load_data(importer, domain, augmentation_factor=0)
    return [list(tracker.events) for tracker in trackers]
