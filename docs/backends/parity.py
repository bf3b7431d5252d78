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
# # Backend parity
#
# Keras 3 runs one model definition on TensorFlow, PyTorch and JAX, yet users keep finding
# that "the same model" gives different numbers on different backends (Keras issues
# [#20804](https://github.com/keras-team/keras/issues/20804) and
# [#20713](https://github.com/keras-team/keras/issues/20713)). This page shows, model by
# model, that keraslab's do not, up to float32 round-off, and where the backends genuinely
# differ: their random numbers.
#
# Nothing here is typed by hand. `scripts/parity` runs every catalogue entry under each
# backend **in its own process** and writes `docs/backends/parity.json`; this page renders
# that file. For every model:
#
# 1. **Same weights.** The first backend builds the model and writes its initial weights
#    to a NumPy file; every backend loads exactly those weights.
# 2. **Forward pass.** Each backend computes the output `y` on one fixed input.
# 3. **Gradients.** Each backend computes ∂L/∂θ of `L = mean(y²)` for every weight `θ`,
#    with its own automatic differentiation (`keraslab.training.value_and_grad`).
# 4. **Training.** A few SGD steps from those weights on the same batches, with dropout
#    switched off, through `compile` and `train_on_batch`.
# 5. **Save anywhere, load anywhere.** The trained model is saved as `.keras`; each backend
#    loads the files of all three and runs them on the fixed input.
#
# Every difference is measured as `max|a − b| / max(1, max|b|)`: absolute for values of
# order one, relative for larger ones.

# %%
import json
import pathlib

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display

import keraslab
from keraslab import parity

RESULTS = pathlib.Path(keraslab.__file__).resolve().parent.parent / "docs/backends/parity.json"
SHORT = {"tensorflow": "TF", "torch": "PyTorch", "jax": "JAX"}

print(keraslab.describe_environment())


# %% [markdown]
# The results were measured on this machine, with these versions. (This page itself runs
# under the backend printed above; the numbers below come from all three.)


# %%
def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return Markdown("\n".join(lines))


def number(value, spec=".1e"):
    return "—" if value is None else format(value, spec)


report = json.loads(RESULTS.read_text()) if RESULTS.exists() else None
if report is None:
    print(f"{RESULTS} is missing: run scripts/parity to create it.")
else:
    backends = report["backends"]
    models = report["models"]
    machine = report["machine"]
    print(f"measured on {report['date']}: {machine['platform']}, {machine['cpus']} CPUs")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in report["versions"].items()))
    print(
        f"{len(models)} catalogue entries, {report['steps']} training steps of {report['batch_size']} examples"
    )

# %% [markdown]
# ## Tolerances
#
# | check | tolerance | why |
# | --- | --- | --- |
# | save/load, every cell | 1e-5 | the bar; one float32 forward pass differs by a few ulp |
# | forward pass | 1e-5 | same weights, same input: only the order of float32 sums differs |
# | gradients | 1e-4 | backward passes add up many more terms, in backend-specific orders |
# | training losses | 1e-4 | each step feeds the round-off of the last into the next |
#
# float32 has a 24-bit mantissa, so one rounding is about 6e-8 of the value
# <!-- fixed: 24 = float32's mantissa bits, a property of the format -->. Matrix
# products and convolutions add thousands of such terms, in an order each backend (oneDNN,
# ATen, XLA) chooses; 1e-5 leaves room for that and no more. A real bug, such as a
# transposed kernel, a wrong epsilon or a missing bias, shows up at 1e-3 or worse.

# %%
if report is not None:
    display(table(["check", "tolerance"], [(k, f"{v:g}") for k, v in report["tolerances"].items()]))

# %% [markdown]
# ## Summary, model by model
#
# The save/load column is the worst of the nine cells of that model's matrix (below). The
# training column is empty for layers without weights and for models whose training step
# draws its own random numbers: see *Randomness* further down.

# %%
if report is not None:
    rows = []
    for name, result in models.items():
        if result["errors"]:
            rows.append([name, result["kind"], "error: " + "; ".join(result["errors"].values())])
            continue
        worst = max(v for row in result["save_load"].values() for v in row.values())
        times = [number(result["ms_per_step"][b], ".1f") for b in backends]
        cells = [worst, result["forward"], result["gradients"], result["training"]]
        rows.append([name, result["parameters"], *map(number, cells), *times])
    header = ["model", "parameters", "save/load", "forward", "gradients", "training"]
    display(table(header + [f"ms/step {SHORT[b]}" for b in backends], rows))
    problems = parity.failures(report)
    print("every check within tolerance" if not problems else "\n".join(problems))

