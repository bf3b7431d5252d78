"""What the three Transformer models share: their stacks of blocks and tied output
logits."""

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
