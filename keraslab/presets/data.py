"""The data each preset trains and is validated on, built from `keraslab.datasets`.

`scripts/pretrain` trains on `training_data(name)` and records the metric on
`validation_data(name)`; the tests recompute that metric from the shipped model's
predictions on the same split (`predict`).
"""

import numpy as np

from keraslab import datasets
from keraslab.models.diffusion import noise_schedule

TEXT_LENGTH = 128  # characters per window of the text presets
SPECIAL_TOKENS = ("[PAD]", "[CLS]", "[MASK]")  # the encoder's ids 0, 1, 2
MASK_RATE = 0.15  # BERT's share of hidden tokens
VALIDATION_SEED = 1000  # masks the encoder's validation windows, noises the DDPM's images
DIFFUSION_TIMESTEPS = 100  # the DDPM preset's chain length T, that of the diffusion page


def encoder_vocabulary():
    """The Python docs' characters after `SPECIAL_TOKENS`, so padding is id 0."""
    return datasets.CharVocabulary(datasets.python_docs_text(), special_tokens=SPECIAL_TOKENS)


def _decoder_windows(split):
    corpus = datasets.load_python_docs()
    return datasets.make_lm_windows(getattr(corpus, split), TEXT_LENGTH)


def _encoder_windows(split):
    """`[CLS]` then `TEXT_LENGTH - 1` characters per row: `(N, TEXT_LENGTH)` ids."""
    corpus = datasets.load_python_docs()
    vocabulary = encoder_vocabulary()
    ids = vocabulary.encode(corpus.vocabulary.decode(getattr(corpus, split)))
    rows = len(ids) // (TEXT_LENGTH - 1)
    chars = ids[: rows * (TEXT_LENGTH - 1)].reshape(rows, TEXT_LENGTH - 1)  # (N, T - 1)
    cls = np.full((rows, 1), vocabulary.token_id("[CLS]"), dtype="int32")
    return np.concatenate([cls, chars], axis=1)  # (N, T)


def masked(windows, seed):
    """`mask_tokens` on encoder windows: `(inputs, targets, sample_weight)`."""
    return datasets.mask_tokens(
        windows,
        mask_id=SPECIAL_TOKENS.index("[MASK]"),
        rate=MASK_RATE,
        first_maskable_id=len(SPECIAL_TOKENS),
        seed=seed,
    )


def fashion_images(split):
    """Fashion-MNIST's `"train"` or `"test"` split: float images `(N, 28, 28, 1)` in
    `[0, 1]` and int32 labels."""
    train, test = datasets.load_fashion_mnist()
    x, y = train if split == "train" else test
    return (x[..., None] / 255.0).astype("float32"), y.astype("int32")  # (N, 28, 28, 1)


def _noised_test_images():
    """The test images noised as the DDPM's training noises them, at timesteps and noise
    drawn by NumPy (so every backend scores the same draws): `([x_t, t], noise, None)`."""
    images, _ = fashion_images("test")
    rng = np.random.default_rng(VALIDATION_SEED)
    t = rng.integers(0, DIFFUSION_TIMESTEPS, len(images)).astype("int32")
    noise = rng.standard_normal(images.shape).astype("float32")
    alpha_bar = np.cumprod(1.0 - noise_schedule(DIFFUSION_TIMESTEPS, "cosine"))[t]
    alpha_bar = alpha_bar[:, None, None, None]  # (N, 1, 1, 1)
    noisy = np.sqrt(alpha_bar) * (2.0 * images - 1.0) + np.sqrt(1.0 - alpha_bar) * noise
    return [noisy.astype("float32"), t], noise, None


def _decoder_validation():
    return (*_decoder_windows("validation"), None)


def _fashion_validation():
    return (*fashion_images("test"), None)


_TRAINING = {
    "bert_char_python_docs": lambda: _encoder_windows("train"),
    "gpt_char_python_docs": lambda: _decoder_windows("train"),
    "cnn_fashion_mnist": lambda: fashion_images("train"),
    "ddpm_fashion_mnist": lambda: (fashion_images("train")[0], None),
}
_VALIDATION = {
    "bert_char_python_docs": lambda: masked(_encoder_windows("validation"), VALIDATION_SEED),
    "gpt_char_python_docs": _decoder_validation,
    "cnn_fashion_mnist": _fashion_validation,
    "ddpm_fashion_mnist": _noised_test_images,
}


def training_data(name):
    """Training data of preset `name`: the encoder's unmasked windows, else `(x, y)`."""
    return _TRAINING[name]()


def validation_data(name):
    """`(x, y, sample_weight or None)` of preset `name`'s held-out split. For the DDPM,
    `x` is `[noisy images, timesteps]` and `y` the noise that was added."""
    return _VALIDATION[name]()


def predict(model, x, batch_size=128):
    """The preset's deterministic output on validation inputs `x`, as NumPy: the model's
    own, or a `Diffusion`'s denoising network's (its `call` draws the noise itself)."""
    from keraslab.models import Diffusion

    network = model.network if isinstance(model, Diffusion) else model
    return np.asarray(network.predict(x, batch_size=batch_size, verbose=0))
