"""Backend selection, checked before Keras is imported.

keraslab supports the three Keras backends that train models end to end. The choice is
Keras's own: the ``KERAS_BACKEND`` environment variable, or ``~/.keras/keras.json``.
"""

import os

SUPPORTED_BACKENDS = ("tensorflow", "torch", "jax")


def check_backend_variable():
    """Raises a readable `ValueError` when `KERAS_BACKEND` names an unsupported backend."""
    requested = os.environ.get("KERAS_BACKEND")
    if requested is not None and requested not in SUPPORTED_BACKENDS:
        raise ValueError(
            "Environment variable KERAS_BACKEND must be one of "
            f"{', '.join(SUPPORTED_BACKENDS)}; received KERAS_BACKEND={requested!r}."
        )
