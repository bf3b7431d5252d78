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
# # Neurons and activation functions
#
# A neural network is built from one small part repeated many times: the **neuron**. It
# takes a vector of inputs $x \in \mathbb{R}^n$, weighs each one, adds a bias $b$ and
# passes the sum through a non-linear **activation function** $f$:
#
# $$
# y = f(z), \qquad z = w^\top x + b = \sum_{i=1}^{n} w_i x_i + b
# $$
#
# On this page we compute a neuron by hand with `keras.ops`, check it against
# `keras.layers.Dense`, and look at the three activations you will meet everywhere:
# ReLU, the sigmoid and the softmax, with their derivatives.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import ops

import keraslab
from keraslab import course
from keraslab.course.diagrams import foundations as diagrams
from keraslab.training import value_and_grad

print(keraslab.describe_environment())
keras.utils.set_random_seed(0)

# %%
diagrams.neuron(num_inputs=3, activation="$f$")
plt.show()

# %% [markdown]
# ## One neuron, by hand
#
# Three inputs, three weights, one bias. `keras.ops` works the same on TensorFlow,
# PyTorch and JAX, so this cell runs unchanged on each backend.

# %%
x = np.array([[0.5, -1.0, 2.0]], dtype="float32")  # one example, three features
w = np.array([[0.8], [-0.2], [0.5]], dtype="float32")  # (inputs, units)
b = np.array([0.1], dtype="float32")

pre_activation = ops.matmul(x, w) + b  # z = w·x + b
by_hand = ops.relu(pre_activation)
print("w · x + b =", course.record("pre-activation", ops.convert_to_numpy(pre_activation).item()))
print("relu(...) =", ops.convert_to_numpy(by_hand).item())

# %% [markdown]
# A `Dense(1)` layer is exactly this neuron. Give it our weights and it must agree.

# %%
dense = keras.layers.Dense(1, activation="relu")
dense.build((None, 3))
dense.set_weights([w, b])
print("Dense     =", ops.convert_to_numpy(dense(x)).item())
np.testing.assert_allclose(ops.convert_to_numpy(dense(x)), ops.convert_to_numpy(by_hand), rtol=1e-6)

# %% [markdown]
# A layer of $m$ neurons stacks their $m$ weight columns side by side into a matrix
# $W \in \mathbb{R}^{n \times m}$, so one matrix product computes all of them for a whole
# batch $X$ of shape `(batch, features)`:
#
# $$
# Y = f(X W + b), \qquad X W \text{ of shape } (\text{batch}, m).
# $$

# %%
layer = keras.layers.Dense(4, activation="sigmoid")
batch = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
layer.build(batch.shape)
kernel, bias = layer.get_weights()
manual = ops.sigmoid(ops.matmul(batch, kernel) + bias)
np.testing.assert_allclose(
    ops.convert_to_numpy(layer(batch)), ops.convert_to_numpy(manual), rtol=1e-6
)
print("layer output shape:", tuple(layer(batch).shape))

# %% [markdown]
# ## Why a non-linearity?
#
# Without $f$, stacking layers gains nothing: $W_2 (W_1 x) = (W_2 W_1) x$ is still one
# linear map. The activation is what lets a deep network bend its decision boundary (the
# [feedforward page](feedforward.py) stacks such layers into a classifier).
#
# ## ReLU, sigmoid, tanh and their derivatives
#
# Training needs the derivative of each activation (the next pages show why). Rather
# than trusting formulas, we ask the backend's automatic differentiation, through
# `keraslab.training.value_and_grad`, and compare with the textbook derivatives:
#
# | activation | $f(z)$ | $f'(z)$ |
# | --- | --- | --- |
# | ReLU | $\max(0, z)$ | $1$ if $z > 0$, else $0$ |
# | sigmoid $\sigma$ | $\dfrac{1}{1 + e^{-z}}$ | $\sigma(z)\,(1 - \sigma(z))$ |
# | tanh | $\dfrac{e^{z} - e^{-z}}{e^{z} + e^{-z}}$ | $1 - \tanh^2(z)$ |

# %%
z = np.linspace(-5, 5, 201).astype("float32")


def derivative(activation):
    """f'(z) at every z: the gradient of sum(f(z)), since each output depends on one input."""
    variable = keras.Variable(z)
    _, (grad,) = value_and_grad(lambda: ops.sum(activation(variable)), [variable])
    return ops.convert_to_numpy(grad)


activations = {"relu": ops.relu, "sigmoid": ops.sigmoid, "tanh": ops.tanh}
sigma = 1 / (1 + np.exp(-z))
textbook = {
    "relu": (z > 0).astype("float32"),
    "sigmoid": sigma * (1 - sigma),
    "tanh": 1 - np.tanh(z) ** 2,
}

