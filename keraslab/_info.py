"""What keraslab is running on: backend, versions, devices, and the docs' quick mode."""

import importlib.metadata
import os
import platform

import keras

from keraslab.training.devices import list_devices


def backend():
    """Returns the name of the active Keras backend: `"tensorflow"`, `"torch"` or `"jax"`."""
    return keras.backend.backend()


def quick_mode():
    """True when `KERASLAB_QUICK` is set to a non-empty value other than `0`.

    Docs pages read it to shrink epochs and sample counts, so that the test suite can run
    every page under every backend in seconds.
    """
    return os.environ.get("KERASLAB_QUICK", "") not in ("", "0")


def _version(package):
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def environment():
    """Returns a dict describing the backend, versions and devices in use."""
    import keraslab

    name = backend()
    return {
        "backend": name,
        "backend_version": _version(name),  # each backend is the package of its name
        "keras": keras.__version__,
        "keraslab": keraslab.__version__,
        "python": platform.python_version(),
        "devices": list_devices(),
        "quick_mode": quick_mode(),
    }


def describe_environment():
    """Returns a short multi-line description of `environment()`, as printed on docs pages."""
    env = environment()
    lines = [
        f"backend:  {env['backend']} {env['backend_version']}",
        f"keras:    {env['keras']}",
        f"keraslab: {env['keraslab']}",
        f"python:   {env['python']}",
        f"devices:  {', '.join(env['devices'])}",
    ]
    if env["quick_mode"]:
        lines.append("mode:     quick (KERASLAB_QUICK is set; figures are not the real ones)")
    return "\n".join(lines)
