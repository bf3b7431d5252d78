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
# # VAE, GAN or diffusion? Synthetic digits compared
#
# The three previous pages each trained one generative model on the 8×8 digits. Here
# we train all three on the same data, each for a similar short time, and compare them
# as generators of synthetic data on four counts:
#
# * **quality**: share of 1,000 samples a CNN judge classifies with confidence ≥ 0.9;
# * **diversity**: the smallest share of any digit among the judge's predictions (a
#   collapsed model leaves some digits out), and the mean pixel distance between samples;
# * **training stability**: how much the loss still jumps between the last epochs;
# * **sampling time** for 1,000 images.

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import ops

import keraslab
from keraslab.datasets import load_digits
from keraslab.evaluation import judge_samples, train_judge
from keraslab.models import GAN, VAE, Diffusion

print(keraslab.describe_environment())
QUICK = keraslab.quick_mode()
SAMPLES = 50 if QUICK else 1000
keras.utils.set_random_seed(0)
(x_train, y_train), (x_test, y_test) = load_digits()
if QUICK:
    x_train, y_train = x_train[:256], y_train[:256]

# %% [markdown]
# ## Three models, one recipe each
#
# The settings are those of the model pages, with fewer epochs.

# %%
vae = VAE(image_shape=(8, 8, 1), latent_dim=8, kind="conv", filters=32, seed=0)
vae.compile(optimizer=keras.optimizers.Adam(2e-3))
gan = GAN(image_shape=(8, 8, 1), latent_dim=32, filters=32, seed=0)
gan.compile(optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5))
diffusion = Diffusion(image_shape=(8, 8, 1), timesteps=20 if QUICK else 100, filters=16, seed=0)
diffusion.compile(optimizer=keras.optimizers.Adam(2e-3), ema_momentum=0.995)

plans = {
    "VAE": (vae, 2 if QUICK else 60, lambda n: ops.convert_to_numpy(vae.sample(n, seed=1))),
    "GAN": (gan, 2 if QUICK else 150, lambda n: ops.convert_to_numpy(gan.generate(n, seed=1))),
    "diffusion (DDIM 50)": (
        diffusion,
        2 if QUICK else 150,
        lambda n: diffusion.generate(n, steps=10 if QUICK else 50, sampler="ddim", seed=1),
    ),
}
results, histories, grids = {}, {}, {}
for name, (model, epochs, sample) in plans.items():
    start = time.perf_counter()
    histories[name] = model.fit(x_train, epochs=epochs, batch_size=64, verbose=0).history
    train_seconds = time.perf_counter() - start
    sample(SAMPLES)
    start = time.perf_counter()
    images = sample(SAMPLES)
    results[name] = {"train s": train_seconds, "sample s": time.perf_counter() - start}
    grids[name] = images
    print(f"{name}: {epochs} epochs in {train_seconds:.1f} s")

# %% [markdown]
# ## Samples

# %%
fig, axes = plt.subplots(len(grids), 1, figsize=(8, 2.2 * len(grids)))
for ax, (name, images) in zip(axes, grids.items()):
    grid = images[:20, ..., 0].reshape(2, 10, 8, 8).transpose(0, 2, 1, 3).reshape(16, 80)
    ax.imshow(grid, cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(name, fontsize=9)
    ax.axis("off")
plt.show()

# %% [markdown]
# ## The numbers

# %%
judge = train_judge(x_train, y_train, epochs=3 if QUICK else 60)
rng = np.random.default_rng(0)
for name, images in grids.items():
    report = judge_samples(judge, images)
    flat = images.reshape(len(images), -1)
    pairs = rng.integers(0, len(images), size=(2000, 2))
    history = np.array(next(v for k, v in histories[name].items() if k in ("g_loss", "loss")))
    tail = history[-max(2, len(history) // 5) :]
    results[name].update(
        {
            "confident": report["confident"],
            "min class share": report["min_class_share"],
            "pixel distance": float(np.mean(np.abs(flat[pairs[:, 0]] - flat[pairs[:, 1]]))),
            "loss jitter": float(np.std(np.diff(tail)) / np.mean(np.abs(tail))),
        }
    )
real = x_test.reshape(len(x_test), -1)
pairs = rng.integers(0, len(real), size=(2000, 2))
print(
    f"real test digits: {judge_samples(judge, x_test)['confident']:.1%} confident, "
    f"pixel distance {np.mean(np.abs(real[pairs[:, 0]] - real[pairs[:, 1]])):.3f}"
)
columns = ["confident", "min class share", "pixel distance", "loss jitter", "train s", "sample s"]
print(f"{'':22s}" + "".join(f"{c:>17s}" for c in columns))
for name, values in results.items():
    print(f"{name:22s}" + "".join(f"{values[c]:17.3f}" for c in columns))
ranking = sorted(results, key=lambda name: -results[name]["confident"])
print("most often recognised first: " + " > ".join(ranking))
if not QUICK:  # the reading below describes these findings; a run that breaks one stops here
    vae_row, gan_row, diffusion_row = results.values()
    assert ranking[-1] == "VAE", results
    assert min(r["min class share"] for r in results.values()) >= 0.05, results
    assert vae_row["pixel distance"] < min(
        gan_row["pixel distance"], diffusion_row["pixel distance"]
    )
    assert vae_row["loss jitter"] < gan_row["loss jitter"] < diffusion_row["loss jitter"], results
    assert diffusion_row["sample s"] > max(vae_row["sample s"], gan_row["sample s"]), results

# %% [markdown]
# How to read the table (the figures are those of one run, on this page's budget):
#
# * **Quality.** The GAN's and the diffusion model's samples are recognised far more
#   often than the VAE's, which are blurrier. Which of the two leads is close, and
#   changes with the backend's random streams (the line under the table says who led in
#   this run); under JAX, diffusion led.
# * **Diversity.** All three cover every digit (no collapse here, thanks in part to the
#   minibatch-deviation feature of the GAN's discriminator). The GAN's and the diffusion
#   model's samples differ from each other about as much as real digits do; the VAE's are
#   closer together, as blurred images near the average digit are.
# * **Stability.** "Loss jitter" is the spread of epoch-to-epoch loss changes over the
#   last fifth of training, relative to the loss (the generator's loss for the GAN). The
#   diffusion loss jitters most, and harmlessly: every batch draws fresh timesteps, so
#   its loss is a noisy estimate of a fixed objective. The GAN's loss jitters less but
#   means less: it is measured against a discriminator that keeps moving, so a flat loss
#   does not say the samples improve; the judge's figures do. The VAE's objective is
#   fixed and smooth.
# * **Sampling time.** The VAE and the GAN need one decoder pass; DDIM needs 50 U-Net
#   passes (and DDPM 100), so diffusion is by far the slowest to sample.
#
# For synthetic training data the usual trade-off follows: diffusion when quality and
# coverage matter most, a GAN when samples must be cheap, a VAE when you also want an
# encoder and a smooth latent space.
