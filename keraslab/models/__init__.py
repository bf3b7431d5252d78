"""keraslab models: one file per architecture, each a `keras.Model` subclass."""

__all__ = []
