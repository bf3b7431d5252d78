"""The backends part's diagram draws one column per process around one all-reduce."""

import matplotlib
import pytest

matplotlib.use("Agg")

from keraslab.course.diagrams.backends import data_parallel  # noqa: E402


@pytest.mark.parametrize("processes", [2, 4])
def test_data_parallel_draws_a_shard_and_a_replica_per_process(processes):
    texts = [t.get_text() for ax in data_parallel(processes).axes for t in ax.texts]
    assert [t for t in texts if t.startswith("process ")] == [
        f"process {p}" for p in range(processes)
    ]
    assert sum(t.startswith("shard ") for t in texts) == processes
    assert sum("all-reduce" in t for t in texts) == 1
    assert sum(f"$\\to g_{p}$" in t for t in texts for p in range(1, processes + 1)) == processes
