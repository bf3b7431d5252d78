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
    """`(x, y)`: the first `FIT_ROWS` validation rows; for the DDPM, which noises its own
    inputs, clean test images and no targets."""
    from keraslab.presets import data

    if _is_diffusion(name):
        return data.fashion_images("test")[0][:FIT_ROWS], None
    x, y, _ = data.validation_data(name)
    return x[:FIT_ROWS], y[:FIT_ROWS]


def _is_diffusion(name):
    from keraslab import presets

    return presets.metadata(name)["class"] == "Diffusion"


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


def _diffusion_bad_inputs(name):
    from keraslab.presets.data import DIFFUSION_TIMESTEPS

    return [
        BadInput(
            "image of another size",
            lambda: _load(name)(np.zeros((1, 32, 32, 1), "float32")),
            r"images must have shape \(batch, 28, 28, 1\); received \(1, 32, 32, 1\)",
        ),
        BadInput(
            "more steps than timesteps",
            lambda: _load(name).generate(1, steps=DIFFUSION_TIMESTEPS + 1, sampler="ddim"),
            "steps must be <= timesteps",
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
    shared = dict(
        name=name,
        kind="preset",
        description=f"{info['class']}.from_preset: {info['description']}",
        build=functools.partial(_load, name),
        sample_input=lambda: _validation(name)[0][:SAMPLE_ROWS],
        expected_params=info["parameters"],
        fit_data=lambda: _validation(name),
    )
    if _is_diffusion(name):
        from keraslab.catalog.generative import denoise_at_fixed_timesteps

        return Entry(
            **shared,
            compile_kwargs={"loss": None},
            bad_inputs=functools.partial(_diffusion_bad_inputs, name),
            docs_page="generative/diffusion.py",
            forward=denoise_at_fixed_timesteps,
            parity_train=False,  # its training step draws timesteps and noise
            # Its trained U-Net amplifies bfloat16 rounding most at t = 0, where it reads
            # the noise off an almost clean image: 5.0% of the largest output there, 0.2%
            # on average over the sample's pixels and timesteps (measured 2026-12-03).
            mixed_tolerance=0.1,
        )
    image = info["corpus"] == "fashion_mnist"
    # The CNN ends in a softmax; the text models return logits.
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=not image)
    return Entry(
        **shared,
        compile_kwargs={"loss": loss},
        bad_inputs=functools.partial(_image_bad_inputs if image else _text_bad_inputs, name),
        docs_page="transformers/fine_tuning.py",
    )


def entries():
    """One `Entry` per shipped preset, in name order."""
    from keraslab import presets

    return [_entry(name) for name in presets.names()]
