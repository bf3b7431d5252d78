"""A fresh copy of an initializer for each sublayer."""


def clone_initializer(initializer):
    """A new instance of `initializer` with the same config.

    A Keras initializer built without a seed draws one when it is created and then gives
    the same values on every call, so sublayers sharing one instance (the query and key
    kernels of an attention layer) would start equal. The clone draws its own seed (an
    explicit seed is kept, as in Keras and keras-hub).
    """
    return initializer.__class__.from_config(initializer.get_config())
