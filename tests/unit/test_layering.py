"""``shop`` is the domain every front door shares: it imports neither Rasa, rasa_sdk, FastAPI
nor Starlette, nor the desk, the actions or the bot, so its rules run and test without them."""

from __future__ import annotations

import subprocess
import sys

from devtools.servers import ROOT

FORBIDDEN = ("rasa", "rasa_sdk", "fastapi", "starlette", "desk", "actions", "bot")
IMPORT_ALL = f"""
import importlib, pkgutil, sys
import shop
for module in pkgutil.walk_packages(shop.__path__, "shop."):
    importlib.import_module(module.name)
roots = {{name.split(".")[0] for name in sys.modules}}
print(" ".join(sorted(roots & set({FORBIDDEN!r}))))
"""


def test_no_module_of_shop_imports_a_front_door_or_its_framework() -> None:
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []
