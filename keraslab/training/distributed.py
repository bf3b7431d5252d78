"""Multi-process data parallel on each backend's own distributed runtime.

`initialize()` reads the environment that the backend's own launcher sets and joins that
backend's runtime; keraslab brings no launcher, collective or parameter server of its own:

* JAX: `JAX_COORDINATOR_ADDRESS`, `JAX_NUM_PROCESSES` and `JAX_PROCESS_ID` (or, when
  they are unset, Slurm's or Open MPI's variables, which `jax.distributed.initialize`
  detects itself), with gloo collectives on CPU; `fit` then runs under
  `keras.distribution.DataParallel` over every process's devices.
* PyTorch: `RANK`, `WORLD_SIZE`, `MASTER_ADDR` and `MASTER_PORT`, as `torchrun` sets
  them, through `torch.distributed` (gloo on CPU, NCCL on GPU); Keras's torch `fit` steps
  each process alone, so `Cluster.prepare` broadcasts process 0's weights and replaces
  the model's train step by one that averages the gradients with `all_reduce`.
* TensorFlow: `TF_CONFIG` is read and checked, but `tf.distribute.MultiWorkerMirroredStrategy`
  does not train Keras 3 models (up to 3.15 at least): `fit` fails at its first batch,
  in `_maybe_symbolic_build`, which calls `strategy.reduce("MEAN", batch, axis=None)` on
  the distributed batch, and MultiWorkerMirroredStrategy cannot convert the `PerReplica`
  value to a tensor. `initialize` says so in one line instead
  (tests/test_distributed.py runs the strategy and checks that it still fails).

In every case process `rank` trains on its own shard (`Cluster.shard`): of each global
batch of `B` examples it reads the `rank`-th slice of `B / world_size`, so the processes
together take the same steps as one process on the whole batch.
"""

import dataclasses
import datetime
import json
import os
import socket
import time

import keras
import numpy as np

from keraslab import _validation

_JAX_VARIABLES = ("JAX_COORDINATOR_ADDRESS", "JAX_NUM_PROCESSES", "JAX_PROCESS_ID")
_TORCH_VARIABLES = ("MASTER_ADDR", "MASTER_PORT", "RANK", "WORLD_SIZE")
_AUTO_DETECTED = ("SLURM_JOB_ID", "OMPI_COMM_WORLD_SIZE")


@dataclasses.dataclass(frozen=True)
class Cluster:
    """The processes of one data-parallel job, as this process sees them.

    Attributes:
        rank: this process's index, in `[0, world_size)`; process 0 is the chief, which
            alone writes files.
        world_size: the number of processes.
    """

    rank: int
    world_size: int

    @property
    def is_chief(self):
        return self.rank == 0

    def local_batch_size(self, batch_size):
        """`batch_size` examples per global step, as this process passes it to `fit`."""
        batch_size = _validation.positive_int("batch_size", batch_size)
        if batch_size % self.world_size:
            raise ValueError(
                f"Argument batch_size must be a multiple of the world size "
                f"{self.world_size}; received {batch_size}."
            )
        return batch_size // self.world_size

    def shard(self, arrays, batch_size):
        """This process's examples of `arrays` (a structure of arrays), for `fit`.

        The examples past the last full global batch are dropped. Each global batch is split
        into `world_size` consecutive slices, and this process keeps slice `rank` of each.
        """
        self.local_batch_size(batch_size)
        count = len(keras.tree.flatten(arrays)[0])
        steps = count // batch_size
        if steps == 0:
            raise ValueError(
                f"Argument batch_size must be at most the number of examples {count}; "
                f"received {batch_size}."
            )

        def local(array):
            array = np.asarray(array)[: steps * batch_size]
            per_step = array.reshape(steps, self.world_size, -1, *array.shape[1:])  # (S, W, L, ...)
            return per_step[:, self.rank].reshape(-1, *array.shape[1:])  # (S * L, ...)

        return keras.tree.map_structure(local, arrays)

    def prepare(self, model):
        """Makes a compiled model's `fit` step with the other processes.

        Returns:
            The callbacks to pass to `fit`, so that its logs are the global ones.
        """
        if keras.backend.backend() != "torch" or self.world_size == 1:
            return []
        _all_reduce_gradients(model)
        return [_AverageLogs()]

    def shutdown(self):
        """Leaves the runtime, after a barrier, so that no process exits while others train."""
        backend = keras.backend.backend()
        if backend == "jax":
            import jax

            jax.distributed.shutdown()
        elif backend == "torch":
            import torch.distributed

            if torch.distributed.is_initialized():
                torch.distributed.barrier()
                torch.distributed.destroy_process_group()


