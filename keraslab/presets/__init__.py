"""Small pretrained keraslab models shipped with the package, and `from_preset`.

Each preset is a `.keras` file and a JSON metadata file in this folder, written by
`scripts/pretrain NAME` from the public API (`keraslab.datasets`, `keraslab.models`,
`compile`, `fit`). The metadata names the model class, the corpus, the training steps,
seed and backend, the validation metric, the keraslab and Keras versions and the date;
text presets also hold their vocabulary (`tokens`), and every preset a reference output
on a fixed input, computed under the backend that trained it.

Nothing downloads: `from_preset` reads the shipped file, under any backend.

Example:

>>> import keraslab
>>> "gpt_char_python_docs" in keraslab.presets.names()
True
>>> model = keraslab.models.DecoderOnlyTransformer.from_preset("gpt_char_python_docs")
"""

import json
import pathlib

FOLDER = pathlib.Path(__file__).resolve().parent


def names():
    """The shipped presets' names, sorted."""
    return sorted(path.stem for path in FOLDER.glob("*.json"))


def list():  # noqa: A001  the keras-hub style name the issue asks for
    """Returns `{name: metadata}` for every shipped preset, in name order."""
    return {name: metadata(name) for name in names()}


def _check(name):
    available = names()
    if name not in available:
        raise ValueError(
            f"Argument name must be a shipped preset ({', '.join(available)}); received {name!r}."
        )


def metadata(name):
    """The metadata dict of preset `name` (its JSON file)."""
    _check(name)
    return json.loads((FOLDER / f"{name}.json").read_text())


def path(name):
    """The path of preset `name`'s `.keras` file."""
    _check(name)
    return FOLDER / f"{name}.keras"


def vocabulary(name):
    """The `CharVocabulary` of a text preset, rebuilt from its metadata's `tokens`."""
    from keraslab.datasets import CharVocabulary

    info = metadata(name)
    if "tokens" not in info:
        raise ValueError(f"Argument name: preset {name!r} is not a text model; it has no tokens.")
    specials = info.get("special_tokens", [])
    return CharVocabulary(info["tokens"][len(specials) :], special_tokens=specials)


def load(name, cls=None):
    """Loads preset `name`: a built, trained model, without its optimizer.

    Args:
        name: str, one of `names()`.
        cls: a keraslab model class or None; the preset's class must be `cls` or a
            subclass of it.

    Returns:
        The model, an instance of the class named in its metadata.
    """
    import keras

    from keraslab import models

    info = metadata(name)
    preset_class = getattr(models, info["class"])
    if cls is not None and not issubclass(preset_class, cls):
        raise ValueError(
            f"Argument name: preset {name!r} is a {info['class']}, so it loads with "
            f"{info['class']}.from_preset; received {cls.__name__}.from_preset."
        )
    return keras.saving.load_model(path(name), compile=False)


class FromPreset:
    """Gives a keraslab model class the keras-hub style `from_preset` constructor."""

    @classmethod
    def from_preset(cls, name):
        """Loads the shipped preset `name` (see `keraslab.presets.names()`).

        Args:
            name: str, a preset whose class is this class or a subclass of it.

        Returns:
            The built, trained model.
        """
        return load(name, cls)


__all__ = ["FOLDER", "FromPreset", "list", "load", "metadata", "names", "path", "vocabulary"]
