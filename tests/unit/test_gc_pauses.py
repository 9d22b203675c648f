"""shop/gc_pauses.py: a server's startup objects leave the garbage collector's passes, its
startup garbage does not stay. Run in a process of its own: freezing the test process would
keep every object the other tests made."""

from __future__ import annotations

import subprocess
import sys

from devtools.servers import ROOT

CHECK = """
import gc, weakref
from shop.gc_pauses import set_aside_startup_objects

class Node:
    pass

kept = [Node() for _ in range(50_000)]             # what a server keeps: its model, its rules
cycle = Node(); cycle.me = cycle                   # startup garbage only a collection frees
gone = weakref.ref(cycle); del cycle

set_aside = set_aside_startup_objects("test")
later = Node()                                     # what the server makes while it serves
print(gone() is None, set_aside >= 50_000, gc.get_freeze_count() == set_aside)
walked = {id(o) for o in gc.get_objects()}         # what the collector's passes walk
print(not any(id(node) in walked for node in kept), id(later) in walked)
"""


def test_startup_objects_leave_the_collectors_passes_and_startup_garbage_is_freed() -> None:
    out = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    freed, counted, frozen, kept_out, later_in = out.stdout.split()
    assert freed == "True", "startup garbage was frozen instead of freed"
    assert counted == frozen == "True"
    assert kept_out == "True", "the collector still walks the startup objects"
    assert later_in == "True", "objects made later must still be collected"
