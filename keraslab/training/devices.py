"""Device listing for each backend."""

import keras


def list_devices():
    """Returns the devices the active backend can use, as strings like `"cpu:0"`."""
    if keras.backend.backend() == "torch":
        import torch

        devices = ["cpu:0"]
        devices += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
        return devices
    return keras.distribution.list_devices()
