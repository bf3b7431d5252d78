"""The performance page renders whatever rows `scripts/bench` wrote, grouped by `group`, and
explains a missing results file instead of failing."""

import json
import os
import runpy

import matplotlib

from tests.conftest import REPO_ROOT

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PAGE = os.path.join(REPO_ROOT, "docs", "backends", "performance.py")


def run_page(monkeypatch, tmp_path, report):
    path = tmp_path / "results.json"
    if report is not None:
        path.write_text(json.dumps(report))
    monkeypatch.setenv("KERASLAB_BENCH_RESULTS", str(path))
    monkeypatch.setenv("KERASLAB_QUICK", "1")
    monkeypatch.chdir(tmp_path)
    before = set(plt.get_fignums())
    page = runpy.run_path(PAGE, run_name="__main__")
    figures = len(set(plt.get_fignums()) - before)
    plt.close("all")
    return page, figures


def row(group, name, backend, value, unit="ms", date="2026-01-01", cpu="Test CPU"):
    return {
        "group": group,
        "name": name,
        "backend": backend,
        "value": value,
        "unit": unit,
        "date": date,
        "cpu": cpu,
    }


def results(rows):
    return {
        "date": "2026-01-01",
        "machine": {"platform": "test-os", "processor": "", "cpus": 2, "python": "3.11"},
        "method": "median of 7 timed runs after 2 warm-up runs",
        "quick": False,
        "rows": rows,
    }


def test_missing_results_file_is_explained(monkeypatch, tmp_path, capsys):
    page, figures = run_page(monkeypatch, tmp_path, None)
    assert page["report"] is None and figures == 0
    assert "No benchmark results yet" in capsys.readouterr().out


def test_rows_are_grouped_by_group_with_one_chart_each(monkeypatch, tmp_path, capsys):
    rows = [
        row("attention", "keraslab MHA", "jax", 1.5),
        row("attention", "keraslab MHA", "torch", 2.5),
        row("attention", "torch SDPA kernel", "torch", 0.5),
        row("generation", "cached", "jax", 300.0, unit="tokens/s", date="2026-01-02", cpu=""),
    ]
    page, figures = run_page(monkeypatch, tmp_path, results(rows))
    assert page["groups"] == {
        "attention": {
            ("keraslab MHA", "ms"): {"jax": 1.5, "torch": 2.5},
            ("torch SDPA kernel", "ms"): {"torch": 0.5},
        },
        "generation": {("cached", "tokens/s"): {"jax": 300.0}},
    }
    assert page["backends"] == ["torch", "jax"]
    assert figures == 2
    markdown = page["table"](page["groups"]["attention"], page["backends"]).data
    assert "| torch SDPA kernel | ms | 0.5 | — |" in markdown
    out = capsys.readouterr().out
    assert "test-os" in out and "median of 7 timed runs" in out
    # Each group names the days and CPUs its rows were measured on.
    assert "measured on 2026-01-01, Test CPU\n" in out
    assert "measured on 2026-01-02, CPU unnamed\n" in out


def test_cache_speed_up_and_pytorch_ratio_are_read_from_the_rows(monkeypatch, tmp_path, capsys):
    rows = [
        row("generation", "256 tokens, cache speed-up", "jax", 6.31, unit="x"),
        row("generation", "256 tokens, cache speed-up", "torch", 4.5, unit="x"),
        row("train step vs plain PyTorch", "keraslab / plain PyTorch", "torch", 1.07, unit="x"),
    ]
    run_page(monkeypatch, tmp_path, results(rows))
    out = capsys.readouterr().out
    assert "cache speed-up at 256 tokens, jax: 6.3x" in out
    assert "cache speed-up at 256 tokens, torch: 4.5x" in out
    assert "tensorflow:" not in out.split("cache speed-up")[-1]
    assert "keraslab train step / plain PyTorch train step: 1.07x" in out
