"""Shared fixtures. The suite runs once per backend: `KERAS_BACKEND` is set by scripts/test."""

import os
import subprocess
import sys

import keras
import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(autouse=True)
def fresh_keras_state():
    """Each test starts from a clean Keras graph and the same global seed."""
    keras.utils.clear_session(free_memory=False)  # gc.collect() would cost ~1 s a test
    keras.utils.set_random_seed(1337)
    yield


def run_python(code, env=None, timeout=300):
    """Runs `code` in a fresh interpreter on the current backend; returns the process."""
    full_env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})}
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=REPO_ROOT,
        timeout=timeout,
    )


def in_the_jax_suite_only(why):
    """Runs a test in the JAX suite alone: for tests whose work does not depend on the
    suite's backend (they start processes under backends of their own choosing), which
    every suite would otherwise repeat."""
    return pytest.mark.skipif(
        keras.backend.backend() != "jax", reason=f"{why}; runs once, in the jax suite"
    )
