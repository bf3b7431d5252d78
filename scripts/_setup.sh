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
# The real Fashion-MNIST files, from Debian's package where apt is there and we are root;
# elsewhere the first load_fashion_mnist() downloads them through Keras.
FASHION_MNIST="/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"
if [ ! -f "$FASHION_MNIST" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "keraslab: installing Fashion-MNIST (apt-get install dataset-fashion-mnist)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null 2>&1 \
        || { apt-get update -qq >/dev/null 2>&1 \
            && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist \
                >/dev/null 2>&1; } \
        || echo "keraslab: apt could not install dataset-fashion-mnist; Keras will download it" >&2
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
