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
# An **autoencoder** squeezes each image $x$ through a narrow **code** $z = f(x)$ of $k$
# numbers and rebuilds it as $\hat x = g(z)$. The encoder $f$ and the decoder $g$ are
# trained together to minimise the reconstruction error, here the mean squared error
# over the $D$ pixels of the $N$ training images:
#
# $$
# \mathcal{L}(f, g) = \frac{1}{N D} \sum_{n=1}^{N} \big\lVert x_n - g(f(x_n)) \big\rVert^2
# $$
#
# The image is its own target, so no labels are needed. Because $k \ll D$, the network
# must keep what matters (outline, texture) and drop the rest: Hinton & Salakhutdinov
# (2006) showed that deep autoencoders find better low-dimensional codes than principal
# component analysis (PCA), the classical linear answer to the same problem. We check
# that claim on Fashion-MNIST, with PCA as the baseline.
#
# A **denoising** autoencoder (Vincent et al., 2008) corrupts the input during training,
# $\tilde x = x + \sigma \varepsilon$ with $\varepsilon \sim \mathcal{N}(0, I)$, and keeps
# the clean image as the target:
#
# $$
# \mathcal{L}_\text{denoising}(f, g) = \frac{1}{N D} \sum_{n=1}^{N}
# \mathbb{E}_{\varepsilon}\big\lVert x_n - g(f(x_n + \sigma \varepsilon)) \big\rVert^2
# $$
#
# It cannot copy its input any more; it has to learn what clean garments look like.

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import ops
from sklearn.decomposition import PCA

import keraslab
from keraslab import course
from keraslab.course.diagrams import generative
from keraslab.course.pages import fashion_mnist
from keraslab.models import Autoencoder

print(keraslab.describe_environment())
QUICK = keraslab.quick_mode()
TRAIN_SIZE = 1_000 if QUICK else 20_000  # Fashion-MNIST training images the models see
TEST_SIZE = 500 if QUICK else 10_000  # test images every error is measured on
BOTTLENECKS = (2, 8, 32)  # code sizes k compared, each against PCA with k components
EPOCHS = 1 if QUICK else 6  # passes over the training subset, per dense autoencoder
DENOISE_EPOCHS = 1 if QUICK else 4  # and for the convolutional denoiser
FILTERS = 32  # width: dense hidden layer of 8 * FILTERS units; conv filters
NOISE = 0.3  # standard deviation sigma of the corrupting noise
keras.utils.set_random_seed(0)

(x_all, _), (x_test, _) = fashion_mnist(test_size=TEST_SIZE)
x_train = x_all[:TRAIN_SIZE]
pixels = int(np.prod(x_train.shape[1:]))
course.markdown(
    f"Fashion-MNIST (Xiao et al., 2017) has **{len(x_all):,}** training images of "
    f"28x28 = {pixels} pixels. To fit this page's time budget the autoencoders train on "
    f"the first **{len(x_train):,}** for **{EPOCHS}** epochs each; every error below is "
    f"measured on **{len(x_test):,}** test images."
)

# %% [markdown]
# ## The model
#
# `keraslab.models.Autoencoder` is an encoder and a decoder, and, for the denoising
# variant, a `GaussianNoise` layer in front that is active only when `training=True`:

# %%
generative.autoencoder()
plt.show()
course.show_source(Autoencoder.call)

# %% [markdown]
# `fit` gets only `x`: the model's `compute_loss` uses the input as the target when
# there is no `y`, which is the loss $\mathcal{L}$ above.
#
# ## Bottleneck sizes, against PCA
#
# PCA with $k$ components is the best **linear** code of size $k$: it projects each
# centred image onto the $k$ directions of largest variance, and no linear encoder and
# decoder pair reconstructs with a lower squared error. A dense autoencoder with a
# hidden layer of ReLUs on each side is not linear, so it can do better, if training
# finds the better solution. We fit scikit-learn's `PCA` on the same training images and
# train one dense `Autoencoder` per code size.