def initialize(timeout=60):
    """Joins the active backend's distributed runtime, from its launcher's environment.

    Args:
        timeout: seconds to wait for every process to join, and, under JAX and torch, for
            a silent peer before a collective fails (a worker that died).

    Returns:
        The `Cluster` this process belongs to.

    Raises:
        ValueError: the launcher's variables are missing or inconsistent (a rank outside
            the world size); under TensorFlow, always (see the module's docstring).
        OSError: process 0's port is already in use.
        TimeoutError: not every process joined within `timeout` seconds (an unreachable
            coordinator, or fewer processes started than the world size says).
    """
    timeout = _validation.positive_int("timeout", timeout)
    backend = keras.backend.backend()
    if backend == "jax":
        return _initialize_jax(timeout)
    if backend == "torch":
        return _initialize_torch(timeout)
    return _initialize_tensorflow()


def _environment(names, launcher):
    missing = [name for name in names if name not in os.environ]
    if missing:
        raise ValueError(
            f"Argument --distributed needs the variables {launcher} sets; "
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set."
        )
    return [os.environ[name] for name in names]


def _rank_and_size(rank_name, rank, size_name, size):
    try:
        rank, size = int(rank), int(size)
    except ValueError as error:
        raise ValueError(
            f"{rank_name} and {size_name} must be ints; received {rank!r}, {size!r}."
        ) from error
    if size < 1 or not 0 <= rank < size:
        raise ValueError(
            f"{rank_name} must be in [0, {size_name}) with {size_name} >= 1; "
            f"received {rank_name}={rank}, {size_name}={size}."
        )
    return rank, size


def _check_port_free(port, variable):
    """Raises a one-line OSError if process 0 cannot listen on `port`."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("", int(port)))
        except OSError as error:
            raise OSError(
                f"{variable}: port {port} is already in use on this host; choose a free one."
            ) from error


def _wait_for_coordinator(address, timeout, variable):
    """Raises a one-line TimeoutError unless `address` accepts connections within `timeout`."""
    host, _, port = address.rpartition(":")
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection((host, int(port)), timeout=1).close()
            return
        except OSError as error:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{variable}: nothing answers at {address} within {timeout} s; check the "
                    "address and that process 0 was started."
                ) from error
            time.sleep(0.5)


def _timeout_error(what, timeout, error):
    return TimeoutError(
        f"{what} within {timeout} s ({type(error).__name__}); check the address, the port "
        "and that every process was started."
    )


def _initialize_jax(timeout):
    import jax

    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    options = {"initialization_timeout": timeout, "heartbeat_timeout_seconds": timeout}
    if any(name in os.environ for name in _JAX_VARIABLES) or not any(
        name in os.environ for name in _AUTO_DETECTED
    ):
        address, size, rank = _environment(_JAX_VARIABLES, "a JAX launcher")
        rank, size = _rank_and_size("JAX_PROCESS_ID", rank, "JAX_NUM_PROCESSES", size)
        port = address.rpartition(":")[2]
        if rank == 0:
            _check_port_free(port, "JAX_COORDINATOR_ADDRESS")
        else:  # jaxlib aborts the process when it cannot reach the coordinator
            _wait_for_coordinator(address, timeout, "JAX_COORDINATOR_ADDRESS")
        options.update(coordinator_address=address, num_processes=size, process_id=rank)
    try:
        jax.distributed.initialize(**options)
    except Exception as error:  # jaxlib reports a missing peer as a generic XlaRuntimeError
        if "DEADLINE_EXCEEDED" in str(error) or "UNAVAILABLE" in str(error):
            where = options.get("coordinator_address", "the detected address")
            raise _timeout_error(
                f"not every process joined the JAX coordinator at {where}", timeout, error
            ) from error
        raise
    distribution = keras.distribution.DataParallel(devices=jax.devices(), auto_shard_dataset=False)
    keras.distribution.set_distribution(distribution)
    return Cluster(jax.process_index(), jax.process_count())


def _initialize_torch(timeout):
    import torch
    import torch.distributed

    address, port, rank, size = _environment(_TORCH_VARIABLES, "torchrun")
    rank, size = _rank_and_size("RANK", rank, "WORLD_SIZE", size)
    if rank == 0 and "TORCHELASTIC_RUN_ID" not in os.environ:  # torchrun serves the port
        _check_port_free(port, "MASTER_PORT")
    engine = "nccl" if torch.cuda.is_available() else "gloo"
    try:
        torch.distributed.init_process_group(
            engine, rank=rank, world_size=size, timeout=datetime.timedelta(seconds=timeout)
        )
    except (torch.distributed.DistStoreError, torch.distributed.DistNetworkError) as error:
        raise _timeout_error(
            f"not every process joined {address}:{port}", timeout, error
        ) from error
    return Cluster(rank, size)


def _initialize_tensorflow():
    (text,) = _environment(("TF_CONFIG",), "a TensorFlow cluster (TF_CONFIG)")
    try:
        config = json.loads(text)
        workers, task = config["cluster"]["worker"], config["task"]
        index = task["index"]
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(
            f"TF_CONFIG must be JSON with cluster.worker and task.index; received {text[:80]!r}."
        ) from error
    _rank_and_size("task.index", index, "len(cluster.worker)", len(workers))
    raise ValueError(
        "Argument --distributed: tf.distribute.MultiWorkerMirroredStrategy cannot run "
        f"Keras {keras.__version__}'s fit (it fails to reduce the first PerReplica batch); "
        "use the jax or torch backend."
    )


def _all_reduce_gradients(model):
    """Broadcasts process 0's weights, then averages every step's gradients over processes."""
    import torch
    import torch.distributed

    with torch.no_grad():
        for variable in model.variables:
            torch.distributed.broadcast(variable.value, src=0)
    apply = model.optimizer.apply

    def apply_averaged(gradients, variables):
        flat = torch.cat([gradient.reshape(-1) for gradient in gradients])
        torch.distributed.all_reduce(flat)
        flat /= torch.distributed.get_world_size()
        pieces = torch.split(flat, [gradient.numel() for gradient in gradients])
        return apply([p.reshape(g.shape) for p, g in zip(pieces, gradients)], variables)

    model.optimizer.apply = apply_averaged


class _AverageLogs(keras.callbacks.Callback):
    """Replaces each epoch's logs, in place, by their mean over the processes."""

    def on_epoch_end(self, epoch, logs=None):
        import torch
        import torch.distributed

        names = sorted(logs)
        values = torch.tensor([float(logs[name]) for name in names], dtype=torch.float64)
        torch.distributed.all_reduce(values)
        values /= torch.distributed.get_world_size()
        logs.update(zip(names, values.tolist()))


