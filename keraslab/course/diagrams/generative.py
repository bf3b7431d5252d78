"""Diagrams of the generative part of the course: the autoencoder's bottleneck, the VAE
with its reparameterisation, the GAN's two players, and diffusion's forward and reverse
chains."""

from keraslab.course.diagrams._draw import arrow, box, canvas, circle, label


def autoencoder(latent_dim="k"):
    """Image to a `latent_dim`-number code and back; the denoising variant's noise."""
    fig, ax = canvas(10.5, 3.4)
    box(ax, (0.9, 1.6), "image x", size=(1.4, 0.6), kind="input")
    box(ax, (2.9, 1.6), "x̃ = x + σε", size=(1.6, 0.6), kind="noise")
    box(ax, (4.9, 1.6), "encoder f", size=(1.6, 0.9))
    box(ax, (6.6, 1.6), f"code z ({latent_dim})", size=(1.3, 0.45), kind="norm")
    box(ax, (8.2, 1.6), "decoder g", size=(1.6, 0.9))
    box(ax, (9.8, 1.6), "x̂", size=(0.8, 0.6), kind="output")
    arrow(ax, (1.6, 1.6), (2.1, 1.6))
    arrow(ax, (3.7, 1.6), (4.1, 1.6))
    arrow(ax, (5.7, 1.6), (5.95, 1.6))
    arrow(ax, (7.25, 1.6), (7.4, 1.6))
    arrow(ax, (9.0, 1.6), (9.4, 1.6))
    arrow(ax, (9.8, 1.25), (0.9, 1.25), curve=-0.15, color="#a33")
    label(ax, (5.3, 0.1), "loss: ‖x − x̂‖² against the clean image", fontsize=9, color="#a33")
    label(ax, (2.9, 2.3), "denoising only, training only", fontsize=8)
    return fig


def vae():
    """Encoder to `mu` and `log sigma^2`, the draw `z = mu + sigma * eps`, the decoder."""
    fig, ax = canvas(11, 3.6)
    box(ax, (0.9, 1.8), "image x", size=(1.4, 0.6), kind="input")
    box(ax, (2.9, 1.8), "encoder", size=(1.6, 0.8))
    box(ax, (5.0, 2.5), "mean μ", size=(1.3, 0.5), kind="norm")
    box(ax, (5.0, 1.1), "log σ²", size=(1.3, 0.5), kind="norm")
    circle(ax, (6.9, 1.8), "z", radius=0.35, kind="output")
    box(ax, (6.9, 0.4), "ε ~ N(0, I)", size=(1.6, 0.5), kind="noise")
    box(ax, (8.6, 1.8), "decoder", size=(1.5, 0.8))
    box(ax, (10.2, 1.8), "x̂", size=(0.9, 0.6), kind="output")
    arrow(ax, (1.6, 1.8), (2.1, 1.8))
    arrow(ax, (3.7, 2.0), (4.35, 2.5))
    arrow(ax, (3.7, 1.6), (4.35, 1.1))
    arrow(ax, (5.65, 2.5), (6.6, 1.95))
    arrow(ax, (5.65, 1.1), (6.6, 1.65))
    arrow(ax, (6.9, 0.65), (6.9, 1.45))
    arrow(ax, (7.25, 1.8), (7.85, 1.8))
    arrow(ax, (9.35, 1.8), (9.75, 1.8))
    label(ax, (7.9, 2.9), "reparameterisation: z = μ + σ·ε", fontsize=9)
    label(ax, (4.2, 3.3), "KL(N(μ, σ²) ‖ N(0, I))", fontsize=8, color="#a33")
    return fig


def gan():
    """Generator from noise to fake images; discriminator scoring real and fake."""
    fig, ax = canvas(10, 3.6)
    box(ax, (0.9, 1.0), "z ~ N(0, I)", size=(1.5, 0.6), kind="noise")
    box(ax, (3.0, 1.0), "generator G", size=(1.8, 0.8))
    box(ax, (5.2, 1.0), "fake G(z)", size=(1.4, 0.6), kind="output")
    box(ax, (5.2, 2.6), "real x", size=(1.4, 0.6), kind="input")
    box(ax, (7.4, 1.8), "discriminator D", size=(2.0, 0.8))
    box(ax, (9.3, 1.8), "logit", size=(1.0, 0.6), kind="output")
    arrow(ax, (1.65, 1.0), (2.1, 1.0))
    arrow(ax, (3.9, 1.0), (4.5, 1.0))
    arrow(ax, (5.9, 1.0), (6.4, 1.6))
    arrow(ax, (5.9, 2.6), (6.4, 2.0))
    arrow(ax, (8.4, 1.8), (8.8, 1.8))
    label(ax, (7.4, 3.1), "D: real → 1, fake → 0", fontsize=8)
    label(ax, (3.0, 0.2), "G: make D say 1 on fakes", fontsize=8)
    return fig


def diffusion(steps=4):
    """The forward chain `q` adding noise, `x_0` to `x_T`, and the learnt reverse `p`."""
    fig, ax = canvas(2.2 * steps + 2.0, 3.0)
    names = ["x₀ (image)", *[f"x_{t}" for t in range(1, steps - 1)], "…", "x_T (noise)"]
    for i, name in enumerate(names):
        kind = "input" if i == 0 else "noise" if i == len(names) - 1 else "layer"
        box(ax, (1.0 + 2.2 * i, 1.5), name, size=(1.4, 0.6), kind=kind)
    for i in range(len(names) - 1):
        x = 1.0 + 2.2 * i
        arrow(ax, (x + 0.5, 1.85), (x + 1.7, 1.85), curve=-0.4, color="#555555")
        arrow(ax, (x + 1.7, 1.15), (x + 0.5, 1.15), curve=-0.4, color="#a33")
    label(ax, (1.1 * steps + 1.0, 2.75), "forward q(x_t | x_{t-1}): add noise", fontsize=9)
    label(
        ax,
        (1.1 * steps + 1.0, 0.25),
        "reverse p_θ(x_{t-1} | x_t): the U-Net predicts the noise",
        fontsize=9,
        color="#a33",
    )
    return fig
