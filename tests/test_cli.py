"""The `keraslab` command line, as a user would run it.

Every model of `keraslab list` is trained and saved in this process through `main(argv)`,
then evaluated and sampled from in one subprocess on another backend, whose test metrics
must match. Argument errors run through `main(argv)` too, where a traceback would be an
exception escaping `main`; one test starts the real entry point in a fresh interpreter.
"""

import contextlib
import io
import json
import re
import subprocess
import zipfile

import keras
import numpy as np
import pytest

from keraslab import _commands, catalog
from keraslab.catalog import classic
from keraslab.cli import main
from tests import parity_entries
from tests.conftest import run_python


def keraslab_cli(*args):
    """Runs `keraslab ARGS` through `main`; the finished process, as `subprocess.run`
    would return it (argparse's errors exit through `SystemExit`)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(list(args))
        except SystemExit as exit:
            status = exit.code
    return subprocess.CompletedProcess(args, status, out.getvalue(), err.getvalue())


def assert_one_line_error(result, *fragments):
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert re.match(r"keraslab( \w+)?: error: ", lines[0]), lines[0]
    for fragment in fragments:
        assert fragment in lines[0]


def test_list_names_every_entry_with_its_description(monkeypatch):
    monkeypatch.setattr(classic, "ENTRIES", classic.ENTRIES + parity_entries.ENTRIES)
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
        (["train", "MLP", "--epochs", "two"], "invalid int value: 'two'"),
        (["generate", "model.keras", "-n", "many"], "invalid int value: 'many'"),
    ],
    ids=["command", "backend", "no-name", "epochs", "samples"],
)
def test_bad_arguments_give_one_line_and_exit_code_2(args, fragment):
    assert_one_line_error(keraslab_cli(*args), fragment)


@pytest.mark.parametrize("command", ["evaluate", "generate"])
def test_missing_file(command, tmp_path):
    missing = str(tmp_path / "absent.keras")
    assert_one_line_error(keraslab_cli(command, missing), "no such file", "absent.keras")


def test_corrupt_keras_file(tmp_path):
    path = tmp_path / "corrupt.keras"
    path.write_bytes(b"PK\x03\x04 this is not a zip archive")
    result = keraslab_cli("evaluate", str(path))
    assert_one_line_error(result, "not a readable .keras file")


def test_keras_file_not_saved_by_train(tmp_path):
    path = str(tmp_path / "plain.keras")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.save(path)
    result = keraslab_cli("evaluate", path)
    assert_one_line_error(result, "not saved by `keraslab train`")


# Quick form of every model: a few examples, one epoch, and small sizes where the docs
# page's model is big. The test losses of the GAN and the diffusion model draw their own
# latents, noise and timesteps, so they cannot match across backends.
TRAIN_OPTIONS = {
    "Diffusion": ["--size", "quick", "--config", "timesteps=10"],
    "DecoderOnlyTransformer": ["--size", "quick"],
    "EncoderDecoderTransformer": ["--size", "quick"],
    "MLP": ["--config", "hidden_units=(16, 8)", "activation=tanh"],
}
RANDOM_TEST_LOSS = {"GAN", "Diffusion"}
GENERATE = {
    "VAE": "image",
    "GAN": "image",
    "Diffusion": "image",
    "DecoderOnlyTransformer": "text",
    "EncoderDecoderTransformer": "text",
}
LIMIT = "32"
OTHER_BACKEND = {"jax": "torch", "torch": "tensorflow", "tensorflow": "jax"}
MODELS = [entry.name for entry in catalog.entries() if entry.kind == "model"]
# Each backend's suite trains a third of the models (and the MLP, which the config test
# reads) and evaluates them under the next backend, so the three suites together train
# every model once and load it elsewhere once, at a third of the cost.
SUITE_ORDER = ("tensorflow", "torch", "jax")
MODELS_HERE = [
    name
    for i, name in enumerate(MODELS)
    if name == "MLP" or SUITE_ORDER[i % 3] == keras.backend.backend()
]


def _metrics(line):
    return {k: float(v) for k, v in re.findall(r"(\w+)=(-?[\d.]+|nan)", line.split(":", 1)[1])}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Each model trained and saved in this process, with its `test metrics:` line."""
    folder = tmp_path_factory.mktemp("cli")
    results = {}
    for name in MODELS_HERE:
        path = str(folder / f"{name}.keras")
        argv = ["train", name, "--epochs", "1", "--limit", LIMIT, "--batch-size", "16"]
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
            status = main(argv + ["--save", path, *TRAIN_OPTIONS.get(name, [])])
        results[name] = (status, buffer.getvalue(), path)
    return results


@pytest.fixture(scope="module")
def on_other_backend(trained, tmp_path_factory):
    """`evaluate` and `generate` of every saved file, all in one process on another backend."""
    folder = tmp_path_factory.mktemp("generated")
    commands = {}
    for name, (_, _, path) in trained.items():
        commands[name] = {
            "evaluate": ["evaluate", path, "--limit", LIMIT],
            "generate": ["generate", path, "-n", "2", "--length", "5"]
            + ["--out", str(folder / f"{name}.png")],
        }
    code = (
        "import contextlib, io, json\n"
        "from keraslab.cli import main\n"
        "results = {}\n"
        f"for name, runs in {commands!r}.items():\n"
        "    for command, argv in runs.items():\n"
        "        out, err = io.StringIO(), io.StringIO()\n"
        "        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):\n"
        "            status = main(argv)\n"
        "        results[f'{name} {command}'] = (status, out.getvalue(), err.getvalue())\n"
        "print(json.dumps(results))\n"
    )
    backend = OTHER_BACKEND[keras.backend.backend()]
    result = run_python(code, env={"KERAS_BACKEND": backend}, timeout=900)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1]), folder


