"""`ensure_venv()` for the Python scripts in scripts/: re-runs the calling script inside
the checkout's .venv, setting it up first with scripts/_setup.sh."""

import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def ensure_venv():
    """Returns if this interpreter is .venv's; otherwise sets .venv up and re-runs the script."""
    venv = ROOT / ".venv"
    if pathlib.Path(sys.prefix).resolve() != venv.resolve():
        subprocess.run(["bash", "-c", f"source '{ROOT}/scripts/_setup.sh'"], check=True)
        python = str(venv / "bin" / "python")
        os.execv(python, [python, *sys.argv])
