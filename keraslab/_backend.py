"""Backend selection, checked before Keras is imported.

keraslab supports the three Keras backends that train models end to end. The choice is
Keras's own: the ``KERAS_BACKEND`` environment variable, or ``~/.keras/keras.json``.
"""

import os
import sys

SUPPORTED_BACKENDS = ("tensorflow", "torch", "jax")


def check_backend_variable():
    """Raises a readable `ValueError` when `KERAS_BACKEND` names an unsupported backend."""
    requested = os.environ.get("KERAS_BACKEND")
    if requested is not None and requested not in SUPPORTED_BACKENDS:
        raise ValueError(
            "Environment variable KERAS_BACKEND must be one of "
            f"{', '.join(SUPPORTED_BACKENDS)}; received KERAS_BACKEND={requested!r}."
        )


def _run_module(argv):
    """The module that `python -m MODULE` runs, from the interpreter's own `argv`."""
    for position, argument in enumerate(argv[1:], start=1):
        if argument == "-m":
            return argv[position + 1] if position + 1 < len(argv) else None
        if argument.startswith("-m"):
            return argument[2:]
    return None


def running_as_command():
    """Whether this process is the `keraslab` command: the console script or
    `python -m keraslab`.

    The command's `--backend` flag sets `KERAS_BACKEND` after the package is imported, so
    on that path `import keraslab` must leave Keras unimported.
    """
    program = sys.argv[0] if sys.argv else ""
    if program == "-m":  # python -m: sys.argv[0] is "-m" while the module is located
        return _run_module(sys.orig_argv) == "keraslab"
    return os.path.splitext(os.path.basename(program))[0] == "keraslab"
