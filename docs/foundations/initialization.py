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
# multiplies its size by a factor $g$, after $L$ layers it has been multiplied by $g^L$.
# The gradient flows back through the same layers (the chain rule of the
# [backpropagation page](backpropagation.py)). So we want every layer to keep the size of
# its activations roughly constant.
#
# For a `Dense` layer $z = \sum_{i=1}^{n_\text{in}} w_i x_i$ with independent, zero-mean
# weights of variance $\sigma^2$,
#
# $$
# \operatorname{Var}(z) = n_\text{in} \, \sigma^2 \, \mathbb{E}[x^2],
# $$
#
# and ReLU then zeroes half of it: $\mathbb{E}[\operatorname{relu}(z)^2] = \tfrac12
# \operatorname{Var}(z)$. Hence:
#
# * **Glorot** (Xavier) initialisation keeps the variance of linear or tanh layers, both
#   forwards and backwards, but under ReLU it halves at every layer:
#   $$\sigma^2 = \frac{2}{n_\text{in} + n_\text{out}}.$$
# * **He** initialisation compensates for the half that ReLU removes:
#   $$\sigma^2 = \frac{2}{n_\text{in}}.$$
#
# We test four starts on a 10-layer ReLU MLP: all zeros, too large, Glorot and He.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import ops

import keraslab
from keraslab import course
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
# * **Zeros**: every activation is $0$ (the plot floors it at $10^{-12}$). Worse, every unit of a
#   layer computes the same thing, so every unit gets the same gradient and they stay
#   identical forever: the symmetry is never broken. Here even that gradient is zero,
#   since ReLU's derivative at 0 is 0.
# * **Too large**: with $\sigma = 1$ and $n_\text{in} = 64$, each layer multiplies the
#   scale by about $\sqrt{64 / 2} \approx 5.7$; ten layers later the activations are
#   millions of times larger than the inputs.
# * **Glorot** loses a factor of about $\sqrt{2}$ per layer under ReLU.
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
accuracies = {}
for name, initializer in INITIALIZERS.items():
    model = build(initializer)
    history = model.fit(x_train, y_train, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    accuracies[name] = course.record(f"test accuracy, {name}", accuracy, unit="fraction")
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
if not QUICK:  # what the next cell says
    assert accuracies["zeros"] < 0.2
    assert accuracies["He normal"] > 0.9

# %% [markdown]
# The zero network never leaves chance level (one in ten): only the output biases
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
#
# Training then moves the weights and the scale drifts again; the
# [batch-normalisation page](batch_normalization.py) fixes it at every step.
#
# ## Exercises
#
# 1. Set `DEPTH = 3`. Does the too-large start still fail? (The per-layer factor above
#    tells you how large its last layer's activations should be.)
# 2. Add `"Glorot uniform": "glorot_uniform"` to `INITIALIZERS`. Should its curve differ
#    from Glorot normal's? Why not?
# 3. Replace the zeros by `keras.initializers.Constant(0.1)`. Are the units still
#    identical after an epoch?
#
# ## References
#
# - Glorot and Bengio, "Understanding the difficulty of training deep feedforward neural
#   networks", AISTATS 2010,
#   [PMLR](https://proceedings.mlr.press/v9/glorot10a.html).
# - He, Zhang, Ren and Sun, "Delving deep into rectifiers: surpassing human-level
#   performance on ImageNet classification", 2015,
#   [arXiv:1502.01852](https://arxiv.org/abs/1502.01852).
