"""Cross-backend parity of one catalogue model per family, plus two fixture models.

The check starts one process per backend itself, so it runs once, in the JAX suite, rather
than three times; under the other backends it is skipped. Each test below reads the same
report, written by `keraslab.parity.run` in a module-scoped fixture. To keep the suite's
run time down it checks one model of each family (dense, convolutional, recurrent,
generative with its own random draws, Transformer) and one preset; `scripts/parity` checks
every layer, model and preset of the catalogue, and the Backend parity page renders that
full report.
"""

import numpy as np
import pytest

from keraslab import catalog, parity
from tests import parity_entries
from tests.conftest import in_the_jax_suite_only

ENTRY_SOURCES = (*parity.DEFAULT_ENTRIES, "tests.parity_entries:ENTRIES")
FAMILIES = ("MLP", "CNN", "RNN", "VAE", "DecoderOnlyTransformer")
assert set(FAMILIES) <= {e.name for e in catalog.entries()}
PRESET = "gpt_char_python_docs"  # a trained model, saved once and loaded everywhere
NAMES = [*FAMILIES, PRESET, *(e.name for e in parity_entries.ENTRIES)]

pytestmark = in_the_jax_suite_only("spawns all three backends itself")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("parity"))
    return parity.run(folder, entries=ENTRY_SOURCES, only=NAMES)


@pytest.fixture(params=NAMES)
def result(request, report):
    assert request.param in report["models"], sorted(report["models"])
    result = report["models"][request.param]
    assert result["errors"] == {}
    return result


def test_every_entry_is_checked_on_every_backend(report):
    assert sorted(report["models"]) == sorted(NAMES)
    assert report["backends"] == list(parity.SUPPORTED_BACKENDS)


def test_saved_anywhere_loads_anywhere(result):
    matrix = np.array([list(row.values()) for row in result["save_load"].values()])
    assert matrix.shape == (3, 3)
    assert np.all(matrix <= parity.TOLERANCES["save_load"]), result["save_load"]


def test_forward_pass_and_gradients_agree(result):
    assert result["forward"] <= parity.TOLERANCES["forward"]
    assert result["gradients"] <= parity.TOLERANCES["gradients"]


def test_training_losses_agree(result):
    if not result["parity_train"]:
        pytest.skip("no trainable weights, or a training step that draws random numbers")
    assert result["training"] <= parity.TOLERANCES["training"]
    assert all(len(losses) == 3 for losses in result["losses"].values())


def test_time_per_step_is_recorded(result):
    assert set(result["ms_per_step"]) == set(parity.SUPPORTED_BACKENDS)
    if result["parameters"]:
        assert all(ms > 0 for ms in result["ms_per_step"].values())


def test_error_is_scaled_and_flags_mismatched_shapes():
    small = [np.array([0.5, 1.0])]
    assert parity.error([np.array([0.5, 1.1])], small) == pytest.approx(0.1)
    assert parity.error([np.array([200.0])], [np.array([100.0])]) == pytest.approx(1.0)
    assert parity.error([np.zeros(3)], small) == float("inf")


def test_failures_name_the_model_and_the_check():
    cell = {"tensorflow": 0.0, "torch": 0.0, "jax": 0.0}
    model = {
        "errors": {},
        "save_load": {"tensorflow": cell, "torch": {**cell, "jax": 1e-3}, "jax": cell},
        "forward": 0.0,
        "gradients": 1.0,
        "training": None,
    }
    found = parity.failures({"tolerances": parity.TOLERANCES, "models": {"M": model}})
    assert found == ["M saved under torch, loaded under jax: 0.001", "M gradients: 1 > 0.0001"]


def test_unsupported_backend_list_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="Argument backends"):
        parity.run(str(tmp_path), backends=["jax"])
