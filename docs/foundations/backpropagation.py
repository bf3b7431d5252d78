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
# # Backpropagation and gradient descent
#
# Training a network means nudging every weight against the gradient of the loss:
#
#     w ← w − η ∂L/∂w
#
# where `η` is the **learning rate**. **Backpropagation** is the chain rule applied layer
# by layer, from the loss back to the first weights, so that all the gradients cost
# about as much as one forward pass.
#
# On this page we derive the gradients of a two-layer network by hand, compute them with
# `keras.ops`, and check them two ways: against finite differences, and against the
# backend's own automatic differentiation. Then we run gradient descent with several
# learning rates.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import ops
from sklearn.datasets import make_moons

import keraslab
from keraslab.training import value_and_grad

print(keraslab.describe_environment())

QUICK = keraslab.quick_mode()
SEED = 0  # data noise and initial weights
NUM_POINTS = 200  # points in the two-moons dataset
HIDDEN = 8  # tanh units in the hidden layer
EPSILON = 1e-5  # step of the finite differences
LEARNING_RATES = (0.03, 0.3, 3.0, 30.0)  # η values compared at the end
STEPS = 30 if QUICK else 500  # full-batch gradient-descent steps per learning rate

# %% [markdown]
# ## The network and its loss
#
# Two interleaved half-moons, labels 0 and 1: not separable by a straight line, so the
# hidden layer is needed. For a batch `X` of `N` points:
#
#     Z₁ = X W₁ + b₁        A₁ = tanh(Z₁)          (N × 8)
#     Z₂ = A₁ W₂ + b₂       p  = σ(Z₂)             (N × 1)
#     L  = −(1/N) Σ [y log p + (1 − y) log(1 − p)]   (binary cross-entropy)

# %%
x_np, y_np = make_moons(NUM_POINTS, noise=0.15, random_state=SEED)
x_np = x_np.astype("float32")
y_np = y_np.astype("float32")[:, None]
rng = np.random.default_rng(SEED)
initial = [
    rng.normal(0, 1 / np.sqrt(2), (2, HIDDEN)).astype("float32"),  # W₁
    np.zeros(HIDDEN, "float32"),  # b₁
    rng.normal(0, 1 / np.sqrt(HIDDEN), (HIDDEN, 1)).astype("float32"),  # W₂
    np.zeros(1, "float32"),  # b₂
]
NAMES = ["W₁", "b₁", "W₂", "b₂"]


def forward(params, x):
    w1, b1, w2, b2 = params
    a1 = ops.tanh(ops.matmul(x, w1) + b1)
    p = ops.sigmoid(ops.matmul(a1, w2) + b2)
    return a1, p


def loss_fn(params, x, y):
    _, p = forward(params, x)
    return ops.mean(keras.losses.binary_crossentropy(y, p))


# %% [markdown]
# ## The backward pass, by hand
#
# The chain rule, from the loss back. Two textbook simplifications make it short: the
# derivative of the cross-entropy through the sigmoid is simply `p − y`, and
# `tanh′(z) = 1 − tanh²(z)`.
#
#     ∂L/∂Z₂ = (p − y) / N
#     ∂L/∂W₂ = A₁ᵀ ∂L/∂Z₂          ∂L/∂b₂ = Σₙ ∂L/∂Z₂
#     ∂L/∂A₁ = ∂L/∂Z₂ W₂ᵀ
#     ∂L/∂Z₁ = ∂L/∂A₁ ⊙ (1 − A₁²)
#     ∂L/∂W₁ = Xᵀ ∂L/∂Z₁           ∂L/∂b₁ = Σₙ ∂L/∂Z₁
#
# Each line reuses the one above: that reuse is what makes backpropagation cheap.


# %%
def backward(params, x, y):
    w1, b1, w2, b2 = params
    a1, p = forward(params, x)
    dz2 = (p - y) / x.shape[0]
    dw2 = ops.matmul(ops.transpose(a1), dz2)
    db2 = ops.sum(dz2, axis=0)
    da1 = ops.matmul(dz2, ops.transpose(w2))
    dz1 = da1 * (1 - a1**2)
    dw1 = ops.matmul(ops.transpose(x), dz1)
    db1 = ops.sum(dz1, axis=0)
    return [dw1, db1, dw2, db2]


by_hand = [ops.convert_to_numpy(g) for g in backward(initial, x_np, y_np)]
for name, grad in zip(NAMES, by_hand):
    print(f"∂L/∂{name}: shape {grad.shape}, first values {grad.ravel()[:3].round(5)}")

# %% [markdown]
# ## Check 1: finite differences
#
# A derivative is a limit: `∂L/∂w ≈ (L(w + ε) − L(w − ε)) / 2ε`. We nudge every single
# parameter up and down and recompute the loss, in float64 NumPy so that rounding does
# not swamp the tiny differences. That is one pair of forward passes per parameter (35
# here, millions in a real network), which is why nobody trains this way, but it is the
# standard test of a hand-written gradient.


# %%
def numpy_loss(params):
    w1, b1, w2, b2 = params
    p = 1 / (1 + np.exp(-(np.tanh(x_np @ w1 + b1) @ w2 + b2)))
    return -np.mean(y_np * np.log(p) + (1 - y_np) * np.log(1 - p))


