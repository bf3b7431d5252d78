"""Catalogue entries: layers."""

import numpy as np

from keraslab.catalog import BadInput, Entry

E = 8  # model width of every tiny layer below
FIT_N = 16  # examples in each short fit


def _normal(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def _tokens(*shape, vocabulary=20, seed=0):
    ids = np.random.default_rng(seed).integers(1, vocabulary, size=shape).astype("int32")
    ids[:, -1] = 0  # one padding token per row
    return ids


def _call(build, *args, **kwargs):
    """A callable that builds a layer, then calls it with `args` and `kwargs`."""
    return lambda: build()(*args, **kwargs)


def _bad(description, call, argument):
    """A `BadInput` whose message must name `argument` as "Argument <argument>"."""
    return BadInput(description, call, rf"Argument {argument}\b")


def _mha():
    from keraslab.layers import MultiHeadAttention

    return MultiHeadAttention(num_heads=4, key_dim=2, num_key_value_heads=2)


def _mha_built():
    layer = _mha()
    layer(_normal(2, 5, E), _normal(2, 6, E))
    return layer


def _mha_bad_inputs():
    from keraslab.layers import MultiHeadAttention

    q, v = _normal(2, 5, E), _normal(2, 6, E)
    cache = np.zeros((2, 2, 2, 6, 2), "float32")  # (B, 2, K, S_max, D)
    return [
        _bad("rank-2 query", _call(_mha, q[0], v), "query"),
        _bad("rank-4 value", _call(_mha, q, v[None]), "value"),
        _bad("key and value lengths differ", _call(_mha, q, v, key=_normal(2, 4, E)), "key"),
        _bad("query width changed after build", _call(_mha_built, _normal(2, 5, 7), v), "query"),
        _bad("batch sizes differ", _call(_mha_built, q, _normal(3, 6, E)), "value"),
        _bad("integer query", _call(_mha, q.astype("int32"), v), "query"),
        _bad(
            "attention_mask (B, T, T) for S != T",
            _call(_mha, q, v, attention_mask=np.ones((2, 5, 5), bool)),
            "attention_mask",
        ),
        _bad(
            "attention_mask (T, T) for S != T",
            _call(_mha, q, v, attention_mask=np.ones((5, 5), bool)),
            "attention_mask",
        ),
        _bad(
            "attention_mask with 3 heads for H = 4",
            _call(_mha, q, v, attention_mask=np.ones((2, 3, 5, 6), bool)),
            "attention_mask",
        ),
        _bad(
            "rank-5 attention_mask",
            _call(_mha, q, v, attention_mask=np.ones((2, 1, 1, 5, 6), bool)),
            "attention_mask",
        ),
        _bad("zero num_heads", lambda: MultiHeadAttention(0, 2), "num_heads"),
        _bad("float num_heads", lambda: MultiHeadAttention(2.5, 2), "num_heads"),
        _bad("negative key_dim", lambda: MultiHeadAttention(2, -4), "key_dim"),
        _bad("negative value_dim", lambda: MultiHeadAttention(2, 4, value_dim=-1), "value_dim"),
        _bad(
            "kv heads do not divide heads",
            lambda: MultiHeadAttention(4, 2, num_key_value_heads=3),
            "num_key_value_heads",
        ),
        _bad("dropout above 1", lambda: MultiHeadAttention(2, 4, dropout=1.5), "dropout"),
        _bad(
            "unknown kernel_initializer",
            lambda: MultiHeadAttention(2, 4, kernel_initializer="nope"),
            "kernel_initializer",
        ),
        _bad("string use_causal_mask", _call(_mha, q, v, use_causal_mask="yes"), "use_causal_mask"),
        _bad(
            "odd key_dim with RoPE",
            lambda: MultiHeadAttention(2, 3, use_rotary_embedding=True),
            "key_dim",
        ),
        _bad("cache without cache_index", _call(_mha, q, q, cache=cache), "cache_index"),
        _bad("cache_index without cache", _call(_mha, q, q, cache_index=0), "cache_index"),
        _bad(
            "cache_index past the cache",
            _call(_mha, q, q, cache=cache, cache_index=3),
            "cache_index",
        ),
        _bad(
            "cache of the wrong shape",
            _call(_mha, q, q, cache=np.zeros((2, 2, 4, 6, 2), "float32"), cache_index=0),
            "cache",
        ),
        _bad(
            "cache with value_dim != key_dim",
            _call(
                lambda: MultiHeadAttention(2, 4, value_dim=2),
                q,
                q,
                cache=np.zeros((2, 2, 2, 6, 4), "float32"),
                cache_index=0,
            ),
            "cache",
        ),
    ]


def _positional_bad_inputs(cls, rank_bad, *, ranks_ok):
    """Mistakes every weightless positional layer must reject."""
    x = _normal(*ranks_ok)
    return [
        _bad("wrong rank", _call(cls, rank_bad), "inputs"),
        _bad("integer inputs", _call(cls, x.astype("int32")), "inputs"),
        _bad("negative max_wavelength", lambda: cls(max_wavelength=-1), "max_wavelength"),
        _bad("string max_wavelength", lambda: cls(max_wavelength="10k"), "max_wavelength"),
    ]


def _sinusoidal():
    from keraslab.layers import SinusoidalPositionalEncoding

    return SinusoidalPositionalEncoding()


def _rotary():
    from keraslab.layers import RotaryEmbedding

    return RotaryEmbedding()


def _rotary_bad_inputs():
    from keraslab.layers import RotaryEmbedding

    return _positional_bad_inputs(RotaryEmbedding, _normal(2, 5), ranks_ok=(2, 5, 2, 4)) + [
        _bad("odd feature size", _call(_rotary, _normal(2, 5, 2, 3)), "inputs"),
    ]


def _sinusoidal_bad_inputs():
    from keraslab.layers import SinusoidalPositionalEncoding

    return _positional_bad_inputs(
        SinusoidalPositionalEncoding, _normal(2, 5, 2, 4), ranks_ok=(2, 5, E)
    )


def _learned():
    from keraslab.layers import LearnedPositionalEmbedding

    return LearnedPositionalEmbedding(max_length=6)


def _learned_built():
    layer = _learned()
    layer(_normal(2, 5, E))
    return layer


def _learned_bad_inputs():
    from keraslab.layers import LearnedPositionalEmbedding

    x = _normal(2, 5, E)
    return [
        _bad("zero max_length", lambda: LearnedPositionalEmbedding(0), "max_length"),
        _bad("negative max_length", lambda: LearnedPositionalEmbedding(-3), "max_length"),
        _bad(
            "unknown initializer",
            lambda: LearnedPositionalEmbedding(4, initializer="nope"),
            "initializer",
        ),
        _bad("longer than max_length", _call(_learned, _normal(2, 7, E)), "inputs"),
        _bad("start_index + T past max_length", _call(_learned, x, start_index=2), "inputs"),
        _bad("feature size changed after build", _call(_learned_built, _normal(2, 5, 4)), "inputs"),
        _bad("integer inputs", _call(_learned, x.astype("int32")), "inputs"),
        _bad("rank-2 inputs", _call(_learned, x[0]), "inputs"),
    ]


def _token_and_position(**overrides):
    from keraslab.layers import TokenAndPositionEmbedding

    config = {
        "vocabulary_size": 20,
        "sequence_length": 6,
        "embedding_dim": E,
        "mask_zero": True,
        **overrides,
    }
    return TokenAndPositionEmbedding(**config)


def _token_and_position_bad_inputs():
    ids = _tokens(2, 5)
    return [
        _bad(
            "negative vocabulary_size",
            lambda: _token_and_position(vocabulary_size=-1),
            "vocabulary_size",
        ),
        _bad(
            "zero sequence_length",
            lambda: _token_and_position(sequence_length=0),
            "sequence_length",
        ),
        _bad("zero embedding_dim", lambda: _token_and_position(embedding_dim=0), "embedding_dim"),
        _bad("unknown position", lambda: _token_and_position(position="rotary"), "position"),
        _bad(
            "unknown embeddings_initializer",
            lambda: _token_and_position(embeddings_initializer="nope"),
            "embeddings_initializer",
        ),
        _bad("string mask_zero", lambda: _token_and_position(mask_zero="yes"), "mask_zero"),
        _bad("float token ids", _call(_token_and_position, ids.astype("float32")), "inputs"),
        _bad("rank-3 token ids", _call(_token_and_position, ids[..., None]), "inputs"),
        _bad("longer than sequence_length", _call(_token_and_position, _tokens(2, 7)), "inputs"),
    ]


def _encoder(**overrides):
    from keraslab.layers import TransformerEncoderBlock

    config = {"num_heads": 2, "hidden_dim": E, "intermediate_dim": 16, **overrides}
    return TransformerEncoderBlock(**config)


def _decoder(**overrides):
    from keraslab.layers import TransformerDecoderBlock

    config = {
        "num_heads": 2,
        "hidden_dim": E,
        "intermediate_dim": 16,
        "norm_first": True,
        **overrides,
    }
    return TransformerDecoderBlock(**config)


def _decoder_built():
    layer = _decoder()
    layer(_normal(2, 5, E), _normal(2, 4, E))
    return layer


def _block_config_bad_inputs(make):
    """Constructor mistakes both Transformer blocks must reject."""
    return [
        _bad("hidden_dim not divisible by num_heads", lambda: make(num_heads=3), "num_heads"),
        _bad("zero intermediate_dim", lambda: make(intermediate_dim=0), "intermediate_dim"),
        _bad("negative dropout", lambda: make(dropout=-0.1), "dropout"),
        _bad(
            "kv heads do not divide heads",
            lambda: make(num_key_value_heads=3),
            "num_key_value_heads",
        ),
        _bad("string norm_first", lambda: make(norm_first="yes"), "norm_first"),
        _bad("unknown activation", lambda: make(activation="nope"), "activation"),
        _bad(
            "negative layer_norm_epsilon",
            lambda: make(layer_norm_epsilon=-1.0),
            "layer_norm_epsilon",
        ),
    ]


def _encoder_bad_inputs():
    x = _normal(2, 5, E)
    return _block_config_bad_inputs(_encoder) + [
        _bad("inputs width != hidden_dim", _call(_encoder, _normal(2, 5, 6)), "inputs"),
        _bad("rank-2 inputs", _call(_encoder, x[0]), "inputs"),
        _bad("integer inputs", _call(_encoder, x.astype("int32")), "inputs"),
        _bad(
            "padding_mask of the wrong length",
            _call(_encoder, x, padding_mask=np.ones((2, 4), bool)),
            "padding_mask",
        ),
        _bad(
            "attention_mask of the wrong shape",
            _call(_encoder, x, attention_mask=np.ones((2, 5, 4), bool)),
            "attention_mask",
        ),
    ]


def _decoder_bad_inputs():
    x, enc = _normal(2, 5, E), _normal(2, 4, E)
    cache = np.zeros((2, 2, 6, 2, 4), "float32")
    return _block_config_bad_inputs(_decoder) + [
        _bad("decoder width != hidden_dim", _call(_decoder, _normal(2, 5, 6)), "decoder_sequence"),
        _bad(
            "encoder width != hidden_dim", _call(_decoder, x, _normal(2, 4, 6)), "encoder_sequence"
        ),
        _bad(
            "no encoder_sequence after building with one",
            _call(_decoder_built, x),
            "encoder_sequence",
        ),
        _bad("encoder batch differs", _call(_decoder, x, _normal(3, 4, E)), "encoder_sequence"),
        _bad(
            "integer encoder_sequence", _call(_decoder, x, enc.astype("int32")), "encoder_sequence"
        ),
        _bad("integer decoder_sequence", _call(_decoder, x.astype("int32")), "decoder_sequence"),
        _bad(
            "decoder_padding_mask of the wrong length",
            _call(_decoder, x, decoder_padding_mask=np.ones((2, 3), bool)),
            "decoder_padding_mask",
        ),
        _bad(
            "encoder_padding_mask of the wrong length",
            _call(_decoder, x, enc, encoder_padding_mask=np.ones((2, 5), bool)),
            "encoder_padding_mask",
        ),
        _bad(
            "cache without index",
            _call(_decoder, x, self_attention_cache=cache),
            "self_attention_cache_index",
        ),
        _bad(
            "cache index without cache",
            _call(_decoder, x, self_attention_cache_index=0),
            "self_attention_cache_index",
        ),
        _bad(
            "cache of the wrong shape",
            _call(
                _decoder, x, self_attention_cache=cache[:, :, :, :1], self_attention_cache_index=0
            ),
            "cache",
        ),
    ]


def _fit(x_shape, y_shape=None, *, tokens=False):
    x = _tokens(FIT_N, *x_shape) if tokens else _normal(FIT_N, *x_shape)
    return x, _normal(FIT_N, *(y_shape or x_shape), seed=1)


ENTRIES = [
    Entry(
        name="MultiHeadAttention",
        kind="layer",
        description="Multi-head attention with grouped-query heads, masks, RoPE and a KV cache.",
        build=_mha,
        sample_input=lambda: (_normal(2, 5, E), _normal(2, 6, E)),
        # query/key/value kernels (E·H·D, E·K·D, E·K·D) + biases (H·D, K·D, K·D)
        # + output kernel H·D·E + bias E, with E=8, H=4, K=2, D=2.
        expected_params=(8 * 4 * 2 + 8) + 2 * (8 * 2 * 2 + 4) + (4 * 2 * 8 + 8),
        fit_data=lambda: (
            (_normal(FIT_N, 5, E), _normal(FIT_N, 6, E)),
            _normal(FIT_N, 5, E, seed=1),
        ),
        bad_inputs=_mha_bad_inputs,
        docs_page="transformers/attention.py",
    ),
    Entry(
        name="SinusoidalPositionalEncoding",
        kind="layer",
        description="Fixed sine/cosine positional encoding (no weights).",
        build=_sinusoidal,
        sample_input=lambda: _normal(2, 5, E),
        expected_params=0,
        fit_data=lambda: _fit((5, E)),
        bad_inputs=_sinusoidal_bad_inputs,
        docs_page="transformers/positional_encoding.py",
    ),
    Entry(
        name="LearnedPositionalEmbedding",
        kind="layer",
        description="A trainable vector per position.",
        build=_learned,
        sample_input=lambda: _normal(2, 5, E),
        expected_params=6 * E,  # max_length × D
        fit_data=lambda: _fit((5, E)),
        bad_inputs=_learned_bad_inputs,
        docs_page="transformers/positional_encoding.py",
    ),
    Entry(
        name="RotaryEmbedding",
        kind="layer",
        description="Rotary positional embedding (RoPE) for queries and keys (no weights).",
        build=_rotary,
        sample_input=lambda: _normal(2, 5, 2, 4),
        expected_params=0,
        fit_data=lambda: _fit((5, 2, 4)),
        bad_inputs=_rotary_bad_inputs,
        docs_page="transformers/positional_encoding.py",
    ),
    Entry(
        name="TokenAndPositionEmbedding",
        kind="layer",
        description="Token embedding plus learned or sinusoidal positions, with padding mask.",
        build=_token_and_position,
        sample_input=lambda: _tokens(2, 5),
        expected_params=20 * E + 6 * E,  # vocabulary × D + sequence_length × D
        fit_data=lambda: _fit((5,), (5, E), tokens=True),
        bad_inputs=_token_and_position_bad_inputs,
        docs_page="transformers/positional_encoding.py",
    ),
    Entry(
        name="TransformerEncoderBlock",
        kind="layer",
        description="Self-attention + feed-forward block, pre- or post-norm.",
        build=_encoder,
        sample_input=lambda: _normal(2, 5, E),
        # attention 4·(E·E + E) + 2 LayerNorms 2·2E + feed-forward (E·16 + 16) + (16·E + E)
        expected_params=4 * (E * E + E) + 2 * 2 * E + (E * 16 + 16) + (16 * E + E),
        fit_data=lambda: _fit((5, E)),
        bad_inputs=_encoder_bad_inputs,
        docs_page="transformers/attention.py",
    ),
    Entry(
        name="TransformerDecoderBlock",
        kind="layer",
        description="Causal self-attention + cross-attention + feed-forward block, KV cache.",
        build=_decoder,
        sample_input=lambda: (_normal(2, 5, E), _normal(2, 4, E)),
        # two attentions 2·4·(E·E + E) + 3 LayerNorms 3·2E + feed-forward as in the encoder
        expected_params=2 * 4 * (E * E + E) + 3 * 2 * E + (E * 16 + 16) + (16 * E + E),
        fit_data=lambda: (
            (_normal(FIT_N, 5, E), _normal(FIT_N, 4, E)),
            _normal(FIT_N, 5, E, seed=1),
        ),
        bad_inputs=_decoder_bad_inputs,
        docs_page="transformers/attention.py",
    ),
]
