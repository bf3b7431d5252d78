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
# # Weight initialisation
#
# Gradient descent starts from the initial weights, and in a deep network a bad start
# can make training impossible. The signal passes through every layer: if each layer
# multiplies its size by a factor `g`, after `L` layers it has been multiplied by `gᴸ`.
# The gradient flows back through the same layers. So we want every layer to keep the
# size of its activations roughly constant.
#
# For a `Dense` layer with `n` inputs and weights of variance `σ²`, the output variance
# is about `n σ²` times the input's. ReLU then zeroes half of it. Hence:
#
# * **Glorot** (Xavier) initialisation, `σ² = 2 / (n_in + n_out)`, keeps the variance for
#   linear or tanh layers, but under ReLU it halves at every layer.
# * **He** initialisation, `σ² = 2 / n_in`, compensates for the half that ReLU removes.
#
# We test four starts on a 10-layer ReLU MLP: all zeros, too large, Glorot and He.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import ops

import keraslab
from keraslab.course.pages import digits_mlp
from keraslab.datasets import load_digits

print(keraslab.describe_environment())

QUICK = keraslab.quick_mode()
SEED = 0  # weights and shuffling
DEPTH = 10  # hidden layers
WIDTH = 64  # units per hidden layer
EPOCHS = 1 if QUICK else 20  # training epochs per initialisation
BATCH_SIZE = 64  # images per gradient step
LEARNING_RATE = 0.01  # SGD step size
MOMENTUM = 0.9  # SGD momentum
INITIALIZERS = {  # name -> Keras initializer of every kernel
    "zeros": "zeros",
    "too large (normal, σ = 1)": keras.initializers.RandomNormal(stddev=1.0),
    "Glorot normal": "glorot_normal",
    "He normal": "he_normal",
}

# %% [markdown]
# The data: the 8 × 8 digits, flattened to 64 features, 10 classes.

# %%
(x_train, y_train), (x_test, y_test) = load_digits()
x_train, x_test = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)
print("train:", x_train.shape, " test:", x_test.shape)


def build(initializer):
    return digits_mlp(SEED, DEPTH, WIDTH, LEARNING_RATE, MOMENTUM, kernel_initializer=initializer)


# %% [markdown]
# ## Activations, layer by layer, before training
#
# `MLP.hidden_outputs` returns each hidden layer's output. We pass 256 training images
# and look at the standard deviation of each layer's activations.

# %%
fig, ax = plt.subplots(figsize=(7, 3.5))
for name, initializer in INITIALIZERS.items():
    outputs = build(initializer).hidden_outputs(x_train[:256])
    stds = [ops.convert_to_numpy(h).std() for h in outputs]
    print(f"{name:26s} std of layer 1: {stds[0]:9.3g}   layer {DEPTH}: {stds[-1]:9.3g}")
    ax.plot(range(1, DEPTH + 1), np.maximum(stds, 1e-12), marker="o", label=name)
ax.set_yscale("log")
ax.set_xlabel("hidden layer")
ax.set_ylabel("std of activations")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# * **Zeros**: every activation is 0 (the plot floors it at 10⁻¹²). Worse, every unit of a
#   layer computes the same thing, so every unit gets the same gradient and they stay
#   identical forever: the symmetry is never broken. Here even that gradient is zero,
#   since ReLU's derivative at 0 is 0.
# * **Too large**: with `σ = 1` and 64 inputs, each layer multiplies the scale by about
#   `√(64 / 2) ≈ 5.7`; ten layers later the activations are millions of times larger
#   than the inputs.
# * **Glorot** loses a factor of about `√2` per layer under ReLU.
# * **He** keeps the scale roughly constant through all ten layers.
#
# ## Zeros: identical units
#
# One gradient step on the zero-initialised network, and a look at the first layer:

# %%
zeros_model = build("zeros")
zeros_model.fit(x_train, y_train, epochs=1, batch_size=BATCH_SIZE, verbose=0)
first_kernel = ops.convert_to_numpy(zeros_model.hidden_layers[0].kernel)
print("first-layer kernel after one epoch: all zero?", bool(np.all(first_kernel == 0)))
print("distinct columns (units):", len(np.unique(first_kernel, axis=1).T))

# %% [markdown]
# ## Training curves

# %%
histories = {}
for name, initializer in INITIALIZERS.items():
    model = build(initializer)
    history = model.fit(x_train, y_train, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    histories[name] = history.history
    print(
        f"{name:26s} final training loss {history.history['loss'][-1]:10.4g}   "
        f"test accuracy {accuracy:.1%}"
    )

fig, axes = plt.subplots(1, 2, figsize=(11, 3.4))
for name, history in histories.items():
    axes[0].plot(np.minimum(history["loss"], 10), label=name)
    axes[1].plot(history["accuracy"], label=name)
axes[0].set_title("training loss (clipped at 10)")
axes[1].set_title("training accuracy")
for ax in axes:
    ax.set_xlabel("epoch")
axes[1].legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# The zero network never leaves 10% (chance for ten classes): only the output biases
# learn. The too-large start produces enormous logits, a loss that is huge or not a
# number, and little or no learning. Glorot trains, but starts slower than He, whose
# activations and gradients have the right size from the first step. This is why
# `keraslab.models.MLP` defaults to `kernel_initializer="he_normal"` for its ReLU layers.
#
# ## What to remember
#
# * Zero (or any constant) initialisation makes all units of a layer identical forever.
# * Weights that are too large make activations, and gradients, explode with depth.
# * Scale the initial weights with the fan-in: He for ReLU, Glorot for tanh or linear.