def finite_differences(params):
    params = [p.astype("float64") for p in params]
    grads = []
    for param in params:
        grad = np.zeros_like(param)
        for index in np.ndindex(param.shape):
            saved = param[index]
            param[index] = saved + EPSILON
            up = numpy_loss(params)
            param[index] = saved - EPSILON
            down = numpy_loss(params)
            param[index] = saved
            grad[index] = (up - down) / (2 * EPSILON)
        grads.append(grad)
    return grads


def relative_error(a, b):
    return np.abs(a - b).max() / max(np.abs(b).max(), 1e-12)


numeric = finite_differences(initial)
for name, mine, reference in zip(NAMES, by_hand, numeric):
    print(f"{name}: largest relative difference {relative_error(mine, reference):.1e}")
    np.testing.assert_allclose(mine, reference, rtol=1e-3, atol=1e-6)

# %% [markdown]
# The differences are around 10⁻⁷, the precision of float32: the hand-derived gradients
# are right.
#
# ## Check 2: automatic differentiation
#
# Frameworks do not ask us for the backward pass: they record the forward computation and
# apply the chain rule themselves. `keraslab.training.value_and_grad` calls the
# backend's own machinery (`tf.GradientTape`, `torch.autograd`, `jax.grad`) on a
# function of `keras.Variable`s.

# %%
variables = [keras.Variable(p) for p in initial]
loss_value, autodiff = value_and_grad(lambda: loss_fn(variables, x_np, y_np), variables)
print(f"loss at initialisation: {float(loss_value):.4f}")
for name, mine, auto in zip(NAMES, by_hand, autodiff):
    auto = ops.convert_to_numpy(auto)
    print(f"{name}: by hand vs {keraslab.backend()} autodiff, {relative_error(mine, auto):.1e}")
    np.testing.assert_allclose(mine, auto, rtol=1e-4, atol=1e-7)

# %% [markdown]
# ## Gradient descent, and the learning rate
#
# With the gradient in hand, training is a loop: compute it, step against it. We use the
# whole dataset at every step (full-batch gradient descent) so that the only thing that
# differs between runs is `η`.


# %%
def gradient_descent(learning_rate):
    params = [ops.convert_to_tensor(p) for p in initial]
    losses = []
    for _ in range(STEPS):
        losses.append(float(loss_fn(params, x_np, y_np)))
        grads = backward(params, x_np, y_np)
        params = [p - learning_rate * g for p, g in zip(params, grads)]
    return params, losses


runs = {lr: gradient_descent(lr) for lr in LEARNING_RATES}

fig, ax = plt.subplots(figsize=(7, 3.5))
for lr, (_, losses) in runs.items():
    ax.plot(losses, label=f"η = {lr}")
ax.set_xlabel("step")
ax.set_ylabel("training loss")
ax.set_yscale("log")
ax.legend()
plt.show()

for lr, (params, losses) in runs.items():
    accuracy = np.mean((ops.convert_to_numpy(forward(params, x_np)[1]) > 0.5) == y_np)
    increases = int(np.sum(np.diff(losses) > 0))
    print(
        f"η = {lr:5}: final loss {losses[-1]:.3f}, training accuracy {accuracy:.1%}, "
        f"steps where the loss went up: {increases}"
    )

# %% [markdown]
# * A **too small** rate (0.03) is safe but slow: every step lowers the loss, by so little
#   that it ends far behind.
# * A **moderate** rate (0.3 to 3) makes fast progress; at `η = 3` the loss already
#   rises now and then, but it ends lowest.
# * A **too large** rate (30) overshoots: steps jump across the valley of the loss, which
#   goes up at many steps and ends behind `η = 3` despite ten times bigger steps.
#
# The best rate depends on the curvature of the loss, which nobody knows in advance:
# this is why learning rates are tuned, and why adaptive optimisers like Adam, which
# scale each parameter's step by its gradient history, are the usual default.
#
# Finally, the decision boundary found with `η = 3`:

# %%
params = runs[3.0][0]
grid_x, grid_y = np.meshgrid(np.linspace(-1.5, 2.5, 200), np.linspace(-1, 1.5, 150))
grid = np.stack([grid_x.ravel(), grid_y.ravel()], axis=1).astype("float32")
probability = ops.convert_to_numpy(forward(params, grid)[1]).reshape(grid_x.shape)
fig, ax = plt.subplots(figsize=(6, 3.6))
ax.contourf(grid_x, grid_y, probability, levels=20, cmap="RdBu", alpha=0.6)
ax.scatter(x_np[:, 0], x_np[:, 1], c=y_np[:, 0], cmap="RdBu", edgecolors="k", s=15)
ax.set_title("p(class 1) after gradient descent, η = 3")
plt.show()

# %% [markdown]
# ## What to remember
#
# * Backpropagation is the chain rule, applied from the loss backwards, reusing each
#   intermediate gradient.
# * Finite differences check a gradient; autodiff computes it. Both agree with the
#   hand-derived formulas here.
# * The learning rate trades speed against stability: too small crawls, too large
#   diverges.
