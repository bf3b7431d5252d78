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
# A GAN pits two networks against each other. The **generator** $G$ turns a random
# vector $z \sim \mathcal{N}(0, I)$ into an image; the **discriminator** $D$ looks at an
# image and outputs the logit of "this is real". Goodfellow et al. (2014) write the game
# as one value that $D$ maximises and $G$ minimises:
#
# $$
# \min_G \max_D \; \mathbb{E}_{x \sim p_\text{data}}\big[\log D(x)\big]
# + \mathbb{E}_{z \sim \mathcal{N}(0, I)}\big[\log\big(1 - D(G(z))\big)\big]
# $$
#
# In practice each batch takes two steps, with $\sigma$ the sigmoid of $D$'s logit and
# $\mathrm{BCE}$ the binary cross-entropy:
#
# 1. **Discriminator step**: minimise $\mathrm{BCE}(D(x), 1) + \mathrm{BCE}(D(G(z)), 0)$
#    over $D$'s weights only.
# 2. **Generator step**: minimise $\mathrm{BCE}(D(G(z)), 1)$ over $G$'s weights only
#    (the "non-saturating" loss: $G$ wants $D$ to say real, which gives stronger
#    gradients early on than minimising $\log(1 - D(G(z)))$).
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
from keraslab import course
from keraslab.course.diagrams import generative
from keraslab.course.pages import (
    FASHION_CLASSES,
    fashion_judge,
    fashion_mnist,
    plot_class_shares,
    report_samples,
    show_grid,
)
from keraslab.evaluation import assess_samples, judge_samples
from keraslab.models import GAN

print(keraslab.describe_environment())
QUICK = keraslab.quick_mode()
TRAIN_SIZE = 512 if QUICK else None  # Fashion-MNIST training images the GANs see (all)
TEST_SIZE = 400 if QUICK else 10_000  # test images (the held-out real images)
EPOCHS = 1 if QUICK else 2  # passes over the training images for the unconditional GAN
CONDITIONAL_EPOCHS = 1  # and for the conditional one
BATCH_SIZE = 32  # images per step: more, smaller steps help a GAN more than width does
LATENT_DIM = 64  # size of the generator's input z
FILTERS = 16  # width of both networks (32 trains 2.7x slower per image on the CPU)
SAMPLES = 100 if QUICK else 1000  # samples the checks score
FAILED_SIZE = 256 if QUICK else 2_000  # training images of the deliberately bad run
FAILED_EPOCHS = 1 if QUICK else 2  # and its passes over them
FAILED_GENERATOR_RATE = 1e-5  # the bad run's generator learning rate (100x too small)
# The same page with EPOCHS = 6 and CONDITIONAL_EPOCHS = 3, measured on a 2-core Intel
# Xeon under TensorFlow with one thread on 2026-12-03; it took 707 s, twice the budget.
LARGER_RUN = {"frechet": 23.0, "confident": 0.431, "min_class_share": 0.050, "asked_for": 0.84}
keras.utils.set_random_seed(0)

(x_all, y_all), (x_test, y_test) = fashion_mnist(
    train_size=2 * TRAIN_SIZE if QUICK else None, test_size=TEST_SIZE
)
x_train, y_train = x_all[:TRAIN_SIZE], y_all[:TRAIN_SIZE]
course.markdown(
    f"We train on Fashion-MNIST (Xiao et al., 2017), 28x28 garments in ten classes: "
    f"**{len(x_train):,}** of its **{len(x_all):,}** training images, for **{EPOCHS}** "
    f"epochs in batches of {BATCH_SIZE}, which fits this page's time budget (the end of "
    f"the page shows what a longer run changes)."
)
generative.gan()
plt.show()

# %% [markdown]
# ## The model and its two optimizers
#
# The two losses, as `keraslab.models.GAN` computes them for each role:

# %%
course.show_source(GAN.compute_role_loss)

# %% [markdown]
# The generator projects $z$ to a 7×7 map and upsamples twice with transposed
# convolutions (with batch normalisation) to 28×28; the discriminator mirrors it with
# stride-2 convolutions. Before its last layer the discriminator also sees the batch's
# **minibatch standard deviation**: a generator that collapses onto a few garments makes
# batches with too little variety, and the discriminator can then tell.
#
# `compile` takes one optimizer per role. Adam with $\beta_1 = 0.5$ is the DCGAN recipe.

# %%
gan = GAN(image_shape=(28, 28, 1), latent_dim=LATENT_DIM, filters=FILTERS, seed=0)
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
history = gan.fit(x_train, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0)
train_seconds = course.record("GAN training time", time.perf_counter() - start, unit="s")
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
# lines are the values at the game's equilibrium, where $D$ answers $\tfrac12$
# everywhere: $2 \ln 2$ for $D$'s two terms and $\ln 2$ for $G$'s.
#
# ## Samples

