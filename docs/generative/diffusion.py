# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Diffusion models
#
# A diffusion model learns to **undo noise** (Sohl-Dickstein et al., 2015; Ho et al.,
# 2020). The **forward process** $q$ adds a little Gaussian noise at each of $T$ steps,
# with variances $\beta_1, \dots, \beta_T$ (the **noise schedule**):
#
# $$
# q(x_t \mid x_{t-1}) = \mathcal{N}\big(\sqrt{1 - \beta_t}\, x_{t-1},\; \beta_t I\big)
# $$
#
# With $\alpha_t = 1 - \beta_t$ and $\bar\alpha_t = \prod_{s=1}^{t} \alpha_s$ the steps
# compose into one jump from the clean image $x_0$ to any step $t$:
#
# $$
# q(x_t \mid x_0) = \mathcal{N}\big(\sqrt{\bar\alpha_t}\, x_0,\; (1 - \bar\alpha_t) I\big),
# \qquad x_t = \sqrt{\bar\alpha_t}\, x_0 + \sqrt{1 - \bar\alpha_t}\, \varepsilon,
# \quad \varepsilon \sim \mathcal{N}(0, I)
# $$
#
# $\bar\alpha_t$ falls from about 1 to about 0, so $x_T$ is pure noise. A network
# $\varepsilon_\theta(x_t, t)$ learns to predict the noise that was added, with the
# simple loss of Ho et al. (2020), a mean squared error over random images, steps and
# noise:
#
# $$
# L = \mathbb{E}_{x_0,\, t,\, \varepsilon} \big\lVert \varepsilon -
# \varepsilon_\theta\big(\sqrt{\bar\alpha_t}\, x_0 + \sqrt{1 - \bar\alpha_t}\,
# \varepsilon,\; t\big) \big\rVert^2
# $$
#
# To generate, the **reverse process** starts from noise $x_T$ and walks back. From the
# predicted noise it estimates the clean image,
# $\hat x_0 = (x_t - \sqrt{1 - \bar\alpha_t}\, \varepsilon_\theta) / \sqrt{\bar\alpha_t}$,
# and moves to an earlier step $s < t$:
#
# $$
# x_s = \sqrt{\bar\alpha_s}\, \hat x_0 + \sqrt{1 - \bar\alpha_s - \sigma_t^2}\;
# \varepsilon_\theta(x_t, t) + \sigma_t z, \qquad
# \sigma_t = \eta \sqrt{\frac{1 - \bar\alpha_s}{1 - \bar\alpha_t}
# \Big(1 - \frac{\bar\alpha_t}{\bar\alpha_s}\Big)}, \quad z \sim \mathcal{N}(0, I)
# $$
#
# With $\eta = 1$ and $s = t - 1$ this is the **DDPM** sampler, the ancestral
# $p_\theta(x_{t-1} \mid x_t)$ of Ho et al.; with $\eta = 0$ it is **DDIM** (Song et al.,
# 2020), deterministic, which can jump over steps, with no retraining.

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np

import keraslab
from keraslab import course
from keraslab.course.diagrams import generative
from keraslab.course.pages import (
    FASHION_CLASSES,
    fashion_judge,
    fashion_mnist,
    plot_class_shares,
    report_samples,
    show_grid,
)
from keraslab.evaluation import assess_samples
from keraslab.models import Diffusion
from keraslab.models.diffusion import noise_schedule

print(keraslab.describe_environment())
QUICK = keraslab.quick_mode()
TRAIN_SIZE = 256 if QUICK else None  # Fashion-MNIST training images the model sees (all)
TEST_SIZE = 200 if QUICK else 10_000  # test images (the held-out real images)
EPOCHS = 1  # passes over the training images
BATCH_SIZE = 32  # images per step: smaller batches, more steps, for the same compute
TIMESTEPS = 20 if QUICK else 100  # length T of the noising chain
FILTERS = 16  # U-Net width at full resolution (twice that at 14x14 and 7x7)
PRESET = "ddpm_fashion_mnist"  # the same model, trained for longer by scripts/pretrain
DDIM_STEPS = (5, 10) if QUICK else (10, 25)  # DDIM step counts compared with DDPM's T
SAMPLES = 64 if QUICK else 200  # samples each sampler draws for the checks
SEED = 0  # the page's seed: initial weights, training draws and samples
keras.utils.set_random_seed(SEED)

(x_all, y_all), (x_test, y_test) = fashion_mnist(
    train_size=2 * TRAIN_SIZE if QUICK else None, test_size=TEST_SIZE
)
x_train = x_all[:TRAIN_SIZE]
course.markdown(
    f"We train on Fashion-MNIST (Xiao et al., 2017), 28x28 garments in ten classes: "
    f"**{len(x_train):,}** of its **{len(x_all):,}** training images, for **{EPOCHS}** "
    f"epoch in batches of {BATCH_SIZE}, with a chain of $T = {TIMESTEPS}$ steps. That fits "
    f"this page's time budget; the end of the page sets the same model, trained for "
    f"longer, beside it."
)
generative.diffusion()
plt.show()

