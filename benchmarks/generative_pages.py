"""Generative pages: wall time of each full docs page, run as a script under this backend.

A page run is everything its reader sees executed: loading the digits, training the
model with the page's settings, sampling, and training the CNN judge. The pages print
their own training time; this records the whole run, one run per page (in quick mode
the pages' reduced settings). Run it on an otherwise idle machine.
"""

import os
import pathlib
import subprocess
import sys
import time

from benchmarks._timing import row

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGES = ("autoencoder", "vae", "gan", "diffusion", "comparison")


def _run_page(page, quick):
    env = {**os.environ, "MPLBACKEND": "Agg", "KERASLAB_QUICK": "1" if quick else "0"}
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "generative" / f"{page}.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if result.returncode:
        raise RuntimeError(f"docs/generative/{page}.py failed:\n{result.stderr[-2000:]}")
    return seconds


def run(quick):
    return [
        row("generative pages: full run", f"docs/generative/{page}.py", _run_page(page, quick), "s")
        for page in PAGES
    ]
