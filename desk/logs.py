"""The desk's log lines (uvicorn's access and WebSocket lines included), without conversation ids.

Paths such as ``/api/chat/<id>/messages`` and ``/ws/<id>`` would write every conversation's id
to ``desk.log``; the id is half of what opens a conversation, and a log is read by more people
than a conversation is. Every handler masks it, and the access log keeps the rest of the line.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from uvicorn.config import LOGGING_CONFIG

_ID_IN_PATH = re.compile(r"(/api/chat/|/ws/)[^/?#\s\"']+")
MASK = r"\1<id>"


def mask_conversation_ids(text: str) -> str:
    return _ID_IN_PATH.sub(MASK, text)


class ConversationIdFilter(logging.Filter):
    """Masks conversation ids in the message and in its arguments (the access formatter reads
    the path from the arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_conversation_ids(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                mask_conversation_ids(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration with the filter on every handler; the desk's own
    loggers (warnings and errors) go through the same handler."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"conversation_ids": {"()": ConversationIdFilter}}
    for handler in config["handlers"].values():
        handler["filters"] = ["conversation_ids"]
    config["root"] = {"handlers": ["default"], "level": "WARNING"}
    return config
