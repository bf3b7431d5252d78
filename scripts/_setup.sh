# Sourced by the other scripts: makes sure .venv exists and holds `.[all]`, then activates it.
# The install is repeated only when pyproject.toml or constraints.txt change.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
STAMP="$VENV/.keraslab-installed"
PYTHON_BIN="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
    echo "keraslab: creating $VENV" >&2
    "$PYTHON_BIN" -m venv "$VENV"
fi
want="$(cat "$ROOT/pyproject.toml" "$ROOT/constraints.txt" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
    echo "keraslab: installing .[all] into $VENV (first run takes a few minutes)" >&2
    "$VENV/bin/python" -m pip install --quiet --upgrade pip >&2
    "$VENV/bin/python" -m pip install --quiet -c "$ROOT/constraints.txt" -e "$ROOT[all]" >&2
    echo "$want" > "$STAMP"
fi
# shellcheck disable=SC1091
source "$VENV/bin/activate"
cd "$ROOT"

# Kernels that execute docs pages read their settings from here.
export IPYTHONDIR="$VENV/ipython"
mkdir -p "$IPYTHONDIR/profile_default"
cp "$ROOT/overrides/ipython/ipython_kernel_config.py" "$IPYTHONDIR/profile_default/"

# The checkout's own sources come first, also for a .venv shared with another worktree.
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