fig, axes = plt.subplots(1, 3, figsize=(12, 3.2))
for ax, (name, fn) in zip(axes, activations.items()):
    grad = derivative(fn)
    np.testing.assert_allclose(grad, textbook[name], atol=1e-5)
    ax.plot(z, ops.convert_to_numpy(fn(z)), label=f"{name}(z)")
    ax.plot(z, grad, "--", label=f"{name}′(z), autodiff")
    ax.set_title(name)
    ax.axhline(0, color="grey", lw=0.5)
    ax.legend(loc="upper left", fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# Two things to notice:
#
# * The sigmoid's derivative never exceeds $\sigma'(0) = \tfrac14$ and vanishes for large
#   $|z|$. Multiply a few of those together in a deep network and the gradient all but
#   disappears: the **vanishing gradient** problem of the
#   [batch-normalisation page](batch_normalization.py) and the
#   [recurrent-network page](../architectures/recurrent.py).
# * ReLU's derivative is exactly $1$ for positive inputs, so gradients pass through
#   unshrunk. That, and its cheapness, is why it is the default in hidden layers.
#
# ## Softmax: from scores to probabilities
#
# For classification the last layer outputs one score (a *logit*) per class. The
# **softmax** turns them into probabilities that are positive and sum to one:
#
# $$
# \operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_{j} e^{z_j}}
# $$

# %%
logits = np.array([2.0, 1.0, 0.1], dtype="float32")
probabilities = ops.convert_to_numpy(ops.softmax(logits))
reference = np.exp(logits) / np.exp(logits).sum()
np.testing.assert_allclose(probabilities, reference, rtol=1e-6)
print("logits        ", logits)
course.record("largest softmax probability", probabilities.max(), unit="fraction")
print("probabilities ", probabilities.round(3), "sum =", probabilities.sum().round(6))

# %% [markdown]
# Its derivative is a matrix, the Jacobian: with $s = \operatorname{softmax}(z)$,
#
# $$
# \frac{\partial s_i}{\partial z_j} = s_i \, (\delta_{ij} - s_j).
# $$
#
# We get it row by row from autodiff and check it against that formula.

# %%
logit_variable = keras.Variable(logits)
jacobian = np.stack(
    [
        ops.convert_to_numpy(
            value_and_grad(lambda i=i: ops.softmax(logit_variable)[i], [logit_variable])[1][0]
        )
        for i in range(len(logits))
    ]
)
np.testing.assert_allclose(jacobian, np.diag(reference) - np.outer(reference, reference), atol=1e-6)
print(jacobian.round(3))

# %% [markdown]
# Temperature changes how peaked the distribution is: $\operatorname{softmax}(z / T)$
# with $T > 1$ flattens it, $T < 1$ sharpens it. The text-generation pages sample with
# exactly this knob.

# %%
temperatures = [0.25, 1.0, 4.0]
fig, axes = plt.subplots(1, len(temperatures), figsize=(10, 2.6), sharey=True)
for ax, t in zip(axes, temperatures):
    ax.bar(["A", "B", "C"], ops.convert_to_numpy(ops.softmax(logits / t)))
    ax.set_title(f"softmax(z / {t})")
axes[0].set_ylabel("probability")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## What to remember
#
# * A neuron is $f(w^\top x + b)$; a `Dense` layer is many neurons computed as one matrix
#   product.
# * Non-linear activations are what make depth useful.
# * Autodiff gives every derivative the training loop needs, and it matches the formulas;
#   the [backpropagation page](backpropagation.py) derives them by hand.
#
# ## Exercises
#
# 1. Change `w` in the first cell so that the neuron's pre-activation is negative. What
#    does the ReLU output, and what is its derivative there?
# 2. Add `"gelu": ops.gelu` to `activations` (and a textbook derivative, or drop the
#    assertion). Where does GELU differ from ReLU?
# 3. Add a temperature of `0.01` to `temperatures`. What distribution does the softmax
#    approach as $T \to 0$, and as $T \to \infty$?
#
# ## References
#
# - McCulloch and Pitts, "A logical calculus of the ideas immanent in nervous activity",
#   1943, [doi:10.1007/BF02478259](https://doi.org/10.1007/BF02478259).
# - Nair and Hinton, "Rectified linear units improve restricted Boltzmann machines",
#   ICML 2010, [PDF](https://www.cs.toronto.edu/~hinton/absps/reluICML.pdf).
# - Glorot, Bordes and Bengio, "Deep sparse rectifier neural networks", AISTATS 2011,
#   [PMLR](https://proceedings.mlr.press/v15/glorot11a.html).
