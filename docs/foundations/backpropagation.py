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
# $$
# w \leftarrow w - \eta \frac{\partial L}{\partial w}
# $$
#
# where $\eta$ is the **learning rate**. **Backpropagation** is the chain rule applied layer
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
from keraslab import course
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
# hidden layer (of `HIDDEN` units, $H$ below) is needed. For a batch $X$ of $N$ points:
#
# $$
# \begin{aligned}
# Z_1 &= X W_1 + b_1, & A_1 &= \tanh(Z_1) & &(N \times H) \\
# Z_2 &= A_1 W_2 + b_2, & p &= \sigma(Z_2) & &(N \times 1) \\
# L &= -\frac{1}{N} \sum_{n=1}^{N} \bigl[ y_n \log p_n + (1 - y_n) \log (1 - p_n) \bigr]
#   & & & &\text{(binary cross-entropy)}
# \end{aligned}
# $$

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
# The chain rule says that the derivative of a composition is the product of the
# derivatives along the path: for $L(p(Z_2(W_2)))$,
#
# $$
# \frac{\partial L}{\partial W_2}
#   = \frac{\partial L}{\partial p} \, \frac{\partial p}{\partial Z_2} \,
#     \frac{\partial Z_2}{\partial W_2}.
# $$
#
# Applied from the loss back, with two textbook simplifications, the derivative of the
# cross-entropy through the sigmoid is simply $p - y$, and
# $\tanh'(z) = 1 - \tanh^2(z)$:
#
# $$
# \begin{aligned}
# \frac{\partial L}{\partial Z_2} &= \frac{1}{N} (p - y) \\
# \frac{\partial L}{\partial W_2} &= A_1^\top \frac{\partial L}{\partial Z_2},
#   & \frac{\partial L}{\partial b_2} &= \sum_n \frac{\partial L}{\partial Z_2} \\
# \frac{\partial L}{\partial A_1} &= \frac{\partial L}{\partial Z_2} W_2^\top \\
# \frac{\partial L}{\partial Z_1} &= \frac{\partial L}{\partial A_1} \odot (1 - A_1^2) \\
# \frac{\partial L}{\partial W_1} &= X^\top \frac{\partial L}{\partial Z_1},
#   & \frac{\partial L}{\partial b_1} &= \sum_n \frac{\partial L}{\partial Z_1}
# \end{aligned}
# $$
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
# A derivative is a limit, which central differences approximate:
#
# $$
# \frac{\partial L}{\partial w} \approx \frac{L(w + \epsilon) - L(w - \epsilon)}{2 \epsilon}.
# $$
#
# We nudge every single parameter up and down and recompute the loss, in float64 NumPy so
# that rounding does not swamp the tiny differences.

# %%
num_parameters = sum(p.size for p in initial)
assert num_parameters == 2 * HIDDEN + HIDDEN + HIDDEN * 1 + 1
course.markdown(
    f"That is one pair of forward passes per parameter (**{num_parameters}** here: "
    f"$2 \\cdot {HIDDEN} + {HIDDEN} + {HIDDEN} \\cdot 1 + 1$; millions in a real network), "
    "which is why nobody trains this way, but it is the standard test of a hand-written "
    "gradient."
)


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
errors = [relative_error(mine, reference) for mine, reference in zip(by_hand, numeric)]
for name, error in zip(NAMES, errors):
    print(f"{name}: largest relative difference {error:.1e}")
for mine, reference in zip(by_hand, numeric):
    np.testing.assert_allclose(mine, reference, rtol=1e-3, atol=1e-6)
worst = course.record("largest relative gradient error vs finite differences", max(errors))
course.markdown(
    f"The largest relative difference is **{worst:.0e}**, near the precision of float32 "
    "(about $10^{-7}$): the hand-derived gradients are right."
)

# %% [markdown]
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
final_loss = {
    lr: course.record(f"final training loss, learning rate {lr}", losses[-1])
    for lr, (_, losses) in runs.items()
}
rises = {lr: int(np.sum(np.diff(losses) > 0)) for lr, (_, losses) in runs.items()}
if not QUICK:  # what the next cell says
    assert final_loss[0.03] > final_loss[0.3] > final_loss[3.0] == min(final_loss.values())
    assert rises[0.03] == rises[0.3] == 0 < rises[3.0] < rises[30.0]

# %% [markdown]
# * A **too small** rate ($\eta = 0.03$) is safe but slow: every step lowers the loss, by
#   so little that it ends behind the moderate rates.
# * A **moderate** rate ($\eta$ from $0.3$ to $3$) makes fast progress; at $\eta = 3$ the
#   loss may rise now and then, but it ends lowest.
# * A **too large** rate ($\eta = 30$) overshoots: steps jump across the valley of the
#   loss, which goes up at many steps and ends behind $\eta = 3$ despite ten times
#   bigger steps.
#
# The best rate depends on the curvature of the loss, which nobody knows in advance:
# this is why learning rates are tuned, and why adaptive optimisers like Adam, which
# scale each parameter's step by its gradient history, are the usual default.
#
# Finally, the decision boundary found with $\eta = 3$:

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
#
# The next pages make deep networks trainable: [initialisation](initialization.py) and
# [batch normalisation](batch_normalization.py).
#
# ## Exercises
#
# 1. Set `HIDDEN = 2`. How many parameters does the network have now (the count above is
#    computed, so check your answer), and what happens to the decision boundary?
# 2. Replace `tanh` by ReLU in `forward` and `numpy_loss`. Which line of `backward` must
#    change, and to what?
# 3. Set `EPSILON = 1e-9`. Why do the finite differences get worse, not better?
# 4. Add `1.0` to `LEARNING_RATES`. Where does it land between $\eta = 0.3$ and $\eta = 3$?
#
# ## References
#
# - Rumelhart, Hinton and Williams, "Learning representations by back-propagating errors",
#   Nature 1986, [doi:10.1038/323533a0](https://www.nature.com/articles/323533a0).
# - Kingma and Ba, "Adam: a method for stochastic optimization", 2014,
#   [arXiv:1412.6980](https://arxiv.org/abs/1412.6980).
