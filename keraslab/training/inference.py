"""Inference helpers for code that calls a network many times (samplers, decoding)."""

import warnings

import keras


def predict_function(model):
    """Returns `f(inputs) -> NumPy outputs` for `model` in inference mode, fast on each backend.

    Under JAX and TensorFlow it is `model.predict_on_batch`, compiled once per input
    shape (a `jax.jit` or a `tf.function`). Under PyTorch, where that path adds more
    overhead than it saves on small inputs, it is an eager call under `torch.no_grad()`.

    Args:
        model: a built `keras.Model`.

    Returns:
        A callable taking the model's inputs (NumPy arrays or tensors).
    """
    if keras.backend.backend() != "torch":
        return model.predict_on_batch
    import torch

    def predict(inputs):
        with torch.no_grad():
            outputs = model(inputs, training=False)
        return keras.tree.map_structure(keras.ops.convert_to_numpy, outputs)

    return predict


def inference_function(fn, layer):
    """Returns `fn` compiled for inference: `jax.jit`, XLA `tf.function` or a torch trace.

    `fn` takes tensors (or nested lists of them) and reads `layer`'s weights through its
    sublayers; the compiled function always sees their current values. Arguments of a
    new shape compile again, so callers keep shapes fixed (a scalar tensor, not a Python
    int, for a position that changes every step).

    * JAX compiles a pure function, so the weights are passed in explicitly, under a
      `keras.StatelessScope`.
    * TensorFlow reads the variables from the graph, compiled with XLA.
    * PyTorch records `fn` once per input shape with `torch.jit.trace` and replays it
      without Python: an eager Keras layer call costs about 0.1 ms of Python on the CPU,
      which outweighs the arithmetic of one decoding step of a small model. The trace
      reads the weights as parameters of `layer`, so in-place updates (training,
      `set_weights`) reach it. Tracing records the operations of one run: `fn` must not
      branch on the values of its tensors (branching on shapes is fine, as every shape
      gets its own trace). `torch.export` is TorchScript's successor, but its graphs run
      through Python again and were 6x slower per decoding step here.

    Args:
        fn: callable taking and returning tensors.
        layer: the `keras.Layer` (usually a model) whose variables `fn` reads.

    Returns:
        A callable with the same arguments as `fn`.

    Example:

    >>> dense = keras.layers.Dense(2)
    >>> _ = dense(keras.ops.ones((1, 3)))
    >>> double = inference_function(lambda x: 2 * dense(x), dense)
    >>> tuple(double(keras.ops.ones((4, 3))).shape)
    (4, 2)
    """
    name = keras.backend.backend()
    if name == "jax":
        import jax

        variables = []

        def pure(values, *args):
            with keras.StatelessScope(state_mapping=list(zip(variables, values))):
                return fn(*args)

        jitted = jax.jit(pure)

        def call(*args):
            if not variables:  # `layer.variables` walks every sublayer: read it once
                variables.extend(layer.variables)
            return jitted([v.value for v in variables], *args)

        return call
    if name == "tensorflow":
        import tensorflow as tf

        return tf.function(fn, jit_compile=True)
    if name == "torch":
        return _traced(fn, layer)
    raise NotImplementedError(f"inference_function does not support the {name!r} backend.")


def _traced(fn, layer):
    import torch

    class Traced(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = layer  # its parameters become the trace's

        def forward(self, *args):
            return fn(*args)

    module, traces = Traced(), {}

    def call(*args):
        args = keras.tree.map_structure(keras.ops.convert_to_tensor, args)
        signature = tuple((tuple(x.shape), x.dtype) for x in keras.tree.flatten(args))
        with torch.no_grad():
            if signature not in traces:
                with warnings.catch_warnings():
                    # Shape checks compare traced sizes; each shape has its own trace.
                    warnings.simplefilter("ignore", torch.jit.TracerWarning)
                    warnings.filterwarnings("ignore", "`torch.jit.trace` is deprecated")
                    traces[signature] = torch.jit.trace(
                        module, args, check_trace=False, strict=False
                    )
            return traces[signature](*args)

    return call


def update_cache(cache, updates, index, axis, donate=False):
    """Writes `updates` into `cache` from position `index` along `axis`.

    It is `keras.ops.slice_update` for key/value caches. A caller that drops the old cache
    once it has the new one can `donate` it: under PyTorch the write then goes into
    `cache` itself (`Tensor.index_copy_`), as XLA reuses a donated buffer under JAX. A
    functional update copies the whole cache every decoding step, which cost 15-25% of a
    small model's decoding step under PyTorch here. JAX and TensorFlow tensors are
    immutable, so there `donate` changes nothing.

    Args:
        cache: tensor to write into.
        updates: tensor with `cache`'s shape except along `axis`, where it has length `T`.
        index: int or scalar int tensor, the first position written.
        axis: int, the axis that `index` counts along.
        donate: bool, the caller gives up `cache`, which may be overwritten. Defaults to
            False.

    Returns:
        The updated cache.
    """
    if donate and keras.backend.backend() == "torch":
        import torch

        updates = keras.ops.convert_to_tensor(updates, cache.dtype)
        positions = torch.arange(updates.shape[axis], device=cache.device) + index
        return cache.index_copy_(axis, positions, updates)
    start = [0] * len(cache.shape)
    start[axis] = index
    return keras.ops.slice_update(cache, start, updates)
