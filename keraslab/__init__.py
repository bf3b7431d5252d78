"""keraslab: backend-agnostic Keras 3 models, layers and offline datasets for learning deep
learning by running it.

Select the backend exactly as in Keras, with ``KERAS_BACKEND=tensorflow|torch|jax``.
As with ``import keras_hub``, ``import keraslab`` imports Keras (and so its backend, no
other) and registers every keraslab layer and model, so ``keras.saving.load_model`` reads
any keraslab ``.keras`` file. The other submodules are imported on first use.
"""

import importlib

from keraslab._backend import SUPPORTED_BACKENDS, check_backend_variable, running_as_command

check_backend_variable()

__version__ = "0.1.0"

_SUBMODULES = (
    "catalog",
    "datasets",
    "evaluation",
    "generation",
    "layers",
    "models",
    "parity",
    "presets",
    "training",
)
_INFO_FUNCTIONS = ("backend", "describe_environment", "environment", "quick_mode")

__all__ = ["SUPPORTED_BACKENDS", "__version__", *_SUBMODULES, *_INFO_FUNCTIONS]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"keraslab.{name}")
    if name in _INFO_FUNCTIONS:
        return getattr(importlib.import_module("keraslab._info"), name)
    raise AttributeError(f"module 'keraslab' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)


# The `keraslab` command imports Keras only after its `--backend` flag has set
# KERAS_BACKEND, and each of its commands imports the classes it loads.
if not running_as_command():
    from keraslab import layers, models  # noqa: F401  registers every class with Keras