# %%
flat_train = x_train.reshape(len(x_train), -1)  # (N, D)
flat_test = x_test.reshape(len(x_test), -1)
results, histories, reconstructions, models = {}, {}, {}, {}
start = time.perf_counter()
for k in BOTTLENECKS:
    pca = PCA(n_components=k, random_state=0).fit(flat_train)
    pca_test = pca.inverse_transform(pca.transform(flat_test))
    model = Autoencoder(
        image_shape=(28, 28, 1), latent_dim=k, kind="dense", filters=FILTERS, seed=0
    )
    model.compile(optimizer=keras.optimizers.Adam(2e-3))
    models[k] = model
    histories[k] = model.fit(
        x_train, validation_data=(x_test,), epochs=EPOCHS, batch_size=128, verbose=0
    ).history
    ae_test = model.predict(x_test, batch_size=500, verbose=0)
    reconstructions[k] = (pca_test.reshape(x_test.shape), ae_test)
    results[k] = {
        "pca": course.record(f"PCA test MSE, k={k}", float(np.mean((pca_test - flat_test) ** 2))),
        "autoencoder": course.record(
            f"autoencoder test MSE, k={k}", float(np.mean((ae_test - x_test) ** 2))
        ),
    }
    print(f"k = {k:2d}: PCA {results[k]['pca']:.4f}, autoencoder {results[k]['autoencoder']:.4f}")
train_seconds = course.record("dense autoencoders' training time", time.perf_counter() - start, "s")

fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
axes[0].plot(BOTTLENECKS, [results[k]["pca"] for k in BOTTLENECKS], "o-", label="PCA")
axes[0].plot(
    BOTTLENECKS, [results[k]["autoencoder"] for k in BOTTLENECKS], "s-", label="autoencoder"
)
axes[0].set_xscale("log", base=2)
axes[0].set_xlabel("code size k")
axes[0].set_ylabel("test MSE")
axes[0].legend()
for k in BOTTLENECKS:
    axes[1].plot(histories[k]["val_loss"], label=f"k = {k}")
axes[1].set_xlabel("epoch")
axes[1].set_ylabel("test MSE")
axes[1].set_yscale("log")
axes[1].legend(fontsize=8)
fig.tight_layout()
plt.show()

# %%
wins = [k for k in BOTTLENECKS if results[k]["autoencoder"] < results[k]["pca"]]
smallest = BOTTLENECKS[0]
curve = histories[smallest]["val_loss"]
last_drop = 1 - curve[-1] / curve[-2] if len(curve) > 1 else float("nan")
gain = 1 - results[smallest]["autoencoder"] / results[smallest]["pca"]
course.markdown(
    f"Trained in **{train_seconds:.0f} s** for the {len(BOTTLENECKS)} sizes. The "
    f"autoencoder beats PCA at k = {', '.join(map(str, wins)) or 'none of the sizes'}; "
    f"with k = {smallest} its test error is **{abs(gain):.0%}** "
    f"{'below' if gain > 0 else 'above'} PCA's (**{results[smallest]['autoencoder']:.4f}** "
    f"against **{results[smallest]['pca']:.4f}**). The right panel shows what the "
    f"budget cuts: in its last epoch the k = {smallest} test error still changed by "
    f"**{last_drop:.1%}**, so the autoencoders have not converged; PCA is solved "
    f"exactly and would not move with more time."
)
if not QUICK:
    assert results[smallest]["autoencoder"] < results[smallest]["pca"], results

# %% [markdown]
# Rebuilt test images, PCA and autoencoder for each code size:


# %%
def show_rows(rows, titles, n=10):
    """One row of `n` images per entry of `rows`, titled."""
    fig, axes = plt.subplots(len(rows), n, figsize=(n * 0.8, len(rows) * 0.9))
    for r, (images, title) in enumerate(zip(rows, titles)):
        images = np.clip(ops.convert_to_numpy(images), 0, 1)
        for c in range(n):
            axes[r, c].imshow(images[c, ..., 0], cmap="gray_r", vmin=0, vmax=1)
            axes[r, c].axis("off")
        axes[r, 0].set_title(title, fontsize=8, loc="left")
    fig.tight_layout()
    plt.show()


rows, titles = [x_test], ["test images"]
for k in BOTTLENECKS:
    rows += list(reconstructions[k])
    titles += [f"PCA, k = {k}", f"autoencoder, k = {k}"]
show_rows(rows, titles)

# %% [markdown]
# With two numbers per image both keep only a silhouette; with more, the autoencoder's
# reconstructions gain the garment's shape first and its texture last.
#
# ## A denoising autoencoder, convolutional
#
# `noise_stddev=NOISE` turns on the training-time noise. The convolutional variant takes
# the 28×28 image through two stride-2 convolutions to a 7×7 map before the code, and
# back with transposed convolutions.

