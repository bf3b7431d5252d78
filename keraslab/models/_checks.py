"""Model-specific argument checks (images, inputs) and config helpers; the generic checks
are in `keraslab._validation`."""

import keras


def check_inputs(inputs, rank, layout):
    """Raises unless `inputs` has `rank` dimensions (`layout` names them) and a float dtype."""
    shape = tuple(inputs.shape)
    if len(shape) != rank:
        raise ValueError(
            f"Argument inputs must have rank {rank}, {layout}; received shape {shape}."
        )
    dtype = keras.backend.standardize_dtype(inputs.dtype)
    if "float" not in dtype:
        raise TypeError(
            f"Argument inputs must be a float tensor; received dtype {dtype}. "
            "Convert it first, for example images / 255.0 for uint8 pixels."
        )


def serialize_activation(activation):
    """A config value for an activation given as a name, a callable or `None`."""
    if activation is None or isinstance(activation, str):
        return activation
    return keras.activations.serialize(activation)


def serialize_initializer(initializer):
    """A config value for an initializer given as a name or an `Initializer`."""
    if isinstance(initializer, str):
        return initializer
    return keras.initializers.serialize(initializer)


def check_image_shape(image_shape, downsamplings=0):
    """Validates `(height, width, channels)`, height and width divisible by 2**downsamplings."""
    if not isinstance(image_shape, (tuple, list)) or len(image_shape) != 3:
        raise ValueError(
            f"Argument image_shape must be (height, width, channels); received {image_shape!r}."
        )
    height, width, channels = (int(d) for d in image_shape)
    factor = 2**downsamplings
    if min(height, width, channels) < 1 or height % factor or width % factor:
        raise ValueError(
            f"Argument image_shape must have height and width divisible by {factor} "
            f"({downsamplings} stride-2 stages); received {tuple(image_shape)}."
        )
    return (height, width, channels)


def check_images(images, image_shape, name="images"):
    """Raises a ValueError unless `images` is a batch of `image_shape` images."""
    if tuple(images.shape[1:]) != tuple(image_shape) or len(images.shape) != 4:
        raise ValueError(
            f"Argument {name} must have shape (batch, {', '.join(map(str, image_shape))}); "
            f"received {tuple(images.shape)}."
        )
