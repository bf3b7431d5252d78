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
# # Scaling out: several processes, each engine's own runtime
#
# One machine eventually becomes too slow for a model you want to train on more data.
# The first remedy is **data parallelism**: put a full copy of the model in each of $N$
# processes (one per accelerator or host), give each process $1/N$ of every batch, and
# average the gradients before each update. With a global batch of $B$ examples split into
# slices $S_1, \dots, S_N$ of $B/N$ each,
#
# $$
# \nabla L = \frac{1}{B} \sum_{i=1}^{B} \nabla \ell_i
#          = \frac{1}{N} \sum_{k=1}^{N} \underbrace{\frac{N}{B} \sum_{i \in S_k} \nabla \ell_i}_{\text{process } k\text{'s gradient}},
# $$
#
# so every process takes the step one process would take on the whole batch: the loss
# curve must match the single-process one, up to the order of the floating-point sums.
#
# keraslab writes no launcher, collective or parameter server of its own. Each engine
# has one: `keraslab.training.distributed.initialize()` reads what the engine's launcher
# sets in the environment and joins that runtime, and `Cluster.shard` gives each process
# its own slice of every global batch. On this page, two real processes on this machine
# train the same script under JAX and under PyTorch (launched by `torchrun`); we try
# TensorFlow's multi-worker strategy; and we shard a Transformer's weights over virtual
# devices (**model parallelism**).

# %%
import json
import os
import pathlib
import socket
import subprocess
import sys
import tempfile

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display

import keraslab
import keraslab.training.distributed
from keraslab import course
from keraslab.course.diagrams.backends import data_parallel

QUICK = keraslab.quick_mode()
EPOCHS = 2 if QUICK else 6  # passes over the training slice
EXAMPLES = 512 if QUICK else 4096  # Fashion-MNIST training images used
BATCH_SIZE = 64  # the global batch: 32 examples in each of the 2 processes
PROCESSES = 2  # one per host (or GPU) on a cluster; both on this machine here
TIMEOUT = 300  # seconds a whole run may take before the page fails
LOSS_TOLERANCE = 1e-3  # relative: float32 sums in another order drift a little per epoch
ROOT = pathlib.Path(keraslab.__file__).resolve().parent.parent
TORCHRUN = pathlib.Path(sys.executable).with_name("torchrun")

print(keraslab.describe_environment())
data_parallel(PROCESSES)
plt.show()

# %% [markdown]
# ## The training script
#
# The same file runs alone (`python train.py out.json`) or as one of several processes
# (`--distributed`). The distributed lines are the `cluster` ones: join the runtime,
# let the cluster adapt the compiled model (under PyTorch it averages the gradients with
# `torch.distributed.all_reduce`, see below), take this process's shard and its share of
# the batch, and let process 0 alone write the results.

# %%
SCRIPT = f"""
import json
import sys
import time

import keras

from keraslab.datasets import load_fashion_mnist
from keraslab.models import MLP
from keraslab.training import distributed

out, parallel = sys.argv[1], "--distributed" in sys.argv
cluster = distributed.initialize(timeout=60) if parallel else distributed.Cluster(0, 1)

(x, y), _ = load_fashion_mnist()
x = x[:{EXAMPLES}].reshape(-1, 784).astype("float32") / 255.0
y = y[:{EXAMPLES}]

keras.utils.set_random_seed(0)
model = MLP(hidden_units=(128,), output_units=10, output_activation="softmax")
model(x[:1])
model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
callbacks = cluster.prepare(model)
x, y = cluster.shard((x, y), {BATCH_SIZE})


class EpochTimes(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        times.append(time.perf_counter() - self.start)


times = []
history = model.fit(
    x, y, batch_size=cluster.local_batch_size({BATCH_SIZE}), epochs={EPOCHS},
    shuffle=False, verbose=0, callbacks=[*callbacks, EpochTimes()],
)
if cluster.is_chief:
    steps = len(x) // cluster.local_batch_size({BATCH_SIZE})
    with open(out, "w") as file:
        json.dump({{"loss": history.history["loss"], "epoch_times": times, "steps": steps,
                   "processes": cluster.world_size}}, file)
cluster.shutdown()
"""
display(Markdown(f"```python{SCRIPT}```"))

# %% [markdown]
# Each process keeps the `rank`-th slice of every global batch, so the two processes
# together see exactly the batches the single process sees:

# %%
course.show_source(keraslab.training.distributed.Cluster.shard)

