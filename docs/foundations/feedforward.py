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
# # Feedforward networks
#
# A **multilayer perceptron** (MLP) stacks layers of neurons: each layer is a `Dense`
# layer followed by a non-linearity, and the last layer turns the features it receives
# into the prediction. For an input `x` and two hidden layers:
#
#     h₁ = relu(x W₁ + b₁)
#     h₂ = relu(h₁ W₂ + b₂)
#     ŷ  = softmax(h₂ W₃ + b₃)
#
# We build one from `Dense` layers on the Wisconsin breast-cancer table (569 tumours,
# 30 measurements each, malignant or benign), then again with `keraslab.models.MLP`,
# and check the two are the same network.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

import keraslab
from keraslab.datasets import feature_names, load_breast_cancer
from keraslab.models import MLP

print(keraslab.describe_environment())

QUICK = keraslab.quick_mode()
SEED = 0  # weights and shuffling
HIDDEN_UNITS = (32, 16)  # width of each hidden layer
CURVE_EPOCHS = 2 if QUICK else 80  # epochs of the first run, to watch the curves
EPOCHS = 2 if QUICK else 40  # epochs of the final run, on the whole training set
DROPOUT = 0.3  # share of hidden units dropped at each step of the final run
BATCH_SIZE = 32  # examples per gradient step
LEARNING_RATE = 1e-3  # Adam step size
VALIDATION_SPLIT = 0.2  # share of the training set held out to watch overfitting

# %% [markdown]
# ## The data
#
# `load_breast_cancer` splits the table (stratified, 80% / 20%) and standardises each
# column with the training set's mean and standard deviation, so every feature has a
# comparable scale. Networks trained by gradient descent need that: a feature measured
# in thousands would otherwise dominate the first layer's sums.

# %%
(x_train, y_train), (x_test, y_test) = load_breast_cancer()
names = feature_names("breast_cancer")
print("train:", x_train.shape, " test:", x_test.shape)
print("classes (0 = malignant, 1 = benign):", np.bincount(y_train))
print("first features:", ", ".join(names[:4]), "...")
print("column means after scaling:", x_train.mean(axis=0)[:4].round(3), "...")

# %% [markdown]
# ## An MLP from Dense layers
#
# Two hidden ReLU layers and a softmax over the two classes. The loss is the
# cross-entropy `−log p(true class)`, averaged over the batch; `sparse` means the labels
# are class indices rather than one-hot vectors.


# %%
def compile_model(model):
    model.compile(
        optimizer=keras.optimizers.Adam(LEARNING_RATE),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def train(model, epochs, validation_split=0.0):
    """Trains `model` on the training set; returns its history."""
    keras.utils.set_random_seed(SEED)
    return model.fit(
        x_train,
        y_train,
        epochs=epochs,
        batch_size=BATCH_SIZE,
        validation_split=validation_split,
        verbose=0,
    ).history


keras.utils.set_random_seed(SEED)
by_hand = compile_model(
    keras.Sequential(
        [
            keras.Input((x_train.shape[1],)),
            keras.layers.Dense(HIDDEN_UNITS[0], activation="relu"),
            keras.layers.Dense(HIDDEN_UNITS[1], activation="relu"),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
)
by_hand.summary()

# %% [markdown]
# The parameter count is easy to check by hand: a `Dense` layer from `n` inputs to `m`
# units has an `n × m` weight matrix and `m` biases.

# %%
sizes = [x_train.shape[1], *HIDDEN_UNITS, 2]
count = sum(n * m + m for n, m in zip(sizes[:-1], sizes[1:]))
print("by hand:", count, " Keras:", by_hand.count_params())
assert count == by_hand.count_params()

# %% [markdown]
# We train it with a fifth of the training rows held out for validation, long enough to
# see what happens to the two curves.

# %%
history = train(by_hand, CURVE_EPOCHS, VALIDATION_SPLIT)
fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
for ax, metric in zip(axes, ["loss", "accuracy"]):
    ax.plot(history[metric], label="training")
    ax.plot(history[f"val_{metric}"], label="validation")
    ax.set_xlabel("epoch")
    ax.set_title(metric)
    ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# The validation loss follows the training loss down, then flattens and creeps up while
# the training loss keeps falling: from there on the network is fitting details of the
# 364 rows it trains on that do not carry over to new tumours. With so little data that
# gap opens early.
#
# ## The same network with `keraslab.models.MLP`
#
# `MLP` builds exactly this stack from its configuration, and adds options we use on the
# next pages (dropout, batch normalisation, the weight initialiser). Copying the weights
# of the hand-built model into it gives identical predictions.

# %%
model = MLP(hidden_units=HIDDEN_UNITS, output_units=2, output_activation="softmax")
model(x_test[:1])
model.set_weights(by_hand.get_weights())
np.testing.assert_allclose(
    model.predict(x_test, verbose=0), by_hand.predict(x_test, verbose=0), atol=1e-6
)
print("same predictions; config:", model.get_config()["hidden_units"])

# %% [markdown]
# For the final model we fight the overfitting with **dropout**: during training each
# hidden unit is zeroed with probability 0.3 at every step (and the others scaled up by
# 1 / 0.7), so the network cannot lean on any single unit. We train on all the training
# rows, for about as many epochs as the validation loss kept improving, and only then
# look at the test set, once.

# %%
keras.utils.set_random_seed(SEED)
model = compile_model(
    MLP(
        hidden_units=HIDDEN_UNITS,
        dropout=DROPOUT,
        output_units=2,
        output_activation="softmax",
    )
)
train(model, EPOCHS)
loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"keraslab MLP, dropout {DROPOUT}: test accuracy {accuracy:.1%}, test loss {loss:.3f}")

# %% [markdown]
# ## Which mistakes?
#
# Accuracy hides which class the errors fall on. In a diagnosis, missing a malignant
# tumour is worse than a false alarm, so we look at the confusion matrix.

# %%
predictions = model.predict(x_test, verbose=0).argmax(axis=1)
matrix = np.zeros((2, 2), dtype=int)
np.add.at(matrix, (y_test, predictions), 1)
print("rows: true class, columns: predicted (0 = malignant, 1 = benign)")
print(matrix)

# %% [markdown]
# ## What to remember
#
# * An MLP is `Dense` layers with non-linearities in between; its parameters are the
#   weight matrices and biases, `n × m + m` per layer.
# * Standardise tabular inputs before training.
# * Watch a validation curve: the training loss alone always looks good. Dropout is one
#   cure for the gap between the two.
# * `keraslab.models.MLP` is this stack, configured by its constructor arguments.
