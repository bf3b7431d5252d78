"""Shared fixtures. The suite runs once per backend: `KERAS_BACKEND` is set by scripts/test."""

import os
import resource
import subprocess
import sys

import keras
import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _cpu_seconds():
    """CPU seconds of this process and of the child processes it has waited for."""
    own, children = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


_CPU_AT_START = {}


def pytest_runtest_logstart(nodeid, location):
    _CPU_AT_START[nodeid] = _cpu_seconds()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Records each test's CPU seconds (setup, call and teardown, with its subprocesses) as
    a `cpu_s` property in the JUnit report: the suite's jobs share two cores, so a test's
    wall time says more about what ran beside it than about its own cost
    (`scripts/_junit_summary.py --slowest N --cpu`)."""
    if call.when == "teardown":
        spent = _cpu_seconds() - _CPU_AT_START.pop(item.nodeid)
        item.user_properties.append(("cpu_s", f"{spent:.2f}"))


PAGE_TEST = "tests/test_pages.py::test_page_runs_in_quick_mode_and_records_its_figures["


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist, which may be absent
def pytest_xdist_make_scheduler(config, log):
    """Under `--dist loadfile` (`scripts/test`), each test file goes to one worker, so its
    module fixtures are made once; the docs pages, the JAX suite's largest file (270
    CPU-seconds on 2026-12-06), go out one page at a time instead, so that they spread over
    both workers rather than end the run on one."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class FileOrPageScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid):
            return nodeid if nodeid.startswith(PAGE_TEST) else super()._split_scope(nodeid)

    return FileOrPageScheduling(config, log)


@pytest.fixture(autouse=True)
def fresh_keras_state():
    """Each test starts from a clean Keras graph and the same global seed."""
    keras.utils.clear_session(free_memory=False)  # gc.collect() would cost ~1 s a test
    keras.utils.set_random_seed(1337)
    yield


@pytest.fixture(autouse=True)
def xla_optimizations_when_training_bound(request):
    """`scripts/test` sets `JAX_DISABLE_MOST_OPTIMIZATIONS`, since most JAX tests compile
    more programs than they run steps of. A test marked `training_bound` runs many steps of
    a few programs, so under JAX it compiles them with XLA's optimisations: measured
    2026-12-06, the conditional-GAN test took 106 CPU-seconds without them and 27 with."""
    if keras.backend.backend() != "jax" or not request.node.get_closest_marker("training_bound"):
        yield
        return
    import jax

    disabled = jax.config.read("jax_disable_most_optimizations")
    jax.config.update("jax_disable_most_optimizations", False)
    yield
    jax.config.update("jax_disable_most_optimizations", disabled)


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
