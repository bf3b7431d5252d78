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
# A **multilayer perceptron** (MLP) stacks layers of [neurons](neurons.py): each layer is
# a `Dense` layer followed by a non-linearity, and the last layer turns the features it
# receives into the prediction. For an input $x$ and two hidden layers:
#
# $$
# \begin{aligned}
# h_1 &= \operatorname{relu}(x W_1 + b_1) \\
# h_2 &= \operatorname{relu}(h_1 W_2 + b_2) \\
# \hat{y} &= \operatorname{softmax}(h_2 W_3 + b_3)
# \end{aligned}
# $$
#
# We build one from `Dense` layers to classify the clothes of **Fashion-MNIST** (Xiao et
# al., 2017: greyscale 28 × 28 photos of ten kinds of garment), then again with
# `keraslab.models.MLP`, check the two are the same network, watch it overfit, and compare
# two losses for classification.

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np

import keraslab
from keraslab import course
from keraslab.course.diagrams import foundations as diagrams
from keraslab.datasets import load_fashion_mnist
from keraslab.models import MLP

print(keraslab.describe_environment())

QUICK = keraslab.quick_mode()
SEED = 0  # weights and shuffling
TRAIN_IMAGES = 2_000 if QUICK else None  # training images used (None: all)
TEST_IMAGES = 1_000 if QUICK else None  # test images used (None: all)
HIDDEN_UNITS = (256, 128)  # width of each hidden layer
CURVE_EPOCHS = 2 if QUICK else 15  # epochs of the first run, to watch the curves
EPOCHS = 2 if QUICK else 20  # epochs of each final run, on the whole training set
DROPOUT = 0.2  # share of hidden units dropped at each step of the final runs
BATCH_SIZE = 128  # images per gradient step
LEARNING_RATE = 1e-3  # Adam step size
VALIDATION_SPLIT = 0.2  # share of the training set held out to watch overfitting
TARGET_ACCURACY = 0.88  # test accuracy the final cross-entropy MLP must reach (full mode)
CLASSES = ("T-shirt/top", "trouser", "pullover", "dress", "coat",
           "sandal", "shirt", "sneaker", "bag", "ankle boot")  # fmt: skip

# %% [markdown]
# ## The data
#
# An MLP sees a vector, not an image: we flatten each 28 × 28 image into 784 numbers and
# scale the pixels from $[0, 255]$ to $[0, 1]$. Networks trained by gradient descent need
# inputs of a modest, comparable scale. The labels become one-hot vectors $y \in
# \{0, 1\}^{10}$, which both losses below take.

# %%
(x_train, y_train), (x_test, y_test) = load_fashion_mnist()
x_train, y_train = x_train[:TRAIN_IMAGES], y_train[:TRAIN_IMAGES]
x_test, y_test = x_test[:TEST_IMAGES], y_test[:TEST_IMAGES]
x_train = x_train.reshape(len(x_train), -1).astype("float32") / 255  # (N, 784)
x_test = x_test.reshape(len(x_test), -1).astype("float32") / 255
onehot_train, onehot_test = (keras.utils.to_categorical(y, len(CLASSES)) for y in (y_train, y_test))
course.markdown(
    f"**{len(x_train):,}** training and **{len(x_test):,}** test images of "
    f"{x_train.shape[1]} pixels, {len(CLASSES)} classes"
    + (" (quick mode: a slice of the data)." if QUICK else ".")
)

fig, axes = plt.subplots(1, len(CLASSES), figsize=(12, 1.6))
for label, ax in enumerate(axes):
    ax.imshow(x_train[np.argmax(y_train == label)].reshape(28, 28), cmap="gray_r")
    ax.set_title(CLASSES[label], fontsize=8)
    ax.axis("off")
plt.show()

# %% [markdown]
# ## An MLP from Dense layers
#
# Two hidden ReLU layers and a softmax over the ten classes:

# %%
diagrams.mlp(
    (x_train.shape[1], *HIDDEN_UNITS, len(CLASSES)),
    ("input pixels", "Dense + ReLU", "Dense + ReLU", "Dense + softmax"),
)
plt.show()

# %% [markdown]
# The loss is the **cross-entropy** between the one-hot label $y$ and the predicted
# probabilities $\hat{y}$, averaged over the batch: minus the log-probability of the
# true class,
#
# $$
# L_\text{CE} = -\frac{1}{N} \sum_{n=1}^{N} \sum_{k=1}^{K} y_{nk} \log \hat{y}_{nk}.
# $$


# %%
def compile_model(model, loss="categorical_crossentropy"):
    model.compile(
        optimizer=keras.optimizers.Adam(LEARNING_RATE),
        loss=loss,
        metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")],
    )
    return model


def train(model, epochs, validation_split=0.0):
    """Trains `model` on the training set; returns its history."""
    keras.utils.set_random_seed(SEED)
    return model.fit(
        x_train,
        onehot_train,
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
            keras.layers.Dense(len(CLASSES), activation="softmax"),
        ]
    )
)
by_hand.summary()

