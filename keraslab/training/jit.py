"""Whether `Model.compile` should compile the train step with XLA on this backend."""

import keras


def xla_jit_compile():
    """The `jit_compile` value for `Model.compile` that compiles with XLA wherever the
    backend's compiler is XLA: `True` on TensorFlow and JAX, `False` on torch.

    Keras's default, `jit_compile="auto"`, leaves XLA off for TensorFlow on a machine
    without a GPU, and JAX always compiles. It does not always win, so measure a model's
    whole `fit` before choosing. On the course's 2-core CPU, under TensorFlow:

    - the decoder-only page's model (4 blocks of width 128, 96 tokens, batch 32, no
      dropout): 310 ms per train step with XLA against 486 ms without, and on the page
      71 s per epoch against 86 s;
    - the encoder-only page's agent classifier (2 blocks of width 64, 4 epochs of
      8,000 sentences): 41 s with XLA against 33 s without, so compiling cost more than
      it saved;
    - an LSTM of 32 units over 50 steps: 5.4 s per epoch with XLA, 2.3 s without.

    On torch, `jit_compile=True` would mean `torch.compile`, another compiler with its
    own costs, so torch keeps its eager default.

    Returns:
        bool, to pass as `model.compile(..., jit_compile=xla_jit_compile())`.

    Example:

    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse", jit_compile=xla_jit_compile())
    >>> model.jit_compile == (keras.backend.backend() != "torch")
    True
    """
    return keras.backend.backend() in ("tensorflow", "jax")