# %% [markdown]
# ## Noise schedules
#
# The linear schedule of the DDPM paper spends many steps at almost-pure noise; the
# cosine schedule of Nichol & Dhariwal (2021) lowers $\bar\alpha_t$ more evenly. The
# model uses the cosine one. Right: one test garment along the forward process.

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3))
for name in ("linear", "cosine"):
    axes[0].plot(np.cumprod(1 - noise_schedule(TIMESTEPS, name)), label=name)
axes[0].set_xlabel("t")
axes[0].set_ylabel(r"$\bar\alpha_t$ (share of signal variance)")
axes[0].legend()
model = Diffusion(
    image_shape=(28, 28, 1), timesteps=TIMESTEPS, schedule="cosine", filters=FILTERS, seed=SEED
)
garment = x_test[0] * 2 - 1
eps = np.random.default_rng(0).normal(size=garment.shape)
for i, t in enumerate(np.linspace(0, TIMESTEPS - 1, 8).astype(int)):
    noisy = np.sqrt(model.alpha_bars[t]) * garment + np.sqrt(1 - model.alpha_bars[t]) * eps
    inset = axes[1].inset_axes([i / 8, 0.15, 1 / 8.5, 0.7])
    inset.imshow(noisy[..., 0], cmap="gray_r")
    inset.set_title(f"t={t}", fontsize=7)
    inset.axis("off")
axes[1].axis("off")
axes[1].set_title("a test garment along the cosine forward process")
plt.show()

# %% [markdown]
# ## The model and its training step
#
# `keraslab.models.Diffusion` holds a small U-Net whose residual blocks all receive a
# sinusoidal embedding of $t$. Its forward pass *is* the training step's corruption: it
# draws $t$ and $\varepsilon$ (from a `keras.random.SeedGenerator`), builds $x_t$ from
# the closed form above and returns the predicted and the true noise; `compute_loss` is
# the loss $L$. A plain `fit()` therefore trains it on every backend.

# %%
course.show_source(Diffusion.call)
course.show_source(Diffusion.compute_loss)

# %% [markdown]
# `compile` turns on the optimizer's moving average of the weights (`use_ema=True`); at
# the end of `fit()` the averaged weights replace the raw ones, which gives smoother
# samples than those of the last noisy update. The learning rate follows a cosine decay
# over the whole run.


# %%
class StepLosses(keras.callbacks.Callback):
    """The running mean of the training loss after every step, which Keras reports."""

    def on_train_begin(self, logs=None):
        self.losses = []

    def on_train_batch_end(self, batch, logs=None):
        self.losses.append(float(logs["loss"]))


train_steps = EPOCHS * int(np.ceil(len(x_train) / BATCH_SIZE))
schedule = keras.optimizers.schedules.CosineDecay(2e-3, decay_steps=train_steps)
model.compile(optimizer=keras.optimizers.Adam(schedule), ema_momentum=0.995)
step_losses = StepLosses()
start = time.perf_counter()
history = model.fit(
    x_train, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0, callbacks=[step_losses]
)
train_seconds = course.record("diffusion training time", time.perf_counter() - start, "s")
loss = course.record("final training loss", history.history["loss"][-1])
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(np.arange(1, train_steps + 1), step_losses.losses)
ax.set_xlabel("training step")
ax.set_ylabel("noise-prediction MSE\n(running mean over the epoch)")
ax.set_ylim(0, 0.5)
plt.show()
course.markdown(
    f"**{model.count_params():,}** weights, trained for {train_steps:,} steps in "
    f"**{train_seconds:.0f} s**; the epoch's mean noise-prediction error is "
    f"**{loss:.4f}** (predicting zero noise would score 1)."
)

# %% [markdown]
# ## The reverse chain
#
# Eight samples on their way from noise (left) to images (right), with DDIM: each column
# is one state $x_t$ of the chain, at the step written above it.

# %%
chain_steps = DDIM_STEPS[-1]
_, chain = model.generate(8, steps=chain_steps, sampler="ddim", seed=SEED + 2, return_chain=True)
times = np.linspace(TIMESTEPS - 1, 0, chain_steps).round().astype(int)
columns = np.linspace(0, chain_steps, 7).round().astype(int)
fig, axes = plt.subplots(8, len(columns), figsize=(len(columns) * 0.9, 8 * 0.9))
for c, index in enumerate(columns):
    axes[0, c].set_title(f"t = {times[index]}" if index < chain_steps else "x₀", fontsize=8)
    for r in range(8):
        axes[r, c].imshow(chain[index, r, ..., 0], cmap="gray_r", vmin=0, vmax=1)
        axes[r, c].axis("off")