# %%
start = time.perf_counter()
samples = ops.convert_to_numpy(gan.generate(SAMPLES, seed=1))
sample_seconds = time.perf_counter() - start
show_grid(samples, "64 GAN samples")
print(f"{SAMPLES} samples in {sample_seconds:.2f} s")

# %% [markdown]
# ## How good are they? A classifier as judge
#
# We ask a classifier about the samples: keraslab's shipped judge, a small `CNN` trained
# on all real training images (`keraslab.evaluation.load_judge()`, the same on every
# generative page). It gives the share it classifies with confidence $\ge 0.9$ (does it look like *a*
# garment?), and how the samples spread over the ten classes (does the GAN produce
# *every* class, or has it collapsed onto a few modes?). Two more checks, explained on
# the [VAE page](vae.py): the Fréchet distance in the judge's feature space beside its
# real-vs-real floor, and each sample's distance to its nearest training image beside
# the same for real test images (a GAN that memorised would sit much nearer).

# %%
judge, judge_accuracy = fashion_judge(x_test, y_test)
report = assess_samples(judge, samples, x_train, x_test)
report_samples("GAN", report)
plot_class_shares({"GAN": report}, class_names=FASHION_CLASSES)
course.markdown(
    f"The judge, right on **{judge_accuracy:.1%}** of real test images, is confident about "
    f"**{report['confident']:.0%}** of the GAN's samples; the rarest class gets "
    f"**{report['min_class_share']:.1%}**. Fréchet distance **{report['frechet']:.1f}**, "
    f"floor **{report['floor']:.1f}**; nearest training image at median "
    f"**{report['samples_median']:.2f}**, against **{report['held_out_median']:.2f}** for "
    f"real test images."
)
if not QUICK:
    assert judge_accuracy >= 0.9, judge_accuracy
    assert report["frechet"] > report["floor"], report

# %% [markdown]
# ## A GAN that fails
#
# The balance matters. We train the same GAN again, briefly, with one deliberately bad
# setting: the generator's learning rate `FAILED_GENERATOR_RATE`, a hundred times below
# the discriminator's. The discriminator then wins the game: it tells fakes from real
# images easily, its loss falls towards zero, and the generator, hardly moving, keeps
# drawing the same few blobs.

# %%
failed = GAN(image_shape=(28, 28, 1), latent_dim=LATENT_DIM, filters=FILTERS, seed=0)
failed.compile(
    optimizer={
        "discriminator": keras.optimizers.Adam(1e-3, beta_1=0.5),
        "generator": keras.optimizers.Adam(FAILED_GENERATOR_RATE, beta_1=0.5),
    }
)
failed_history = failed.fit(
    x_train[:FAILED_SIZE], epochs=FAILED_EPOCHS, batch_size=64, verbose=0
).history
failed_samples = ops.convert_to_numpy(failed.generate(SAMPLES, seed=1))
show_grid(failed_samples, "64 samples of the bad run")
failed_report = assess_samples(judge, failed_samples, x_train, x_test)
report_samples("failed GAN", failed_report)
plot_class_shares(
    {"working GAN": report, "generator too slow": failed_report}, class_names=FASHION_CLASSES
)
failed_d_loss = course.record("failed GAN final d_loss", failed_history["d_loss"][-1])
course.markdown(
    f"After {FAILED_EPOCHS} epochs on {FAILED_SIZE:,} images the discriminator's loss is "
    f"**{failed_d_loss:.3f}**, against **{history.history['d_loss'][-1]:.3f}** for the "
    f"working run, far below the equilibrium's $2 \\ln 2$. The judge puts "
    f"**{failed_report['class_shares'].max():.0%}** of the bad run's samples in a single "
    f"class and the rarest gets **{failed_report['min_class_share']:.1%}**; its Fréchet "
    f"distance is **{failed_report['frechet']:.1f}**, against **{report['frechet']:.1f}** "
    f"for the working run. The losses alone would only say the discriminator is doing "
    f"well; the class shares show the generator has failed."
)
if not QUICK:
    assert failed_d_loss < 0.5 * history.history["d_loss"][-1], failed_history
    assert failed_report["min_class_share"] < report["min_class_share"], failed_report
    assert failed_report["frechet"] > report["frechet"], failed_report

# %% [markdown]
# ## A conditional GAN: asking for a digit
#
# The GAN above draws *some* garment; which one is up to $z$. A **conditional GAN** (Mirza
# and Osindero, 2014) is also given the label. With `num_classes=10`, `fit` takes the
# labels as `y`; the generator sees the one-hot label next to $z$, and the discriminator
# sees it as ten extra image channels (the label's channel all ones), so it learns to
# ask "is this a real *sneaker*?" rather than "is this a real garment?". The generator
# can then only win by drawing the class it was asked for.

