"""`keraslab._workers`: a module run under another backend in its own process hands back
its JSON result, and a failing one raises with its stderr."""

import keras
import pytest

from keraslab import SUPPORTED_BACKENDS
from keraslab._workers import WorkerError, run_worker

OTHER_BACKEND = next(b for b in SUPPORTED_BACKENDS if b != keras.backend.backend())


def test_worker_runs_under_the_backend_it_is_given(tmp_path):
    args = [str(tmp_path), "--dump", "--entries", "tests.parity_entries:ENTRIES", "--only", "-"]
    result = run_worker("keraslab.parity.worker", OTHER_BACKEND, args)
    assert result["environment"]["backend"] == OTHER_BACKEND
    assert result["records"] == {}


def test_failing_worker_raises_with_its_stderr():
    with pytest.raises(WorkerError, match=r"(?s)under torch \(exit code 1\).*No module named"):
        run_worker("keraslab.no_such_worker", "torch")


def test_worker_that_returns_nothing_raises():
    with pytest.raises(WorkerError, match="exit code 0"):
        run_worker("keraslab._workers", OTHER_BACKEND)
