"""keraslab models: one file per architecture, each a `keras.Model` subclass."""

from keraslab.models.cnn import CNN
from keraslab.models.mlp import MLP
from keraslab.models.rnn import RNN

__all__ = ["CNN", "MLP", "RNN"]
