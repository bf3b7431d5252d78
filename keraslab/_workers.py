"""One process per backend: the protocol that `scripts/bench` and `keraslab.parity` share.

Keras picks its backend once per process, so comparing backends means one process each.
The parent calls `run_worker(module, backend, args)`, which runs `python -m module *args`
with `KERAS_BACKEND=backend` and returns the JSON value the worker handed back. The worker
module ends with `serve(main)`: it calls `main(argv)` and writes what it returns, as JSON,
to the file the parent named in `KERASLAB_WORKER_RESULT` (so prints and library logs on
stdout cannot corrupt the result).

A worker that exits with an error raises `WorkerError` in the parent, carrying the end of
the worker's stderr. To run several backends at once, call `run_worker` from threads.
"""

import json
import os
import platform
import subprocess
import sys
import tempfile

RESULT_VARIABLE = "KERASLAB_WORKER_RESULT"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STDERR_TAIL = 3000


class WorkerError(RuntimeError):
    """A worker process exited with an error; the message ends with its stderr."""


def run_worker(module, backend, args=()):
    """Runs `python -m module *args` under `backend` in its own process; returns its result.

    The process starts in the checkout's root with that root first on `PYTHONPATH`, so
    `keraslab` and `benchmarks` are this checkout's.

    Args:
        module: the module to run, whose `__main__` block calls `serve`.
        backend: the value of `KERAS_BACKEND` in the worker.
        args: command-line arguments (strings) for the worker.

    Returns:
        The JSON value the worker's `main` returned.

    Raises:
        WorkerError: the worker exited with a non-zero status, or returned nothing.
    """
    with tempfile.TemporaryDirectory() as folder:
        result_path = os.path.join(folder, "result.json")
        env = {
            **os.environ,
            "KERAS_BACKEND": backend,
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "PYTHONPATH": os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")])),
            RESULT_VARIABLE: result_path,
        }
        process = subprocess.run(
            [sys.executable, "-m", module, *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        if process.returncode != 0 or not os.path.exists(result_path):
            raise WorkerError(
                f"python -m {module} {' '.join(args)} failed under {backend} "
                f"(exit code {process.returncode}); its stderr ends:\n"
                f"{process.stderr[-STDERR_TAIL:]}"
            )
        with open(result_path) as f:
            return json.load(f)


def cpu_model():
    """The CPU's model name: `platform.processor()`, else Linux's `/proc/cpuinfo`, else "".

    Hosts with the same platform string can differ several times over in speed, so every
    report names its CPU.
    """
    if platform.processor():
        return platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
    except OSError:
        return ""
    return names[0] if names else ""


def machine():
    """The machine the workers run on, for the header of a report."""
    return {
        "platform": platform.platform(),
        "processor": cpu_model(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }


def serve(main):
    """Calls `main(sys.argv[1:])` and hands its JSON-serialisable result to `run_worker`."""
    result = main(sys.argv[1:])
    with open(os.environ[RESULT_VARIABLE], "w") as f:
        json.dump(result, f)
