"""`rasa` without JAX: the Rasa command line, 65 MB lighter per Rasa process.

TensorFlow 2.12 depends on JAX and, when importing, tries ``from jax import xla_computation``
for TensorFlow Lite's converter of JAX functions (guarded: ``None`` when JAX is missing). Rasa
never converts JAX functions, yet that import loads jaxlib's XLA libraries: ~65 MB resident and
~0.3 s of start in every Rasa server (scripts/bench_startup.py --command). Here JAX counts as
missing before Rasa imports TensorFlow, and a message the desk sends twice is read once
(``bot/repeated_messages.py``); everything else is Rasa's own command line:

    .venv/bin/python scripts/rasa_run.py run --model ... (same arguments as `rasa run`)
"""

from __future__ import annotations

import sys

UNUSED = ("jax",)


def block_unused() -> None:
    """Make ``import jax`` fail with ImportError, as if it were not installed."""
    for name in UNUSED:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


def main() -> None:
    block_unused()
    from rasa.__main__ import main as rasa_main

    from bot.repeated_messages import install

    install()  # a message the desk sends twice is read once

    rasa_main()


if __name__ == "__main__":
    main()
