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
# # Recurrent networks: SimpleRNN, LSTM and GRU
#
# A recurrent network reads a sequence $x_1, \dots, x_T$ one step at a time and carries a
# **state** $h_t$ from step to step. The plain (Elman) RNN updates it with one layer,
# the same weights at every step:
#
# $$
# h_t = \tanh\left(x_t W + h_{t-1} U + b\right), \qquad h_0 = 0 .
# $$
#
# Unrolled in time it is a very deep feedforward network whose layers all share $W$,
# $U$ and $b$:

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import ops

import keraslab
from keraslab import course
from keraslab.course.diagrams.architectures import lstm_cell, unrolled_rnn
from keraslab.datasets import load_co2, make_long_range_task, split_windows
from keraslab.evaluation import seasonal_naive
from keraslab.models import RNN
from keraslab.training import value_and_grad

print(keraslab.describe_environment())

QUICK = keraslab.quick_mode()
SEED = 0  # data and weights
LENGTH = 15 if QUICK else 50  # steps per sequence of the long-range task
NOISE = 4.0  # standard deviation of the distractor steps
NUM_TRAIN = 256 if QUICK else 3000  # training sequences
NUM_TEST = 64 if QUICK else 500  # test sequences
UNITS = 32  # state size of every recurrent model
FORGET_BIAS = 3.0  # initial bias of the LSTM forget / GRU update gate
EPOCHS = 1 if QUICK else 8  # epochs on the long-range task
BATCH_SIZE = 64 if QUICK else 32  # sequences per step
LEARNING_RATE = 0.01  # Adam step size
CLIPNORM = 1.0  # gradients are rescaled to at most this norm
RECURRENT_GAIN = 3.0  # the exploding-gradient demo multiplies U by this at initialisation
SGD_RATE = 0.1  # plain SGD step size of the exploding-gradient demo
EXPLODE_STEPS = 10 if QUICK else 30  # SGD steps of the exploding-gradient demo
WINDOW = 24  # past months the CO2 forecaster reads
SEASON = 12  # months per seasonal cycle
TEST_FRACTION = 0.2  # final share of the CO2 series kept for testing
FORECAST_EPOCHS = 2 if QUICK else 60  # epochs of each CO2 forecaster
FORECAST_RATE = 3e-3  # Adam step size of the forecasters

unrolled_rnn(steps=4)
plt.show()

# %% [markdown]
# ## Why gradients vanish or explode
#
# Training backpropagates through time (Rumelhart et al. 1986,
# https://www.nature.com/articles/323533a0): the gradient of the loss $L$ at the last step
# with respect to an early state is a product of $T - t$ Jacobians,
#
# $$
# \frac{\partial L}{\partial h_t}
# = \frac{\partial L}{\partial h_T} \prod_{k=t+1}^{T} \frac{\partial h_k}{\partial h_{k-1}},
# \qquad
# \frac{\partial h_k}{\partial h_{k-1}} = \operatorname{diag}\left(1 - h_k^2\right) U^\top .
# $$
#
# When these factors shrink vectors (largest singular value below 1), the product
# **vanishes** exponentially in $T - t$ and the network cannot learn that an early input
# matters; when they stretch them, it **explodes** (Bengio et al. 1994,
# https://ieeexplore.ieee.org/document/279181; Pascanu et al. 2013,
# https://arxiv.org/abs/1211.5063).
#
# ## LSTM and GRU: gates
#
# The LSTM (Hochreiter & Schmidhuber 1997,
# https://www.bioinf.jku.at/publications/older/2604.pdf) adds a **cell state** $c_t$ and
# four layers computed from $x_t$ and $h_{t-1}$: three **gates** between 0 and 1 (the
# sigmoid $\sigma$) and a candidate value,
#
# $$
# \begin{aligned}
# f_t &= \sigma\left(x_t W_f + h_{t-1} U_f + b_f\right) && \text{forget gate} \\
# i_t &= \sigma\left(x_t W_i + h_{t-1} U_i + b_i\right) && \text{input gate} \\
# \tilde c_t &= \tanh\left(x_t W_c + h_{t-1} U_c + b_c\right) && \text{candidate} \\
# o_t &= \sigma\left(x_t W_o + h_{t-1} U_o + b_o\right) && \text{output gate} \\
# c_t &= f_t \odot c_{t-1} + i_t \odot \tilde c_t \\
# h_t &= o_t \odot \tanh(c_t)
# \end{aligned}
# $$
#
# The figure draws exactly these: the cell state runs along the top, is scaled by $f_t$,
# receives $i_t \odot \tilde c_t$, and the output gate $o_t$ decides how much of
# $\tanh(c_t)$ leaves as the new state $h_t$.

