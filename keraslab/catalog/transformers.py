"""Catalogue entries: transformers."""

import keras
import numpy as np

from keraslab.catalog import BadInput, Entry

D, H, FF = 8, 2, 16  # tiny width, heads, feed-forward width shared by the three entries
TINY = {"num_heads": H, "hidden_dim": D, "intermediate_dim": FF}


def _attention_params(d=D):
    return 4 * d * d + 4 * d  # query, key, value and output kernels with biases


def _block_params(cross_attention=False, d=D, i=FF):
    norm = 2 * d
    feedforward = d * i + i + i * d + d
    own = _attention_params(d) + 2 * norm + feedforward
    return own + (_attention_params(d) + norm if cross_attention else 0)


def _ids(shape, vocabulary_size, seed=0, low=1):
    return np.random.default_rng(seed).integers(low, vocabulary_size, shape).astype("int32")


def _sparse_loss():
    return {"loss": keras.losses.SparseCategoricalCrossentropy(from_logits=True)}


# Decoder-only -------------------------------------------------------------------------------

DEC_V, DEC_T = 13, 12


def _decoder_only():
    from keraslab.models import DecoderOnlyTransformer

    return DecoderOnlyTransformer(DEC_V, DEC_T, num_layers=1, **TINY)


def _built_decoder_only():
    model = _decoder_only()
    model(_ids((1, DEC_T), DEC_V))
    return model


def _decoder_only_bad_inputs():
    from keraslab.generation import samplers
    from keraslab.models import DecoderOnlyTransformer

    def generate(prompt=None, **kwargs):
        prompt = _ids((1, 3), DEC_V) if prompt is None else prompt
        return _built_decoder_only().generate(prompt, **{"max_new_tokens": 2, **kwargs})

    return [
        BadInput("rank-1 prompt", lambda: generate(np.arange(1, 4)), "prompt_ids"),
        BadInput("float prompt", lambda: generate(np.ones((1, 3), "float32")), "prompt_ids"),
        BadInput("prompt too long", lambda: generate(_ids((1, DEC_T + 1), DEC_V)), "prompt_ids"),
        BadInput("id outside vocabulary", lambda: generate(np.full((1, 3), DEC_V)), "prompt_ids"),
        BadInput("zero new tokens", lambda: generate(max_new_tokens=0), "max_new_tokens"),
        BadInput("past sequence_length", lambda: generate(max_new_tokens=DEC_T), "max_new_tokens"),
        BadInput("unknown sampler", lambda: generate(sampler="nucleus"), "sampler"),
        BadInput("top_p above 1", lambda: generate(sampler=samplers.TopPSampler(p=1.5)), "p"),
        BadInput("top_k below 1", lambda: generate(sampler=samplers.TopKSampler(k=0)), "k"),
        BadInput(
            "zero layers", lambda: DecoderOnlyTransformer(DEC_V, DEC_T, num_layers=0), "num_layers"
        ),
        BadInput(
            "tie_embeddings not bool",
            lambda: DecoderOnlyTransformer(DEC_V, DEC_T, tie_embeddings="yes"),
            "tie_embeddings",
        ),
    ]


# Encoder-only -------------------------------------------------------------------------------

ENC_V, ENC_T, ENC_C = 15, 10, 3


def _encoder_only():
    from keraslab.models import EncoderOnlyTransformer

    return EncoderOnlyTransformer(ENC_V, ENC_T, num_classes=ENC_C, num_layers=1, **TINY)


