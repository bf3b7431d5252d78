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
# A plain autoencoder's codes can lie anywhere, so a random code decodes to garbage. A
# **variational autoencoder** (VAE) makes the code space something we can sample from.
# Its encoder outputs a Gaussian `N(μ(x), σ²(x))` rather than one point, and the loss
# has two parts:
#
#     loss = reconstruction(x, decoder(z)) + β · KL( N(μ, σ²) ‖ N(0, I) ),   z ~ N(μ, σ²)
#
# The KL term pulls every encoding towards the standard normal prior, so the codes fill
# the space around the origin without gaps, and decoding `z ~ N(0, I)` gives new images.
# To backpropagate through the draw we write it as `z = μ + σ · ε` with `ε ~ N(0, I)`
# (the **reparameterisation trick**, `keraslab.models.Reparameterization`).
#
# `keraslab.models.VAE` trains with a plain `fit()`: its `compute_loss` adds the two
# parts, and tracks each as a metric, `reconstruction` and `kl`, beside `loss`.

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import ops

import keraslab
from keraslab.datasets import load_digits
from keraslab.models import VAE

print(keraslab.describe_environment())
QUICK = keraslab.quick_mode()
EPOCHS = 2 if QUICK else 100
keras.utils.set_random_seed(0)

(x_train, y_train), (x_test, y_test) = load_digits()
if QUICK:
    x_train, y_train, x_test, y_test = x_train[:256], y_train[:256], x_test[:64], y_test[:64]

# %% [markdown]
# ## Training with a two-dimensional code
#
# Two latent dimensions are few for digits, but they let us *look* at the whole code
# space.

# %%
vae = VAE(image_shape=(8, 8, 1), latent_dim=2, kind="conv", filters=32, beta=1.0, seed=0)
vae.compile(optimizer=keras.optimizers.Adam(2e-3))
start = time.perf_counter()
history = vae.fit(x_train, validation_data=(x_test,), epochs=EPOCHS, batch_size=64, verbose=0)
print(f"trained in {time.perf_counter() - start:.1f} s")
logs = vae.evaluate(x_test, verbose=0, return_dict=True)
print(
    f"test: reconstruction {logs['reconstruction']:.2f} (binary cross-entropy summed over "
    f"64 pixels), KL {logs['kl']:.2f} nats, loss {logs['loss']:.2f}"
)

fig, axes = plt.subplots(1, 2, figsize=(9, 3))
for ax, name in zip(axes, ["reconstruction", "kl"]):
    ax.plot(history.history[name], label="train")
    ax.plot(history.history[f"val_{name}"], label="test")
    ax.set_title(name)
    ax.set_xlabel("epoch")
    ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# The reconstruction term falls while the KL rises: the encoder spends "nats" of
# information about each image, and the KL is the price it pays for moving away from
# the prior.
#
# ## The latent space, coloured by class
#
# We encode the test digits (the means `μ`) and colour each point by its label, which
# the VAE never saw.

# %%
mean, log_var = vae.encode(x_test)
mean = ops.convert_to_numpy(mean)
fig, ax = plt.subplots(figsize=(5.5, 4.5))
points = ax.scatter(mean[:, 0], mean[:, 1], c=y_test, cmap="tab10", s=10)
fig.colorbar(points, ax=ax, label="digit")
ax.set_xlabel("z₁")
ax.set_ylabel("z₂")
plt.show()

# %% [markdown]
# Most digits of one class gather in one region, and the regions share a disc of
# radius about 2 around the origin, as the prior asks; a few classes overlap near the
# centre, where two numbers cannot keep ten digits apart. Decoding a grid of codes shows
# what lives where:

# %%
grid = np.linspace(-2.0, 2.0, 12)
codes = np.array([[a, b] for b in grid[::-1] for a in grid], dtype="float32")
tiles = ops.convert_to_numpy(vae.decode(codes))[..., 0]
mosaic = tiles.reshape(12, 12, 8, 8).transpose(0, 2, 1, 3).reshape(96, 96)
plt.figure(figsize=(5, 5))
plt.imshow(mosaic, cmap="gray_r", extent=(-2, 2, -2, 2))
plt.xlabel("z₁")
plt.ylabel("z₂")
plt.show()

# %% [markdown]
# ## Interpolating between two digits
#
# Walking in a straight line from the code of one digit to another's decodes to a
# smooth morph, because the KL term leaves no holes in between.

# %%
first, second = x_test[y_test == 0][:1], x_test[y_test == 6][:1]
z_first = ops.convert_to_numpy(vae.encode(first)[0])
z_second = ops.convert_to_numpy(vae.encode(second)[0])
steps = np.linspace(0.0, 1.0, 9, dtype="float32")[:, None]
path = ops.convert_to_numpy(vae.decode((1 - steps) * z_first + steps * z_second))
fig, axes = plt.subplots(1, 11, figsize=(11, 1.3))
for ax, image, title in zip(axes, [first[0], *path, second[0]], ["input 0", *[""] * 9, "input 6"]):
    ax.imshow(image[..., 0], cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(title, fontsize=8)
    ax.axis("off")
plt.show()

# %% [markdown]
# ## Sampling new digits
#
# `sample(n)` decodes draws from the prior `N(0, I)`.

# %%
samples = ops.convert_to_numpy(vae.sample(40, seed=0))[..., 0]
fig, axes = plt.subplots(4, 10, figsize=(8, 3.4))
for ax, image in zip(axes.flat, samples):
    ax.imshow(image, cmap="gray_r", vmin=0, vmax=1)
    ax.axis("off")
plt.show()

# %% [markdown]
# The samples are recognisable but blurry: with a 2-D code and a per-pixel likelihood
# the decoder averages over what it cannot tell apart. The [GAN](gan.py) and the
# [diffusion model](diffusion.py) trade this blur for sharpness in different ways.
#
# ## What to remember
#
# * A VAE encodes to a distribution and pays a KL price for leaving the prior.
# * The reparameterisation `z = μ + σε` makes the draw differentiable.
# * Because codes follow the prior, decoding prior draws generates new images.
