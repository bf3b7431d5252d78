import os
import subprocess
import sys

import keras
import pytest

import keraslab
from tests.conftest import REPO_ROOT, in_the_jax_suite_only, run_python


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


@pytest.fixture(scope="module")
def fresh_import():
    """What a fresh interpreter imports with `import keras` alone, and what another one
    imports with a bare `import keraslab`, then its submodules, then runs `keraslab info`:
    `(frameworks with keras alone, that interpreter's printed lines)`."""
    keras_alone = run_python(f"import sys, keras\nprint({_FRAMEWORKS})")
    assert keras_alone.returncode == 0, keras_alone.stderr
    keraslab_alone = run_python(
        "import sys, keraslab\n"
        f"print({_FRAMEWORKS})\n"
        "import keras\n"
        "print(keras.saving.get_registered_object('keraslab>MLP'))\n"
        "import keraslab.datasets, keraslab.training\n"
        "keraslab.describe_environment()\n"
        f"print({_FRAMEWORKS})\n"
        "from keraslab.cli import main\n"
        "raise SystemExit(main(['info']))\n"
    )
    assert keraslab_alone.returncode == 0, keraslab_alone.stderr
    return keras_alone.stdout.strip().splitlines()[-1], keraslab_alone.stdout


def test_bare_import_loads_keras_and_no_other_framework(fresh_import):
    """`import keraslab` imports Keras and registers the classes, like `import keras_hub`,
    and no framework that `import keras` alone does not import."""
    keras_frameworks, output = fresh_import
    frameworks, registered = output.splitlines()[:2]
    assert frameworks == keras_frameworks
    assert registered == "<class 'keraslab.models.mlp.MLP'>"


def test_submodules_load_no_framework_beyond_keras(fresh_import):
    keras_frameworks, output = fresh_import
    assert output.splitlines()[2] == keras_frameworks


def test_info_command_prints_backend_and_versions(fresh_import):
    _, output = fresh_import
    info = "\n".join(output.splitlines()[3:])
    assert f"backend:  {keras.backend.backend()}" in info
    assert f"keras:    {keras.__version__}" in info
    assert "devices:" in info


# The two ways to run the `keraslab` command: its console script, and `python -m keraslab`.
_COMMANDS = {
    "script": [os.path.join(os.path.dirname(sys.executable), "keraslab")],
    "module": [sys.executable, "-m", "keraslab"],
}


@in_the_jax_suite_only("runs the command under another backend, whatever the suite's")
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
