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
# # Variational autoencoders
#
# A plain [autoencoder](autoencoder.py)'s codes can lie anywhere, so a random code
# decodes to garbage. A **variational autoencoder** (VAE) makes the code space something
# we can sample from. Its encoder outputs a Gaussian $q_\phi(z \mid x) =
# \mathcal{N}(\mu(x), \operatorname{diag}\sigma^2(x))$ rather than one point, and
# training maximises the **evidence lower bound** (ELBO) on $\log p(x)$:
#
# $$
# \log p_\theta(x) \ge \mathbb{E}_{q_\phi(z \mid x)}\big[\log p_\theta(x \mid z)\big]
# - \beta\, \mathrm{KL}\big(q_\phi(z \mid x)\,\|\,\mathcal{N}(0, I)\big)
# $$
#
# (with $\beta = 1$ it is the bound itself). For a Gaussian encoder the KL has a closed
# form, summed over the $d$ latent dimensions:
#
# $$
# \mathrm{KL} = -\frac{1}{2} \sum_{j=1}^{d} \left(1 + \log \sigma_j^2 - \mu_j^2 - \sigma_j^2\right)
# $$
#
# The KL term pulls every encoding towards the standard normal prior, so the codes fill
# the space around the origin without gaps, and decoding $z \sim \mathcal{N}(0, I)$
# gives new images. To backpropagate through the draw we write it as
# $z = \mu + \sigma \odot \varepsilon$ with $\varepsilon \sim \mathcal{N}(0, I)$ (the
# **reparameterisation trick**, `keraslab.models.Reparameterization`).

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
from keraslab.evaluation import assess_samples
from keraslab.models import VAE, Reparameterization

print(keraslab.describe_environment())
QUICK = keraslab.quick_mode()
TRAIN_SIZE = 2_000 if QUICK else 20_000  # Fashion-MNIST training images the VAE sees
TEST_SIZE = 400 if QUICK else 10_000  # test images (the held-out real images)
EPOCHS = 1 if QUICK else 10  # passes over the training subset
LATENT_DIM = 2  # two numbers per image: few, but the code space can be drawn
FILTERS = 32  # width of the convolutional encoder and decoder
SAMPLES = 100 if QUICK else 1000  # samples the checks score
keras.utils.set_random_seed(0)

(x_all, y_all), (x_test, y_test) = fashion_mnist(
    train_size=2 * TRAIN_SIZE if QUICK else None, test_size=TEST_SIZE
)
x_train, y_train = x_all[:TRAIN_SIZE], y_all[:TRAIN_SIZE]
course.markdown(
    f"Fashion-MNIST (Xiao et al., 2017) has **{len(x_all):,}** training images of 28x28 "
    f"pixels in ten classes of clothing. To fit this page's time budget the VAE trains on "
    f"the first **{len(x_train):,}** for **{EPOCHS}** epochs; the judge below was "
    f"trained on all of them."
)

# %% [markdown]
# ## The model
#
# Encoder, the two heads $\mu$ and $\log \sigma^2$, the draw, the decoder:

# %%
generative.vae()
plt.show()
course.show_source(Reparameterization.call)

# %% [markdown]
# `keraslab.models.VAE` trains with a plain `fit()`: its `compute_loss` adds the binary
# cross-entropy of the reconstruction, summed over the pixels, and $\beta$ times the KL,
# and tracks each as a metric, `reconstruction` and `kl`, beside `loss`.

# %%
vae = VAE(image_shape=(28, 28, 1), latent_dim=LATENT_DIM, kind="conv", filters=FILTERS, seed=0)
vae.compile(optimizer=keras.optimizers.Adam(2e-3))
start = time.perf_counter()
history = vae.fit(x_train, validation_data=(x_test,), epochs=EPOCHS, batch_size=128, verbose=0)
train_seconds = course.record("VAE training time", time.perf_counter() - start, unit="s")
logs = vae.evaluate(x_test, verbose=0, return_dict=True)
reconstruction = course.record("test reconstruction", logs["reconstruction"], unit="nats")
kl = course.record("test KL", logs["kl"], unit="nats")

fig, axes = plt.subplots(1, 2, figsize=(9, 3))
for ax, name in zip(axes, ["reconstruction", "kl"]):
    ax.plot(history.history[name], label="train")
    ax.plot(history.history[f"val_{name}"], label="test")
    ax.set_title(name)
    ax.set_xlabel("epoch")
    ax.legend()
fig.tight_layout()
plt.show()
course.markdown(
    f"Trained in **{train_seconds:.0f} s**. On the test images the reconstruction term is "
    f"**{reconstruction:.1f}** nats (binary cross-entropy summed over "
    f"{np.prod(x_test.shape[1:])} pixels) and the KL **{kl:.2f}** nats: the encoder spends "
    f"that much information about each image, the price of moving away from the prior."
)

# %% [markdown]
# ## The latent space, coloured by class
#
# We encode the test images (the means $\mu$) and colour each point by its label, which
# the VAE never saw.

# %%
mean, log_var = vae.encode(x_test)
mean = ops.convert_to_numpy(mean)
fig, ax = plt.subplots(figsize=(6, 4.5))
for label, name in enumerate(FASHION_CLASSES):
    chosen = y_test == label
    ax.scatter(mean[chosen, 0], mean[chosen, 1], s=4, label=name)