# %%
lstm_cell()
plt.show()

# %% [markdown]
# Along the cell state the Jacobian is $\partial c_t / \partial c_{t-1} = \operatorname{diag}(f_t)$
# (plus terms through $h_{t-1}$): when the network sets $f_t \approx 1$ and
# $i_t \approx 0$ it holds a value, and its gradient, for as long as it needs.
#
# The GRU (Cho et al. 2014, https://arxiv.org/abs/1406.1078) merges cell and state and
# uses two gates, update $z_t$ and reset $r_t$ (Keras's convention, with `reset_after`):
#
# $$
# \begin{aligned}
# z_t &= \sigma\left(x_t W_z + h_{t-1} U_z + b_z\right) && \text{update gate} \\
# r_t &= \sigma\left(x_t W_r + h_{t-1} U_r + b_r\right) && \text{reset gate} \\
# \tilde h_t &= \tanh\left(x_t W_h + r_t \odot (h_{t-1} U_h) + b_h\right) \\
# h_t &= z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t
# \end{aligned}
# $$
#
# Here $z_t \approx 1$ keeps the state. `keraslab.models.RNN` stacks these Keras layers
# and puts a dense head on the last state; `forget_bias` sets the initial bias of $f_t$
# (LSTM) or $z_t$ (GRU). Its forward pass:

# %%
course.show_source(RNN.call)

# %% [markdown]
# ## A task that needs a long memory
#
# `make_long_range_task` draws sequences of two features. Feature 0 holds the signal
# $\pm 1$ at step 0, then Gaussian noise of standard deviation `NOISE` at every later
# step, in the same channel; feature 1 marks step 0. The label is the sign of the signal.
# Everything after step 0 is a distractor, and a model that forgets step 0 can only
# guess: 50%.

# %%
x, y = make_long_range_task(num_samples=NUM_TRAIN + NUM_TEST, length=LENGTH, noise=NOISE, seed=SEED)
x_train, y_train, x_test, y_test = x[:NUM_TRAIN], y[:NUM_TRAIN], x[NUM_TRAIN:], y[NUM_TRAIN:]
print("inputs", x_train.shape, " labels", np.bincount(y_train))

fig, ax = plt.subplots(figsize=(8, 2.6))
for i, color in zip(range(3), ["C0", "C1", "C2"]):
    ax.plot(x_train[i, :, 0], color=color, lw=1, label=f"label {y_train[i]}")
    ax.scatter([0], [x_train[i, 0, 0]], color=color, s=40, zorder=3)
ax.set_xlabel("step")
ax.set_title("feature 0 of three sequences: the dot at step 0 decides the label")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## The gradient that reaches each step
#
# Before any training, how much does the loss at the end depend on each input step? We
# take the gradient of the loss with respect to the inputs,
# $\lVert \partial L / \partial x_t \rVert$, through `keraslab.training.value_and_grad`,
# averaged over a batch of sequences.

