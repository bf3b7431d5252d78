"""The whole course on every backend: run each docs page in its own process, collect the
figures it records, merge runs into one report, and compare the backends figure by figure.

`scripts/course` is the command; the Backend parity page renders its report,
`docs/parity/course.json`:

    {"mode": "full" | "quick", "seed", "date", "machine", "versions", "backends",
     "runs": [{"date", "command", "seconds", "pages", "backends", "versions", "machine"}],
     "pages": {page: {backend: {"status": "ok" | "failed", "seconds", "date",
                                "figures": {name: {"value", "unit"}}, "error"}}}}

A page is named by its path under `docs/` without `.py` (`"foundations/neurons"`); that
name is its `KERASLAB_PAGE`. Its wall time is recorded as one more figure, `PAGE_TIME`.
A run with another `seed` (`with_seed`) measures how far the figures move with the seed
alone, and goes to a file of its own.
"""

import ast
import concurrent.futures
import datetime
import glob
import importlib.metadata
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time

from keraslab._backend import SUPPORTED_BACKENDS
from keraslab._workers import ROOT, machine

MODES = ("full", "quick")
PAGE_TIME = "page time"
# unit -> (kind, tolerance) of the spread across backends; None: not compared.
TOLERANCES = {
    "fraction": ("absolute", 0.02),
    "points": ("absolute", 2.0),
    "s": None,
    "ms": None,
}
DEFAULT_TOLERANCE = ("relative", 0.05)


def page_names(docs=None):
    """The docs pages, as names: every `docs/**/*.py` outside `docs/assets/`, sorted."""
    docs = docs or os.path.join(ROOT, "docs")
    paths = glob.glob(os.path.join(docs, "**", "*.py"), recursive=True)
    names = (os.path.relpath(p, docs)[: -len(".py")] for p in paths)
    return sorted(n for n in names if not n.startswith("assets" + os.sep))


def versions(backends):
    """The versions of keraslab, Keras and each of `backends` (each backend is the package
    of its name), read without importing them."""
    import keraslab

    found = {"keraslab": keraslab.__version__}
    for package in ("keras", *backends):
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def _last_error_line(stderr):
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[-1] if lines else "no error output"


# How a page fixes its seed, and the same line with another seed (see `with_seed`).
SEED_LINES = (
    (re.compile(r"^SEED = 0\b", re.M), "SEED = {seed}"),
    (re.compile(r"keras\.utils\.set_random_seed\(0\)"), "keras.utils.set_random_seed({seed})"),
)


def with_seed(source, seed):
    """A page's `source` with its seed 0 (`SEED = 0`, `keras.utils.set_random_seed(0)`)
    replaced by `seed`: the same experiment, another draw of its random numbers.

    Raises:
        ValueError: the page sets neither.
    """
    changed = source
    for pattern, line in SEED_LINES:
        changed = pattern.sub(line.format(seed=int(seed)), changed)
    if changed == source:
        raise ValueError(
            "Argument seed needs a page that seeds with `SEED = 0` or "
            "`keras.utils.set_random_seed(0)`; received a page with neither."
        )
    return changed


def thread_environment(threads):
    """Environment variables that hold TensorFlow, PyTorch (OpenMP) and XLA to `threads`
    threads a process. The docs build's hook (`overrides/hooks.py`) sets the same ones."""
    multi_thread = "true" if threads > 1 else "false"
    return {
        "OMP_NUM_THREADS": str(threads),
        "TF_NUM_INTRAOP_THREADS": str(threads),
        "TF_NUM_INTEROP_THREADS": str(threads),
        "XLA_FLAGS": f"--xla_cpu_multi_thread_eigen={multi_thread} "
        f"intra_op_parallelism_threads={threads}",
    }


