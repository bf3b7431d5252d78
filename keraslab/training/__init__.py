"""The one place in keraslab that branches on the Keras backend.

Everything else is written once against `keras.ops`; what truly differs per backend
(autodiff, device listing) is wrapped here behind one small backend-agnostic function.
"""

from keraslab.training.devices import list_devices
from keraslab.training.ema import release_averaged_weights
from keraslab.training.gradients import value_and_grad
from keraslab.training.inference import predict_function
from keraslab.training.multi_optimizer import MultiOptimizerModel

__all__ = [
    "MultiOptimizerModel",
    "list_devices",
    "predict_function",
    "release_averaged_weights",
    "value_and_grad",
]