# %%
MODELS = {
    "SimpleRNN": dict(cell_type="simple"),
    "LSTM, Keras default (forget bias 1)": dict(cell_type="lstm"),
    f"LSTM, forget_bias={FORGET_BIAS}": dict(cell_type="lstm", forget_bias=FORGET_BIAS),
    f"GRU, forget_bias={FORGET_BIAS}": dict(cell_type="gru", forget_bias=FORGET_BIAS),
}
if QUICK:  # the docs test runs two of the four, to stay short
    MODELS = {name: MODELS[name] for name in list(MODELS)[::2]}


def build(config):
    keras.utils.set_random_seed(SEED)
    model = RNN(units=UNITS, output_units=2, **config)
    model.compile(
        optimizer=keras.optimizers.Adam(LEARNING_RATE, clipnorm=CLIPNORM),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def input_gradient_norms(model, x, y):
    """‖∂L/∂xₜ‖ for each step t, averaged over the sequences in `x`."""
    inputs = keras.Variable(x)
    loss = keras.losses.SparseCategoricalCrossentropy()
    _, (grad,) = value_and_grad(lambda: loss(y, model(inputs)), [inputs])
    return np.linalg.norm(ops.convert_to_numpy(grad), axis=-1).mean(axis=0)


batch = slice(0, 128)
fig, ax = plt.subplots(figsize=(8, 3.2))
for name, config in MODELS.items():
    norms = input_gradient_norms(build(config), x_train[batch], y_train[batch])
    ax.plot(norms, label=name)
    print(f"{name:38s} gradient at step 0 / last step: {norms[0] / norms[-1]:.1e}")
ax.set_yscale("log")
ax.set_xlabel("input step t")
ax.set_ylabel("‖∂L/∂xₜ‖")
ax.set_title("at initialisation")
ax.legend(fontsize=8)
plt.show()


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


steps_back = LENGTH - 1
course.markdown(
    "The curves fall geometrically from the last step back to the first: that is the "
    "vanishing gradient. The SimpleRNN's, driven into tanh's flat ends by the large "
    "distractors, falls fastest. The LSTM's falls at the rate of its forget gate: Keras "
    f"initialises its bias to 1, so $f \\approx \\sigma(1) = {sigmoid(1):.2f}$ and "
    f"${sigmoid(1):.2f}^{{{steps_back}}} \\approx {sigmoid(1) ** steps_back:.0e}$. With "
    f"the bias at {FORGET_BIAS:g}, $f \\approx {sigmoid(FORGET_BIAS):.2f}$ and "
    f"${sigmoid(FORGET_BIAS):.2f}^{{{steps_back}}} \\approx "
    f"{sigmoid(FORGET_BIAS) ** steps_back:.2f}$: the first step still gets a usable "
    "gradient, and the network can learn to hold on to it. The GRU's update gate plays "
    "the same role."
)

# %% [markdown]
# ## Training on the task

# %%
results = {}
for name, config in MODELS.items():
    model = build(config)
    start = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0).history
    seconds = (time.perf_counter() - start) / EPOCHS
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    results[name] = (course.record(f"{name}: test accuracy", accuracy, "fraction"), history["loss"])
    course.record(f"{name}: seconds per epoch", seconds, "s")
    print(f"{name:38s} test accuracy {accuracy:6.1%}   {seconds:6.2f} s / epoch")

fig, ax = plt.subplots(figsize=(7, 3.2))
for name, (_, losses) in results.items():
    ax.plot(range(1, EPOCHS + 1), losses, marker="o", label=name)
ax.axhline(np.log(2), color="grey", ls="--", lw=0.8, label="chance (log 2)")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss")
ax.legend(fontsize=8)
plt.show()

simple_accuracy = results["SimpleRNN"][0]
gated_accuracy = results[f"GRU, forget_bias={FORGET_BIAS}" if not QUICK else list(MODELS)[-1]][0]
if not QUICK:
    assert simple_accuracy < 0.6 < gated_accuracy, (simple_accuracy, gated_accuracy)
