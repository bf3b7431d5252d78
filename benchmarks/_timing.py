"""Timing helpers shared by the benchmark modules."""

import statistics
import time

import keras


def block(outputs):
    """Waits for asynchronous backends (JAX dispatch, torch) by converting to NumPy."""
    for output in keras.tree.flatten(outputs):
        keras.ops.convert_to_numpy(output)
    return outputs


def median_ms(fn, warmup=2, repeats=7):
    """Median wall time of `fn()` in milliseconds, after `warmup` untimed calls."""
    for _ in range(warmup):
        block(fn())
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        block(fn())
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times)


def row(group, name, value, unit, **extra):
    """One benchmark result: `group` is the table it belongs to, `name` its row."""
    return {"group": group, "name": name, "value": float(value), "unit": unit, **extra}