# %% [markdown]
# The parameter count is easy to check by hand: a `Dense` layer from $n$ inputs to $m$
# units has an $n \times m$ weight matrix and $m$ biases, $nm + m$ parameters.

# %%
sizes = [x_train.shape[1], *HIDDEN_UNITS, len(CLASSES)]
count = sum(n * m + m for n, m in zip(sizes[:-1], sizes[1:]))
assert count == by_hand.count_params()
course.markdown(f"By hand: **{count:,}** parameters; Keras counts {by_hand.count_params():,}.")

# %% [markdown]
# We train it with a fifth of the training images held out for validation, long enough
# to see what happens to the two curves.

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

best_epoch = int(np.argmin(history["val_loss"])) + 1
gap = history["val_loss"][-1] - history["loss"][-1]
course.markdown(
    f"The validation loss is lowest after epoch **{best_epoch}** of {CURVE_EPOCHS}; by the "
    f"last epoch it is **{gap:.2f}** above the training loss, which keeps falling. From "
    "there on the network fits details of its training images that do not carry over to "
    "new ones: it **overfits**."
)
if not QUICK:
    assert best_epoch < CURVE_EPOCHS and gap > 0

# %% [markdown]
# ## The same network with `keraslab.models.MLP`
#
# `MLP` builds exactly this stack from its configuration, and adds options we use on the
# next pages (dropout, [batch normalisation](batch_normalization.py), the weight
# [initialiser](initialization.py)). Its forward pass:

# %%
course.show_source(MLP.call)

# %% [markdown]
# Copying the weights of the hand-built model into it gives identical predictions.

# %%
model = MLP(hidden_units=HIDDEN_UNITS, output_units=len(CLASSES), output_activation="softmax")
model(x_test[:1])
model.set_weights(by_hand.get_weights())
np.testing.assert_allclose(
    model.predict(x_test, verbose=0), by_hand.predict(x_test, verbose=0), atol=1e-5
)
print("same predictions; config:", model.get_config()["hidden_units"])

# %% [markdown]
# For the final model we fight the overfitting with **dropout**: during training each
# hidden unit is zeroed with probability $p$ (`DROPOUT`) at every step, and the others
# scaled up by $1 / (1 - p)$, so the network cannot lean on any single unit. We train on
# all the training images and only then look at the test set, once.
#
# ## Cross-entropy or mean squared error?
#
# Any differentiable loss can train a classifier. The **mean squared error** between the
# one-hot label and the probabilities,
#
# $$
# L_\text{MSE} = \frac{1}{N K} \sum_{n=1}^{N} \sum_{k=1}^{K} (\hat{y}_{nk} - y_{nk})^2,
# $$
#
# looks just as reasonable. But its gradient through the softmax carries a factor
# $\hat{y}_{nk}$: a confidently wrong prediction ($\hat{y}$ of the true class near $0$)
# gets almost no push, where the cross-entropy's gradient with respect to the logits is
# simply $\hat{y} - y$, largest exactly there. We train the same MLP, from the same
# initial weights, for the same epochs, once with each loss.


# %%
def final_mlp(loss):
    keras.utils.set_random_seed(SEED)
    model = MLP(
        hidden_units=HIDDEN_UNITS,
        dropout=DROPOUT,
        output_units=len(CLASSES),
        output_activation="softmax",
    )
    return compile_model(model, loss)


finals, final_histories = {}, {}
for loss in ("categorical_crossentropy", "mean_squared_error"):
    start = time.perf_counter()
    finals[loss] = final_mlp(loss)
    final_histories[loss] = train(finals[loss], EPOCHS)
    seconds = time.perf_counter() - start
    accuracy = finals[loss].evaluate(x_test, onehot_test, verbose=0)[1]
    course.record(f"test accuracy, {loss}", accuracy, unit="fraction")
    course.record(f"training time, {loss}", seconds, unit="s")

fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
for loss, history in final_histories.items():
    axes[0].plot(np.array(history["loss"]) / history["loss"][0], label=loss)
    axes[1].plot(history["accuracy"], label=loss)
axes[0].set_title("training loss, relative to epoch 1")
axes[1].set_title("training accuracy")
for ax in axes:
    ax.set_xlabel("epoch")
axes[1].legend()
fig.tight_layout()
plt.show()

figures = course.recorded()
ce_accuracy = figures["test accuracy, categorical_crossentropy"]["value"]
mse_accuracy = figures["test accuracy, mean_squared_error"]["value"]
course.markdown(
    "| loss | test accuracy | training time |\n| --- | --- | --- |\n"
    + "\n".join(
        f"| {loss} | **{figures[f'test accuracy, {loss}']['value']:.1%}** | "
        f"{figures[f'training time, {loss}']['value']:.0f} s |"
        for loss in finals
    )
)
first_epoch = {loss: history["accuracy"][0] for loss, history in final_histories.items()}
course.markdown(
    f"With the same network and {EPOCHS} epochs, cross-entropy reaches **{ce_accuracy:.1%}**"
    f" and mean squared error **{mse_accuracy:.1%}** on the {len(x_test):,} test images"
    f" ({(ce_accuracy - mse_accuracy) * 100:+.1f} points for cross-entropy). After the first"
    f" epoch their training accuracies were {first_epoch['categorical_crossentropy']:.1%}"
    f" and {first_epoch['mean_squared_error']:.1%}."
)
if not QUICK:
    assert ce_accuracy >= TARGET_ACCURACY