plt.show()

# %% [markdown]
# The outline appears first, in the high-noise steps, and the details last: the noise
# that remains at step $t$ hides everything finer than what $\sqrt{\bar\alpha_t}$ lets
# through.
#
# ## DDPM against DDIM, judged
#
# We draw the same number of samples with DDPM over all $T$ steps and with DDIM over
# fewer, and score each set as on the [VAE page](vae.py): the shared judge, a small `CNN`
# trained on all real training images (`keraslab.evaluation.load_judge()`), gives the
# share it classifies with confidence $\ge 0.9$ and the share of each class; the Fréchet
# distance in its feature space (the FID of Heusel et al., with our judge in place of
# Inception) stands beside its **floor**, the distance
# between two sets of real test images of the same size; and the median distance to the
# nearest training image beside that of real test images tells whether the model copies.
#
# Read the **confident** share with care. The judge was trained on real garments only
# and must put every image in one of ten classes, so a smooth blob with a trouser-like
# silhouette can earn a confident "trouser"; an undertrained model's samples can score
# well on it while looking nothing like a photograph. The Fréchet distance compares the
# whole feature distribution with real images' and is the figure to trust here.

# %%
judge, judge_accuracy = fashion_judge(x_test, y_test)
plans = {f"DDPM, {TIMESTEPS} steps": ("ddpm", TIMESTEPS)}
plans.update({f"DDIM, {steps} steps": ("ddim", steps) for steps in DDIM_STEPS})
reports, timings = {}, {}
for name, (sampler, steps) in plans.items():
    start = time.perf_counter()
    samples = model.generate(SAMPLES, steps=steps, sampler=sampler, seed=SEED + 1)
    timings[name] = course.record(f"{name}: sampling time", time.perf_counter() - start, "s")
    reports[name] = assess_samples(judge, samples, x_train, x_test)
    report_samples(name, reports[name])
    if sampler == "ddpm":
        show_grid(samples, f"64 samples, {name}")
plot_class_shares(reports, class_names=FASHION_CLASSES)

# %%
rows = [
    f"| {name} | {timings[name]:.1f} | {r['confident']:.0%} | {r['min_class_share']:.1%} "
    f"| {r['frechet']:.1f} | {r['floor']:.1f} | {r['samples_median']:.2f} "
    f"| {r['held_out_median']:.2f} |"
    for name, r in reports.items()
]
course.markdown(
    f"The judge is right on **{judge_accuracy:.1%}** of real test images. For "
    f"{SAMPLES} samples each:\n\n"
    "| sampler | seconds | confident | rarest class | Fréchet | floor "
    "| nearest train | real's nearest |\n|---|---|---|---|---|---|---|---|\n" + "\n".join(rows)
)
ddpm_name, fastest = list(plans)[0], f"DDIM, {DDIM_STEPS[0]} steps"
course.markdown(
    f"Every sampler sits well above the real-vs-real floor: one epoch of a small U-Net is "
    f"the budget's cut. DDIM with **{DDIM_STEPS[0]}** steps samples "
    f"**{timings[ddpm_name] / timings[fastest]:.0f}x** faster than DDPM with "
    f"{TIMESTEPS}, at a Fréchet distance of **{reports[fastest]['frechet']:.1f}** against "
    f"DDPM's **{reports[ddpm_name]['frechet']:.1f}**. No sampler copies: the samples' "
    f"nearest training images are no nearer than real test images' are."
)
if not QUICK:
    assert judge_accuracy >= 0.9, judge_accuracy
    for report in reports.values():
        assert report["frechet"] > 2 * report["floor"], report
        assert report["ratio"] > 0.9, report

# %% [markdown]
# ## The same model, trained for longer
#
# Diffusion models improve with training steps long after their loss looks flat: the
# error that is left sits at the small timesteps, where the fine detail is. keraslab
# ships the page's model (the same `Diffusion` configuration, seed, learning rate and
# schedule) trained for more epochs by `scripts/pretrain ddpm_fashion_mnist`, as the
# preset `ddpm_fashion_mnist`. `Diffusion.from_preset` loads it under any backend; we
# sample it exactly as above.

# %%
info = keraslab.presets.metadata(PRESET)
pretrained = Diffusion.from_preset(PRESET)
longer = {}
for name, (sampler, steps) in {
    f"preset, DDPM, {TIMESTEPS} steps": ("ddpm", TIMESTEPS),
    f"preset, DDIM, {DDIM_STEPS[-1]} steps": ("ddim", DDIM_STEPS[-1]),
}.items():
    samples = pretrained.generate(SAMPLES, steps=steps, sampler=sampler, seed=SEED + 1)
    longer[name] = assess_samples(judge, samples, x_train, x_test)
    report_samples(name, longer[name])
    if sampler == "ddpm":
        show_grid(samples, f"64 samples of the preset, {name.removeprefix('preset, ')}")
