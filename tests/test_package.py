import os
import subprocess
import sys

import keras
import pytest

import keraslab
from tests.conftest import REPO_ROOT, run_python


def test_backend_matches_keras_and_environment():
    assert keraslab.backend() == keras.backend.backend()
    if "KERAS_BACKEND" in os.environ:
        assert keraslab.backend() == os.environ["KERAS_BACKEND"]


def test_environment_names_backend_versions_and_devices():
    env = keraslab.environment()
    assert env["backend"] == keras.backend.backend()
    assert env["keras"] == keras.__version__
    assert env["keraslab"] == keraslab.__version__
    assert env["devices"] and all(isinstance(d, str) for d in env["devices"])
    text = keraslab.describe_environment()
    assert env["backend"] in text and keras.__version__ in text


def test_unknown_backend_gives_one_clear_error():
    result = run_python("import keraslab", env={"KERAS_BACKEND": "theano"})
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("ValueError: Environment variable KERAS_BACKEND")
    assert "'theano'" in last_line and "jax" in last_line


_FRAMEWORKS = "[m for m in ('tensorflow', 'torch', 'jax') if m in sys.modules]"


def test_bare_import_loads_keras_and_no_other_framework():
    """`import keraslab` imports Keras and registers the classes, like `import keras_hub`,
    and no framework that `import keras` alone does not import."""
    keras_alone = run_python(f"import sys, keras\nprint({_FRAMEWORKS})")
    keraslab_alone = run_python(
        "import sys, keraslab\n"
        f"print({_FRAMEWORKS})\n"
        "import keras\n"
        "print(keras.saving.get_registered_object('keraslab>MLP'))\n"
    )
    assert keras_alone.returncode == 0, keras_alone.stderr
    assert keraslab_alone.returncode == 0, keraslab_alone.stderr
    frameworks, registered = keraslab_alone.stdout.strip().splitlines()[-2:]
    assert frameworks == keras_alone.stdout.strip().splitlines()[-1]
    assert registered == "<class 'keraslab.models.mlp.MLP'>"


def test_submodules_load_no_framework_beyond_keras():
    code = (
        "import sys\n"
        "import keras\n"
        f"before = {_FRAMEWORKS}\n"
        "import keraslab, keraslab.datasets, keraslab.training\n"
        "keraslab.describe_environment()\n"
        f"print(before == {_FRAMEWORKS}, before)\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("True"), result.stdout


def test_info_command_prints_backend_and_versions():
    result = run_python("from keraslab.cli import main; raise SystemExit(main(['info']))")
    assert result.returncode == 0, result.stderr
    assert f"backend:  {keras.backend.backend()}" in result.stdout
    assert f"keras:    {keras.__version__}" in result.stdout
    assert "devices:" in result.stdout


# The two ways to run the `keraslab` command: its console script, and `python -m keraslab`.
_COMMANDS = {
    "script": [os.path.join(os.path.dirname(sys.executable), "keraslab")],
    "module": [sys.executable, "-m", "keraslab"],
}


@pytest.mark.parametrize("command", _COMMANDS.values(), ids=_COMMANDS.keys())
def test_backend_flag_sets_backend_before_keras_loads(command):
    if not os.path.exists(command[0]):
        pytest.skip(f"no console script at {command[0]}")
    other = "jax" if keras.backend.backend() != "jax" else "torch"
    result = subprocess.run(
        [*command, "--backend", other, "info"],
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        cwd=REPO_ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert f"backend:  {other}" in result.stdout
