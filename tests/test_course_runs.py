"""The course runner (keraslab/course/runs.py): pages run in their own processes, reports
merge, spreads are compared with their unit's tolerance."""

import os
import textwrap

import keras
import pytest

from keraslab.course import runs
from tests.conftest import in_the_jax_suite_only

# The tests that run their pages under JAX, whatever the suite's backend.
jax_pages = in_the_jax_suite_only("runs its pages under JAX itself")

RECORDING_PAGE = """
import os

import keras

from keraslab import SUPPORTED_BACKENDS, course, quick_mode

course.record("backend index", SUPPORTED_BACKENDS.index(keras.backend.backend()))
course.record("quick", int(quick_mode()), unit="fraction")
course.record("in a fresh folder", int(not os.listdir(".")), unit="fraction")
course.record("headless", int(os.environ["MPLBACKEND"] == "Agg"), unit="fraction")
"""
FAILING_PAGE = """
from keraslab import course

course.record("before the error", 3.0)
raise ValueError("Argument depth must be positive; received -1.")
"""


def write_docs(folder, pages):
    for name, source in pages.items():
        path = folder / f"{name}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    return str(folder)


def result(status="ok", **figures):
    return {
        "status": status,
        "seconds": 1.0,
        "date": "2026-01-01T00:00:00+00:00",
        "figures": {n: {"value": v, "unit": u} for n, (v, u) in figures.items()},
        "error": None if status == "ok" else "ValueError: boom",
    }


def report(pages, mode="full", backends=("tensorflow", "torch", "jax"), command="c"):
    return {
        "mode": mode,
        "date": "2026-01-01",
        "machine": {"cpus": 2},
        "versions": {"keras": "3"},
        "backends": list(backends),
        "runs": [{"command": command, "seconds": 1.0}],
        "pages": pages,
    }


def test_page_names_are_paths_under_docs_without_assets(tmp_path):
    docs = write_docs(tmp_path, {"b/two": "", "a/one": "", "assets/helper": ""})
    assert runs.page_names(docs) == ["a/one", "b/two"]
    assert "foundations/neurons" in runs.page_names()


def test_run_records_figures_and_failures_without_stopping(tmp_path):
    docs = write_docs(tmp_path, {"g/records": RECORDING_PAGE, "g/fails": FAILING_PAGE})
    backend = keras.backend.backend()
    lines = []
    saved = []
    got = runs.run(
        ["g/fails", "g/records"],
        [backend],
        quick=True,
        docs=docs,
        log=lines.append,
        progress=lambda report: saved.append(sorted(report["pages"])),
    )
    assert saved == [["g/fails"], ["g/fails", "g/records"]]
    assert got["mode"] == "quick" and got["backends"] == [backend]
    assert len(lines) == 2 and got["runs"][0]["seconds"] >= 0
    assert {"keraslab", "keras", backend} <= set(got["versions"])
    assert got["machine"]["cpus"] == os.cpu_count()

    ok = got["pages"]["g/records"][backend]
    assert ok["status"] == "ok" and ok["error"] is None
    values = {name: figure["value"] for name, figure in ok["figures"].items()}
    assert values["backend index"] == runs.SUPPORTED_BACKENDS.index(backend)
    assert values["quick"] == 1 and values["in a fresh folder"] == 1 and values["headless"] == 1
    assert ok["figures"][runs.PAGE_TIME] == {"value": ok["seconds"], "unit": "s"}

    failed = got["pages"]["g/fails"][backend]
    assert failed["status"] == "failed"
    assert failed["error"] == "ValueError: Argument depth must be positive; received -1."
    assert failed["figures"]["before the error"]["value"] == 3.0


# Each page waits for the other to start, so the two finish only if they run at once.
MEETING_PAGE = """
import os, pathlib, time

from keraslab import course

meeting = pathlib.Path({meeting!r})
(meeting / {me!r}).touch()
deadline = time.monotonic() + 120
while not (meeting / {other!r}).exists() and time.monotonic() < deadline:
    time.sleep(0.1)
course.record("met", int((meeting / {other!r}).exists()), unit="fraction")
course.record("OpenMP threads", int(os.environ["OMP_NUM_THREADS"]))
course.record("TensorFlow threads", int(os.environ["TF_NUM_INTRAOP_THREADS"]))
"""