course.markdown(
    f"The SimpleRNN ends at **{simple_accuracy:.1%}** test accuracy, next to the coin "
    f"flip's 50%: its loss stays near $\\log 2$, it never finds out that step 0 matters. "
    f'The gated network whose gate starts close to "keep" reaches '
    f"**{gated_accuracy:.1%}**. With Keras's default forget bias the LSTM usually sits on "
    "the same plateau as the SimpleRNN for many epochs at this length: the gates make the "
    "long memory possible, and their initial bias decides whether gradient descent finds "
    "it in time."
)

# %% [markdown]
# ## Exploding gradients, and clipping them
#
# The opposite failure: when the recurrent weights stretch the state, the product of
# Jacobians grows with $T$. We build a SimpleRNN regressor, multiply its recurrent
# kernel $U$ by `RECURRENT_GAIN` at initialisation, and train it with plain SGD on
# sequences of standard-normal inputs and targets (only the gradient matters here),
# printing the gradient norm $\lVert g \rVert$ at every step. Then the same, with the
# optimizer told to clip: `SGD(..., clipnorm=1.0)` rescales the gradient to
#
# $$
# g \leftarrow g \cdot \min\left(1, \frac{\tau}{\lVert g \rVert}\right), \qquad \tau = 1,
# $$
#
# which keeps its direction and bounds the step (Pascanu et al. 2013,
# https://arxiv.org/abs/1211.5063).


# %%
def sgd_run(clipnorm):
    """Per-step (loss, gradient norm) of a SimpleRNN with a stretched U under SGD."""
    rng = np.random.default_rng(SEED)
    inputs = rng.normal(size=(64, LENGTH, 1)).astype("float32")  # (B, T, 1)
    targets = rng.normal(size=(64, 1)).astype("float32")
    keras.utils.set_random_seed(SEED)
    model = RNN(cell_type="simple", units=UNITS, task="regression")
    model(inputs[:1])
    kernel = model.recurrent_layers[0].cell.recurrent_kernel
    kernel.assign(kernel * RECURRENT_GAIN)
    optimizer = keras.optimizers.SGD(SGD_RATE, clipnorm=clipnorm)
    mse = keras.losses.MeanSquaredError()
    trace = []
    for _ in range(EXPLODE_STEPS):
        loss, grads = value_and_grad(
            lambda: mse(targets, model(inputs, training=True)), model.trainable_variables
        )
        norm = np.sqrt(sum(np.sum(ops.convert_to_numpy(g) ** 2) for g in grads))
        trace.append((float(loss), float(norm)))
        optimizer.apply(grads, model.trainable_variables)
    return np.array(trace)  # (steps, 2): loss, gradient norm


traces = {"no clipping": sgd_run(None), f"clipnorm={CLIPNORM:g}": sgd_run(CLIPNORM)}
fig, axes = plt.subplots(1, 2, figsize=(10, 3))
for name, trace in traces.items():
    axes[0].plot(trace[:, 0], marker=".", label=name)
    axes[1].plot(trace[:, 1], marker=".", label=name)
for ax, what in zip(axes, ["training loss", "gradient norm ‖g‖ (before clipping)"]):
    ax.set_yscale("log")
    ax.set_xlabel("SGD step")
    ax.set_title(what)
    ax.legend(fontsize=8)
plt.show()

loss_free, loss_clipped = (course.record(f"final loss, {n}", t[-1, 0]) for n, t in traces.items())
peak_free, peak_clipped = (
    course.record(f"peak gradient norm, {n}", t[:, 1].max()) for n, t in traces.items()
)
if not QUICK:
    assert not loss_free < 10 * loss_clipped, (loss_free, loss_clipped)
