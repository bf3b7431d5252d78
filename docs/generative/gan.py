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
# # Generative adversarial networks
#
# A GAN pits two networks against each other. The **generator** `G` turns a random
# vector `z ~ N(0, I)` into an image; the **discriminator** `D` looks at an image and
# outputs the logit of "this is real". Each batch takes two steps:
#
# 1. **Discriminator step**: minimise `BCE(D(x_real), 1) + BCE(D(G(z)), 0)` over D's
#    weights only.
# 2. **Generator step**: minimise `BCE(D(G(z)), 1)` over G's weights only (the
#    "non-saturating" loss: G wants D to say real).
#
# Two losses, two sets of weights, **two optimizers** in one training step. The Keras
# examples write that step with `tf.GradientTape`, so they run on TensorFlow alone.
# `keraslab.models.GAN` writes each loss once in `keras.ops` and inherits its step from
# `keraslab.training.MultiOptimizerModel`, which hands the gradients to each backend's
# own autodiff (`tf.GradientTape`, `torch.autograd`, `jax.value_and_grad`) and keeps both
# optimizers inside one `keras.optimizers.MultiOptimizer`. So a plain `fit()` trains it
# on every backend, and `d_loss` and `g_loss` appear in the progress bar.

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import ops

import keraslab
from keraslab.course.pages import plot_class_shares
from keraslab.datasets import load_digits
from keraslab.evaluation import judge_samples, train_judge
from keraslab.models import GAN

print(keraslab.describe_environment())
QUICK = keraslab.quick_mode()
EPOCHS = 2 if QUICK else 300  # passes over the digits for the unconditional GAN
CONDITIONAL_EPOCHS = 2 if QUICK else 150  # and for the conditional one
SAMPLES = 100 if QUICK else 1000  # samples the judge scores
keras.utils.set_random_seed(0)

(x_train, y_train), (x_test, y_test) = load_digits()
if QUICK:
    x_train, y_train = x_train[:256], y_train[:256]

# %% [markdown]
# ## The model and its two optimizers
#
# The generator projects `z` to a 2×2 map and upsamples twice with transposed
# convolutions (with batch normalisation) to 8×8; the discriminator mirrors it with
# stride-2 convolutions. Before its last layer the discriminator also sees the batch's
# **minibatch standard deviation**: a generator that collapses onto a few digits makes
# batches with too little variety, and the discriminator can then tell.
#
# `compile` takes one optimizer per role. Adam with `beta_1 = 0.5` is the DCGAN recipe.

# %%
gan = GAN(image_shape=(8, 8, 1), latent_dim=32, filters=32, seed=0)
gan.compile(
    optimizer={
        "discriminator": keras.optimizers.Adam(1e-3, beta_1=0.5),
        "generator": keras.optimizers.Adam(1e-3, beta_1=0.5),
    }
)
for role in gan.optimizer_roles():
    layer = gan.optimizer_roles()[role]
    print(
        f"{role:14s} {layer.count_params():6d} weights, optimizer {gan.role_optimizer(role).name}"
    )

start = time.perf_counter()
history = gan.fit(x_train, epochs=EPOCHS, batch_size=64, verbose=0)
train_seconds = time.perf_counter() - start
print(f"trained {EPOCHS} epochs in {train_seconds:.1f} s")

fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(history.history["d_loss"], label="discriminator")
ax.plot(history.history["g_loss"], label="generator")
ax.axhline(2 * np.log(2), color="grey", lw=0.5, ls="--")
ax.axhline(np.log(2), color="grey", lw=0.5, ls=":")
ax.set_xlabel("epoch")
ax.set_ylabel("loss")
ax.legend()
plt.show()

# %% [markdown]
# Neither loss goes to zero: each network's progress is the other's setback. The dashed
# lines are the values at the game's equilibrium, where D answers ½ everywhere:
# `2 ln 2` for D's two terms and `ln 2` for G's.
#
# ## Samples

