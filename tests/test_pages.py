"""Every docs page is also a test: it runs as a script, in quick mode, on each backend.

A cell that raises here would also fail the docs build, so a page that breaks on one
backend fails the suite of that backend.
"""

import glob
import os
import runpy
import warnings

import matplotlib
import pytest

from tests.conftest import REPO_ROOT

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PAGES = sorted(
    path
    for path in glob.glob(os.path.join(REPO_ROOT, "docs", "**", "*.py"), recursive=True)
    if "/assets/" not in path
)


def test_every_page_is_in_the_site_navigation():
    with open(os.path.join(REPO_ROOT, "mkdocs.yml")) as f:
        nav = f.read()
    missing = [p for p in PAGES if os.path.relpath(p, os.path.join(REPO_ROOT, "docs")) not in nav]
    assert not missing, f"pages missing from mkdocs.yml nav: {missing}"


@pytest.mark.page
@pytest.mark.parametrize("page", PAGES, ids=lambda p: os.path.relpath(p, REPO_ROOT))
def test_page_runs_in_quick_mode(page, monkeypatch, tmp_path):
    monkeypatch.setenv("KERASLAB_QUICK", "1")
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*non-interactive.*")
        runpy.run_path(page, run_name="__main__")
    plt.close("all")