course.markdown(
    f"Without clipping the gradient norm peaks at **{peak_free:.1e}** and the loss ends "
    f"at **{loss_free:.3g}** after {EXPLODE_STEPS} steps: each huge step throws the "
    "weights further out, where the gradients are larger still (or the loss is already "
    f"NaN). With `clipnorm={CLIPNORM:g}` the raw gradient still spikes (peak "
    f"**{peak_clipped:.1e}**), but no step is longer than `SGD_RATE` times "
    f"{CLIPNORM:g}, and the loss ends at **{loss_clipped:.3g}**. Clipping cures "
    "explosion, not vanishing: it cannot make a gradient larger. That is why the models "
    "on this page are compiled with `clipnorm=CLIPNORM`."
)

# %% [markdown]
# ## Forecasting a real series: CO2 at Mauna Loa
#
# The monthly mean of atmospheric CO2 measured at Mauna Loa (`load_co2`), cut into
# windows of `WINDOW` past months, each with the next month as its target, and split in
# time: the test windows all come after the training ones.
#
# The baseline to beat is the **seasonal-naive forecast**: the value one season
# (`SEASON` months) ago (Hyndman & Athanasopoulos, https://otexts.com/fpp3/simple-methods.html).
# On this series it has a handicap: the trend. CO2 rises every year, so the value of a
# year ago is systematically too low. The plain naive forecast (the last value) misses
# by one month's change instead. We print both.
#
# `RNN(task="forecast")` reads the window **relative to its last value** and predicts
# the change, $\hat y = x_T + \mathrm{Dense}(h_T)$: it works on differences, so the
# rising level never leaves the range it saw in training.

# %%
dates, co2 = load_co2(frequency="monthly")
(xs_train, ys_train), (xs_test, ys_test) = split_windows(co2, WINDOW, 1, TEST_FRACTION)
if QUICK:
    xs_train, ys_train = xs_train[-120:], ys_train[-120:]
test_start = dates[len(dates) - len(ys_test)]
print(f"{len(co2)} months from {dates[0]} to {dates[-1]}; testing from {test_start}")
print(f"training windows {xs_train.shape}, test windows {xs_test.shape}")


def mae(forecast):
    return float(np.abs(forecast - ys_test).mean())


seasonal_error = course.record("seasonal-naive MAE", mae(seasonal_naive(xs_test, SEASON)), "ppm")
last_value_error = course.record("last-value MAE", mae(xs_test[:, -1]), "ppm")
forecasts = {}
for cell_type in ["gru", "lstm"]:
    keras.utils.set_random_seed(SEED)
    forecaster = RNN(cell_type=cell_type, units=UNITS, task="forecast")
    forecaster.compile(
        optimizer=keras.optimizers.Adam(FORECAST_RATE, clipnorm=CLIPNORM), loss="mse"
    )
    start = time.perf_counter()
    forecaster.fit(xs_train, ys_train, epochs=FORECAST_EPOCHS, batch_size=16, verbose=0)
    seconds = course.record(f"{cell_type} training time", time.perf_counter() - start, "s")
    forecasts[cell_type] = forecaster.predict(xs_test, verbose=0)
    error = course.record(f"{cell_type} MAE", mae(forecasts[cell_type]), "ppm")
    ratio = course.record(f"{cell_type} MAE / seasonal-naive MAE", error / seasonal_error)
    print(
        f"{cell_type}: MAE {error:.3f} ppm, {ratio:.2f} of seasonal naive, trained in {seconds:.0f} s"
    )

best = min(forecasts, key=lambda name: mae(forecasts[name]))
best_ratio = mae(forecasts[best]) / seasonal_error
if not QUICK:
    assert mae(forecasts[best]) < last_value_error < seasonal_error
course.markdown(
    f"| forecast | test MAE (ppm) | ratio to seasonal naive |\n|---|---|---|\n"
    f"| seasonal naive (a year ago) | {seasonal_error:.2f} | 1.00 |\n"
    f"| naive (last month) | {last_value_error:.2f} | {last_value_error / seasonal_error:.2f} |\n"
    + "".join(
        f"| {name.upper()} | {mae(f):.2f} | {mae(f) / seasonal_error:.2f} |\n"
        for name, f in forecasts.items()
    )
    + f"\nThe best network, the **{best.upper()}**, leaves **{best_ratio:.2f}** of the "
    "seasonal-naive error. Be fair to the baseline: most of its error is the trend it "
    "ignores, and the last-value forecast already does better. The network's real gain "
    "is over the last value: it has learned the shape of the seasonal cycle, so it "
    "predicts next month's rise or fall instead of repeating this month."
)

