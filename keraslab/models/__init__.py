"""keraslab models: one file per architecture, each a `keras.Model` subclass."""

from keraslab.models.autoencoder import Autoencoder
from keraslab.models.cnn import CNN
from keraslab.models.decoder_only_transformer import DecoderOnlyTransformer
from keraslab.models.diffusion import Diffusion
from keraslab.models.encoder_decoder_transformer import EncoderDecoderTransformer
from keraslab.models.encoder_only_transformer import EncoderOnlyTransformer
from keraslab.models.gan import GAN
from keraslab.models.mlp import MLP
from keraslab.models.rnn import RNN
from keraslab.models.vae import VAE, Reparameterization

__all__ = [
    "MLP",
    "CNN",
    "RNN",
    "EncoderOnlyTransformer",
    "DecoderOnlyTransformer",
    "EncoderDecoderTransformer",
    "Autoencoder",
    "VAE",
    "Reparameterization",
    "GAN",
    "Diffusion",
]