# %% [markdown]
# ## Save anywhere, load anywhere
#
# Row: the backend that trained and saved the model. Column: the backend that loaded it.
# Each cell is the difference between the loaded model's output and the saving backend's
# own output, on the same input. The diagonal is a plain round trip on one backend.

# %%
if report is not None:
    for name, result in models.items():
        if result["errors"]:
            continue
        rows = [
            [f"saved under {SHORT[s]}", *(number(result["save_load"][s][t]) for t in backends)]
            for s in backends
        ]
        display(Markdown(f"**{name}**"))
        display(table(["", *(f"loaded under {SHORT[t]}" for t in backends)], rows))

# %% [markdown]
# ## Training losses
#
# The same SGD steps from the same weights on the same batches give the same losses, digit
# for digit up to float32 round-off.

# %%
if report is not None:
    for name, result in models.items():
        if result["errors"] or not result["parity_train"]:
            continue
        rows = [[SHORT[b], *(f"{v:.7f}" for v in result["losses"][b])] for b in backends]
        display(Markdown(f"**{name}**"))
        display(table(["backend", *(f"step {i + 1}" for i in range(report["steps"]))], rows))

# %% [markdown]
# ## Time per training step
#
# Median wall time of one `train_on_batch` call, after a warm-up call that compiles it, on
# the CPU of the machine above. These are tiny models and batches, so the figures measure
# each backend's per-step overhead more than its arithmetic; the Performance page times
# real sizes.

# %%
if report is not None and models:
    names = [n for n, r in models.items() if not r["errors"] and r["parameters"]]
    width = 0.8 / len(backends)
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(names)), 3.2))
    for i, backend in enumerate(backends):
        times = [models[n]["ms_per_step"][backend] for n in names]
        ax.bar(np.arange(len(names)) + i * width, times, width, label=SHORT[backend])
    ax.set_xticks(np.arange(len(names)) + width * (len(backends) - 1) / 2, names, rotation=30)
    ax.set_ylabel("ms per step (log)")
    ax.set_yscale("log")
    ax.legend()
    fig.tight_layout()
    plt.show()

# %% [markdown]
# ## Randomness: where the backends differ
#
# Each backend has its own random number generator: JAX's counter-based Threefry, PyTorch's
# Philox/Mersenne generators and TensorFlow's stateless ops. Keras passes the same seed to
# each, but they turn it into **different numbers**. So with the same
# `keras.utils.set_random_seed(s)` the three backends build different initial weights,
# draw different dropout masks and different noise. Here are the first numbers each one
# drew from seed 0:

# %%
if report is not None:
    streams = report["random_streams"]
    rows = []
    for draw in streams[backends[0]]:
        values = [np.asarray(streams[b][draw]) for b in backends]
        same = all(np.allclose(v, values[0], atol=1e-6) for v in values)
        rows.append(
            [draw, *(np.array2string(v, precision=3) for v in values), "yes" if same else "no"]
        )
    display(table(["draw", *(SHORT[b] for b in backends), "same on all?"], rows))

# %% [markdown]
# Each backend is deterministic on its own (the conformance tests check that the same seed
# gives the same weights twice), but across backends only the *distribution* is the same.
# The parity checks are therefore built not to depend on random streams:
#
# * initial weights are written once, by the first backend, and loaded by the others,
#   so no backend's initializer is used;
# * dropout layers are switched off (rate 0) for the training comparison, and the forward
#   pass runs in inference mode;
# * batches are fixed slices of the entry's data, not shuffled;
# * models whose training step draws its own noise (a VAE's latent sample, a GAN's latent
#   codes, a diffusion model's timesteps and noise) declare `parity_train=False` in the
#   catalogue. Their forward pass, gradients and saved files are compared like every other
#   model's; their training losses are not, since they cannot agree.
#
# If you need the *same random numbers* on every backend, draw them with NumPy
# (`np.random.default_rng(seed)`) and pass them in as inputs, as these checks do.
#
# ## Reproduce
#
# ```bash
# scripts/parity            # all three backends, writes docs/backends/parity.json
# scripts/parity --only MLP # one model
# ```
#
# The same checks run in the test suite (`tests/test_parity.py`), which fails if any cell
# or gap exceeds its tolerance.
