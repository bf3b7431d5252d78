"""The shipped presets: `from_preset` under the current backend, the recorded metric and
reference output, and errors. The conformance battery (`tests/test_conformance.py`) runs
its checks on the presets too: round-trips, fine-tuning `fit`, mixed precision, bad input,
and the shipped files' load after a bare import.

Every preset was trained and saved under TensorFlow (see its metadata's `backend`); its
metadata holds the output it gave there on the first validation input. The suite runs
this file under each backend, so `test_output_matches_the_training_backend` is the
cross-backend check: the file saved under one backend gives, under this one, the same
outputs within the parity tolerance (1e-5).
"""

import json
import os

import keras
import numpy as np
import pytest

import keraslab
from keraslab import datasets, parity, presets
from keraslab.models import CNN, DecoderOnlyTransformer, Diffusion, EncoderOnlyTransformer
from keraslab.presets import data

NAMES = presets.names()
CLASSES = {
    "CNN": CNN,
    "DecoderOnlyTransformer": DecoderOnlyTransformer,
    "Diffusion": Diffusion,
    "EncoderOnlyTransformer": EncoderOnlyTransformer,
}
MAX_BYTES = 3 * 2**20  # every preset stays small enough to ship in the package
FIELDS = {
    "class", "corpus", "steps", "seed", "backend", "metric", "keraslab", "keras", "date",
    "reference_output",
}  # fmt: skip
# The metric is recomputed in float32 on another backend: a loss to 1e-4 relative, an
# accuracy to one example in ten thousand of the validation split.
METRIC_TOLERANCE = 1e-4

_LOADED = {}


def loaded(name):
    """The preset, loaded once per name for the checks that only read it."""
    if name not in _LOADED:
        _LOADED[name] = presets.load(name)
    return _LOADED[name]


def test_the_four_presets_ship_with_their_metadata():
    assert NAMES == [
        "bert_char_python_docs", "cnn_fashion_mnist", "ddpm_fashion_mnist", "gpt_char_python_docs"
    ]  # fmt: skip
    listed = presets.list()
    assert list(listed) == NAMES
    for name, info in listed.items():
        assert FIELDS <= set(info), name
        assert info["name"] == name
        assert info["keraslab"] == keraslab.__version__
        assert 0 < os.path.getsize(presets.path(name)) <= MAX_BYTES
        assert json.loads(presets.path(name).with_suffix(".json").read_text()) == info


@pytest.mark.parametrize("name", NAMES)
def test_from_preset_returns_the_trained_model_of_its_class(name):
    cls = CLASSES[presets.metadata(name)["class"]]
    model = cls.from_preset(name)
    assert type(model) is cls
    assert model.built
    assert model.count_params() == presets.metadata(name)["parameters"]
    np.testing.assert_array_equal(model.get_weights()[0], loaded(name).get_weights()[0])


@pytest.mark.parametrize("name", NAMES)
def test_output_matches_the_training_backend(name):
    x, _, _ = data.validation_data(name)
    first = keras.tree.map_structure(lambda a: a[:1], x)
    output = data.predict(loaded(name), first)[0]
    output = output[-1] if output.ndim == 2 else output.ravel()  # (V,) at the last position
    reference = np.array(presets.metadata(name)["reference_output"], dtype="float32")
    assert parity.error([output], [reference]) <= parity.TOLERANCES["save_load"]


def _log_softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _metric(name, model, x, y, weights):
    """The preset's validation metric, from its predictions, in NumPy."""
    outputs = data.predict(model, x)
    if name == "gpt_char_python_docs":  # nats per character
        return -np.mean(np.take_along_axis(_log_softmax(outputs), y[..., None], -1))
    if name == "ddpm_fashion_mnist":  # predicted against added noise
        return np.mean(np.square(outputs - y))
    correct = np.argmax(outputs, axis=-1) == y
    if weights is None:
        return np.mean(correct)
    return np.sum(correct * weights) / np.sum(weights)  # masked characters only


def _same_corpus(name):
    """Whether this Python's pydoc topics give the characters the preset was trained on."""
    tokens = presets.metadata(name).get("tokens")
    if tokens is None:
        return True
    if name.startswith("bert"):
        return data.encoder_vocabulary().tokens == tokens
    return datasets.load_python_docs().vocabulary.tokens == tokens


@pytest.mark.parametrize("name", NAMES)
def test_recorded_metric_reproduces_on_the_validation_split(name):
    if not _same_corpus(name):
        pytest.skip("this Python's pydoc topics differ from the corpus the preset saw")
    recorded = presets.metadata(name)["metric"]["value"]
    measured = _metric(name, loaded(name), *data.validation_data(name))
    assert measured == pytest.approx(recorded, rel=METRIC_TOLERANCE, abs=METRIC_TOLERANCE)


def test_text_presets_carry_their_vocabulary():
    gpt = presets.vocabulary("gpt_char_python_docs")
    bert = presets.vocabulary("bert_char_python_docs")
    assert gpt.size == loaded("gpt_char_python_docs").vocabulary_size
    assert bert.size == loaded("bert_char_python_docs").vocabulary_size
    assert bert.tokens[:3] == list(data.SPECIAL_TOKENS)
    text = "def f(x):\n    return x"
    assert gpt.decode(gpt.encode(text)) == text
    with pytest.raises(ValueError, match="Argument name: preset 'cnn_fashion_mnist' is not"):
        presets.vocabulary("cnn_fashion_mnist")


def test_unknown_name_lists_the_shipped_presets():
    with pytest.raises(ValueError, match="Argument name must be a shipped preset") as error:
        DecoderOnlyTransformer.from_preset("gpt2_base_en")
    assert all(name in str(error.value) for name in NAMES)
    assert "received 'gpt2_base_en'" in str(error.value)


def test_preset_of_another_class_is_rejected_with_both_names():
    with pytest.raises(ValueError, match="Argument name") as error:
        CNN.from_preset("gpt_char_python_docs")
    assert "DecoderOnlyTransformer.from_preset" in str(error.value)
    assert "received CNN.from_preset" in str(error.value)


def test_the_mixin_itself_loads_any_preset():
    assert isinstance(presets.FromPreset.from_preset("cnn_fashion_mnist"), CNN)
