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
# # Performance
#
# How fast is each architecture on each backend, how does keraslab's attention compare with
# Keras's built-in layer and the backends' native kernels, what does a KV cache buy during
# generation, and how far is a Keras training step from plain PyTorch, and from the same
# model built from keras-hub's layers?
#
# The numbers come from `scripts/bench`, which runs every module in `benchmarks/` under each
# backend in its own process and writes `docs/backends/performance.json`. This page renders
# that file as it is: one table (and one chart) per benchmark group, one column per
# backend. It re-measures nothing, so it builds in a second; rerun the script on your own
# machine to get your own numbers.
#
# **Method.** Each figure is the median of several timed runs, after warm-up runs that are
# not timed (they include compilation and caching); outputs are converted to NumPy inside
# the timed region, so asynchronous backends finish their work before the clock stops.
# For timed runs $t_1, \dots, t_n$ of a case the figure is $\tilde t =
# \operatorname{median}(t_1, \dots, t_n)$, which one slow run (a page fault, another
# process on the core) does not move; a ratio of two cases is $\tilde t_A / \tilde t_B$,
# below 1 when $A$ is faster.

# %%
import json
import os
import pathlib

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display

import keraslab
from keraslab import course

RESULTS = pathlib.Path(
    os.environ.get(
        "KERASLAB_BENCH_RESULTS",  # another results file, for example from a GPU machine
        pathlib.Path(keraslab.__file__).resolve().parent.parent / "docs/backends/performance.json",
    )
)
BACKENDS = ("tensorflow", "torch", "jax")

print(keraslab.describe_environment())

# %% [markdown]
# ## The machine and the method

# %%
report = json.loads(RESULTS.read_text()) if RESULTS.exists() else None
if report is None:
    print(
        f"No benchmark results yet: {RESULTS} is missing.\n"
        "Run `scripts/bench` to measure this machine and write it; the tables appear here."
    )
else:
    machine = report["machine"]
    # The header is the latest run's; each group below names its own rows' days and CPUs.
    print(f"last run:  {report['date']}")
    print(f"machine:   {machine['platform']}, {machine['cpus']} CPUs {machine['processor']}")
    print(f"python:    {machine['python']}")
    print(f"method:    {report['method']}")
    if report.get("quick"):
        print("sizes:     quick (tiny sizes, to check the benchmarks run; not for comparison)")
    rows = report["rows"]
    print(f"{len(rows)} measurements in {len({r['group'] for r in rows})} groups")


# %% [markdown]
# ## Results by group
#
# A dash means the case does not exist on that backend (a native kernel of another
# framework, for example). Within a row, lower is faster for times and higher is better
# for rates; the unit column says which.


# %%
def by_group(rows):
    groups = {}
    for row in rows:
        cases = groups.setdefault(row["group"], {})
        cases.setdefault((row["name"], row["unit"]), {})[row["backend"]] = row["value"]
    return groups


def table(cases, backends):
    lines = [
        "| case | unit | " + " | ".join(backends) + " |",
        "|---|---|" + "---:|" * len(backends),
    ]
    for (name, unit), values in cases.items():
        cells = [f"{values[b]:.3g}" if b in values else "—" for b in backends]
        lines.append(f"| {name} | {unit} | " + " | ".join(cells) + " |")
    return Markdown("\n".join(lines))


def chart(group, cases, backends):
    units = sorted({unit for _, unit in cases})
    fig, axes = plt.subplots(1, len(units), figsize=(max(6, 0.9 * len(cases)), 3.2), squeeze=False)
    width = 0.8 / len(backends)
    for ax, unit in zip(axes[0], units):
        names = [name for name, u in cases if u == unit]
        for i, backend in enumerate(backends):
            values = [cases[(n, unit)].get(backend, np.nan) for n in names]
            ax.bar(np.arange(len(names)) + i * width, values, width, label=backend)
        ax.set_xticks(
            np.arange(len(names)) + width * (len(backends) - 1) / 2, names, rotation=30, ha="right"
        )
        ax.set_ylabel(unit)
        ax.legend(fontsize=8)
    fig.suptitle(group)
    fig.tight_layout()
    plt.show()


if report is not None:
    present = {row["backend"] for row in report["rows"]}
    backends = [b for b in BACKENDS if b in present] + sorted(present - set(BACKENDS))
    groups = by_group(report["rows"])
    if not groups:
        print("The results file holds no measurements: no module in benchmarks/ returned rows.")
    for group, cases in groups.items():
        display(Markdown(f"### {group}"))
        measured = sorted(
            {(r["date"], r["cpu"] or "CPU unnamed") for r in report["rows"] if r["group"] == group}
        )
        print("measured on " + "; ".join(f"{date}, {cpu}" for date, cpu in measured))
        display(table(cases, backends))
        chart(group, cases, backends)

