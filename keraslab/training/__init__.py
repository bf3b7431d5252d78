"""The one place in keraslab that branches on the Keras backend.

Everything else is written once against `keras.ops`; what truly differs per backend
(autodiff, multi-optimizer steps, compiled training and inference, device listing) is
wrapped here behind small backend-agnostic functions and one base class.
"""

from keraslab.training.attention import prefer_fused_attention
from keraslab.training.devices import list_devices
from keraslab.training.ema import release_averaged_weights
from keraslab.training.gradients import value_and_grad
from keraslab.training.inference import inference_function, predict_function, update_cache
from keraslab.training.jit import xla_jit_compile
from keraslab.training.lora import enable_lora
from keraslab.training.multi_optimizer import MultiOptimizerModel

__all__ = [
    "MultiOptimizerModel",
    "enable_lora",
    "inference_function",
    "list_devices",
    "predict_function",
    "prefer_fused_attention",
    "release_averaged_weights",
    "update_cache",
    "value_and_grad",
    "xla_jit_compile",
]
