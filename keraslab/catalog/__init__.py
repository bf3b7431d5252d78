"""The catalogue of every public keraslab layer and model.

Each `Entry` knows how to build a tiny seeded instance and a NumPy sample input for it.
The conformance battery (`tests/test_conformance.py`), the command-line tool and the
backend-parity page all iterate over `entries()`, so a model that joins the catalogue is
checked for serialisation, determinism, training and bad inputs with no extra code.

Entries live in one module per family (`layers`, `classic`, `generative`,
`transformers`); add a new model's entry to its family's `ENTRIES` list. The shipped
pretrained models have entries of their own (`preset_entries()`, from
`keraslab.catalog.presets`), which the conformance battery also runs.
"""

import dataclasses
import importlib
from collections.abc import Callable
from typing import Any

_FAMILIES = ("layers", "classic", "generative", "transformers")


@dataclasses.dataclass(frozen=True)
class BadInput:
    """One wrong use of a layer or model, and the error it must raise.

    Attributes:
        description: what is wrong, for test ids (`"rank-2 query"`).
        call: callable with no arguments that makes the mistake (builds with a bad config,
            or calls a built instance with a bad input).
        match: regular expression the error message must contain; it names the argument.
        error: the exception type(s) expected. Defaults to `(ValueError, TypeError)`.
    """

    description: str
    call: Callable[[], Any]
    match: str
    error: Any = (ValueError, TypeError)


@dataclasses.dataclass(frozen=True)
class Entry:
    """A public layer or model, with a tiny configuration to test it on.

    Attributes:
        name: public name, for example `"MultiHeadAttention"`.
        kind: `"layer"`, `"model"`, or `"preset"` (a shipped pretrained model).
        description: one line for `keraslab list`.
        build: callable returning a new, tiny instance. Weights come from Keras's global
            seed, so `keras.utils.set_random_seed(s)` before `build()` makes them
            deterministic.
        sample_input: callable returning a NumPy input for the instance: an array, or a
            tuple or dict where it takes several.
        expected_params: trainable parameter count after the instance is built on
            `sample_input()`, computed by hand; for a preset, its metadata's count of
            all weights.
        fit_data: callable returning `(x, y)` for a short `fit`; `y` is None for models
            that compute their own loss (autoencoders, GANs, diffusion).
        compile_kwargs: keyword arguments for `compile` before that `fit`.
        bad_inputs: callable returning a list of `BadInput`.
        forward: callable `(instance, x) -> output` used to compare outputs; defaults to
            `instance(x, training=False)`.
        docs_page: path of the docs page that teaches it, relative to `docs/`.
        default_dataset: name of the offline dataset `keraslab train` uses (a key of
            `keraslab.datasets.registry.DATASETS`).
        parity_train: whether the backend-parity check compares training losses. Set it to
            False for models whose training step draws its own random numbers (latent
            samples, noise, timesteps): random streams differ by backend, so their losses
            cannot match. Their forward pass, gradients and saved files are still compared.
        mixed_tolerance: how far a `mixed_bfloat16` build's output may stray from the
            float32 build's, as a share of the output's largest magnitude. Defaults to
            `0.05`: bfloat16 keeps 8 significant bits (a relative step of about 0.4%), and
            a few layers of rounding stay well inside 5%.
    """

    name: str
    kind: str
    description: str
    build: Callable[[], Any]
    sample_input: Callable[[], Any]
    expected_params: int
    fit_data: Callable[[], tuple]
    compile_kwargs: dict = dataclasses.field(default_factory=dict)
    bad_inputs: Callable[[], list] = lambda: []
    forward: Callable[[Any, Any], Any] | None = None
    docs_page: str | None = None
    default_dataset: str | None = None
    parity_train: bool = True
    mixed_tolerance: float = 0.05

    def output(self, instance, x):
        """The instance's deterministic (inference-mode) output on `x`."""
        if self.forward is not None:
            return self.forward(instance, x)
        if isinstance(x, tuple):
            return instance(*x, training=False)
        return instance(x, training=False)


def entries():
    """Returns every catalogue `Entry`, layers first, then models in course order."""
    found = []
    for family in _FAMILIES:
        found.extend(importlib.import_module(f"keraslab.catalog.{family}").ENTRIES)
    return found


def preset_entries():
    """Returns an `Entry` per shipped preset: a trained model, loaded by `build`. They are
    not in `entries()`, the architectures that `keraslab list` and `train` show."""
    return importlib.import_module("keraslab.catalog.presets").entries()


def get(name):
    """Returns the entry called `name`."""
    for entry in entries():
        if entry.name == name:
            return entry
    known = ", ".join(e.name for e in entries())
    raise ValueError(f"Argument name must be a catalogue entry ({known}); received {name!r}.")
