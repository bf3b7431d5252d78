"""Transformers: generation with and without the key/value cache, and training steps.

Groups:
* generation: tokens/s of `DecoderOnlyTransformer.generate` (batch 1, greedy) from a
  one-token prompt, with and without the cache, and the speed-up; the median of three
  timed runs per case after compiling every shape it uses. The model has the shape of
  the one the decoder-only page trains (4 layers of width 128).
* train step vs plain PyTorch (torch backend only): one decoder-only training step
  (forward, backward, Adam update) through Keras, against the same model written
  directly in PyTorch, on the same batch.
* train step: one `train_on_batch` for each of the three models, per backend, with
  Keras's default compilation (`jit_compile="auto"`: XLA under JAX).
"""

import keras
import numpy as np

from benchmarks._timing import median_ms, row
from keraslab.models import (
    DecoderOnlyTransformer,
    EncoderDecoderTransformer,
    EncoderOnlyTransformer,
)

VOCABULARY = 100


def _configs(quick):
    """Generation model, training model, then lengths, batch and window of the training step."""
    if quick:
        tiny = dict(num_layers=1, num_heads=2, hidden_dim=32, intermediate_dim=64)
        return tiny, tiny, (16, 32), 8, 32
    page_model = dict(num_layers=4, num_heads=4, hidden_dim=128, intermediate_dim=384)
    return page_model, page_model, (64, 256, 512), 32, 96


def _ids(shape, seed=0, vocabulary=VOCABULARY):
    return np.random.default_rng(seed).integers(1, vocabulary, shape).astype("int32")


def _generation_rows(config, lengths):
    model = DecoderOnlyTransformer(VOCABULARY, max(lengths), **config)
    rows = []
    for length in lengths:
        speed = {}
        for use_cache in (True, False):
            # A long prompt and two new tokens compile every shape the timed run uses.
            model.generate(_ids((1, length - 2)), 2, use_cache=use_cache)
            ms = median_ms(
                lambda u=use_cache, n=length: model.generate(_ids((1, 1)), n - 1, use_cache=u),
                warmup=0,
                repeats=3,
            )
            speed[use_cache] = (length - 1) / (ms / 1000)
            name = f"{length} tokens, {'with' if use_cache else 'without'} cache"
            rows.append(row("generation", name, speed[use_cache], "tokens/s"))
        rows.append(
            row("generation", f"{length} tokens, cache speed-up", speed[True] / speed[False], "x")
        )
    return rows


def _compiled(model):
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


def _step_ms(model, x, y, repeats):
    return median_ms(lambda: model.train_on_batch(x, y), warmup=2, repeats=repeats)


def _plain_pytorch_ms(config, batch, length, x, y, repeats):
    import torch
    from torch import nn

    d, heads, layers, inner = (
        config["hidden_dim"],
        config["num_heads"],
        config["num_layers"],
        config["intermediate_dim"],
    )

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm1, self.norm2 = nn.LayerNorm(d, eps=1e-5), nn.LayerNorm(d, eps=1e-5)
            self.attention = nn.MultiheadAttention(d, heads, batch_first=True)
            self.feedforward = nn.Sequential(nn.Linear(d, inner), nn.GELU(), nn.Linear(inner, d))

        def forward(self, x, mask):
            h = self.norm1(x)
            x = x + self.attention(h, h, h, attn_mask=mask, need_weights=False)[0]
            return x + self.feedforward(self.norm2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tokens = nn.Embedding(VOCABULARY, d)
            self.positions = nn.Parameter(torch.zeros(length, d))
            self.blocks = nn.ModuleList(Block() for _ in range(layers))
            self.norm = nn.LayerNorm(d, eps=1e-5)

        def forward(self, ids):
            x = self.tokens(ids) + self.positions[: ids.shape[1]]
            mask = torch.triu(torch.ones(ids.shape[1], ids.shape[1], dtype=torch.bool), 1)
            for block in self.blocks:
                x = block(x, mask)
            return self.norm(x) @ self.tokens.weight.T

    model = GPT()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = torch.as_tensor(x, dtype=torch.long), torch.as_tensor(y, dtype=torch.long)

    def step():
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x).reshape(-1, VOCABULARY), y.reshape(-1))
        loss.backward()
        optimizer.step()
        return loss.detach()

    return median_ms(step, warmup=2, repeats=repeats)


def run(quick):
    generation, config, lengths, batch, length = _configs(quick)
    repeats = 2 if quick else 5
    rows = _generation_rows(generation, lengths)

    x, y = _ids((batch, length)), _ids((batch, length), seed=1)
    decoder = _compiled(DecoderOnlyTransformer(VOCABULARY, length, **config))
    decoder_ms = _step_ms(decoder, x, y, repeats)
    jit = {"jit_compile": str(decoder.jit_compile)}
    if keras.backend.backend() == "torch":
        torch_ms = _plain_pytorch_ms(config, batch, length, x, y, repeats)
        group = "train step vs plain PyTorch"
        rows += [
            row(group, "decoder-only, keraslab on torch", decoder_ms, "ms"),
            row(group, "decoder-only, plain PyTorch", torch_ms, "ms"),
            row(group, "keraslab / plain PyTorch", decoder_ms / torch_ms, "x"),
        ]

    small = dict(num_layers=2, num_heads=4, hidden_dim=32 if quick else 64, intermediate_dim=128)
    words, labels = _ids((64, 16), vocabulary=40), _ids((64,), vocabulary=8)
    encoder = _compiled(EncoderOnlyTransformer(40, 16, num_classes=8, **small))
    dates = {
        "source_ids": _ids((64, 32), vocabulary=60),
        "target_ids": _ids((64, 11), vocabulary=14),
    }
    translator = _compiled(
        EncoderDecoderTransformer(
            60,
            14,
            32,
            12,
            num_encoder_layers=small["num_layers"],
            num_decoder_layers=small["num_layers"],
            num_heads=small["num_heads"],
            hidden_dim=small["hidden_dim"],
            intermediate_dim=small["intermediate_dim"],
        )
    )
    group = "train step"
    rows += [
        row(
            group,
            "encoder-only, batch 64x16",
            _step_ms(encoder, words, labels, repeats),
            "ms",
            **jit,
        ),
        row(group, f"decoder-only, batch {batch}x{length}", decoder_ms, "ms", **jit),
        row(
            group,
            "encoder-decoder, batch 64x32->11",
            _step_ms(translator, dates, _ids((64, 11), seed=2, vocabulary=14), repeats),
            "ms",
            **jit,
        ),
    ]
    return rows