ax.set_xlabel("$z_1$")
ax.set_ylabel("$z_2$")
ax.legend(fontsize=7, markerscale=3, loc="center left", bbox_to_anchor=(1, 0.5))
plt.show()

# %% [markdown]
# Garments of one class gather in one region, and the regions share a disc around the
# origin, as the prior asks; similar classes (shirt, pullover, coat) overlap. Decoding a
# grid of codes over $[-2, 2]^2$ shows what lives where:

# %%
grid = np.linspace(-2.0, 2.0, 12)
codes = np.zeros((144, LATENT_DIM), dtype="float32")
codes[:, :2] = [[a, b] for b in grid[::-1] for a in grid]
tiles = ops.convert_to_numpy(vae.decode(codes))[..., 0]
mosaic = tiles.reshape(12, 12, 28, 28).transpose(0, 2, 1, 3).reshape(336, 336)  # (12*H, 12*W)
plt.figure(figsize=(5, 5))
plt.imshow(mosaic, cmap="gray_r", extent=(-2, 2, -2, 2))
plt.xlabel("$z_1$")
plt.ylabel("$z_2$")
plt.show()

# %% [markdown]
# ## Sampling new garments, and how good they are
#
# `sample(n)` decodes draws from the prior. A judge scores them: the small `CNN`
# classifier that keraslab ships trained on all the real training images
# (`keraslab.evaluation.load_judge()`, the same on every generative page). Its scores
# are the share it classifies with confidence $\ge 0.9$, the share of each class, the
# **Fréchet distance** between Gaussians fitted to its
# penultimate features of real and generated images (Heusel et al.'s FID, with our judge
# in place of Inception)
#
# $$
# d^2 = \lVert \mu_r - \mu_g \rVert^2 + \operatorname{Tr}\big(\Sigma_r + \Sigma_g
# - 2 (\Sigma_r \Sigma_g)^{1/2}\big)
# $$
#
# next to its **floor**, the distance between two disjoint sets of real test images of
# the same size, and, for memorisation, each sample's distance to its nearest training
# image next to the same for held-out real images.

# %%
samples = ops.convert_to_numpy(vae.sample(SAMPLES, seed=0))
show_grid(samples, "64 VAE samples")

judge, judge_accuracy = fashion_judge(x_test, y_test)
report = assess_samples(judge, samples, x_train, x_test)
report_samples("VAE", report)
plot_class_shares({"VAE": report}, class_names=FASHION_CLASSES)
if not QUICK:
    assert judge_accuracy >= 0.9, judge_accuracy
    assert report["frechet"] > report["floor"], report

# %%
course.markdown(
    f"The judge classifies **{judge_accuracy:.1%}** of the real test images correctly. It "
    f"is confident about **{report['confident']:.0%}** of the VAE's samples, and the "
    f"rarest class gets **{report['min_class_share']:.1%}** of them. The Fréchet distance "
    f"is **{report['frechet']:.1f}** against a real-vs-real floor of "
    f"**{report['floor']:.1f}**: with a 2-D code the samples are blurred averages of "
    f"garments, their features far from real ones. Their median distance to the nearest training image is "
    f"**{report['samples_median']:.2f}** against **{report['held_out_median']:.2f}** for "
    f"real test images: blurred averages sit near many training images, but no nearer "
    f"than real images do, so the VAE does not copy its training set."
)

# %% [markdown]
# With a 2-D code and a per-pixel likelihood the decoder averages over what it cannot
# tell apart. The [GAN](gan.py) and the [diffusion model](diffusion.py) trade this blur
# for sharpness in different ways; [the comparison](comparison.py) puts the three side
# by side.
#
# ## When you'd use it
#
# * You want an **encoder** as well as a generator: a smooth, low-dimensional code of
#   each image, for interpolation, clustering or anomaly scores (a high reconstruction
#   loss flags an unusual input).
# * Training must be stable and cheap: one fixed objective, no adversary.
# * Sample sharpness matters less than coverage: a VAE rarely drops a class.
#
# ## What to remember
#
# * A VAE encodes to a distribution and pays a KL price for leaving the prior.
# * The reparameterisation $z = \mu + \sigma \odot \varepsilon$ makes the draw
#   differentiable.
# * Because codes follow the prior, decoding prior draws generates new images.
#
# ## Exercises
#
# 1. Set `LATENT_DIM = 16`. How do the Fréchet distance and the confident share change?
#    (The scatter then shows the first two of sixteen dimensions.)
# 2. Pass `beta=4.0` to `VAE`: what happens to the KL and to the reconstruction term?
#    Which of the judge's figures moves?
# 3. Set `TRAIN_SIZE = 60_000` and compare the training time with this run's: is the
#    Fréchet distance worth it?
#
# ## References
#
# * Kingma & Welling 2013, [Auto-Encoding Variational Bayes](https://arxiv.org/abs/1312.6114).
# * Heusel et al. 2017, [GANs Trained by a Two Time-Scale Update Rule Converge to a Local
#   Nash Equilibrium](https://arxiv.org/abs/1706.08500) (the Fréchet Inception Distance).
# * Xiao et al. 2017, [Fashion-MNIST](https://arxiv.org/abs/1708.07747).