plot_class_shares({**reports, **longer}, class_names=FASHION_CLASSES)

# %%
preset_ddpm = longer[f"preset, DDPM, {TIMESTEPS} steps"]
course.markdown(
    "| | this page's run | the preset |\n|---|---|---|\n"
    f"| training | {train_steps:,} steps, {train_seconds:.0f} s | {info['steps']:,} steps, "
    f"{info['training_seconds']:.0f} s ({info['date']}) |\n"
    + "".join(
        f"| {label} | {reports[name][key]:{fmt}} | {longer['preset, ' + name][key]:{fmt}} |\n"
        for name in (ddpm_name, f"DDIM, {DDIM_STEPS[-1]} steps")
        for label, key, fmt in (
            (f"{name}: Fréchet (floor {reports[name]['floor']:.1f})", "frechet", ".1f"),
            (f"{name}: judge confident", "confident", ".0%"),
        )
    )
    + f"\n**{info['steps'] / train_steps:.0f}x** the steps take the DDPM samples' Fréchet distance from "
    f"**{reports[ddpm_name]['frechet']:.1f}** to **{preset_ddpm['frechet']:.1f}**, and the "
    f"judge's confident share from **{reports[ddpm_name]['confident']:.0%}** to "
    f"**{preset_ddpm['confident']:.0%}**; compare the two grids of 64 samples. The gap "
    f"left to the floor is the U-Net's size ({pretrained.count_params() / 1e3:.0f}k "
    f"weights; the CIFAR-10 model of Ho et al., 2020, has 35.7M) and the training length "
    f"(theirs trains for 800k steps)."
)
if not QUICK:
    assert preset_ddpm["frechet"] < 0.75 * reports[ddpm_name]["frechet"], preset_ddpm
    assert preset_ddpm["confident"] > reports[ddpm_name]["confident"], preset_ddpm
    assert preset_ddpm["ratio"] > 0.9, preset_ddpm

# %% [markdown]
# ## When you'd use it
#
# * **Sample quality and coverage** matter most: diffusion models train on a fixed
#   regression loss, with no adversary to balance, and do not collapse onto a few modes
#   the way a [GAN](gan.py) can.
# * You can afford **many network passes per sample** (tens here, against one for a GAN
#   or a [VAE](vae.py)), or can trade steps for quality with DDIM.
# * Not when samples must be produced in real time on a small budget, or when you need
#   a compact code of each image (an [autoencoder](autoencoder.py) or a VAE gives one).
#   [The comparison page](comparison.py) puts the three generators side by side.
#
# ## What to remember
#
# * Training is supervised regression: predict the noise that was added, at a random
#   step, from the closed form $q(x_t \mid x_0)$.
# * Generation runs the network once per step, so it is much slower than a GAN's single
#   pass; DDIM cuts the steps without retraining.
# * The moving average of the weights is a cheap, standard way to better samples.
# * Sample quality keeps improving with training steps long after the loss flattens:
#   compare this page's run with the preset trained for longer.
#
# ## Exercises
#
# 1. Set `schedule="linear"` in the `Diffusion` above. Which steps of the reverse chain
#    change least, and how does the Fréchet distance move?
# 2. Add `TIMESTEPS` to `DDIM_STEPS`: is DDIM over all steps better or worse than DDPM
#    over the same steps? (Hint: compare the two rows of the table.)
# 3. Set `BATCH_SIZE = 128`: a quarter of the steps for about the same arithmetic. How
#    far does the Fréchet distance move, and what does that say about steps against
#    images seen?
# 4. Set `FILTERS = 32`: four times the weights. Is it worth the time?
#
# ## References
#
# * Sohl-Dickstein et al. 2015, [Deep Unsupervised Learning using Nonequilibrium
#   Thermodynamics](https://arxiv.org/abs/1503.03585).
# * Ho et al. 2020, [Denoising Diffusion Probabilistic Models](https://arxiv.org/abs/2006.11239).
# * Song et al. 2020, [Denoising Diffusion Implicit Models](https://arxiv.org/abs/2010.02502).
# * Nichol & Dhariwal 2021, [Improved Denoising Diffusion Probabilistic
#   Models](https://arxiv.org/abs/2102.09672).
# * Heusel et al. 2017, [the Fréchet Inception Distance](https://arxiv.org/abs/1706.08500).
# * Xiao et al. 2017, [Fashion-MNIST](https://arxiv.org/abs/1708.07747).
