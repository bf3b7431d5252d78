"""keraslab models: one file per architecture, each a `keras.Model` subclass."""

from keraslab.models.autoencoder import Autoencoder
from keraslab.models.diffusion import Diffusion
from keraslab.models.gan import GAN
from keraslab.models.vae import VAE, Reparameterization

__all__ = ["Diffusion", "GAN", "VAE", "Autoencoder", "Reparameterization"]
