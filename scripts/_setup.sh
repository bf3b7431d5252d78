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
# System packages, from Debian's archive where apt is there and we are root: the real
# Fashion-MNIST files, and Chromium with its driver for the site check (scripts/check_site).
# Elsewhere the first load_fashion_mnist() downloads the data through Keras, and the site
# check needs a Chromium installed by hand.
missing=()
[ -f /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz ] \
    || missing+=(dataset-fashion-mnist)
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "keraslab: installing ${missing[*]} (apt-get)" >&2
    apt_install() {
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1
    }
    apt_install || { apt-get update -qq >/dev/null 2>&1 && apt_install; } \
        || echo "keraslab: apt-get could not install ${missing[*]}" >&2
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
