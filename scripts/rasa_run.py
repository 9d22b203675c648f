"""`rasa` without JAX and with one BLAS and one TensorFlow thread: the Rasa command line, 65 MB
lighter and about half the CPU per turn.

TensorFlow 2.12 depends on JAX and, when importing, tries ``from jax import xla_computation``
for TensorFlow Lite's converter of JAX functions (guarded: ``None`` when JAX is missing). Rasa
never converts JAX functions, yet that import loads jaxlib's XLA libraries: ~65 MB resident and
~0.3 s of start in every Rasa server (scripts/bench_startup.py --command). Here JAX counts as
missing before Rasa imports TensorFlow. Also: a message the desk sends twice is read once
(``bot/repeated_messages.py``), the action servers' connections are kept between calls
(``bot/action_connections.py``), a conversation's applied events and dialogue states are carried
from one reading to the next and its tracker copied from its state, instead of made again from
its first event (``bot/applied_events.py``, ``bot/prediction_states.py``,
``bot/tracker_copies.py``), the copies Rasa makes for its debug lines are made only when it
writes them (``bot/debug_log_copies.py``), a message's count vectors are counted without
scikit-learn's per-call checks (``bot/count_vectors.py``), and once the model is loaded its
objects are set aside from the garbage collector's full passes (``shop/gc_pauses.py``: a full
pass walked them all, 300-650 ms under load, while every turn on the server waited); everything
else is Rasa's own command line.

numpy's and scipy's OpenBLAS start a helper thread per core, which after each matrix product
spins on its core waiting for the next one. A Rasa turn does a few small products (features,
the FAQ selector's similarities), so the helper kept a whole core busy: 131 ms of CPU a turn
for a single shopper, 48 ms a turn at ten at once, against 27 and 25 ms with one BLAS thread
(BENCHMARKS.md). TensorFlow, likewise, ran DIET's small graph (a message of a few tokens) on a
pool of two threads for its operations and two for running them side by side: handing each
operation to the pool cost more than it saved. On one thread of each (Rasa's
``TF_INTRA_OP_PARALLELISM_THREADS`` and ``TF_INTER_OP_PARALLELISM_THREADS``) the graph takes
1.7-2.0 ms of CPU instead of 2.1-2.3, the same predictions to the last digit on the 1 652 held-out
and development messages (BENCHMARKS.md). An operator's own values of these variables are kept.

    .venv/bin/python scripts/rasa_run.py run --model ... (same arguments as `rasa run`)
"""

from __future__ import annotations

import os
import sys
from typing import Any

UNUSED = ("jax",)


def block_unused() -> None:
    """Make ``import jax`` fail with ImportError, as if it were not installed."""
    for name in UNUSED:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


# Read by OpenBLAS when numpy loads it, and by Rasa's command line before it loads a model
# (``rasa.utils.tensorflow.environment.setup_tf_environment``).
ONE_THREAD = (
    "OPENBLAS_NUM_THREADS",
    "TF_INTRA_OP_PARALLELISM_THREADS",
    "TF_INTER_OP_PARALLELISM_THREADS",
)


def one_compute_thread() -> None:
    """One thread for BLAS and for TensorFlow's operations: set before Rasa imports numpy."""
    for name in ONE_THREAD:
        os.environ.setdefault(name, "1")


def set_aside_after_model_load() -> None:
    """Wrap the listener that loads the model when the server starts: once the agent is
    loaded, its objects leave the garbage collector's full passes (``shop/gc_pauses.py``)."""
    import rasa.core.run

    from shop.gc_pauses import set_aside_startup_objects

    load_agent_on_start = rasa.core.run.load_agent_on_start

    async def load_then_set_aside(*args: Any, **kwargs: Any) -> Any:
        agent = await load_agent_on_start(*args, **kwargs)
        set_aside_startup_objects("Rasa server")
        return agent

    rasa.core.run.load_agent_on_start = load_then_set_aside


def change_turns() -> None:
    """Rasa's turn as every Rasa server of the product runs it (``scripts/
    bench_conversation_length.py`` measures the same)."""
    from bot import (
        action_connections,
        applied_events,
        count_vectors,
        debug_log_copies,
        prediction_states,
        repeated_messages,
        tracker_copies,
    )

    repeated_messages.install()  # a message the desk sends twice is read once
    action_connections.install()  # calls to the action servers keep their connections
    applied_events.install()  # a conversation's history not read from its start each time
    prediction_states.install()  # nor its dialogue states replayed
    debug_log_copies.install()  # no copies for the debug lines the server does not write
    tracker_copies.install()  # a tracker copied from its state, its events not replayed
    count_vectors.install()  # a message's count-vector features counted without scikit-learn


def main() -> None:
    block_unused()
    one_compute_thread()
    from rasa.__main__ import main as rasa_main

    change_turns()
    set_aside_after_model_load()

    rasa_main()


if __name__ == "__main__":
    main()