# %%
CODE = BOTTLENECKS[-1]
denoiser = Autoencoder(
    image_shape=(28, 28, 1),
    latent_dim=CODE,
    kind="conv",
    filters=FILTERS,
    noise_stddev=NOISE,
    seed=0,
)
denoiser.compile(optimizer=keras.optimizers.Adam(2e-3))
start = time.perf_counter()
denoiser.fit(x_train, epochs=DENOISE_EPOCHS, batch_size=128, verbose=0)
denoise_seconds = course.record("denoiser training time", time.perf_counter() - start, "s")
print(f"{denoiser.count_params()} weights, trained in {denoise_seconds:.1f} s")

# %% [markdown]
# ## Does it remove noise?
#
# We corrupt the *test* images with fresh noise of the same strength and compare, with
# the clean images, four mean squared errors: the noisy input itself; PCA with the same
# code size (projecting onto the main directions of clean images also discards much of
# the noise, the classical baseline); the plain dense autoencoder of that size, trained
# without noise; and the denoiser.

# %%
rng = np.random.default_rng(1)
noisy = (x_test + rng.normal(0.0, NOISE, x_test.shape)).astype("float32")
pca = PCA(n_components=CODE, random_state=0).fit(flat_train)
candidates = {
    "noisy input": noisy,
    f"PCA, k = {CODE}": pca.inverse_transform(pca.transform(noisy.reshape(len(noisy), -1))).reshape(
        x_test.shape
    ),
    f"dense autoencoder, k = {CODE}": models[CODE].predict(noisy, batch_size=500, verbose=0),
    f"denoising autoencoder, k = {CODE}": denoiser.predict(noisy, batch_size=500, verbose=0),
}
errors = {}
for name, images in candidates.items():
    error = float(np.mean((images - x_test) ** 2))
    errors[name] = course.record(f"MSE vs clean: {name}", error)
    print(f"{name:32s} {error:.4f}")
denoised = candidates[f"denoising autoencoder, k = {CODE}"]
show_rows(
    [x_test, noisy, candidates[f"PCA, k = {CODE}"], denoised],
    ["clean", f"noisy (σ = {NOISE})", f"PCA, k = {CODE}", "denoised"],
)

# %%
noisy_error, pca_error, plain_error, denoised_error = errors.values()
course.markdown(
    f"The denoiser's error is **{denoised_error / noisy_error:.0%}** of its noisy input's "
    f"and **{denoised_error / pca_error:.0%}** of PCA's (**{denoised_error:.4f}** against "
    f"**{noisy_error:.4f}** and **{pca_error:.4f}**). The plain autoencoder, which never "
    f"saw noise, reaches **{plain_error:.4f}**: a narrow code already discards some "
    f"noise, but training on corrupted inputs is what teaches the decoder what to rebuild."
)
if not QUICK:
    assert denoised_error < min(pca_error, plain_error, noisy_error / 2), errors

# %% [markdown]
# ## When you'd use it
#
# * **Compression and features** without labels: a small code of each image for
#   retrieval, clustering or as the input of a classifier trained on few labels.
# * **Denoising** and inpainting, when clean examples of the data exist to train on.
# * **Anomaly detection**: an input unlike the training data rebuilds badly, so a high
#   reconstruction error flags it.
# * Not for **generating** new images: a plain autoencoder's codes have no prescribed
#   distribution, so we cannot draw new ones. The [VAE](vae.py) fixes exactly that; the
#   [GAN](gan.py) and [diffusion](diffusion.py) pages generate in other ways.
#
# ## What to remember
#
# * An autoencoder learns a compact code by rebuilding its input; no labels needed.
# * PCA is the best linear autoencoder; the non-linear one beats it where the code is
#   small.
# * Adding noise to the input but not to the target turns it into a denoiser.
#
# ## Exercises
#
# 1. Add `128` to `BOTTLENECKS`. Does the autoencoder still beat PCA there, after
#    `EPOCHS` epochs? (Hint: compare PCA's error with the autoencoder's learning curve.)
# 2. Set `NOISE = 0.6`. Does the denoiser's lead over PCA grow or shrink?
# 3. Train the denoiser with `kind="dense"` instead of `"conv"`: which has more weights,
#    and which denoises better?
# 4. Set `TRAIN_SIZE = 60_000` and `EPOCHS = 30`: how much does the k = 2 error fall?
#
# ## References
#
# * Hinton & Salakhutdinov 2006, [Reducing the Dimensionality of Data with Neural
#   Networks](https://www.science.org/doi/10.1126/science.1127647).
# * Vincent et al. 2008, [Extracting and Composing Robust Features with Denoising
#   Autoencoders](https://dl.acm.org/doi/10.1145/1390156.1390294).
# * Xiao et al. 2017, [Fashion-MNIST](https://arxiv.org/abs/1708.07747).
