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
# # Batch normalisation
#
# Initialisation sets the scale of each layer's activations at the start; training then
# changes the weights, and the scale drifts. **Batch normalisation** (Ioffe and Szegedy,
# 2015) fixes it at every step: for each unit, over the current batch
# $\mathcal{B} = \{x_1, \dots, x_m\}$,
#
# $$
# \mu_\mathcal{B} = \frac{1}{m} \sum_{i=1}^{m} x_i, \qquad
# \sigma_\mathcal{B}^2 = \frac{1}{m} \sum_{i=1}^{m} (x_i - \mu_\mathcal{B})^2, \qquad
# \hat{x}_i = \frac{x_i - \mu_\mathcal{B}}{\sqrt{\sigma_\mathcal{B}^2 + \epsilon}}, \qquad
# y_i = \gamma \hat{x}_i + \beta,
# $$
#
# so the unit's pre-activations have mean $\beta$ and standard deviation $\gamma$, both
# learned.
# At inference there is no batch to average over, so the layer uses running averages of
# the means and variances seen in training.
#
# We train the same deep network, 10 sigmoid layers, with and without it. Sigmoid is the
# hard case: its derivative is at most $\tfrac14$ and vanishes away from $0$ (see the
# [neurons page](neurons.py)), so a network whose pre-activations drift away from $0$
# stops learning.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import ops

import keraslab
from keraslab import course
from keraslab.course.diagrams import foundations as diagrams
from keraslab.course.pages import digits_mlp
from keraslab.datasets import load_digits

print(keraslab.describe_environment())

QUICK = keraslab.quick_mode()
SEED = 0  # weights and shuffling
DEPTH = 10  # hidden layers
WIDTH = 64  # units per hidden layer
ACTIVATION = "sigmoid"  # hidden activation
EPOCHS = 1 if QUICK else 20  # training epochs per network
BATCH_SIZE = 64  # images per gradient step
LEARNING_RATE = 0.01  # SGD step size
MOMENTUM = 0.9  # SGD momentum
SHOWN_LAYERS = (1, 5, 10)  # layers whose activation histograms we plot

# %%
diagrams.batch_norm_step()
plt.show()

# %%
(x_train, y_train), (x_test, y_test) = load_digits()
x_train, x_test = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)


def build(batch_norm):
    return digits_mlp(
        SEED,
        DEPTH,
        WIDTH,
        LEARNING_RATE,
        MOMENTUM,
        activation=ACTIVATION,
        batch_norm=batch_norm,
        kernel_initializer="glorot_normal",
    )


# %% [markdown]
# ## Batch norm computes exactly the formula
#
# A check on one layer, in training mode (batch statistics), against NumPy:

# %%
layer = keras.layers.BatchNormalization(epsilon=1e-3)
batch = x_train[:32] @ np.random.default_rng(SEED).normal(size=(64, 4)).astype("float32")
normalised = ops.convert_to_numpy(layer(batch, training=True))
by_hand = (batch - batch.mean(axis=0)) / np.sqrt(batch.var(axis=0) + 1e-3)  # γ = 1, β = 0
np.testing.assert_allclose(normalised, by_hand, rtol=1e-4, atol=1e-4)
print("per-unit mean:", normalised.mean(axis=0).round(4), " std:", normalised.std(axis=0).round(3))

# %% [markdown]
# ## Training the two networks

# %%
models, histories = {}, {}
for name, batch_norm in {"without batch norm": False, "with batch norm": True}.items():
    models[name] = build(batch_norm)
    histories[name] = (
        models[name].fit(x_train, y_train, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0).history
    )
    _, accuracy = models[name].evaluate(x_test, y_test, verbose=0)
    course.record(f"test accuracy, {name}", accuracy, unit="fraction")
    print(
        f"{name:20s} final training loss {histories[name]['loss'][-1]:.4f}   "
        f"test accuracy {accuracy:.1%}"
    )

fig, axes = plt.subplots(1, 2, figsize=(11, 3.4))
for name, history in histories.items():
    axes[0].plot(history["loss"], label=name)
    axes[1].plot(history["accuracy"], label=name)
axes[0].set_title("training loss")
axes[1].set_title("training accuracy")
for ax in axes:
    ax.set_xlabel("epoch")
axes[0].legend()
fig.tight_layout()
plt.show()
plain_loss = histories["without batch norm"]["loss"]
if not QUICK:  # what the next cell says
    assert min(plain_loss) > 0.9 * np.log(10)
    assert histories["with batch norm"]["loss"][-1] < 0.5 * np.log(10)

# %% [markdown]
# Without normalisation the loss sits near $\log 10 \approx 2.3$, a uniform guess over ten
# classes, and never gets off that plateau: through ten sigmoid layers the gradient
# reaching the first layers is tiny. With batch normalisation the same network, same
# optimiser and same learning rate trains from the first epoch.
#
# ## Where the activations sit
#
# Histograms of the sigmoid outputs at three depths, after training (inference mode):

# %%
fig, axes = plt.subplots(2, len(SHOWN_LAYERS), figsize=(11, 4.5), sharex=True)
for row, (name, model) in enumerate(models.items()):
    outputs = model.hidden_outputs(x_test)
    for ax, layer_number in zip(axes[row], SHOWN_LAYERS):
        values = ops.convert_to_numpy(outputs[layer_number - 1]).ravel()
        ax.hist(values, bins=50, range=(0, 1), color=f"C{row}")
        ax.set_title(f"{name}, layer {layer_number}", fontsize=9)
        ax.set_yticks([])
fig.tight_layout()
plt.show()

print("how much each unit's output varies between images (std over images, mean over units)")
for name, model in models.items():
    outputs = [ops.convert_to_numpy(h) for h in model.hidden_outputs(x_test)]
    spreads = [h.std(axis=0).mean() for h in outputs]
    print(f"{name:20s} layers 1..{DEPTH}:", np.round(spreads, 3))

# %% [markdown]
# Compare the spread between images, printed above: where a unit's output barely changes
# from one image to the next, it carries little information about the image and passes
# back little gradient. With batch norm every layer's inputs are re-centred and
# re-scaled, so the sigmoids work in their sensitive middle range.
#
# ## What to remember
#
# * Batch normalisation standardises each unit over the batch, then applies a learned
#   scale `γ` and shift `β`; at inference it uses running averages.
# * It keeps activations in a healthy range through depth, which makes deep networks
#   train faster and less dependent on initialisation and learning rate.
# * `MLP(batch_norm=True)` and `CNN(batch_norm=True)` put it before each activation (the
#   [convolutional page](../architectures/convolutional.py) uses it in every block).
#
# ## Exercises
#
# 1. Set `ACTIVATION = "relu"` (and keep the Glorot start). Does the network without batch
#    norm still stall?
# 2. Set `BATCH_SIZE = 4`. What happens to the batch statistics, and to the network with
#    batch norm?
# 3. Set `LEARNING_RATE = 0.1`. Which of the two networks copes?
#
# ## References
#
# - Ioffe and Szegedy, "Batch normalization: accelerating deep network training by
#   reducing internal covariate shift", ICML 2015,
#   [arXiv:1502.03167](https://arxiv.org/abs/1502.03167).
# - Santurkar et al., "How does batch normalization help optimization?", NeurIPS 2018,
#   [arXiv:1805.11604](https://arxiv.org/abs/1805.11604).