# %% [markdown]
# ## Two figures, explained
#
# **The key/value cache.** A cached decoding step feeds one token through the model and
# attends over the stored keys and values; an uncached step runs the whole (padded)
# sequence again. The work saved grows with the length, but a one-token step of a small
# model is so little arithmetic that fixed costs per step decide what the cache buys. So
# `generate` compiles its step on every backend (`jax.jit`, an XLA `tf.function`, and
# under PyTorch a `torch.jit.trace` replayed without Python: an eager Keras layer call
# costs about 0.1 ms of Python, dozens of them per step), and with greedy decoding the
# argmax is compiled into the step, so a token costs one call. Random samplers draw
# outside the compiled step, with the model's seed generator, and pay a few eager ops
# per token. Memory traffic matters as much as Python: the cache is laid out
# `(B, 2, K, S_max, D)`, heads before positions as the fused attention kernels read it,
# and under PyTorch the new keys and values are written into it in place. A functional
# update copied every block's whole cache on every step, and with the other layout the
# kernel copied it again; the two copies took longer than the attention itself. The
# cache speed-ups below are measured with both copies gone.
#
# **keraslab on torch vs plain PyTorch.** Both run the same decoder-only model eagerly
# on the same batch; what remains of the gap is Keras's own Python per layer call
# (argument binding, autocast and name scopes, mask propagation), its optimizer applying
# the update variable by variable through Keras variables, and the loss and metric
# bookkeeping of `train_on_batch`. The larger the model, the less these fixed costs
# weigh.
#
# **keraslab vs keras-hub.** The decoder-only model of the
# [decoder-only page](../transformers/decoder_only.py) (4 layers, width 128) against the
# same model assembled from keras-hub's `TokenAndPositionEmbedding` and
# `TransformerDecoder`: the same parameters, one for one, the same batch, both through
# Keras's `train_on_batch`, timed in alternating rounds so that the machine's load falls
# on both alike. Both do the same arithmetic, so a ratio above 1 is keraslab overhead:
# mask construction, the causal path, reshapes. One such pass went: keraslab's plain
# attention path zeroed the weights of fully masked rows after every softmax, which a
# causal mask alone never has (each query sees at least its first key), and under
# TensorFlow that pass alone kept the ratio above 1. Each measurement above names the day
# and the CPU it came from: the hosts this course runs on differ several times over in
# speed, and the ratios are the figures to compare across them.

# %%
if report is not None:
    figures = {(r["group"], r["name"], r["backend"]): r["value"] for r in report["rows"]}
    for backend in backends:
        speed_up = figures.get(("generation", "256 tokens, cache speed-up", backend))
        if speed_up is not None:
            course.record(f"cache speed-up at 256 tokens, {backend}", speed_up, unit="x")
            print(f"cache speed-up at 256 tokens, {backend}: {speed_up:.1f}x")
    ratio = figures.get(("train step vs plain PyTorch", "keraslab / plain PyTorch", "torch"))
    if ratio is not None:
        course.record("keraslab / plain PyTorch train step", ratio, unit="x")
        print(f"keraslab train step / plain PyTorch train step: {ratio:.2f}x")
    for backend in backends:
        ratio = figures.get(("train step vs keras-hub", "keraslab / keras-hub", backend))
        if ratio is not None:
            course.record(f"keraslab / keras-hub train step, {backend}", ratio, unit="x")
            print(f"keraslab train step / keras-hub train step, {backend}: {ratio:.2f}x")

# %% [markdown]
# ## Reading the numbers
#
# No backend is fastest at everything. For each group of timed cases, the backend with
# the smallest median time on the most cases, from the results above:

# %%
TIME_UNITS = ("ms", "s", "s/epoch", "ms/step")  # smaller is faster; other units are rates


def fastest_backends(rows, backends):
    """`{group: (backend, wins, cases)}` over the timed cases every backend ran."""
    found = {}
    for group, cases in by_group(rows).items():
        timed = [
            values
            for (_, unit), values in cases.items()
            if unit in TIME_UNITS and all(b in values for b in backends)
        ]
        if timed:
            wins = {b: sum(min(backends, key=v.get) == b for v in timed) for b in backends}
            best = max(wins, key=wins.get)
            found[group] = (best, wins[best], len(timed))
    return found


if report is not None:
    course.markdown(
        "\n".join(
            f"* **{group}**: {best}, fastest on {wins} of {total} cases"
            for group, (best, wins, total) in fastest_backends(report["rows"], backends).items()
        )
    )

# %% [markdown]
# * These are CPU timings unless the machine line says otherwise. On CPU, the per-step
#   overhead of each framework (Python dispatch, graph tracing) weighs more than on a GPU.
# * The first call of a compiled function is excluded on purpose: it includes tracing and
#   compilation, a one-off cost per input shape. If your shapes change every step (ragged
#   batches, growing sequences without a cache), you pay it again, and the warm figure
#   here will flatter your case.
# * Compare backends within one row, and cases within one group: groups use different
#   sizes, chosen so that each run takes a fraction of a second.
#
# ## Reproduce
#
# ```bash
# scripts/bench                          # every module, every backend, writes the JSON
# scripts/bench --only attention --backend jax
# scripts/bench --quick                  # tiny sizes, to check it runs (writes nothing)
# ```

# %% [markdown]
# ## Exercises
#
# 1. Run `scripts/bench --only attention` twice in a row. How much does a figure move
#    between the runs? That spread is the smallest difference between two backends this
#    page can show.
# 2. Time the decoder-only train step with `keras.Model.compile(jit_compile=True)` and
#    without it on your backend (`keraslab.training.xla_jit_compile()` gives the XLA
#    setting for it). Which wins, and does the answer change with the batch size?
# 3. In the generation group, why does the cache buy more for the longest sequence than
#    for the shortest? (Hint: count the tokens each uncached step feeds through the
#    model.)
#
# ## References
#
# - Vaswani et al., "Attention Is All You Need", NeurIPS 2017,
#   [arXiv:1706.03762](https://arxiv.org/abs/1706.03762).
# - Dao et al., "FlashAttention: fast and memory-efficient exact attention with
#   IO-awareness", NeurIPS 2022, [arXiv:2205.14135](https://arxiv.org/abs/2205.14135).
# - Pope et al., "Efficiently scaling Transformer inference", MLSys 2023,
#   [arXiv:2211.05102](https://arxiv.org/abs/2211.05102): the key/value cache's cost.
# - keras-hub, [TransformerDecoder](https://keras.io/keras_hub/api/modeling_layers/transformer_decoder/).
# - [Backend parity](parity.py): the same backends checked for the same numbers.