def _padded_ids(rows, seed=0):
    ids = _ids((rows, ENC_T), ENC_V, seed)
    ids[:, 0] = 1
    ids[::2, ENC_T // 2 :] = 0
    return ids


def _encoder_only_bad_inputs():
    from keraslab.models import EncoderOnlyTransformer

    def maps(ids):
        model = _encoder_only()
        model(_padded_ids(1))
        return model.attention_maps(ids)

    return [
        BadInput("unknown head", lambda: EncoderOnlyTransformer(ENC_V, ENC_T, head="ner"), "head"),
        BadInput(
            "unknown pooling",
            lambda: EncoderOnlyTransformer(ENC_V, ENC_T, pooling="max"),
            "pooling",
        ),
        BadInput(
            "zero classes",
            lambda: EncoderOnlyTransformer(ENC_V, ENC_T, num_classes=0),
            "num_classes",
        ),
        BadInput("float token ids", lambda: maps(np.ones((1, ENC_T), "float32")), "token_ids"),
        BadInput("rank-1 token ids", lambda: maps(np.ones(ENC_T, "int32")), "token_ids"),
    ]


# Encoder-decoder ----------------------------------------------------------------------------

SRC_V, TGT_V, SRC_T, TGT_T = 11, 7, 9, 6


def _encoder_decoder():
    from keraslab.models import EncoderDecoderTransformer

    return EncoderDecoderTransformer(
        SRC_V, TGT_V, SRC_T, TGT_T, num_encoder_layers=1, num_decoder_layers=1, **TINY
    )


def _pair(rows, seed=0):
    source = _ids((rows, SRC_T), SRC_V, seed)
    source[:, SRC_T - 2 :] = 0
    target = _ids((rows, TGT_T), TGT_V, seed + 1)
    target[:, 0] = 1
    return {"source_ids": source, "target_ids": target}


def _encoder_decoder_fit_data():
    x = _pair(16)
    return x, _ids((16, TGT_T), TGT_V, seed=5)


def _encoder_decoder_bad_inputs():
    from keraslab.models import EncoderDecoderTransformer

    def generate(source=None, **kwargs):
        model = _encoder_decoder()
        model(_pair(1))
        return model.generate(_pair(1)["source_ids"] if source is None else source, **kwargs)

    return [
        BadInput("zero beams", lambda: generate(num_beams=0), "num_beams"),
        BadInput("max_length too long", lambda: generate(max_length=TGT_T), "max_length"),
        BadInput("zero max_length", lambda: generate(max_length=0), "max_length"),
        BadInput("float source", lambda: generate(np.ones((1, SRC_T), "float32")), "source_ids"),
        BadInput("rank-1 source", lambda: generate(np.ones(SRC_T, "int32")), "source_ids"),
        BadInput(
            "source too long", lambda: generate(np.ones((1, SRC_T + 1), "int32")), "source_ids"
        ),
        BadInput(
            "zero encoder layers",
            lambda: EncoderDecoderTransformer(SRC_V, TGT_V, SRC_T, TGT_T, num_encoder_layers=0),
            "num_encoder_layers",
        ),
    ]


ENTRIES = [
    Entry(
        name="EncoderOnlyTransformer",
        kind="model",
        description="BERT-like bidirectional encoder: classification, tagging or masked LM",
        build=_encoder_only,
        sample_input=lambda: _padded_ids(2),
        expected_params=(ENC_V + ENC_T) * D
        + 2 * D
        + _block_params()
        + (D * D + D)
        + (D * ENC_C + ENC_C),
        fit_data=lambda: (_padded_ids(16), np.arange(16, dtype="int32") % ENC_C),
        compile_kwargs=_sparse_loss(),
        bad_inputs=_encoder_only_bad_inputs,
        docs_page="transformers/encoder_only.py",
        default_dataset="roles",
    ),
    Entry(
        name="DecoderOnlyTransformer",
        kind="model",
        description="GPT-like causal language model with cached generation and samplers",
        build=_decoder_only,
        sample_input=lambda: _ids((2, DEC_T), DEC_V),
        expected_params=(DEC_V + DEC_T) * D + _block_params() + 2 * D,
        fit_data=lambda: (_ids((16, DEC_T), DEC_V), _ids((16, DEC_T), DEC_V, seed=1)),
        compile_kwargs=_sparse_loss(),
        bad_inputs=_decoder_only_bad_inputs,
        docs_page="transformers/decoder_only.py",
        default_dataset="python_docs",
    ),
    Entry(
        name="EncoderDecoderTransformer",
        kind="model",
        description="Original-Transformer encoder-decoder with greedy and beam search",
        build=_encoder_decoder,
        sample_input=lambda: _pair(2),
        expected_params=(SRC_V + TGT_V) * D
        + _block_params()
        + _block_params(cross_attention=True)
        + 4 * D,
        fit_data=_encoder_decoder_fit_data,
        compile_kwargs=_sparse_loss(),
        bad_inputs=_encoder_decoder_bad_inputs,
        docs_page="transformers/encoder_decoder.py",
        default_dataset="dates",
    ),
]