fig, ax = plt.subplots(figsize=(9, 3.2))
test_dates = dates[-len(ys_test) :]
ax.plot(test_dates, ys_test[:, 0], color="k", lw=1, label="measured")
ax.plot(test_dates, seasonal_naive(xs_test, SEASON)[:, 0], color="C1", lw=1, label="seasonal naive")
ax.plot(test_dates, forecasts[best][:, 0], color="C0", lw=1.5, label=f"{best.upper()} forecast")
ax.set_ylabel("CO2 (ppm)")
ax.set_title("one-month-ahead forecasts on the test period")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## When you'd use it
#
# * **Short-to-medium sequences read in order, in a streaming way**: sensor streams,
#   one-step forecasts, online control, where a fixed-size state updated per step is
#   what you want and the cost per step must stay constant.
# * **Small data and small models**: a GRU or LSTM of a few thousand weights trains in
#   seconds on a CPU; for a long text or a long sequence with a large data set,
#   [attention](../transformers/attention.py) reads all steps at once and usually wins.
# * **Forecasting**: always start with the seasonal-naive and last-value baselines (and
#   a classical model such as exponential smoothing); a network is worth it when it
#   beats them on a test period that comes after the training data, as here.
# * Prefer LSTM or GRU over the SimpleRNN whenever a dependency spans more than a few
#   steps, and compile with `clipnorm`.
#
# ## What to remember
#
# * A recurrent network carries a state; it learns by backpropagating through time, and
#   the gradient to early steps is a long product that vanishes or explodes.
# * LSTM and GRU gates turn that product into one the network controls; a gate bias
#   that starts close to "keep" lets it learn dependencies across many steps.
# * Clipping the gradient norm stops explosions; it does nothing for vanishing.
# * For forecasting, compare with the naive baselines, and mind the trend.
#
# ## Exercises
#
# 1. Set `FORGET_BIAS = 1.0` and `LENGTH = 100`. Which models still learn the task?
#    Hint: compute $\sigma(1)^{99}$.
# 2. Set `RECURRENT_GAIN = 1.0`: does the unclipped run still explode? Find roughly the
#    smallest gain at which it does.
# 3. Set `WINDOW = 12` (one season). Does the GRU still beat the last-value forecast?
# 4. Forecast the yearly sunspots (`keraslab.datasets.load_sunspots`, a cycle of about
#    eleven years) with `SEASON = 11`: is the seasonal-naive baseline harder to beat there?
#
# ## References
#
# * Bengio, Simard & Frasconi 1994, Learning long-term dependencies with gradient
#   descent is difficult ([IEEE](https://ieeexplore.ieee.org/document/279181)).
# * Hochreiter & Schmidhuber 1997, Long short-term memory
#   ([PDF](https://www.bioinf.jku.at/publications/older/2604.pdf)).
# * Cho et al. 2014, Learning phrase representations using RNN encoder-decoder (the GRU)
#   ([arXiv:1406.1078](https://arxiv.org/abs/1406.1078)).
# * Pascanu, Mikolov & Bengio 2013, On the difficulty of training recurrent neural
#   networks ([arXiv:1211.5063](https://arxiv.org/abs/1211.5063)).
# * Rumelhart, Hinton & Williams 1986, Learning representations by back-propagating
#   errors ([Nature](https://www.nature.com/articles/323533a0)).
# * Hyndman & Athanasopoulos, Forecasting: Principles and Practice, simple methods
#   ([fpp3](https://otexts.com/fpp3/simple-methods.html)).
