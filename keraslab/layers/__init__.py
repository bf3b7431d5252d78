"""keraslab layers: attention, positional encodings and Transformer blocks."""

from keraslab.layers.learned_positional_embedding import LearnedPositionalEmbedding
from keraslab.layers.multi_head_attention import MultiHeadAttention
from keraslab.layers.rotary_embedding import RotaryEmbedding
from keraslab.layers.scaled_dot_product_attention import scaled_dot_product_attention
from keraslab.layers.sinusoidal_positional_encoding import SinusoidalPositionalEncoding
from keraslab.layers.token_and_position_embedding import TokenAndPositionEmbedding
from keraslab.layers.transformer_decoder_block import TransformerDecoderBlock
from keraslab.layers.transformer_encoder_block import TransformerEncoderBlock

__all__ = [
    "LearnedPositionalEmbedding",
    "MultiHeadAttention",
    "RotaryEmbedding",
    "SinusoidalPositionalEncoding",
    "TokenAndPositionEmbedding",
    "TransformerDecoderBlock",
    "TransformerEncoderBlock",
    "scaled_dot_product_attention",
]
