"""Catalogue entries: the shipped presets (`keraslab.presets`), as trained models.

The conformance battery runs the checks that apply to a trained model on these entries:
the config and `.keras` round-trips, the load after a bare `import keraslab`, symbolic
against eager calls, a short fine-tuning `fit`, determinism, the mixed-precision policy
and bad input. The checks of freshly initialised weights (the parameter count by hand,
distinct initial weights) do not apply; `tests/test_presets.py` checks the count against
the metadata. The backend-parity harness runs them next to the architectures. They are not part
of `entries()`, which `keraslab list` and `train` show: those are the architectures.
"""

import functools

import keras
import numpy as np

from keraslab.catalog import BadInput, Entry

SAMPLE_ROWS = 2  # validation rows each forward check runs on
FIT_ROWS = 12  # validation rows to fine-tune on (the parity run takes 3 batches of 4)


@functools.cache
def _validation(name):
    from keraslab.presets import data

    x, y, _ = data.validation_data(name)
    return x[:FIT_ROWS], y[:FIT_ROWS]


def _load(name):
    from keraslab import presets

    return presets.load(name)


def _image_bad_inputs(name):
    images, _ = _validation(name)
    size = images.shape[1]

    def call(x):
        return lambda: _load(name)(x)

    return [
        BadInput(
            "image of another size",
            call(np.zeros((1, size + 4, size + 4, 1), "float32")),
            f"inputs must have the height the model was built on = {size}",
        ),
        BadInput(
            "colour image",
            call(np.zeros((1, size, size, 3), "float32")),
            "inputs must have the channels the model was built on = 1",
        ),
    ]


def _text_bad_inputs(name):
    ids, _ = _validation(name)
    length = ids.shape[1]

    def longer_window():
        return _load(name)(np.ones((1, length + 1), "int32"))

    bad = [
        BadInput(
            "window longer than sequence_length",
            longer_window,
            f"inputs must have at most sequence_length={length}",
        )
    ]
    if name.startswith("gpt"):

        def generate(prompt):
            return lambda: _load(name).generate(prompt, max_new_tokens=1)

        bad += [
            BadInput(
                "prompt longer than sequence_length",
                generate(ids[:1, :1].repeat(length + 1, axis=1)),
                f"prompt_ids has {length + 1} tokens, more than the model's sequence_length",
            ),
            BadInput("float prompt", generate(ids[:1, :3].astype("float32")), "prompt_ids"),
        ]
    else:
        bad.append(
            BadInput(
                "float token ids",
                lambda: _load(name).attention_maps(ids[:1].astype("float32")),
                "token_ids",
                TypeError,
            )
        )
    return bad


def _entry(name):
    from keraslab import presets

    info = presets.metadata(name)
    image = info["corpus"] == "fashion_mnist"
    # The CNN ends in a softmax; the text models return logits.
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=not image)
    return Entry(
        name=name,
        kind="preset",
        description=f"{info['class']}.from_preset: {info['description']}",
        build=functools.partial(_load, name),
        sample_input=lambda: _validation(name)[0][:SAMPLE_ROWS],
        expected_params=info["parameters"],
        fit_data=lambda: _validation(name),
        compile_kwargs={"loss": loss},
        bad_inputs=functools.partial(_image_bad_inputs if image else _text_bad_inputs, name),
        docs_page="transformers/fine_tuning.py",
    )


def entries():
    """One `Entry` per shipped preset, in name order."""
    from keraslab import presets

    return [_entry(name) for name in presets.names()]
