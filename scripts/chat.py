"""Chat with the running assistant in a terminal, through the same REST channel as the website.

Buttons are shown numbered; type the number to press one. Ctrl-D or "/quit" ends the chat.
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from typing import Any

import httpx


def show(messages: list[dict[str, Any]]) -> list[str]:
    payloads: list[str] = []
    for message in messages:
        if message.get("text"):
            print(f"bot> {message['text']}")
        for button in message.get("buttons") or []:
            payloads.append(str(button["payload"]))
            print(f"     [{len(payloads)}] {button['title']}")
    return payloads


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}")
    parser.add_argument("--sender", default=f"terminal-{uuid.uuid4().hex[:8]}")
    args = parser.parse_args()
    print(f"Conversation {args.sender} with {args.url} (Ctrl-D to quit)")
    payloads: list[str] = []
    while True:
        try:
            text = input("vous> ").strip()
        except EOFError:
            print()
            return 0
        if text == "/quit":
            return 0
        if text.isdigit() and 0 < int(text) <= len(payloads):
            text = payloads[int(text) - 1]
        try:
            response = httpx.post(
                f"{args.url}/webhooks/rest/webhook",
                json={"sender": args.sender, "message": text},
                timeout=30,
            )
            response.raise_for_status()
        except httpx.HTTPError as error:
            print(f"error: the assistant did not answer ({error}); is scripts/run.sh running?")
            continue
        payloads = show(response.json())


if __name__ == "__main__":
    sys.exit(main())
