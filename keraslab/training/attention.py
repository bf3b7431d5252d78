"""Which attention path is fastest on the active backend and device."""

import functools

import keras


@functools.cache
def prefer_fused_attention():
    """Whether `keras.ops.dot_product_attention` beats plain einsum + softmax here.

    PyTorch runs eagerly, so its one fused kernel (forward and backward) beats the five
    ops of the plain path. JAX and TensorFlow compile the train step with XLA, which fuses
    the plain path on CPU; their fused call lowers there to the same ops plus its own
    masking, and was slower in `benchmarks/keras_hub.py`. On an accelerator the fused
    kernels (cuDNN, Splash) win on every backend.
    """
    backend = keras.backend.backend()
    if backend == "torch":
        return True
    if backend == "jax":
        import jax

        return jax.devices()[0].platform != "cpu"
    import tensorflow as tf

    return bool(tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("TPU"))
