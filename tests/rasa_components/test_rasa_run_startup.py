"""scripts/rasa_run.py keeps JAX out of a Rasa process, and TensorFlow works without it; its
BLAS libraries and TensorFlow's operations run on one thread (no helper spinning on the other
core, no operation handed to a pool)."""

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


BLAS_THREADS = """
from scripts.rasa_run import one_compute_thread
one_compute_thread()
import numpy, scipy.linalg, sklearn
from threadpoolctl import threadpool_info
print(sorted({pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}))
"""


def blas_threads(environment: dict[str, str]) -> str:
    out = subprocess.run(
        [sys.executable, "-c", BLAS_THREADS],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip()


def test_blas_runs_on_one_thread_unless_the_operator_says_otherwise() -> None:
    assert blas_threads({}) == "[1]"
    assert blas_threads({"OPENBLAS_NUM_THREADS": "2"}) == "[2]"


TENSORFLOW_THREADS = """
from scripts.rasa_run import one_compute_thread
one_compute_thread()
from rasa.utils.tensorflow.environment import setup_tf_environment
setup_tf_environment()  # what Rasa's command line does before it loads a model
import tensorflow as tf
print(tf.config.threading.get_intra_op_parallelism_threads(),
      tf.config.threading.get_inter_op_parallelism_threads())
"""


def tensorflow_threads(environment: dict[str, str]) -> str:
    out = subprocess.run(
        [sys.executable, "-c", TENSORFLOW_THREADS],
        cwd=ROOT,
        env={
            "PYTHONPATH": str(ROOT),
            "PATH": "/usr/bin:/bin",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            **environment,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip().splitlines()[-1]


def test_tensorflow_runs_operations_on_one_thread_unless_the_operator_says_otherwise() -> None:
    assert tensorflow_threads({}) == "1 1"
    operator = {"TF_INTRA_OP_PARALLELISM_THREADS": "2", "TF_INTER_OP_PARALLELISM_THREADS": "3"}
    assert tensorflow_threads(operator) == "2 3"


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