# %%
conditional = GAN(
    image_shape=(28, 28, 1), latent_dim=LATENT_DIM, filters=FILTERS, num_classes=10, seed=0
)
conditional.compile(optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5))
start = time.perf_counter()
conditional.fit(x_train, y_train, epochs=CONDITIONAL_EPOCHS, batch_size=BATCH_SIZE, verbose=0)
print(f"trained {CONDITIONAL_EPOCHS} epochs in {time.perf_counter() - start:.1f} s")

requested = np.arange(SAMPLES) % 10
conditional_samples = ops.convert_to_numpy(conditional.generate(SAMPLES, labels=requested, seed=1))
fig, axes = plt.subplots(10, 10, figsize=(6, 6.4))
for label in range(10):
    for column, image in enumerate(conditional_samples[requested == label][:10]):
        axes[label, column].imshow(image[..., 0], cmap="gray_r", vmin=0, vmax=1)
    axes[label, 0].set_title(FASHION_CLASSES[label], fontsize=6, loc="left")
for ax in axes.flat:
    ax.axis("off")
fig.suptitle("each row: ten samples asked for its class")
plt.show()

predicted = judge.predict(conditional_samples, batch_size=500, verbose=0).argmax(axis=1)
conditional_report = judge_samples(judge, conditional_samples)
asked_for = course.record(
    "conditional GAN: judged the class asked for",
    float(np.mean(predicted == requested)),
    "fraction",
)
course.markdown(
    f"The judge names the class that was asked for in **{asked_for:.0%}** of the "
    f"conditional samples (chance: 10%), and is confident about "
    f"**{conditional_report['confident']:.0%}** of them."
)

# %% [markdown]
# The judge was never told which class was asked for; that it mostly names the same one
# means the label steers the generator (shirts, pullovers and coats, which the judge
# itself confuses most, lower the figure). Mode collapse is also less of a risk: every
# class is asked for equally often.

# %% [markdown]
# ## What a larger run changes
#
# This page trains for a few epochs, to stay within its time budget. The same page with
# three times the epochs for both GANs (`LARGER_RUN`, measured on the same machine)
# shows what more training buys:

# %%
course.markdown(
    "| | this run | larger run |\n|---|---|---|\n"
    f"| Fréchet distance (floor {report['floor']:.1f}) | {report['frechet']:.1f} "
    f"| {LARGER_RUN['frechet']:.1f} |\n"
    f"| judge confident | {report['confident']:.0%} | {LARGER_RUN['confident']:.0%} |\n"
    f"| rarest class | {report['min_class_share']:.1%} "
    f"| {LARGER_RUN['min_class_share']:.1%} |\n"
    f"| conditional: class asked for | {asked_for:.0%} | {LARGER_RUN['asked_for']:.0%} |"
)
if not QUICK:
    assert report["frechet"] > LARGER_RUN["frechet"], report
    assert report["confident"] < LARGER_RUN["confident"], report

# %% [markdown]
# ## What to remember
#
# * A GAN trains two networks with two optimizers on two opposed losses.
# * In keraslab that step lives once, in `MultiOptimizerModel`, written for each
#   backend's autodiff; the GAN itself is only its two losses.
# * GANs give sharp samples in one forward pass, but training is a balancing act, and
#   mode collapse must be checked, for example with a judge's class shares.
# * A conditional GAN takes the label as an input of both networks, and draws the
#   class it is asked for.
#
# ## When you'd use it
#
# * Samples must be **cheap**: one generator pass per image, against tens of network
#   passes for [diffusion](diffusion.py).
# * Samples must be **sharp**, and you can afford to watch training (class coverage,
#   Fréchet distance) rather than trust the losses.
# * Not when you also need an encoder or a likelihood: a [VAE](vae.py) gives both.
#
# ## Exercises
#
# 1. Give the discriminator ten times the generator's learning rate in `compile`. What
#    happens to `d_loss`, and to the judge's smallest class share?
# 2. Set `LATENT_DIM = 4`. Do the samples cover fewer classes?
# 3. Double `EPOCHS`: how far does the Fréchet distance fall towards its floor?
#
# ## References
#
# * Goodfellow et al. 2014, [Generative Adversarial Networks](https://arxiv.org/abs/1406.2661).
# * Radford et al. 2015, [DCGAN](https://arxiv.org/abs/1511.06434).
# * Mirza & Osindero 2014, [Conditional GANs](https://arxiv.org/abs/1411.1784).
# * Heusel et al. 2017, [the Fréchet Inception Distance](https://arxiv.org/abs/1706.08500).
# * Xiao et al. 2017, [Fashion-MNIST](https://arxiv.org/abs/1708.07747).
