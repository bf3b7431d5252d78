import os

import keras

import keraslab
from tests.conftest import run_python


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


def test_import_loads_no_framework_beyond_keras():
    code = (
        "import sys\n"
        "frameworks = ('tensorflow', 'torch', 'jax')\n"
        "import keras\n"
        "before = {m for m in frameworks if m in sys.modules}\n"
        "import keraslab, keraslab.datasets, keraslab.training\n"
        "keraslab.describe_environment()\n"
        "after = {m for m in frameworks if m in sys.modules}\n"
        "print(sorted(before) == sorted(after), sorted(after))\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("True"), result.stdout


def test_bare_import_loads_no_framework():
    result = run_python(
        "import sys, keraslab\n"
        "print([m for m in ('keras', 'tensorflow', 'torch', 'jax') if m in sys.modules])"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_info_command_prints_backend_and_versions():
    result = run_python("from keraslab.cli import main; raise SystemExit(main(['info']))")
    assert result.returncode == 0, result.stderr
    assert f"backend:  {keras.backend.backend()}" in result.stdout
    assert f"keras:    {keras.__version__}" in result.stdout
    assert "devices:" in result.stdout


def test_info_command_backend_flag_sets_backend_before_keras_loads():
    other = "jax" if keras.backend.backend() != "jax" else "torch"
    result = run_python(
        f"from keraslab.cli import main; raise SystemExit(main(['--backend', '{other}', 'info']))"
    )
    assert result.returncode == 0, result.stderr
    assert f"backend:  {other}" in result.stdout
