"""Multi-process data parallel on the backend's own runtime (keraslab.training.distributed).

Two processes on 127.0.0.1, each on its own free port, run tests/distributed_worker.py
with the variables each backend's launcher sets (what `torchrun` sets under torch), and
must report the losses of one process trained on the same global batch. The argument
errors are checked in-process: they are raised before the runtime is joined.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import keras
import pytest

from keraslab.training import distributed
from tests import distributed_worker

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKER = os.path.join(ROOT, "tests", "distributed_worker.py")
BACKEND = keras.backend.backend()
TIMEOUT = 240  # seconds for a whole 2-process run on the shared 2-core CPU
# Data parallel changes only the order of the floating-point sums: a few ulps.
LOSS_TOLERANCE = 1e-5


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _cluster_environment(rank, world_size, ports):
    """The variables the backend's launcher would set for process `rank`."""
    if BACKEND == "jax":
        return {
            "JAX_COORDINATOR_ADDRESS": f"127.0.0.1:{ports[0]}",
            "JAX_NUM_PROCESSES": str(world_size),
            "JAX_PROCESS_ID": str(rank),
        }
    if BACKEND == "torch":
        return {
            "MASTER_ADDR": "127.0.0.1",
            "MASTER_PORT": str(ports[0]),
            "RANK": str(rank),
            "WORLD_SIZE": str(world_size),
        }
    workers = [f"127.0.0.1:{port}" for port in ports[:world_size]]
    config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": rank}}
    return {"TF_CONFIG": json.dumps(config)}