def run_page(path, backend, page, quick=False, timeout=None, threads=None, seed=None):
    """Runs the docs page at `path` as a script under `backend`, in its own process.

    The process runs in an empty temporary directory with `KERAS_BACKEND`, `KERASLAB_PAGE`,
    `KERASLAB_FIGURES` and `MPLBACKEND=Agg` set, and `KERASLAB_QUICK` set in quick mode
    only.

    Args:
        path: the page's `.py` file.
        backend: one of `keraslab.SUPPORTED_BACKENDS`.
        page: the page's name, its `KERASLAB_PAGE`.
        quick: whether to run it in quick mode.
        timeout: seconds after which the page is stopped and counted as failed; `None`
            waits.
        threads: threads the page's process may use (`thread_environment`); `None`
            leaves each library its default.
        seed: int, runs a copy of the page with its seed 0 replaced (`with_seed`); `None`
            runs the page as it is.

    Returns:
        `{"status", "seconds", "date", "figures", "error"}`: `"ok"` or `"failed"`; the wall
        time; the figures the page recorded (also those of a failed page up to its error),
        with `PAGE_TIME` added; and for a failed page the last line of its error output.
    """
    if backend not in SUPPORTED_BACKENDS:
        raise ValueError(
            f"Argument backend must be one of {SUPPORTED_BACKENDS}; received {backend!r}."
        )
    with tempfile.TemporaryDirectory() as folder:
        figures_path = os.path.join(folder, "figures.json")
        workdir = os.path.join(folder, "cwd")
        os.mkdir(workdir)
        if seed is not None:
            with open(path) as f:
                source = with_seed(f.read(), seed)
            path = os.path.join(folder, os.path.basename(path))
            with open(path, "w") as f:
                f.write(source)
        env = {
            **os.environ,
            "KERAS_BACKEND": backend,
            "KERASLAB_PAGE": page,
            "KERASLAB_FIGURES": figures_path,
            "KERASLAB_QUICK": "1" if quick else "0",
            "MPLBACKEND": "Agg",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "PYTHONPATH": os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")])),
            **(thread_environment(threads) if threads else {}),
        }
        start = time.perf_counter()
        try:
            process = subprocess.run(
                [sys.executable, os.path.abspath(path)],
                cwd=workdir,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                timeout=timeout,
            )
            error = None if process.returncode == 0 else _last_error_line(process.stderr)
        except subprocess.TimeoutExpired:
            error = f"stopped after the timeout of {timeout} s"
        seconds = time.perf_counter() - start
        figures = {}
        if os.path.exists(figures_path):
            with open(figures_path) as f:
                figures = json.load(f).get(page, {})
    figures[PAGE_TIME] = {"value": seconds, "unit": "s"}
    return {
        "status": "failed" if error else "ok",
        "seconds": seconds,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "figures": figures,
        "error": error,
    }


