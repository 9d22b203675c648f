"""Times every full garbage collection of each Python process started with this folder on
``PYTHONPATH`` and ``BIJOU_GC_PROBE_DIR`` set (``scripts/bench_turn_cpu.py --gc-pauses``): one
line ``<unix time> <milliseconds>`` a collection in ``$BIJOU_GC_PROBE_DIR/<pid>.log``. A
benchmark's probe, never the product's: Python imports ``sitecustomize`` at start by itself."""

from __future__ import annotations

import gc
import os
import time

FOLDER = os.environ.get("BIJOU_GC_PROBE_DIR")


def _probe(folder: str) -> None:
    started: list[float] = []
    log = open(os.path.join(folder, f"{os.getpid()}.log"), "a", buffering=1)  # noqa: SIM115

    def timed(phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            started[:] = [time.perf_counter()]
        elif started:
            log.write(f"{time.time():.3f} {(time.perf_counter() - started[0]) * 1000:.1f}\n")

    gc.callbacks.append(timed)


if FOLDER:
    _probe(FOLDER)
