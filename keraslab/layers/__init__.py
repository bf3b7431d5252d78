"""keraslab layers: attention, positional encodings and Transformer blocks."""

__all__ = []
