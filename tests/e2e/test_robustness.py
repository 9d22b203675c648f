"""Bad input and restarts: a polite French answer, nothing lost, no error left behind."""

from __future__ import annotations

import pytest

from devtools.servers import Stack, new_sender, slot, texts
from shop.store.demo import DEMO_ORDERS

pytestmark = pytest.mark.e2e

BAD_INPUTS = {
    "empty": "",
    "huge": "bonjour " * 2500,  # 20 000 characters
    "emoji": "😡😡😡🙏",
    "html": "<script>alert('x')</script><b>hello</b>",
    "sql": "'; DROP TABLE orders; --",
    "english": "Hello, what is the weather like in London today?",
    "binary-ish": "\x00\x01\x02 \ufffd\ufffd",
}


NO_WORDS = {"empty", "emoji", "binary-ish"}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_gets_a_polite_french_answer(stack: Stack, name: str) -> None:
    me = new_sender(name)
    answer = texts(stack.say(me, BAD_INPUTS[name]))
    assert answer.strip(), "the bot must always answer something"
    assert any(word in answer for word in ("Je", "je", "Bonjour", "Voici", "compris"))
    if name in NO_WORDS:
        assert "Je n'ai pas bien compris" in answer
    # The conversation still works afterwards.
    assert "numéro de commande" in texts(stack.say(me, "je veux suivre ma commande"))


def listening_addresses(port: int) -> set[str]:
    """Local addresses of the sockets listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            for line in list(lines)[1:]:
                local, state = line.split()[1], line.split()[3]
                address, port_hex = local.split(":")
                if state == "0A" and int(port_hex, 16) == port:  # 0A = LISTEN
                    found.add(address)
    return found


def test_action_server_listens_on_loopback_only(stack: Stack) -> None:
    assert listening_addresses(stack.actions_port) == {"0100007F"}  # 127.0.0.1 only
    assert listening_addresses(stack.rasa_port) == {"0100007F"}


def test_restarting_both_servers_keeps_the_conversation(stack: Stack, trained_model) -> None:  # type: ignore[no-untyped-def]
    demo = DEMO_ORDERS["shipped_on_time"]
    me = new_sender("restart")
    stack.say(me, "où en est ma commande")
    stack.say(me, demo.number)  # the form now waits for the email
    stack.stop("rasa")
    stack.stop("actions")
    stack.start_actions()
    stack.start_rasa(trained_model)
    assert slot(stack.tracker(me), "order_number") == demo.number
    answer = texts(stack.say(me, demo.email))
    assert "Colissimo" in answer
