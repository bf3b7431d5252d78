"""The `keraslab` command line, run in subprocesses as a user would run it.

The subprocess adds the fixture entries of `tests/parity_entries.py` to the catalogue, so
`train`, `evaluate` and `list` are exercised even before the catalogue has a model of its
own; `generate` needs a generative or text model from the catalogue and is skipped without.
"""

import json
import os
import re
import zipfile

import keras
import numpy as np
import pytest

from keraslab import _commands, catalog
from tests import parity_entries
from tests.conftest import run_python

CLASSIFIER = parity_entries.ENTRIES[0]


def keraslab_cli(*args, fixtures=True):
    """Runs `keraslab ARGS`; with `fixtures`, the fixture entries join the catalogue."""
    code = f"from keraslab.cli import main\nraise SystemExit(main({list(args)!r}))\n"
    if fixtures:
        code = (
            "from keraslab.catalog import classic\n"
            "from tests.parity_entries import ENTRIES\n"
            "classic.ENTRIES.extend(ENTRIES)\n" + code
        )
    return run_python(code)


# TensorFlow's C++ start-up log, which TF_CPP_MIN_LOG_LEVEL does not silence in TF 2.21;
# it appears whenever TensorFlow is imported (keras.utils.set_random_seed imports it).
TENSORFLOW_LOG = re.compile(r"^(WARNING: All log messages before absl|[IWE]\d{4} )")


def assert_one_line_error(result, *fragments):
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.strip().splitlines() if not TENSORFLOW_LOG.match(line)]
    assert len(lines) == 1, result.stderr
    assert re.match(r"keraslab( \w+)?: error: ", lines[0]), lines[0]
    for fragment in fragments:
        assert fragment in lines[0]


def test_list_names_every_entry_with_its_description():
    result = keraslab_cli("list")
    assert result.returncode == 0, result.stderr
    for entry in catalog.entries() + parity_entries.ENTRIES:
        line = next(line for line in result.stdout.splitlines() if line.startswith(entry.name))
        assert entry.kind in line and entry.description in line
        if entry.docs_page:
            assert entry.docs_page in line


def test_module_entry_point_requires_a_command():
    result = run_python("import runpy; runpy.run_module('keraslab', run_name='__main__')")
    assert result.returncode == 2 and "COMMAND" in result.stderr


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["--backend", "theano", "info"], "invalid choice: 'theano'"),
        (["train"], "the following arguments are required: name"),
        (["train", CLASSIFIER.name, "--epochs", "two"], "invalid int value: 'two'"),
        (["generate", "model.keras", "-n", "many"], "invalid int value: 'many'"),
    ],
    ids=["command", "backend", "no-name", "epochs", "samples"],
)
def test_bad_arguments_give_one_line_and_exit_code_2(args, fragment):
    assert_one_line_error(keraslab_cli(*args, fixtures=False), fragment)


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["train", "NoSuchModel"], "received 'NoSuchModel'"),
        (["train", CLASSIFIER.name, "--dataset", "mnistish"], "received 'mnistish'"),
        (["train", CLASSIFIER.name, "--save", "model.h5"], "must end in .keras"),
        (["train", CLASSIFIER.name, "--limit", "0"], "--limit must be >= 1"),
    ],
    ids=["model", "dataset", "save-suffix", "limit"],
)
def test_bad_training_request_gives_one_line_and_exit_code_2(args, fragment):
    assert_one_line_error(keraslab_cli(*args), fragment)


@pytest.mark.parametrize("command", ["evaluate", "generate"])
def test_missing_file(command, tmp_path):
    missing = str(tmp_path / "absent.keras")
    assert_one_line_error(
        keraslab_cli(command, missing, fixtures=False), "no such file", "absent.keras"
    )


def test_corrupt_keras_file(tmp_path):
    path = tmp_path / "corrupt.keras"
    path.write_bytes(b"PK\x03\x04 this is not a zip archive")
    result = keraslab_cli("evaluate", str(path), fixtures=False)
    assert_one_line_error(result, "not a readable .keras file")


def test_keras_file_not_saved_by_train(tmp_path):
    path = str(tmp_path / "plain.keras")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.save(path)
    result = keraslab_cli("evaluate", path, fixtures=False)
    assert_one_line_error(result, "not saved by `keraslab train`")


def test_train_save_evaluate_round_trip(tmp_path):
    path = str(tmp_path / "classifier.keras")
    trained = keraslab_cli("train", CLASSIFIER.name, "--epochs", "1", "--save", path)
    assert trained.returncode == 0, trained.stderr
    final = next(line for line in trained.stdout.splitlines() if line.startswith("final"))
    assert "accuracy=" in final and "loss=" in final
    assert "test metrics:" in trained.stdout
    with zipfile.ZipFile(path) as archive:
        metadata = json.loads(archive.read(_commands.METADATA_FILE))
    assert metadata == {"entry": CLASSIFIER.name, "dataset": CLASSIFIER.default_dataset}
    evaluated = keraslab_cli("evaluate", path)
    assert evaluated.returncode == 0, evaluated.stderr
    assert f"{CLASSIFIER.name} on the wine test split: accuracy=" in evaluated.stdout
    refused = keraslab_cli("generate", path)
    assert_one_line_error(refused, "generates nothing")


def _generative_entry():
    for entry in catalog.entries():
        if entry.kind == "model" and entry.default_dataset:
            model = entry.build()
            if any(callable(getattr(model, m, None)) for m in ("sample", "generate")):
                return entry
    return None


def test_generate_from_a_trained_generative_or_text_model(tmp_path):
    entry = _generative_entry()
    if entry is None:
        pytest.skip("the catalogue has no generative or text model with a default dataset yet")
    path = str(tmp_path / "generator.keras")
    trained = keraslab_cli("train", entry.name, "--epochs", "1", "--limit", "32", "--save", path)
    assert trained.returncode == 0, trained.stderr
    out = str(tmp_path / "samples.png")
    result = keraslab_cli("generate", path, "-n", "4", "--out", out, "--length", "5")
    assert result.returncode == 0, result.stderr
    if os.path.exists(out):
        import matplotlib.image

        assert np.asarray(matplotlib.image.imread(out)).std() > 0
    else:
        assert len(result.stdout.strip().splitlines()) == 4
