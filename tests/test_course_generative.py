"""The generative part's diagrams draw the parts their pages name."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from keraslab.course.diagrams import generative  # noqa: E402


@pytest.mark.parametrize(
    "draw, expected",
    [
        (
            generative.autoencoder,
            {"image x", "x̃ = x + σε", "encoder f", "code z (k)", "decoder g", "x̂"},
        ),
        (generative.vae, {"encoder", "decoder", "mean μ", "log σ²", "ε ~ N(0, I)"}),
        (generative.gan, {"generator G", "discriminator D", "real x", "fake G(z)"}),
        (generative.diffusion, {"x₀ (image)", "x_T (noise)"}),
    ],
)
def test_diagram_draws_its_labelled_parts(draw, expected):
    figure = draw()
    texts = {text.get_text() for text in figure.axes[0].texts}
    assert expected <= texts
    plt.close(figure)


def test_diffusion_chain_has_one_box_per_step():
    figure = generative.diffusion(steps=5)
    texts = [text.get_text() for text in figure.axes[0].texts]
    assert [t for t in texts if t.startswith("x")] == [
        "x₀ (image)",
        "x_1",
        "x_2",
        "x_3",
        "x_T (noise)",
    ]
    plt.close(figure)


def test_autoencoder_code_box_names_the_code_size():
    figure = generative.autoencoder(latent_dim=32)
    assert "code z (32)" in {text.get_text() for text in figure.axes[0].texts}
    plt.close(figure)
