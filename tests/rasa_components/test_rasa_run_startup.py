"""scripts/rasa_run.py keeps JAX out of a Rasa process, and TensorFlow works without it."""

from __future__ import annotations

import subprocess
import sys

from devtools.servers import ROOT

CHECK = """
import sys
from scripts.rasa_run import block_unused
block_unused()
import tensorflow as tf
from tensorflow.lite.python import util
assert util._xla_computation is None
assert not any(name == "jaxlib" or name.startswith(("jax.", "jaxlib.")) for name in sys.modules)
print(float(tf.reduce_sum(tf.constant([1.5, 2.5]))))
"""


def test_tensorflow_imports_and_computes_without_jax() -> None:
    out = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().endswith("4.0")


def test_rasa_command_line_runs_through_the_launcher() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "rasa_run.py"), "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "Rasa Version" in out.stdout and "3.6." in out.stdout
