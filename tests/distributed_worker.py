"""A tiny data-parallel training run, for tests/test_distributed.py.

`python tests/distributed_worker.py OUT.json [--distributed] [--epochs N] [--stall]`
trains an MLP on fixed random data with a global batch of 16 and writes its per-epoch
losses to OUT.json (process 0 only). `--stall` prints `training` and then trains for
a long time, for the test that kills one worker. `--tf-strategy` fits under TensorFlow's
`MultiWorkerMirroredStrategy` from `TF_CONFIG`, without keraslab.
"""

import argparse
import json
import sys

import keras
import numpy as np

from keraslab.models import MLP
from keraslab.training import distributed

BATCH_SIZE = 16


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--distributed", action="store_true")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--stall", action="store_true")
    parser.add_argument("--timeout", type=int, default=30)
    parser.add_argument("--tf-strategy", action="store_true")
    args = parser.parse_args(argv)
    if args.tf_strategy:
        return _fit_under_multi_worker_mirrored_strategy(args.epochs)
    cluster = distributed.initialize(args.timeout) if args.distributed else None
    x, y = _data()
    model = _model(x)
    callbacks, batch_size = [], BATCH_SIZE
    if cluster:
        callbacks = cluster.prepare(model)
        x, y = cluster.shard((x, y), BATCH_SIZE)
        batch_size = cluster.local_batch_size(BATCH_SIZE)
    if args.stall:
        print("training", flush=True)
        x, y = np.tile(x, (2000, 1)), np.tile(y, 2000)
    history = model.fit(
        x,
        y,
        batch_size=batch_size,
        epochs=args.epochs,
        shuffle=False,
        verbose=0,
        callbacks=callbacks,
    )
    if cluster is None or cluster.is_chief:
        with open(args.out, "w") as file:
            json.dump({"loss": history.history["loss"]}, file)
    if cluster:
        cluster.shutdown()


def _data():
    data = np.random.default_rng(0)
    return data.normal(size=(64, 8)).astype("float32"), data.integers(0, 3, size=64)


def _model(x):
    keras.utils.set_random_seed(0)
    model = MLP(hidden_units=(16,), output_units=3, output_activation="softmax")
    model(x[:1])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    return model


def _fit_under_multi_worker_mirrored_strategy(epochs):
    """TensorFlow's own multi-worker path, from TF_CONFIG, without keraslab."""
    import tensorflow as tf

    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    x, y = _data()
    with strategy.scope():
        model = _model(x)
    model.fit(x, y, batch_size=BATCH_SIZE, epochs=epochs, shuffle=False, verbose=0)


if __name__ == "__main__":
    main(sys.argv[1:])