def _start(args, variables=None):
    env = {
        **os.environ,
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONPATH": os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")])),
        **(variables or {}),
    }
    return subprocess.Popen(
        [sys.executable, WORKER, *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def launch():
    """Starts worker processes; kills whichever is still running when the test ends."""
    processes = []

    def start(args, world_size=None, ports=None, ranks=None):
        if world_size is None:
            processes.append(_start(args))
            return processes[-1:]
        started = [
            _start(args, _cluster_environment(rank, world_size, ports))
            for rank in (range(world_size) if ranks is None else ranks)
        ]
        processes.extend(started)
        return started

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.communicate()


def _finish(process, timeout=TIMEOUT):
    _, stderr = process.communicate(timeout=timeout)
    return process.returncode, stderr


only_jax_and_torch = pytest.mark.skipif(
    BACKEND == "tensorflow", reason="keraslab refuses TensorFlow's multi-worker path"
)


def _losses(path):
    with open(path) as file:
        return json.load(file)["loss"]


@only_jax_and_torch
def test_two_processes_match_one_on_the_same_global_batch(launch, tmp_path):
    single_path, parallel_path = tmp_path / "single.json", tmp_path / "parallel.json"
    ports = [_free_port(), _free_port()]
    workers = launch([str(parallel_path), "--distributed"], world_size=2, ports=ports)
    distributed_worker.main([str(single_path)])  # the one process: this one
    for process in workers:
        returncode, stderr = _finish(process)
        assert returncode == 0, stderr[-3000:]
    single_losses, parallel_losses = _losses(single_path), _losses(parallel_path)
    assert len(parallel_losses) == len(single_losses) == 3
    assert single_losses[-1] < single_losses[0]  # it trained
    assert parallel_losses == pytest.approx(single_losses, abs=LOSS_TOLERANCE)


@only_jax_and_torch
def test_a_dead_worker_makes_the_other_exit_with_an_error(launch, tmp_path):
    ports = [_free_port(), _free_port()]
    survivor, victim = launch(
        [str(tmp_path / "out.json"), "--distributed", "--stall", "--timeout", "20"],
        world_size=2,
        ports=ports,
    )
    for process in (survivor, victim):  # both are past the runtime's start-up
        for line in process.stdout:
            if line.strip() == "training":
                break
        else:
            pytest.fail(_finish(process)[1][-3000:])
    time.sleep(1)
    victim.send_signal(signal.SIGKILL)
    returncode, stderr = _finish(survivor, timeout=120)
    assert returncode != 0
    assert not (tmp_path / "out.json").exists()


@only_jax_and_torch
def test_unreachable_coordinator_times_out_with_one_line(launch, tmp_path):
    ports = [_free_port(), _free_port()]
    process = launch(
        [str(tmp_path / "out.json"), "--distributed", "--timeout", "5"],
        world_size=2,
        ports=ports,
        ranks=[1],  # process 1 alone: nobody serves process 0's port
    )[0]
    returncode, stderr = _finish(process)
    assert returncode != 0
    assert "TimeoutError: " in stderr
    assert "within 5 s" in stderr


@pytest.mark.parametrize("rank, world_size", [(2, 2), (0, 0), (-1, 2)])
def test_a_rank_outside_the_world_size_is_rejected(monkeypatch, rank, world_size):
    for name, value in _cluster_environment(rank, world_size, [1, 2]).items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=r"must be in \[0, .*received"):
        distributed.initialize()


def test_missing_launcher_variables_are_named(monkeypatch):
    for name in (*distributed._JAX_VARIABLES, *distributed._TORCH_VARIABLES, "TF_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    for name in distributed._AUTO_DETECTED:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValueError, match="is not set|are not set"):
        distributed.initialize()


@only_jax_and_torch
def test_a_port_in_use_is_named(monkeypatch):
    with socket.socket() as taken:
        taken.bind(("", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for name, value in _cluster_environment(0, 2, [port, _free_port()]).items():
            monkeypatch.setenv(name, value)
        with pytest.raises(OSError, match=f"port {port} is already in use"):
            distributed.initialize()


def test_the_shard_of_each_process_tiles_every_global_batch():
    x = keras.ops.convert_to_numpy(keras.ops.arange(20))
    shards = [distributed.Cluster(rank, 2).shard(x, batch_size=8) for rank in range(2)]
    assert shards[0].tolist() == [0, 1, 2, 3, 8, 9, 10, 11]
    assert shards[1].tolist() == [4, 5, 6, 7, 12, 13, 14, 15]
    assert distributed.Cluster(0, 2).local_batch_size(8) == 4
    with pytest.raises(ValueError, match="multiple of the world size 2; received 7"):
        distributed.Cluster(0, 2).local_batch_size(7)


@pytest.mark.skipif(BACKEND != "tensorflow", reason="TensorFlow's own multi-worker path")
def test_multi_worker_mirrored_strategy_still_fails_on_keras_fit(launch, tmp_path):
    """The reason keraslab refuses TensorFlow: if this starts passing, enable it."""
    ports = [_free_port(), _free_port()]
    workers = launch([str(tmp_path / "out.json"), "--tf-strategy"], world_size=2, ports=ports)
    for process in workers:
        returncode, stderr = _finish(process)
        assert returncode != 0
        assert (
            "unsupported type (<class 'tensorflow.python.distribute.values.PerReplica'>)" in stderr
        )


@pytest.mark.skipif(BACKEND != "tensorflow", reason="the TensorFlow refusal")
def test_tensorflow_is_refused_in_one_line(monkeypatch):
    for name, value in _cluster_environment(0, 2, [_free_port(), _free_port()]).items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match="MultiWorkerMirroredStrategy cannot run Keras"):
        distributed.initialize()


def test_train_distributed_without_a_launcher_fails_in_one_line(monkeypatch, capsys):
    from keraslab import cli

    for name in (*distributed._JAX_VARIABLES, *distributed._TORCH_VARIABLES, "TF_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    for name in distributed._AUTO_DETECTED:
        monkeypatch.delenv(name, raising=False)
    assert cli.main(["train", "MLP", "--distributed", "--limit", "32"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert "keraslab: error: Argument --distributed needs the variables" in error


MODEL_PARALLEL = """
import json, os
os.environ["KERAS_BACKEND"] = "jax"
os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=4"
import keras, numpy as np
from keraslab.models import DecoderOnlyTransformer
from keraslab.training.distributed import transformer_layout_map

def build():
    model = DecoderOnlyTransformer(
        50, 16, num_layers=1, num_heads=2, hidden_dim=8, intermediate_dim=16
    )
    model.build((None, 16))
    return model

x = np.random.default_rng(0).integers(0, 50, size=(4, 16))
single = build()
expected = keras.ops.convert_to_numpy(single(x))
devices = keras.distribution.list_devices()
mesh = keras.distribution.DeviceMesh((2, 2), ["data", "model"], devices)
keras.distribution.set_distribution(keras.distribution.ModelParallel(
    layout_map=transformer_layout_map(mesh), batch_dim_name="data"
))
sharded = build()
sharded.set_weights(single.get_weights())
output = keras.ops.convert_to_numpy(sharded(x))
kernel = sharded.get_layer("block_0").self_attention.query_dense.kernel
print(json.dumps({
    "gap": float(np.abs(output - expected).max()),
    "query_spec": list(kernel.value.sharding.spec),
    "query_shard_shape": list(kernel.value.addressable_shards[0].data.shape),
    "norm_spec": [str(a) for a in sharded.weights[-1].value.sharding.spec],
}))
"""


@pytest.mark.skipif(BACKEND != "jax", reason="Keras 3's ModelParallel is JAX-only")
def test_model_parallel_shards_attention_heads_and_matches_one_device():
    from tests.conftest import run_python

    process = run_python(MODEL_PARALLEL)
    assert process.returncode == 0, process.stderr[-3000:]
    result = json.loads(process.stdout.strip().splitlines()[-1])
    assert result["query_spec"] == [None, "model", None]  # (hidden, heads, head_dim)
    assert result["query_shard_shape"] == [8, 1, 4]  # one of the 2 heads per device
    assert result["norm_spec"] == ["None"]  # replicated
    assert result["gap"] < 1e-5


def test_layout_map_needs_the_model_axis():
    mesh = keras.distribution.DeviceMesh((1,), ["batch"], ["cpu:0"])
    with pytest.raises(ValueError, match="model_axis must name an axis.*received 'model'"):
        distributed.transformer_layout_map(mesh)