def transformer_layout_map(device_mesh, model_axis="model"):
    """Shards a keraslab Transformer's attention and feed-forward weights over `model_axis`.

    The Megatron split (Shoeybi et al. 2019): the query, key and value projections and
    the first feed-forward layer are split by output (heads, intermediate units), the
    attention output and second feed-forward layer by input, so that each device computes
    its own heads and units and one all-reduce per sublayer sums them. Every other weight
    is replicated. Pass it to `keras.distribution.ModelParallel` (JAX only in Keras 3).

    Args:
        device_mesh: a `keras.distribution.DeviceMesh` with an axis named `model_axis`
            (and, for data parallel too, a batch axis).
        model_axis: the mesh axis the weights are split over.

    Returns:
        A `keras.distribution.LayoutMap`.

    Example:

    ```python
    mesh = keras.distribution.DeviceMesh((2, 2), ["data", "model"])
    layout_map = transformer_layout_map(mesh)
    keras.distribution.set_distribution(
        keras.distribution.ModelParallel(layout_map=layout_map, batch_dim_name="data")
    )
    model = keraslab.models.DecoderOnlyTransformer(...)  # built sharded
    ```

    References:
        Shoeybi et al. 2019, Megatron-LM (https://arxiv.org/abs/1909.08053).
    """
    if model_axis not in device_mesh.axis_names:
        raise ValueError(
            f"Argument model_axis must name an axis of the device mesh "
            f"{list(device_mesh.axis_names)}; received {model_axis!r}."
        )
    layout_map = keras.distribution.LayoutMap(device_mesh)
    # (hidden, heads, head_dim) and (heads, head_dim): split by heads.
    layout_map[r".*attention/(query|key|value)/kernel"] = (None, model_axis, None)
    layout_map[r".*attention/(query|key|value)/bias"] = (model_axis, None)
    layout_map[r".*attention/attention_output/kernel"] = (model_axis, None, None)  # (heads, ...)
    layout_map[r".*intermediate_dense/kernel"] = (None, model_axis)  # (hidden, intermediate)
    layout_map[r".*intermediate_dense/bias"] = (model_axis,)
    layout_map[r".*output_dense/kernel"] = (model_axis, None)  # (intermediate, hidden)
    return layout_map
