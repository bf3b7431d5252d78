"""Autoregressive generation: token samplers and beam search, used by the Transformer
models' `generate` and by the sampling page."""

from keraslab.generation import samplers
from keraslab.generation.beam_search import beam_search

__all__ = ["samplers", "beam_search"]
