"""CPU milliseconds a turn of every program of the product (a benchmark, not a test).

``scripts/serve.sh`` as ``loadtest.product.ServedProduct`` starts it (N Rasa servers, 1 action
server, 2 desks, PostgreSQL, Redis, nginx); Locust's shoppers write without pause through
nginx, 1 then 10 then 30 of them by default; for each run it prints the turns per second, the
median answer time, each program's CPU (from ``/proc``, children included) divided by the
turns answered, Locust's own CPU a turn (it shares the machine), and how busy the whole machine
was (Locust included). ``--gc-pauses`` also times each Python server's full garbage
collections during each run (``devtools/gc_probe``).

    .venv/bin/python scripts/bench_turn_cpu.py [--rasa 1] [--desks 2] [--shoppers 1 10 30]
        [--seconds 40] [--py-spy /tmp/venv/bin/py-spy --out DIR] [--gc-pauses]

Runs of the same code differ by about ±15 % on the 2-core machine (BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from loadtest.checks import read_journal
from loadtest.product import ServedProduct
from scripts.load_test import UsageSampler, percentile

GC_PROBE = Path(__file__).resolve().parent.parent / "devtools" / "gc_probe"


def machine_ticks() -> tuple[int, int]:
    """Busy and total CPU ticks of the machine so far."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def children_cpu_s() -> float:
    """User + system CPU seconds of this program's children waited for so far."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run(product: ServedProduct, shoppers: int, seconds: int, args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bijou-turn-cpu-"))
    journal = folder / f"s{shoppers}.jsonl"
    spies = []
    if args.py_spy:
        for name, pid in product.pids().items():
            if name.startswith(("rasa", "desk", "actions")):
                out = args.out / f"{name}-s{shoppers}.txt"
                command = [args.py_spy, "record", "-p", str(pid), "-d", str(seconds - 5)]
                spies.append(
                    subprocess.Popen(
                        [*command, "-r", "50", "-f", "raw", "-o", str(out)],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )
    busy_before, total_before = machine_ticks()
    children_before = children_cpu_s()
    window_start = time.time()
    sampler = UsageSampler(product)
    sampler.start()
    started = time.monotonic()
    product.locust(
        shoppers, seconds, journal, "0", float(shoppers), folder / f"s{shoppers}", 30
    ).wait()
    locust_cpu_s = children_cpu_s() - children_before  # waited for: Locust, not the spies yet
    usage = sampler.finish()
    elapsed = time.monotonic() - started
    busy_after, total_after = machine_ticks()
    for spy in spies:
        spy.wait()
    times = [
        line["answer_ms"]
        for lines in read_journal(journal).values()
        for line in lines
        if line["answer_ms"] is not None
    ]
    if not times:
        print(f"{shoppers} shoppers: no answer")
        return
    per_turn = {name: 1000 * cpu * elapsed / len(times) for name, cpu in usage.cpu.items()}
    busy = (busy_after - busy_before) / max(1, total_after - total_before)
    print(
        f"{shoppers} shoppers: {len(times) / elapsed:.1f} turns/s, p50 {percentile(times, 0.5):.0f}"
        f" ms; CPU ms a turn: "
        + ", ".join(f"{name} {ms:.1f}" for name, ms in sorted(per_turn.items()))
        + f"; product {sum(per_turn.values()):.1f}; Locust {1000 * locust_cpu_s / len(times):.1f}"
        + f"; machine busy {100 * busy:.0f} %",
        flush=True,
    )
    if args.gc_pauses:
        print(f"  full collections: {full_collections(product, window_start, time.time())}")


def full_collections(product: ServedProduct, start: float, end: float) -> str:
    """Each Python server's full garbage collections between ``start`` and ``end``, in ms."""
    found = []
    for name, pid in sorted(product.pids().items()):
        log = Path(os.environ["BIJOU_GC_PROBE_DIR"]) / f"{pid}.log"
        if not name.startswith(("rasa", "desk", "actions")) or not log.exists():
            continue
        lines = [line.split() for line in log.read_text().splitlines()]
        pauses = [float(ms) for at, ms in lines if start <= float(at) <= end]
        found.append(f"{name} {len(pauses)} ({', '.join(f'{ms:.0f}' for ms in pauses)})")
    return "; ".join(found)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rasa", type=int, default=1)
    parser.add_argument("--desks", type=int, default=2)
    parser.add_argument("--shoppers", type=int, nargs="+", default=[1, 10, 30])
    parser.add_argument("--seconds", type=int, default=40)
    parser.add_argument("--py-spy", help="also record where each Python program spends its CPU")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--gc-pauses", action="store_true", help="time full collections")
    args = parser.parse_args()
    if args.gc_pauses:  # read by every Python process the product starts
        os.environ["BIJOU_GC_PROBE_DIR"] = tempfile.mkdtemp(prefix="bijou-gc-")
        os.environ["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(GC_PROBE), os.environ.get("PYTHONPATH")])
        )
    product = ServedProduct(rasa=args.rasa, actions=1, desks=args.desks)
    try:
        product.start()
        warm_up = Path(tempfile.mkdtemp(prefix="bijou-turn-cpu-"))
        product.locust(4, 10, warm_up / "w.jsonl", "0", 4.0, warm_up / "w", 30).wait()
        for shoppers in args.shoppers:
            run(product, shoppers, args.seconds, args)
    finally:
        product.remove()
    return 0


if __name__ == "__main__":
    sys.exit(main())