# %% [markdown]
# Compare the two: the weak gradient of squared error on confidently wrong predictions
# matters most early, when many predictions are wrong, and much less with Adam, which
# rescales each parameter's step by the size of its recent gradients and so makes up
# for small ones (try plain SGD in the exercises). On this dataset and budget the final
# accuracies are close. Cross-entropy remains the default for classification because it
# is the negative log-likelihood of the labels, which makes the predicted probabilities
# meaningful, and because its gradient never vanishes on a wrong answer. For reference, the
# best scikit-learn classifier in the dataset's own benchmark, an SVC, reaches 89.7%
# ([Fashion-MNIST benchmark](https://github.com/zalandoresearch/fashion-mnist#benchmark)); the
# [classical-vs-deep page](classical_vs_deep.py) measures boosting against a CNN here.
#
# ## Which mistakes?
#
# Accuracy hides which classes the errors fall on. The confusion matrix of the
# cross-entropy model counts, for each true class (row), the predicted classes (columns).

# %%
model = finals["categorical_crossentropy"]
predictions = model.predict(x_test, verbose=0).argmax(axis=1)
matrix = np.zeros((len(CLASSES), len(CLASSES)), dtype=int)
np.add.at(matrix, (y_test, predictions), 1)
fig, ax = plt.subplots(figsize=(5.5, 5))
ax.imshow(matrix, cmap="Blues")
ax.set_xticks(range(len(CLASSES)), CLASSES, rotation=90, fontsize=8)
ax.set_yticks(range(len(CLASSES)), CLASSES, fontsize=8)
ax.set_xlabel("predicted")
ax.set_ylabel("true")
plt.show()

errors = matrix - np.diag(np.diag(matrix))
true_class, predicted_class = np.unravel_index(errors.argmax(), errors.shape)
per_class = np.diag(matrix) / matrix.sum(axis=1)
course.markdown(
    f"The most common mistake: **{CLASSES[true_class]}** taken for "
    f"**{CLASSES[predicted_class]}** ({errors.max()} times). The hardest class is "
    f"**{CLASSES[per_class.argmin()]}** ({per_class.min():.0%} right), the easiest "
    f"**{CLASSES[per_class.argmax()]}** ({per_class.max():.0%})."
)

# %% [markdown]
# ## When you'd use it
#
# * An MLP is the default network for inputs that are already a fixed-length vector of
#   features, and the head on top of most other architectures.
# * On images it ignores the layout of the pixels (shuffle them consistently and it trains
#   just as well); a [convolutional network](../architectures/convolutional.py) uses it
#   and does better with fewer parameters.
# * On tables, gradient-boosted trees are usually the model to beat
#   ([classical vs deep](classical_vs_deep.py)).
#
# ## What to remember
#
# * An MLP is `Dense` layers with non-linearities in between; its parameters are the
#   weight matrices and biases, $nm + m$ per layer.
# * Scale the inputs before training.
# * Watch a validation curve: the training loss alone always looks good. Dropout is one
#   cure for the gap between the two.
# * Train classifiers with cross-entropy: its gradient is largest on the worst mistakes.
# * `keraslab.models.MLP` is this stack, configured by its constructor arguments.
#
# ## Exercises
#
# 1. Set `HIDDEN_UNITS = (32,)`. How many parameters now (the count is computed), and how
#    much test accuracy do you lose?
# 2. Set `DROPOUT = 0.0` and compare the final test accuracy with the run above.
# 3. In `compile_model`, replace Adam by `keras.optimizers.SGD(0.1)`. Which loss suffers
#    more from the plain gradient? (Hint: compare the first epochs of the two curves.)
# 4. Shuffle the 784 pixel columns of `x_train` and `x_test` with one fixed permutation.
#    Why does the MLP not care?
#
# ## References
#
# - Rumelhart, Hinton and Williams, "Learning representations by back-propagating errors",
#   Nature 1986, [doi:10.1038/323533a0](https://www.nature.com/articles/323533a0).
# - Xiao, Rasul and Vollgraf, "Fashion-MNIST: a novel image dataset for benchmarking
#   machine learning algorithms", 2017, [arXiv:1708.07747](https://arxiv.org/abs/1708.07747).
# - Srivastava et al., "Dropout: a simple way to prevent neural networks from
#   overfitting", JMLR 2014, [JMLR](https://jmlr.org/papers/v15/srivastava14a.html).
# - Kingma and Ba, "Adam: a method for stochastic optimization", 2014,
#   [arXiv:1412.6980](https://arxiv.org/abs/1412.6980).
