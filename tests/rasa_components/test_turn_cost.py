"""What a turn no longer pays for, checked on Rasa's own code: the domain travels to the action
server only for the actions that read it (``enable_selective_domain``)."""

from __future__ import annotations

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from devtools.servers import ROOT
from scripts import write_endpoints


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def request_to_actions(action: str, domain: Domain) -> dict[str, object]:
    """The body Rasa posts to the action server for ``action``, with the product's endpoints."""
    settings = write_endpoints.endpoints({"ACTIONS_PORT": "6001", "ACTIONS_TOKEN": "t0ken"})
    endpoint = EndpointConfig.from_dict(settings["action_endpoint"])
    tracker = DialogueStateTracker("shopper", domain.slots)
    return RemoteAction(action, endpoint)._action_call_format(tracker, domain)


def test_actions_that_do_not_read_the_domain_are_sent_none(domain: Domain) -> None:
    for action in ("action_answer_faq", "action_track_order", "action_human_handoff"):
        assert "domain" not in request_to_actions(action, domain), action


def test_every_form_validation_still_gets_the_domain(domain: Domain) -> None:
    """rasa_sdk's ``FormValidationAction`` reads the form's required slots from it."""
    validations = [a for a in domain.user_actions if a.startswith("validate_")]
    assert len(validations) == len(domain.forms) > 0
    for action in validations:
        assert request_to_actions(action, domain)["domain"]["forms"], action  # type: ignore[index]
