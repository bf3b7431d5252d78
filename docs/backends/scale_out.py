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
# # Scaling out: data-parallel training
#
# One accelerator eventually becomes too slow for a model you want to train on more data.
# The first remedy is **data parallelism**: put a full copy of the model on each of `N`
# devices, give each device `1/N` of every batch, and average the gradients before each
# update. Every copy then takes the same step, so the model trains exactly as it would on
# one device with the whole batch, only `N` times wider.
#
# Keras does this for you with `keras.distribution.DataParallel`, on the JAX backend. There
# is no distribution code of our own on this page: a keraslab model, the usual
# `compile` and `fit`, and two extra lines.
#
# We have no GPUs here, so we ask XLA to split this machine's CPU into several **virtual
# devices** with `XLA_FLAGS=--xla_force_host_platform_device_count=N`. XLA reads that flag
# once, when JAX starts, so the training runs in a fresh Python process under
# `KERAS_BACKEND=jax`, whatever backend runs this page.

# %%
import json
import os
import pathlib
import subprocess
import sys
import tempfile

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display

import keraslab

DEVICES = 4
EPOCHS = 2 if keraslab.quick_mode() else 6
EXAMPLES = 64 if keraslab.quick_mode() else 512
BATCH_SIZE = 16  # the global batch: 4 examples on each of the 4 devices
ROOT = pathlib.Path(keraslab.__file__).resolve().parent.parent

print(keraslab.describe_environment())

# %% [markdown]
# ## The training script
#
# It trains a small `DecoderOnlyTransformer` on the Python documentation, twice from the
# same initial weights: once on a single device, once data-parallel on all of them. The
# only distribution code is
#
#     distribution = keras.distribution.DataParallel(devices=keras.distribution.list_devices())
#     keras.distribution.set_distribution(distribution)
#
# after which every variable is created **replicated** on each device and every batch that
# `fit` reads is **sharded** along its first axis, with XLA inserting the gradient
# all-reduce.

# %%
SCRIPT = f"""
import json
import os

os.environ["KERAS_BACKEND"] = "jax"
os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count={DEVICES}"

import keras

from keraslab.datasets import load_python_docs, make_lm_windows
from keraslab.models import DecoderOnlyTransformer

corpus = load_python_docs()
x, y = make_lm_windows(corpus.train[: 32 * {EXAMPLES} + 1], sequence_length=32)


def train(initial_weights=None):
    model = DecoderOnlyTransformer(
        corpus.vocabulary.size, 32, num_layers=1, num_heads=2, hidden_dim=32, intermediate_dim=64
    )
    model.build((None, 32))
    if initial_weights is not None:
        model.set_weights(initial_weights)
    weights = model.get_weights()
    model.compile(
        optimizer=keras.optimizers.SGD(0.1),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    history = model.fit(x, y, batch_size={BATCH_SIZE}, epochs={EPOCHS}, shuffle=False, verbose=0)
    return model, weights, history.history["loss"]


keras.utils.set_random_seed(0)
_, weights, single = train()

devices = keras.distribution.list_devices()
distribution = keras.distribution.DataParallel(devices=devices)
keras.distribution.set_distribution(distribution)
model, _, parallel = train(initial_weights=weights)

kernel = model.trainable_variables[0]
print(json.dumps({{
    "devices": devices,
    "mesh": str(distribution.device_mesh.shape),
    "batch_layout": str(distribution.get_data_layout(({BATCH_SIZE}, 32)).axes),
    "variable": kernel.path,
    "variable_sharding": str(kernel.value.sharding),
    "single_device_loss": single,
    "data_parallel_loss": parallel,
}}))
"""
display(Markdown(f"```python{SCRIPT}```"))

# %% [markdown]
# ## Running it on several virtual devices

# %%
with tempfile.TemporaryDirectory() as folder:
    script = pathlib.Path(folder) / "data_parallel.py"
    script.write_text(SCRIPT)
    env = {
        **os.environ,
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    process = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, cwd=folder
    )
if process.returncode != 0:
    raise RuntimeError(f"the data-parallel script failed:\n{process.stderr[-3000:]}")
result = json.loads(process.stdout.strip().splitlines()[-1])
print("devices:          ", ", ".join(result["devices"]))
print("device mesh:      ", result["mesh"])
print("batch layout:     ", result["batch_layout"], "(first axis split over the 'batch' mesh axis)")
print(f"{result['variable']}: {result['variable_sharding']}")

# %% [markdown]
# XLA now sees four CPU devices. The mesh has one axis, `batch`, with all four of them;
# each batch of 16 sequences is split into four slices of 4 along that axis, while the
# weights are replicated: every device holds all of them.
#
# ## Same model, same training
#
# Because the gradients of the four slices are averaged, a data-parallel step is the same
# step as on one device with the whole batch. Only the order of the floating-point sums
# changes, so the two loss curves agree to round-off. (That holds while training is
# stable. At a learning rate where the loss jumps around, training amplifies round-off
# like any chaotic system: with SGD at 0.5 instead of 0.1, the two runs of this script
# drifted 2e-2 apart within six epochs.)

# %%
single = np.array(result["single_device_loss"])
parallel = np.array(result["data_parallel_loss"])
gap = np.max(np.abs(single - parallel))
print("epoch  1 device   4 devices")
for epoch, (a, b) in enumerate(zip(single, parallel), start=1):
    print(f"{epoch:5d}  {a:.6f}  {b:.6f}")
print(f"largest gap: {gap:.2e}")
assert gap < 1e-4, gap

fig, ax = plt.subplots(figsize=(6, 3))
epochs = np.arange(1, len(single) + 1)
ax.plot(epochs, single, "o-", label="1 device")
ax.plot(epochs, parallel, "x--", label=f"DataParallel, {len(result['devices'])} devices")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss")
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# Virtual devices share the same CPU cores, so they show *that* the program is correct,
# not a speed-up. On real accelerators, each device does a quarter of the work, and the
# only cost added is the all-reduce of the gradients.
#
# ## On a multi-GPU or TPU host
#
# The script above runs unchanged on real hardware: drop the `XLA_FLAGS` line.
#
# * On a machine with 8 GPUs, `keras.distribution.list_devices()` returns
#   `["gpu:0", …, "gpu:7"]` (with JAX's CUDA build installed), and `DataParallel` builds
#   an 8-device mesh. On a TPU VM it lists the TPU cores.
# * Keep the global batch a multiple of the number of devices; each device gets
#   `batch_size / N` examples, so scale the batch (and usually the learning rate) with `N`.
# * On several hosts, call `keras.distribution.initialize()` first on every host; the mesh
#   then spans all their devices, and each host feeds its own share of the data.
# * When the model itself no longer fits on one device, `keras.distribution.ModelParallel`
#   with a `LayoutMap` shards the weights too, again without changing the model code.
#
# `DataParallel` is a JAX feature in Keras 3 (at least up to 3.15
# <!-- fixed: 3.15 = the Keras version the page was written against -->); on TensorFlow, `tf.distribute` strategies
# play the same role, and on PyTorch, `DistributedDataParallel`.
