"""keraslab MultiHeadAttention vs keras.layers.MultiHeadAttention vs the backend's fused
attention kernel (`keras.ops.dot_product_attention`, the core operation alone, without
the projections), forward and forward+backward, eager, causal self-attention."""

import statistics
import time

import keras
import numpy as np

from benchmarks._timing import block, row
from keraslab.layers import MultiHeadAttention
from keraslab.training import value_and_grad

QUICK_SIZES = [(2, 32, 32, 4)]  # (B, T, E, H)
SIZES = [(8, 64, 128, 4), (4, 256, 256, 8)]


def _layers(width, heads):
    ours = MultiHeadAttention(num_heads=heads, key_dim=width // heads)
    theirs = keras.layers.MultiHeadAttention(num_heads=heads, key_dim=width // heads)
    return {"keraslab MultiHeadAttention": ours, "keras MultiHeadAttention": theirs}


def _cases(batch, length, width, heads):
    """(name, forward, variables) for each implementation, on the same input."""
    rng = np.random.default_rng(0)
    x = keras.ops.convert_to_tensor(rng.normal(size=(batch, length, width)).astype("float32"))
    cases = []
    for name, layer in _layers(width, heads).items():
        layer(x, x)
        forward = lambda layer=layer: layer(x, x, use_causal_mask=True)
        cases.append((name, forward, layer.trainable_variables))
    head_shape = (batch, length, heads, width // heads)  # (B, T, H, D)
    qkv = [keras.Variable(rng.normal(size=head_shape).astype("float32")) for _ in range(3)]
    kernel = lambda: keras.ops.dot_product_attention(*qkv, is_causal=True)
    cases.append(("native kernel (core only)", kernel, qkv))
    return cases


def _interleaved_medians(fns, warmup, repeats):
    """Median ms of each fn, timing them in turn each round so that load drifts on a
    shared machine hit every implementation alike."""
    for fn in fns.values():
        for _ in range(warmup):
            block(fn())
    times = {key: [] for key in fns}
    for _ in range(repeats):
        for key, fn in fns.items():
            start = time.perf_counter()
            block(fn())
            times[key].append((time.perf_counter() - start) * 1000.0)
    return {key: statistics.median(t) for key, t in times.items()}


def run(quick):
    rows = []
    for batch, length, width, heads in QUICK_SIZES if quick else SIZES:
        size = f"B={batch} T={length} E={width} H={heads}"
        fns = {}
        for name, forward, variables in _cases(batch, length, width, heads):
            fns["attention forward", name] = forward
            fns["attention fwd+bwd", name] = lambda f=forward, v=variables: value_and_grad(
                lambda: keras.ops.sum(f()), v
            )
        medians = _interleaved_medians(fns, warmup=2, repeats=3 if quick else 7)
        for (group, name), ms in medians.items():
            rows.append(row(group, f"{name}, {size}", ms, "ms"))
    return rows
