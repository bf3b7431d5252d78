"""The one place in keraslab that branches on the Keras backend.

Everything else is written once against `keras.ops`; what truly differs per backend
(autodiff, device listing) is wrapped here behind one small backend-agnostic function.
"""

from keraslab.training.devices import list_devices
from keraslab.training.gradients import value_and_grad
from keraslab.training.inference import inference_function

__all__ = ["inference_function", "list_devices", "value_and_grad"]
