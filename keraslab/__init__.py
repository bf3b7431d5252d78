"""keraslab: backend-agnostic Keras 3 models, layers and offline datasets for learning deep
learning by running it.

Select the backend exactly as in Keras, with ``KERAS_BACKEND=tensorflow|torch|jax``.
Submodules are imported on first use, so ``import keraslab`` itself loads no framework.
"""

import importlib

from keraslab._backend import SUPPORTED_BACKENDS, check_backend_variable

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