@jax_pages
def test_run_with_two_jobs_runs_pages_at_once_on_a_share_of_the_cores(tmp_path):
    meeting = tmp_path / "meeting"
    meeting.mkdir()
    pages = {
        f"m/{me}": MEETING_PAGE.format(meeting=str(meeting), me=me, other=other)
        for me, other in (("a", "b"), ("b", "a"))
    }
    docs = write_docs(tmp_path / "docs", pages)
    got = runs.run(sorted(pages), ["jax"], quick=True, docs=docs, timeout=240, jobs=2)
    threads = max(1, len(os.sched_getaffinity(0)) // 2)
    assert got["runs"][0]["jobs"] == 2 and got["runs"][0]["threads"] == threads
    for page in pages:
        result = got["pages"][page]["jax"]
        assert result["status"] == "ok", result["error"]
        values = {name: figure["value"] for name, figure in result["figures"].items()}
        assert values["met"] == 1
        assert values["OpenMP threads"] == values["TensorFlow threads"] == threads


@pytest.mark.parametrize("jobs", [0, 1.5, True])
def test_run_rejects_a_bad_job_count(jobs):
    with pytest.raises(ValueError, match=f"Argument jobs must be an int >= 1; received {jobs}"):
        runs.run([], ["jax"], jobs=jobs)


SEEDED_PAGE = """
import keras

from keraslab import course

SEED = 0  # data and weights
keras.utils.set_random_seed(SEED)
course.record("seed", SEED)
course.record("draw", float(keras.random.uniform(())))
"""


def test_with_seed_replaces_both_ways_of_seeding_and_rejects_an_unseeded_page():
    source = "SEED = 0  # weights\nkeras.utils.set_random_seed(0)\nSEED = 01\n"
    assert runs.with_seed(source, 7) == (
        "SEED = 7  # weights\nkeras.utils.set_random_seed(7)\nSEED = 01\n"
    )
    with pytest.raises(ValueError, match="Argument seed needs a page that seeds"):
        runs.with_seed("x = 0\n", 1)


@jax_pages
def test_a_run_with_another_seed_draws_other_numbers_and_its_spread_is_measured(tmp_path):
    docs = write_docs(tmp_path, {"s/seeded": SEEDED_PAGE})
    reports = [runs.run(["s/seeded"], ["jax"], quick=True, docs=docs, seed=s) for s in (None, 3)]
    assert [r["seed"] for r in reports] == [0, 3]
    values = [
        {n: f["value"] for n, f in r["pages"]["s/seeded"]["jax"]["figures"].items()}
        for r in reports
    ]
    assert [v["seed"] for v in values] == [0, 3]
    assert values[0]["draw"] != values[1]["draw"]
    spreads = runs.seed_spreads(reports[0], reports[1:])
    draws = [v["draw"] for v in values]
    assert spreads["s/seeded", "draw"] == {
        "backend": "jax",
        "seeds": 2,
        "spread": pytest.approx((max(draws) - min(draws)) / max(draws)),
    }
    with pytest.raises(ValueError, match="same seed as old \\(0\\); received a report of seed 3"):
        runs.merge(reports[0], reports[1])


def test_seed_spread_takes_the_backend_with_most_seeds_then_the_widest():
    base = report({"p": {"jax": result(a=(0.5, "fraction")), "torch": result(a=(0.5, "fraction"))}})
    seed_1 = report(
        {"p": {"jax": result(a=(0.6, "fraction")), "torch": result(a=(0.9, "fraction"))}}
    )
    seed_2 = report({"p": {"jax": result(a=(0.7, "fraction"))}})
    assert runs.seed_spreads(base, [seed_1]) == {
        ("p", "a"): {"backend": "torch", "seeds": 2, "spread": pytest.approx(0.4)}
    }
    assert runs.seed_spreads(base, [seed_1, seed_2]) == {
        ("p", "a"): {"backend": "jax", "seeds": 3, "spread": pytest.approx(0.2)}
    }
    assert runs.seed_spreads(base, []) == {}


@jax_pages
def test_run_page_in_full_mode_ignores_an_inherited_quick_flag(tmp_path, monkeypatch):
    monkeypatch.setenv("KERASLAB_QUICK", "1")
    docs = write_docs(tmp_path, {"records": RECORDING_PAGE})
    got = runs.run_page(os.path.join(docs, "records.py"), "jax", "records", quick=False)
    assert got["status"] == "ok", got["error"]
    assert got["figures"]["quick"]["value"] == 0
    assert got["figures"]["backend index"]["value"] == runs.SUPPORTED_BACKENDS.index("jax")


def test_run_page_stops_a_page_at_its_timeout(tmp_path):
    docs = write_docs(tmp_path, {"slow": "import time\ntime.sleep(30)\n"})
    got = runs.run_page(os.path.join(docs, "slow.py"), "jax", "slow", timeout=0.5)
    assert got["status"] == "failed" and "timeout" in got["error"]
    assert got["seconds"] < 30


def test_run_page_rejects_an_unknown_backend(tmp_path):
    with pytest.raises(ValueError, match="backend must be one of .*received 'numpy'"):
        runs.run_page(str(tmp_path / "p.py"), "numpy", "p")


def test_merge_replaces_the_rerun_cells_and_keeps_the_rest():
    old = report(
        {
            "a": {"jax": result(x=(1.0, "")), "torch": result(x=(2.0, ""))},
            "b": {"jax": result(y=(5.0, ""))},
        },
        backends=("torch", "jax"),
        command="first",
    )
    new = report(
        {"a": {"tensorflow": result(x=(3.0, "")), "jax": result("failed")}},
        backends=("tensorflow", "jax"),
        command="second",
    )
    merged = runs.merge(old, new)
    assert merged["backends"] == ["tensorflow", "torch", "jax"]
    assert [r["command"] for r in merged["runs"]] == ["first", "second"]
    assert merged["pages"]["a"]["torch"] == old["pages"]["a"]["torch"]
    assert merged["pages"]["a"]["tensorflow"] == new["pages"]["a"]["tensorflow"]
    assert merged["pages"]["a"]["jax"]["status"] == "failed"
    assert merged["pages"]["b"] == old["pages"]["b"]
    assert old["pages"]["a"]["jax"]["status"] == "ok"  # the inputs are left alone
    assert runs.merge(None, new) is new


def test_merge_refuses_to_mix_quick_and_full_figures():
    with pytest.raises(ValueError, match="same mode as old \\('full'\\).*'quick'"):
        runs.merge(report({}), report({}, mode="quick"))


def test_spread_is_absolute_for_fractions_and_relative_for_losses():
    assert runs.spread([0.90, 0.93, 0.91], "fraction") == pytest.approx(0.03)
    assert runs.spread([2.0, 1.9, None], "nats") == pytest.approx(0.1 / 2.0)
    assert runs.spread([-4.0, -3.0], "") == pytest.approx(0.25)
    assert runs.spread([0.5, None, None], "fraction") is None
    assert runs.tolerance("s") is None
    assert runs.tolerance("fraction") == ("absolute", 0.02)
    assert runs.tolerance("nats/char") == ("relative", 0.05)


def test_compare_flags_spreads_over_tolerance_and_lists_missing_backends():
    pages = {
        "p": {
            "tensorflow": result(acc=(0.90, "fraction"), loss=(1.00, "nats"), t=(9.0, "s")),
            "torch": result(acc=(0.95, "fraction"), loss=(1.04, "nats"), t=(90.0, "s")),
            "jax": result("failed", acc=(0.91, "fraction")),
        }
    }
    rows = {row["figure"]: row for row in runs.compare(report(pages))}
    assert rows["acc"]["flagged"] and rows["acc"]["spread"] == pytest.approx(0.05)
    assert rows["acc"]["values"] == {"tensorflow": 0.90, "torch": 0.95, "jax": 0.91}
    assert not rows["loss"]["flagged"] and rows["loss"]["missing"] == ["jax"]
    assert rows["loss"]["spread"] == pytest.approx(0.04 / 1.04)
    assert not rows["t"]["flagged"] and rows["t"]["tolerance"] is None
    lone = runs.compare(report({"q": {"jax": result(acc=(0.5, "fraction"))}}))
    assert lone[0]["spread"] is None and not lone[0]["flagged"]
    assert lone[0]["missing"] == ["tensorflow", "torch"]


def test_recorded_names_leaves_out_full_mode_branches_in_quick_mode():
    source = textwrap.dedent(
        """
        a = course.record("always", 1.0)
        if not QUICK:
            course.record("full only", 2.0)
        else:
            course.record("quick only", 3.0)
        if QUICK:
            course.record("quick branch", 4.0)
        else:
            course.record("full branch", 5.0)
        course.record(f"{name} built", 6.0)
        other.record("not the course", 7.0)
        print(course.record("nested", 8.0, unit="s"))
        """
    )
    quick = {"always", "quick only", "quick branch", "nested"}
    assert runs.recorded_names(source, quick=True) == quick
    assert runs.recorded_names(source) == quick | {"full only", "full branch"}
