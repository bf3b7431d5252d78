# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Autoencoders and denoising
#
# An **autoencoder** squeezes each image through a narrow **code** and rebuilds it:
#
#     image x ──encoder──▶ code z (a few numbers) ──decoder──▶ reconstruction x̂
#
# Training minimises the reconstruction error ‖x − x̂‖², with the image as its own
# target, so no labels are needed. Because the code is small, the network must keep what
# matters (strokes, shape) and drop what does not.
#
# A **denoising** autoencoder corrupts the input with noise during training but keeps the
# clean image as the target. It cannot copy its input any more; it has to learn what
# clean digits look like. We train both kinds of `keraslab.models.Autoencoder` on
# scikit-learn's 8×8 digits with a plain `fit()`, on whichever backend is active.

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import ops

import keraslab
from keraslab.datasets import load_digits
from keraslab.models import Autoencoder

print(keraslab.describe_environment())
QUICK = keraslab.quick_mode()
EPOCHS = 2 if QUICK else 60
NOISE = 0.3
keras.utils.set_random_seed(0)

(x_train, y_train), (x_test, y_test) = load_digits()
if QUICK:
    x_train, x_test = x_train[:256], x_test[:64]
print("train", x_train.shape, "test", x_test.shape)

# %% [markdown]
# ## A plain autoencoder, dense
#
# The dense variant flattens the 64 pixels, passes them through a hidden layer and
# keeps a code of 8 numbers. `fit` gets only `x`: the model's `compute_loss` uses the
# input as the target when there is no `y`.

# %%
plain = Autoencoder(image_shape=(8, 8, 1), latent_dim=8, kind="dense", filters=16, seed=0)
plain.compile(optimizer=keras.optimizers.Adam(3e-3))
start = time.perf_counter()
plain_history = plain.fit(
    x_train, validation_data=(x_test,), epochs=EPOCHS, batch_size=64, verbose=0
)
print(f"trained in {time.perf_counter() - start:.1f} s")
codes = plain.encode(x_test[:5])
print("codes of 5 test digits:", tuple(codes.shape))
print(np.round(ops.convert_to_numpy(codes)[:2], 2))


# %%
def show_rows(rows, titles, n=10):
    fig, axes = plt.subplots(len(rows), n, figsize=(n * 0.8, len(rows) * 0.9))
    for r, (images, title) in enumerate(zip(rows, titles)):
        images = np.clip(ops.convert_to_numpy(images), 0, 1)
        for c in range(n):
            axes[r, c].imshow(images[c, ..., 0], cmap="gray_r", vmin=0, vmax=1)
            axes[r, c].axis("off")
        axes[r, 0].set_title(title, fontsize=8, loc="left")
    fig.tight_layout()
    plt.show()


show_rows([x_test, plain.predict(x_test, verbose=0)], ["test digits", "dense autoencoder"])

# %% [markdown]
# ## A denoising autoencoder, convolutional
#
# `noise_stddev=0.3` adds Gaussian noise to every training batch (a `GaussianNoise` layer,
# active only when `training=True`), while the loss still compares the output with the
# clean image. Two stride-2 convolutions take the 8×8 image to a 2×2 map before the code.

# %%
denoiser = Autoencoder(
    image_shape=(8, 8, 1), latent_dim=32, kind="conv", filters=32, noise_stddev=NOISE, seed=0
)
denoiser.compile(optimizer=keras.optimizers.Adam(3e-3))
start = time.perf_counter()
history = denoiser.fit(x_train, epochs=EPOCHS, batch_size=64, verbose=0)
print(f"trained in {time.perf_counter() - start:.1f} s")

fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(plain_history.history["loss"], label="dense, train")
ax.plot(plain_history.history["val_loss"], label="dense, test")
ax.plot(history.history["loss"], label="denoising conv, train (noisy inputs)")
ax.set_xlabel("epoch")
ax.set_ylabel("MSE")
ax.set_yscale("log")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## Does it remove noise?
#
# We corrupt the *test* digits with fresh noise of the same strength and compare three
# mean squared errors against the clean digits: the noisy input itself, and the two
# models' outputs on it.

# %%
rng = np.random.default_rng(1)
noisy = (x_test + rng.normal(0.0, NOISE, x_test.shape)).astype("float32")
denoised = denoiser.predict(noisy, verbose=0)
mse_noisy = float(np.mean((noisy - x_test) ** 2))
mse_plain = float(np.mean((plain.predict(noisy, verbose=0) - x_test) ** 2))
mse_denoised = float(np.mean((denoised - x_test) ** 2))
ratio = mse_denoised / mse_noisy
print(f"MSE noisy input vs clean:          {mse_noisy:.4f}")
print(f"MSE dense autoencoder vs clean:    {mse_plain:.4f}")
print(f"MSE denoising autoencoder vs clean: {mse_denoised:.4f}")
print(f"denoised / noisy: {ratio:.2f}")
if not QUICK:
    assert ratio <= 0.5, ratio

show_rows([x_test, noisy, denoised], ["clean", f"noisy (σ = {NOISE})", "denoised"])

# %% [markdown]
# The denoiser more than halves the error of its input: it has learnt what an 8×8
# digit looks like and projects the noisy image back onto that set.
#
# ## What to remember
#
# * An autoencoder learns a compact code by rebuilding its input; no labels needed.
# * Adding noise to the input but not to the target turns it into a denoiser.
# * The code of a plain autoencoder has no prescribed distribution, so we cannot draw
#   new codes to generate images. The [VAE](vae.py) fixes exactly that.
