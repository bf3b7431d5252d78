"""Every docs page is also a test: it runs as a script, in quick mode, on each backend, and
records the figures its prose states (`keraslab.course.record`), which `scripts/course`
collects from every page under every backend.

A cell that raises here would also fail the docs build, so a page that breaks on one
backend fails the suite of that backend. `scripts/test` runs the docs build (every page, in
quick mode) next to the suites and sets `KERASLAB_PAGES_BUILT_UNDER` to its backend; that
backend's suite then leaves the pages to the build instead of running them twice.
"""

import glob
import os
import runpy
import warnings

import keras
import matplotlib
import numpy as np
import pytest

from tests.conftest import REPO_ROOT

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from keraslab import course  # noqa: E402
from keraslab.course.pages import digits_mlp, plot_class_shares  # noqa: E402
from keraslab.course.runs import recorded_names  # noqa: E402

PAGES = sorted(
    path
    for path in glob.glob(os.path.join(REPO_ROOT, "docs", "**", "*.py"), recursive=True)
    if "/assets/" not in path
)


# Pages whose work runs in processes they start under backends of their own choosing, so
# that the page's own backend changes nothing: when the docs build of the same test run has
# executed them, the suites leave them out. The scale-out page's quick run starts three JAX
# processes: 204 s of test time in the torch suite and 157 s in the JAX one (2026-12-03).
RUN_UNDER_THEIR_OWN_BACKENDS = {"backends/scale_out"}


def page_name(path):
    return os.path.relpath(path, os.path.join(REPO_ROOT, "docs"))[: -len(".py")]


# Pages whose quick run is mostly training steps rather than compiling: the JAX suite
# compiles them with XLA's optimisations (`training_bound`, tests/conftest.py). Measured
# 2026-12-06 in CPU-seconds without and with them: the GAN page 60 and 28, the comparison
# 54 and 33, the VAE 34 and 10, the autoencoder 27 and 20; with them, every other page
# gained under a CPU-second or lost (the encoder-decoder page: 24 and 39).
TRAINING_BOUND = {
    "generative/autoencoder", "generative/comparison", "generative/gan", "generative/vae"
}  # fmt: skip
PAGE_PARAMS = [
    pytest.param(p, marks=pytest.mark.training_bound) if page_name(p) in TRAINING_BOUND else p
    for p in PAGES
]


def test_every_page_is_in_the_site_navigation():
    with open(os.path.join(REPO_ROOT, "mkdocs.yml")) as f:
        nav = f.read()
    missing = [p for p in PAGES if os.path.relpath(p, os.path.join(REPO_ROOT, "docs")) not in nav]
    assert not missing, f"pages missing from mkdocs.yml nav: {missing}"


@pytest.mark.page
@pytest.mark.skipif(
    os.environ.get("KERASLAB_PAGES_BUILT_UNDER") == keras.backend.backend(),
    reason="the docs build of this test run executes every page under this backend",
)
@pytest.mark.parametrize("page", PAGE_PARAMS, ids=lambda p: os.path.relpath(p, REPO_ROOT))
def test_page_runs_in_quick_mode_and_records_its_figures(page, monkeypatch, tmp_path):
    name = page_name(page)
    if os.environ.get("KERASLAB_PAGES_BUILT_UNDER") and name in RUN_UNDER_THEIR_OWN_BACKENDS:
        pytest.skip("starts its own backends' processes, which the docs build has run")
    monkeypatch.setenv("KERASLAB_QUICK", "1")
    monkeypatch.setenv("KERASLAB_PAGE", name)
    monkeypatch.delenv("KERASLAB_FIGURES", raising=False)
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*non-interactive.*")
        runpy.run_path(page, run_name="__main__")
    plt.close("all")
    figures = course.recorded(name)
    assert figures, f"{name} recorded no figure with keraslab.course.record"
    with open(page) as f:
        expected = recorded_names(f.read(), quick=True)
    missing = sorted(expected - set(figures))
    assert not missing, f"{name} did not record {missing} in quick mode"


def test_digits_mlp_is_seeded_and_compiled():
    first, second = (digits_mlp(0, 3, 8, 0.01, 0.9, batch_norm=True) for _ in range(2))
    x = np.zeros((2, 64), dtype="float32")
    assert first(x).shape == (2, 10)
    second(x)
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert len(first.hidden_outputs(x)) == 3
    assert first.optimizer.momentum == 0.9


def test_class_shares_chart_has_ten_bars_per_report():
    shares = {"confident": 1.0, "min_class_share": 0.1, "class_shares": [0.1] * 10}
    plot_class_shares({"a": shares, "b": shares, "c": shares})
    ax = plt.gcf().axes[0]
    assert len(ax.patches) == 30
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["5%", "a", "b", "c"]
    plt.close("all")