def run(
    pages,
    backends,
    quick=False,
    docs=None,
    timeout=None,
    command="",
    log=None,
    progress=None,
    jobs=1,
    seed=None,
):
    """Runs each of `pages` under each of `backends`, one process each, `jobs` at a time.

    Args:
        pages: page names (see `page_names`), in the order to start them.
        backends: backend names.
        quick: whether to run the pages in quick mode.
        docs: the `docs/` folder; defaults to this checkout's.
        timeout: seconds per page (see `run_page`).
        command: the command line, kept in the report's `runs`.
        log: called with a line after each page, e.g. `print`; `None` is silent.
        progress: called with the report so far after each page (to save it, so that a
            stopped run keeps the pages it ran); `None` is not called.
        jobs: int, pages run at once. With `jobs > 1` each page's process gets
            `cores // jobs` threads, as in the docs build; `1` leaves the libraries their
            default threads. Defaults to 1.
        seed: int, runs every page with its seed 0 replaced by `seed` (`with_seed`);
            `None` runs the pages as they are. Defaults to None.

    Returns:
        A report (see the module docstring) holding this run only; a failed page is in it
        as failed, the run goes on. Its `runs` entry records `jobs` and `threads`, and
        the report its `seed` (0 where the pages ran as they are).
    """
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise ValueError(f"Argument jobs must be an int >= 1; received {jobs!r}.")
    docs = docs or os.path.join(ROOT, "docs")
    threads = max(1, len(os.sched_getaffinity(0)) // jobs) if jobs > 1 else None
    start = time.perf_counter()
    header = {
        "date": datetime.date.today().isoformat(),
        "machine": machine(),
        "versions": versions(backends),
    }
    summary = {"command": command, "seconds": 0.0, "pages": list(pages), "jobs": jobs}
    summary.update(threads=threads, backends=list(backends), **header)
    report = {
        "mode": "quick" if quick else "full",
        "seed": 0 if seed is None else seed,
        **header,
        "backends": list(backends),
        "runs": [summary],
        "pages": {},
    }

    def run_one(backend, page):
        path = os.path.join(docs, page + ".py")
        return backend, page, run_page(path, backend, page, quick, timeout, threads, seed)

    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        started = [pool.submit(run_one, b, p) for b in backends for p in pages]
        for future in concurrent.futures.as_completed(started):
            backend, page, result = future.result()
            report["pages"].setdefault(page, {})[backend] = result
            summary["seconds"] = time.perf_counter() - start
            if log:
                status = result["status"] if not result["error"] else result["error"]
                log(f"{backend:<10} {page:<36} {result['seconds']:7.1f} s  {status}")
            if progress:
                progress(report)
    return report


def merge(old, new):
    """`new` merged into `old` (neither is changed): each page's result under each backend
    of `new` replaces that of `old`; the rest of `old` stays. The header (date, machine,
    versions) is `new`'s, and `runs` lists both files' runs.

    Raises:
        ValueError: the two reports are of different modes (a quick run cannot update
            full-mode figures) or seeds.
    """
    if old is None:
        return new
    if old["mode"] != new["mode"]:
        raise ValueError(
            f"Argument new must be a report of the same mode as old ({old['mode']!r}); "
            f"received a report of mode {new['mode']!r}."
        )
    if old.get("seed", 0) != new.get("seed", 0):
        raise ValueError(
            f"Argument new must be a report of the same seed as old ({old.get('seed', 0)}); "
            f"received a report of seed {new.get('seed', 0)}."
        )
    pages = {page: dict(results) for page, results in old["pages"].items()}
    for page, results in new["pages"].items():
        pages.setdefault(page, {}).update(results)
    backends = [b for b in SUPPORTED_BACKENDS if b in {*old["backends"], *new["backends"]}]
    return {
        **new,
        "versions": {**old["versions"], **new["versions"]},
        "backends": backends,
        "runs": [*old["runs"], *new["runs"]],
        "pages": dict(sorted(pages.items())),
    }


def tolerance(unit):
    """`(kind, bound)` of the spread allowed for a figure of `unit`, or `None` when figures
    of that unit (times) are not compared: fractions and points absolute, the rest (losses,
    nats, ratios) relative."""
    return TOLERANCES.get(unit, DEFAULT_TOLERANCE)


def spread(values, unit):
    """The spread of `values` (numbers, one per backend) in the terms of `tolerance(unit)`:
    `max - min`, divided by `max(|v|)` for a relative tolerance. `None` for fewer than two
    values."""
    values = [v for v in values if v is not None and math.isfinite(v)]
    if len(values) < 2:
        return None
    width = max(values) - min(values)
    if (tolerance(unit) or ("absolute",))[0] == "relative":
        scale = max(abs(v) for v in values)
        return width / scale if scale else 0.0
    return width


def compare(report):
    """One row per page figure: `{"page", "figure", "unit", "values": {backend: value or
    None}, "spread", "tolerance", "flagged", "missing": [backends]}`, over the backends of
    `report`. A figure is flagged when its spread exceeds its tolerance; `missing` lists
    the backends where it was not recorded (page not run, failed, or figure absent)."""
    rows = []
    backends = report["backends"]
    for page, results in report["pages"].items():
        names = {}
        for backend in backends:
            for name, figure in results.get(backend, {}).get("figures", {}).items():
                names.setdefault(name, figure["unit"])
        for name, unit in names.items():
            values = {
                b: results.get(b, {}).get("figures", {}).get(name, {}).get("value")
                for b in backends
            }
            measured = spread(list(values.values()), unit)
            bound = tolerance(unit)
            rows.append(
                {
                    "page": page,
                    "figure": name,
                    "unit": unit,
                    "values": values,
                    "spread": measured,
                    "tolerance": bound,
                    "flagged": bool(bound and measured is not None and measured > bound[1]),
                    "missing": [b for b, v in values.items() if v is None],
                }
            )
    return rows


def seed_spreads(report, seed_reports):
    """How far each figure moves with the seed alone: `{(page, figure): {"backend",
    "seeds", "spread"}}`, from `report` (seed 0) and `seed_reports` (runs with `seed=N`,
    of the same mode), under the backend with the most seeds for that figure (at least
    two; of equals, the one whose figure moves most), in the terms of `tolerance(unit)`."""
    found = {}
    for row in compare(report):
        best = None
        for backend, value in row["values"].items():
            values = [value] + [
                other["pages"]
                .get(row["page"], {})
                .get(backend, {})
                .get("figures", {})
                .get(row["figure"], {})
                .get("value")
                for other in seed_reports
            ]
            values = [v for v in values if v is not None]
            if len(values) < 2:
                continue
            candidate = {"backend": backend, "seeds": len(values)}
            candidate["spread"] = spread(values, row["unit"])
            rank = (len(values), candidate["spread"] or 0.0)
            if best is None or rank > (best["seeds"], best["spread"] or 0.0):
                best = candidate
        if best is not None:
            found[row["page"], row["figure"]] = best
    return found


def _is_quick_test(test, negated):
    """Whether `test` is `QUICK` (`negated=False`) or `not QUICK` (`negated=True`)."""
    if negated:
        return (
            isinstance(test, ast.UnaryOp)
            and isinstance(test.op, ast.Not)
            and _is_quick_test(test.operand, False)
        )
    return isinstance(test, ast.Name) and test.id == "QUICK"


def recorded_names(source, quick=False):
    """The literal figure names a page's `source` passes to `course.record(...)`.

    In quick mode, the calls under `if not QUICK:` (and the `else` of `if QUICK:`) are
    left out, as a quick run does not reach them. Names built at run time (f-strings,
    helpers such as `keraslab.course.pages.fashion_judge`) are not found.
    """
    names = set()

    def visit(node):
        if quick and isinstance(node, ast.If):
            for negated, reached in ((True, node.orelse), (False, node.body)):
                if _is_quick_test(node.test, negated):
                    for child in reached:
                        visit(child)
                    return
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "record"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "course"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    return names
