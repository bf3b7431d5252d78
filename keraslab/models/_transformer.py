"""What the three Transformer models share: their stacks of blocks, tied output logits and
reading attention maps out of keraslab's blocks."""

from keras import ops


def blocks(
    block_class,
    count,
    num_heads,
    hidden_dim,
    intermediate_dim,
    dropout,
    dtype,
    name="block",
    **options,
):
    """`count` GELU blocks of `block_class` with the `dtype` policy, named `{name}_0`,
    `{name}_1`, ...

    `options` (`norm_first`, `num_key_value_heads`) go to every block unchanged.
    """
    return [
        block_class(
            num_heads,
            hidden_dim,
            intermediate_dim,
            dropout=dropout,
            activation="gelu",
            name=f"{name}_{i}",
            dtype=dtype,
            **options,
        )
        for i in range(count)
    ]


def tied_logits(embedding, hidden):
    """`hidden (B, T, D) @ Eᵀ`: scores every token against its input embedding row."""
    return ops.matmul(hidden, ops.transpose(embedding.token_embedding.embeddings))  # (B, T, V)


def self_attention_scores(block, x, padding=None, causal=False):
    """The attention weights `(B, H, T, T)` that `block`'s self-attention computes on `x`."""
    h = block.self_attention_norm(x) if block.norm_first else x
    _, scores = block.self_attention(
        h,
        h,
        query_mask=padding,
        value_mask=padding,
        use_causal_mask=causal,
        return_attention_scores=True,
    )
    return scores


def cross_attention_scores(block, x, encoder_sequence, encoder_padding=None):
    """The cross-attention weights `(B, H, T, S)` of a decoder block whose input is `x`."""
    if block.norm_first:
        h = block.self_attention_norm(x)
        x = x + block.self_attention(h, h, use_causal_mask=True)
        h = block.cross_attention_norm(x)
    else:
        h = block.self_attention_norm(x + block.self_attention(x, x, use_causal_mask=True))
    _, scores = block.cross_attention(
        h, encoder_sequence, value_mask=encoder_padding, return_attention_scores=True
    )
    return scores


def attention_maps(x, blocks, padding=None, causal=False):
    """Runs `x (B, T, D)` through `blocks`, collecting each block's self-attention weights.

    Returns a list with one NumPy array `(B, H, T, T)` per block.
    """
    maps = []
    for block in blocks:
        maps.append(ops.convert_to_numpy(self_attention_scores(block, x, padding, causal)))
        x = block(x, padding_mask=padding) if padding is not None else block(x)
    return maps
