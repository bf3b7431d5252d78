"""`keraslab._workers`: a module run under another backend in its own process hands back
its JSON result, and a failing one raises with its stderr."""

import os
import platform

import keras
import pytest

from keraslab import SUPPORTED_BACKENDS
from keraslab._workers import WorkerError, cpu_model, machine, run_worker
from tests.conftest import in_the_jax_suite_only

OTHER_BACKEND = next(b for b in SUPPORTED_BACKENDS if b != keras.backend.backend())
own_backends = in_the_jax_suite_only("starts its workers under backends it names")


@own_backends
def test_worker_runs_under_the_backend_it_is_given(tmp_path):
    args = [str(tmp_path), "--dump", "--entries", "tests.parity_entries:ENTRIES", "--only", "-"]
    result = run_worker("keraslab.parity.worker", OTHER_BACKEND, args)
    assert result["environment"]["backend"] == OTHER_BACKEND
    assert result["records"] == {}


@own_backends
def test_failing_worker_raises_with_its_stderr():
    with pytest.raises(WorkerError, match=r"(?s)under torch \(exit code 1\).*No module named"):
        run_worker("keraslab.no_such_worker", "torch")


@own_backends
def test_worker_that_returns_nothing_raises():
    with pytest.raises(WorkerError, match="exit code 0"):
        run_worker("keraslab._workers", OTHER_BACKEND)


def test_reports_name_the_cpu(monkeypatch):
    if os.path.isfile("/proc/cpuinfo") and not platform.processor():
        with open("/proc/cpuinfo") as f:
            assert f"model name\t: {cpu_model()}\n" in f.read()
    assert machine()["processor"] == cpu_model()
    monkeypatch.setattr(platform, "processor", lambda: "Named CPU")
    assert cpu_model() == "Named CPU"