def test_every_listed_model_has_a_training_recipe():
    assert set(MODELS) == set(_commands.RECIPES)


@pytest.mark.parametrize("name", MODELS_HERE)
def test_train_evaluate_on_another_backend_and_generate(name, trained, on_other_backend):
    status, output, path = trained[name]
    assert status == 0, output
    with zipfile.ZipFile(path) as archive:
        metadata = json.loads(archive.read(_commands.METADATA_FILE))
    assert metadata["entry"] == name
    assert metadata["dataset"] == catalog.get(name).default_dataset
    final = _metrics(next(line for line in output.splitlines() if line.startswith("final")))
    assert np.isfinite(final["loss"]) and final["loss"] > 0, output
    tested = _metrics(next(line for line in output.splitlines() if line.startswith("test")))

    results, folder = on_other_backend
    status, evaluated, error = results[f"{name} evaluate"]
    assert status == 0, error
    assert f"{name} on the {metadata['dataset']} test split: " in evaluated
    elsewhere = _metrics(evaluated)
    assert set(elsewhere) == set(tested)
    if name not in RANDOM_TEST_LOSS:
        for metric, value in tested.items():
            assert np.isclose(elsewhere[metric], value, rtol=1e-3, atol=2e-4), (metric, output)

    status, generated, error = results[f"{name} generate"]
    if name not in GENERATE:
        assert status == 2 and "generates nothing" in error
    elif GENERATE[name] == "image":
        assert status == 0, error
        import matplotlib.image

        assert np.asarray(matplotlib.image.imread(folder / f"{name}.png")).std() > 0
    else:
        assert status == 0, error
        assert len(generated.strip().splitlines()) == 2


def test_config_values_are_python_literals_or_strings(trained):
    model = keras.saving.load_model(trained["MLP"][2])
    config = model.get_config()
    assert tuple(config["hidden_units"]) == (16, 8)
    assert config["activation"] == "tanh"
    assert _commands.parse_config(["a=(2, 3)", "b=0.5", "c=None", "d='x=y'", "e=relu"]) == {
        "a": (2, 3),
        "b": 0.5,
        "c": None,
        "d": "x=y",
        "e": "relu",
    }


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["train", "NoSuchModel"], ["received 'NoSuchModel'"]),
        (["train", "MLP", "--config", "depth=3"], ["no option 'depth'", "hidden_units"]),
        (["train", "MLP", "--config", "dropout"], ["key=value", "'dropout'"]),
        (["train", "MLP", "--size", "huge"], ["--size", "'huge'"]),
        (["train", "MultiHeadAttention"], ["must be a model"]),
        (["train", "RNN", "--dataset", "wine", "--limit", "8"], ["RNN(", "cannot run"]),
    ],
    ids=["model", "config-key", "config-form", "size", "layer", "unbuildable"],
)
def test_bad_training_request_gives_one_line_and_exit_code_2(args, fragments, capsys):
    assert main(args) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("keraslab: error: "), captured.err
    for fragment in fragments:
        assert fragment in lines[0]


def test_presets_and_info_list_every_preset_with_its_metric(capsys):
    from keraslab import presets

    assert main(["presets"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert main(["info"]) == 0
    info = capsys.readouterr().out
    assert len(listed) == len(presets.names())
    for line, (name, metadata) in zip(listed, presets.list().items()):
        assert line.startswith(name) and metadata["class"] in line
        assert f"{metadata['metric']['name']} {metadata['metric']['value']:.4f}" in line
        assert line in info


def test_generate_from_the_decoder_preset_matches_the_model(capsys):
    from keraslab import presets

    args = ["generate", "--preset", "gpt_char_python_docs", "-n", "2", "--length", "12"]
    assert main([*args, "--prompt", "def ", "--sampler", "greedy"]) == 0
    lines = capsys.readouterr().out.splitlines()
    vocabulary = presets.vocabulary("gpt_char_python_docs")
    model = presets.load("gpt_char_python_docs")
    prompt = np.tile(vocabulary.encode("def "), (2, 1))
    expected = model.generate(prompt, max_new_tokens=12, sampler="greedy")
    assert "\n".join(lines) == "\n".join(vocabulary.decode(row) for row in expected)


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["generate"], "either a .keras file or --preset NAME; received neither"),
        (["generate", "--preset", "cnn_fashion_mnist"], "must be a text preset"),
        (["generate", "--preset", "gpt2"], "must be a shipped preset"),
    ],
    ids=["neither", "not-text", "unknown"],
)
def test_bad_preset_request_gives_one_line_and_exit_code_2(args, fragment, capsys):
    assert main(args) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("keraslab: error: ")
    assert fragment in lines[0]
