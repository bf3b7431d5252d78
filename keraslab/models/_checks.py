"""Argument checks shared by the models: each error names the argument."""


def check_positive(name, value):
    """Returns `value` if it is a positive int, else raises a ValueError naming `name`."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"Argument {name} must be a positive int; received {value!r}.")
    return value


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