# %%
folder = pathlib.Path(tempfile.mkdtemp())
script = folder / "train.py"
script.write_text(SCRIPT)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(command, backend, **variables):
    env = {
        **os.environ,
        "KERAS_BACKEND": backend,
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        **variables,
    }
    return subprocess.Popen(
        command, env=env, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def finish(processes, check=True):
    """Waits for `processes`; their outputs. Raises if one failed and `check`."""
    outputs = []
    for process in processes:
        try:
            output, _ = process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        if check and process.returncode != 0:
            raise RuntimeError(f"{process.args} failed:\n{output[-3000:]}")
        outputs.append(output)
    return outputs


def read(name):
    return json.loads((folder / name).read_text())


# %% [markdown]
# ## JAX: two processes and a coordinator
#
# A JAX job names one coordinator (process 0's address and a free port), the number of
# processes and each one's id. On a Slurm or Open MPI cluster, `jax.distributed.initialize`
# reads these from the scheduler instead. Each process then sees **every** process's
# devices in `jax.devices()`, and `keras.distribution.DataParallel` over them makes one
# global batch out of the processes' slices; on CPU the gradients travel through gloo.

# %%
finish([start([sys.executable, str(script), "jax_single.json"], "jax")])
jax_port = free_port()
jax_workers = [
    start(
        [sys.executable, str(script), "jax_parallel.json", "--distributed"],
        "jax",
        JAX_COORDINATOR_ADDRESS=f"127.0.0.1:{jax_port}",
        JAX_NUM_PROCESSES=str(PROCESSES),
        JAX_PROCESS_ID=str(rank),
    )
    for rank in range(PROCESSES)
]
finish(jax_workers)
results = {"JAX": (read("jax_single.json"), read("jax_parallel.json"))}

# %% [markdown]
# ## PyTorch: the same script under `torchrun`
#
# `torchrun --nproc-per-node 2 train.py ...` starts the processes itself and sets
# `RANK`, `WORLD_SIZE`, `MASTER_ADDR` and `MASTER_PORT` in each; `initialize` hands them
# to `torch.distributed.init_process_group` (gloo on CPU, NCCL on GPU). Keras's `fit`
# under PyTorch steps each process alone, so `Cluster.prepare` broadcasts process 0's
# weights once and wraps the optimizer's `apply`: before each update, the processes
# average their gradients with one `all_reduce`, PyTorch's own collective.

# %%
course.show_source(keraslab.training.distributed._all_reduce_gradients)

# %%
if not QUICK:
    finish([start([sys.executable, str(script), "torch_single.json"], "torch")])
    torchrun = start(
        [
            str(TORCHRUN),
            f"--nproc-per-node={PROCESSES}",
            f"--master-port={free_port()}",
            str(script),
            "torch_parallel.json",
            "--distributed",
        ],
        "torch",
    )
    finish([torchrun])
    results["PyTorch"] = (read("torch_single.json"), read("torch_parallel.json"))
else:
    print("quick mode: the PyTorch and TensorFlow runs happen in the full build")

# %% [markdown]
# ## Same model, same training
#
# The loss of each epoch, from one process on the whole batch and from two processes on
# half of it each:

# %%
fig, ax = plt.subplots(figsize=(6, 3))
gaps = {}
for engine, (alone, together) in results.items():
    single_loss, parallel_loss = np.array(alone["loss"]), np.array(together["loss"])
    gaps[engine] = course.record(
        f"{engine} loss gap, 2 processes vs 1", float(np.max(np.abs(single_loss - parallel_loss)))
    )
    epochs = np.arange(1, len(single_loss) + 1)
    ax.plot(epochs, single_loss, "o-", label=f"{engine}, 1 process")
    ax.plot(epochs, parallel_loss, "x--", label=f"{engine}, {together['processes']} processes")
    assert gaps[engine] < LOSS_TOLERANCE * single_loss.max(), (engine, gaps[engine])
ax.set_xlabel("epoch")
ax.set_ylabel("training loss")
ax.legend()
fig.tight_layout()
plt.show()
course.markdown(
    "Largest gap between the curves: "
    + ", ".join(f"{engine} **{gap:.1e}**" for engine, gap in gaps.items())
    + " in loss units: the round-off of float32 sums taken in another order, which training "
    "carries from step to step."
)

# %% [markdown]
# ## What it costs on one small machine
#
# Step time, from the epochs after the first (which compiles):

# %%
rows = []
for engine, (alone, together) in results.items():
    step_alone = course.record(
        f"{engine} step time, 1 process", np.mean(alone["epoch_times"][1:]) / alone["steps"], "s"
    )
    step_together = course.record(
        f"{engine} step time, 2 processes",
        np.mean(together["epoch_times"][1:]) / together["steps"],
        "s",
    )
    rows.append(
        f"| {engine} | {step_alone * 1e3:.1f} ms | {step_together * 1e3:.1f} ms "
        f"| {step_together / step_alone:.1f}x |"
    )
course.markdown(
    "| engine | 1 process, global batch | 2 processes, half each | ratio |\n|---|---|---|---|\n"
    + "\n".join(rows)
    + f"\n\nMeasured on {os.cpu_count()} CPU cores; the single process runs first, "
    "then the two processes together, so neither side shares the cores with the other."
)

# %% [markdown]
# No real speed-up is expected here: the two processes share the same cores, each step's
# arithmetic is tiny, and every step adds a gradient all-reduce through the loopback
# network plus the synchronisation of two processes. Data parallel pays off
# when each process has its **own** accelerator and the step's compute dwarfs the
# all-reduce (large batches, large models, fast interconnects such as NVLink or
# InfiniBand).
#
# ## TensorFlow: `MultiWorkerMirroredStrategy`
#
# TensorFlow's own multi-worker path reads `TF_CONFIG` (every worker's address, and this
# worker's index) in `tf.distribute.MultiWorkerMirroredStrategy`, under whose scope the
# model is built. With Keras 3, two such workers on this machine fail in the first call
# to `fit`, before any step: Keras's TensorFlow trainer reduces the first distributed batch
# with `strategy.reduce("MEAN", batch, axis=None)` (in `_maybe_symbolic_build`), which
# this strategy cannot do outside a replica context. The full build runs it again, in two
# workers, without keraslab:

# %%
TF_SCRIPT = """
import keras, numpy as np, tensorflow as tf

strategy = tf.distribute.MultiWorkerMirroredStrategy()  # reads TF_CONFIG
x = np.random.default_rng(0).normal(size=(64, 8)).astype("float32")
y = np.random.default_rng(1).integers(0, 3, size=64)
with strategy.scope():
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
model.fit(x, y, batch_size=16, epochs=1, verbose=0)
print("fit finished")
"""
if not QUICK:
    (folder / "tf_train.py").write_text(TF_SCRIPT)
    addresses = [f"127.0.0.1:{free_port()}" for _ in range(PROCESSES)]
    tf_workers = [
        start(
            [sys.executable, "tf_train.py"],
            "tensorflow",
            TF_CONFIG=json.dumps(
                {"cluster": {"worker": addresses}, "task": {"type": "worker", "index": rank}}
            ),
        )
        for rank in range(PROCESSES)
    ]
    outputs = finish(tf_workers, check=False)
    tf_works = all(worker.returncode == 0 for worker in tf_workers)
    print(outputs[0].strip().splitlines()[-1][-400:])
    course.record("TensorFlow multi-worker fit works", float(tf_works))
    course.markdown(
        "TensorFlow multi-worker `fit` under Keras 3 **works** now: "
        "keraslab's refusal can be lifted."
        if tf_works
        else "The workers ended with the error above, so `initialize()` under TensorFlow "
        "refuses in one line instead of starting a strategy that cannot train; use the JAX "
        "or PyTorch backend to scale out."
    )

# %% [markdown]
# ## Model parallel: shard the weights too
#
# When the model no longer fits on one device, its weights are split as well. For a
# Transformer block, the Megatron split divides the attention **heads** and the
# feed-forward **units** over a `model` axis: each device computes its own heads and
# units, and one all-reduce per sublayer sums their outputs.
# `keraslab.training.distributed.transformer_layout_map` writes that split as a
# `keras.distribution.LayoutMap`. Combined with data parallel on a 2-D `(data, model)`
# mesh under `keras.distribution.ModelParallel`, each batch is also split over `data`.
# The Keras distribution API is JAX-only, so this part runs under JAX, on four virtual CPU
# devices (`XLA_FLAGS=--xla_force_host_platform_device_count=4`, read once when JAX starts,
# hence a fresh process).

# %%
course.show_source(keraslab.training.distributed.transformer_layout_map)

# %%
MODEL_PARALLEL = """
import json, os
os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=4"
import keras, numpy as np
from keraslab.models import DecoderOnlyTransformer
from keraslab.training.distributed import transformer_layout_map

def build():
    model = DecoderOnlyTransformer(
        100, 32, num_layers=2, num_heads=4, hidden_dim=32, intermediate_dim=64
    )
    model.build((None, 32))
    return model

x = np.random.default_rng(0).integers(0, 100, size=(8, 32))
single = build()
expected = keras.ops.convert_to_numpy(single(x))
mesh = keras.distribution.DeviceMesh((2, 2), ["data", "model"], keras.distribution.list_devices())
keras.distribution.set_distribution(keras.distribution.ModelParallel(
    layout_map=transformer_layout_map(mesh), batch_dim_name="data"
))
sharded = build()
sharded.set_weights(single.get_weights())
output = keras.ops.convert_to_numpy(sharded(x))
print(json.dumps({
    "gap": float(np.abs(output - expected).max()),
    "weights": [
        [v.path.split("/", 1)[1], list(v.shape), str(v.value.sharding.spec),
         list(v.value.addressable_shards[0].data.shape)]
        for v in sharded.weights if "block_0" in v.path and "norm" not in v.path
    ],
}))
"""
(folder / "model_parallel.py").write_text(MODEL_PARALLEL)
(output,) = finish([start([sys.executable, "model_parallel.py"], "jax")])
model_parallel = json.loads(output.strip().splitlines()[-1])
print(f"{'weight':<42} {'shape':<12} {'sharding':<22} shard on one device")
for path, shape, spec, shard in model_parallel["weights"]:
    print(f"{path:<42} {str(shape):<12} {spec:<22} {shard}")
mp_gap = course.record("model-parallel output gap vs one device", model_parallel["gap"])
assert mp_gap < 1e-4, mp_gap
course.markdown(
    "Each device holds half the heads and half the feed-forward units of every block (the "
    "`'model'` entries above), the rest is replicated, and the outputs equal the "
    f"single-device model's up to **{mp_gap:.1e}**."
)

# %% [markdown]
# ## On a real cluster
#
# Only the launcher and the addresses change; the script stays the same. On two hosts
# with GPUs, where `host0` is reachable from `host1` on the chosen port (not executed
# here):
#
# ```bash
# # PyTorch: one torchrun per host, 8 processes per host (one per GPU), NCCL chosen
# # automatically because CUDA is available.
# host0$ KERAS_BACKEND=torch torchrun --nnodes 2 --node-rank 0 --nproc-per-node 8 \
#            --master-addr host0 --master-port 29500 train.py out.json --distributed
# host1$ KERAS_BACKEND=torch torchrun --nnodes 2 --node-rank 1 --nproc-per-node 8 \
#            --master-addr host0 --master-port 29500 train.py out.json --distributed
#
# # JAX: one process per host, each driving all of its GPUs.
# host0$ KERAS_BACKEND=jax JAX_COORDINATOR_ADDRESS=host0:29500 JAX_NUM_PROCESSES=2 \
#            JAX_PROCESS_ID=0 python train.py out.json --distributed
# host1$ KERAS_BACKEND=jax JAX_COORDINATOR_ADDRESS=host0:29500 JAX_NUM_PROCESSES=2 \
#            JAX_PROCESS_ID=1 python train.py out.json --distributed
#
# # Under Slurm, JAX finds the coordinator itself: leave the JAX_* variables unset.
# $ srun --nodes 2 --ntasks-per-node 1 python train.py out.json --distributed
#
# # The CLI does the same for a catalogue model; --batch-size is the global batch.
# host0$ KERAS_BACKEND=torch torchrun ... -m keraslab train MLP --distributed --save mlp.keras
# ```
#
# Keep the global batch a multiple of the number of processes, and scale it (and
# usually the learning rate, Goyal et al. 2017) with the number of devices.
#
# ## When something goes wrong
#
# `initialize` fails in one line for the usual mistakes: a process id outside the world
# size, a port already in use on process 0's host, or a coordinator that does not answer
# within the timeout (also what happens when fewer processes start than announced). A
# process that dies mid-training makes the others fail within the timeout, instead of
# waiting for it forever (tests/test_distributed.py kills one of two workers).
#
# ## Exercises
#
# 1. Set `PROCESSES = 4` (and keep `BATCH_SIZE` a multiple of it). Do the curves still
#    match? How does the step time change on two cores?
# 2. Change the script to take `shuffle=True`. Why do the two runs then diverge, and what
#    would each process have to agree on to match again?
# 3. In the model-parallel script, put the `model` axis first in the mesh shape and swap
#    the axis names. Which weights change their shard shape?
#
# ## References
#
# * Goyal et al. 2017, Accurate, Large Minibatch SGD
#   (https://arxiv.org/abs/1706.02677).
# * Li et al. 2020, PyTorch Distributed: Experiences on Accelerating Data Parallel
#   Training (https://arxiv.org/abs/2006.15704).
# * Shoeybi et al. 2019, Megatron-LM (https://arxiv.org/abs/1909.08053).