# %%
start = time.perf_counter()
samples = ops.convert_to_numpy(gan.generate(SAMPLES, seed=1))
sample_seconds = time.perf_counter() - start
fig, axes = plt.subplots(5, 10, figsize=(8, 4.2))
for ax, image in zip(axes.flat, samples):
    ax.imshow(image[..., 0], cmap="gray_r", vmin=0, vmax=1)
    ax.axis("off")
plt.show()
print(f"{SAMPLES} samples in {sample_seconds:.2f} s")

# %% [markdown]
# ## How good are they? A classifier as judge
#
# We train a small keraslab `CNN` on the real training digits and ask it about 1,000
# samples. Two numbers matter: the share it classifies with confidence ≥ 0.9 (does it
# look like *a* digit?), and how the samples spread over the ten classes (does the GAN
# produce *every* digit, or has it collapsed onto a few modes?).

# %%
judge = train_judge(x_train, y_train, epochs=3 if QUICK else 60)
real = judge_samples(judge, x_test)
report = judge_samples(judge, samples)
print(f"judge on real test digits: {real['confident']:.1%} confident")
print(f"GAN samples:               {report['confident']:.1%} confident")
print(f"smallest class share:      {report['min_class_share']:.1%}")

plot_class_shares({"GAN": report})
if not QUICK:
    assert report["confident"] >= 0.7 and report["min_class_share"] >= 0.05, report

# %% [markdown]
# ## A conditional GAN: asking for a digit
#
# The GAN above draws *some* digit; which one is up to `z`. A **conditional GAN** (Mirza
# and Osindero, 2014) is also given the label. With `num_classes=10`, `fit` takes the
# labels as `y`; the generator sees the one-hot label next to `z`, and the discriminator
# sees it as ten extra image channels (the label's channel all ones), so it learns to
# ask "is this a real *3*?" rather than "is this a real digit?". The generator can then
# only win by drawing the digit it was asked for.

# %%
conditional = GAN(image_shape=(8, 8, 1), latent_dim=32, filters=32, num_classes=10, seed=0)
conditional.compile(optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5))
start = time.perf_counter()
conditional.fit(x_train, y_train, epochs=CONDITIONAL_EPOCHS, batch_size=64, verbose=0)
print(f"trained {CONDITIONAL_EPOCHS} epochs in {time.perf_counter() - start:.1f} s")

requested = np.arange(SAMPLES) % 10
conditional_samples = ops.convert_to_numpy(conditional.generate(SAMPLES, labels=requested, seed=1))
fig, axes = plt.subplots(10, 10, figsize=(6, 6))
for digit in range(10):
    for column, image in enumerate(conditional_samples[requested == digit][:10]):
        axes[digit, column].imshow(image[..., 0], cmap="gray_r", vmin=0, vmax=1)
for ax in axes.flat:
    ax.axis("off")
fig.suptitle("row d: ten samples asked for digit d")
plt.show()

predicted = judge.predict(conditional_samples, batch_size=500, verbose=0).argmax(axis=1)
conditional_report = judge_samples(judge, conditional_samples)
print(f"classified as the digit asked for: {np.mean(predicted == requested):.1%}")
print(f"confident:                         {conditional_report['confident']:.1%}")

# %% [markdown]
# The judge was never told which digit was asked for; that it mostly names the same one
# means the label steers the generator. Mode collapse is also less of a risk: every
# class is asked for equally often.
#
# ## What to remember
#
# * A GAN trains two networks with two optimizers on two opposed losses.
# * In keraslab that step lives once, in `MultiOptimizerModel`, written for each
#   backend's autodiff; the GAN itself is only its two losses.
# * GANs give sharp samples in one forward pass, but training is a balancing act, and
#   mode collapse must be checked, for example with a judge's class shares.
# * A conditional GAN takes the label as an input of both networks, and draws the
#   class it is asked for.
