"""keraslab models: one file per architecture, each a `keras.Model` subclass."""

from keraslab.models import samplers
from keraslab.models.baselines import bag_of_words_accuracy, bigram_cross_entropy
from keraslab.models.cnn import CNN
from keraslab.models.decoder_only_transformer import DecoderOnlyTransformer
from keraslab.models.encoder_decoder_transformer import EncoderDecoderTransformer
from keraslab.models.encoder_only_transformer import EncoderOnlyTransformer, mask_tokens
from keraslab.models.mlp import MLP
from keraslab.models.rnn import RNN

__all__ = [
    "CNN",
    "MLP",
    "RNN",
    "DecoderOnlyTransformer",
    "EncoderDecoderTransformer",
    "EncoderOnlyTransformer",
    "bag_of_words_accuracy",
    "bigram_cross_entropy",
    "mask_tokens",
    "samplers",
]
