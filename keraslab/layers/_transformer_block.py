"""What the Transformer encoder and decoder blocks share: arguments, sublayers, the
residual wiring (pre-norm or post-norm) and input checks.

Shape letters: B batch, T sequence length, E `hidden_dim`.
"""

import keras
from keras import ops

from keraslab import _validation as check
from keraslab.layers._initializers import clone_initializer
from keraslab.layers.multi_head_attention import MultiHeadAttention


class TransformerBlock(keras.layers.Layer):
    def __init__(
        self,
        num_heads,
        hidden_dim,
        intermediate_dim,
        dropout=0.0,
        norm_first=False,
        activation="relu",
        layer_norm_epsilon=1e-5,
        num_key_value_heads=None,
        use_rotary_embedding=False,
        kernel_initializer="glorot_uniform",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.num_heads = check.positive_int("num_heads", num_heads)
        self.hidden_dim = check.positive_int("hidden_dim", hidden_dim)
        check.divides("num_heads", num_heads, "hidden_dim", hidden_dim)
        self.intermediate_dim = check.positive_int("intermediate_dim", intermediate_dim)
        self.dropout = check.rate("dropout", dropout)
        self.norm_first = check.boolean("norm_first", norm_first)
        check.identifier("activation", keras.activations.get, activation)
        self.activation = activation
        if not isinstance(layer_norm_epsilon, float) or layer_norm_epsilon <= 0:
            raise ValueError(
                f"Argument layer_norm_epsilon must be a positive float; "
                f"received {layer_norm_epsilon!r}."
            )
        self.layer_norm_epsilon = layer_norm_epsilon
        self.num_key_value_heads = check.positive_int(
            "num_key_value_heads", num_key_value_heads, allow_none=True
        )
        if num_key_value_heads is not None:
            check.divides("num_key_value_heads", num_key_value_heads, "num_heads", num_heads)
        self.use_rotary_embedding = check.boolean("use_rotary_embedding", use_rotary_embedding)
        self.kernel_initializer = check.identifier(
            "kernel_initializer", keras.initializers.get, kernel_initializer
        )
        self.supports_masking = True

    def _attention(self, name, query_shape, value_shape):
        layer = MultiHeadAttention(
            self.num_heads,
            self.hidden_dim // self.num_heads,
            dropout=self.dropout,
            num_key_value_heads=self.num_key_value_heads,
            use_rotary_embedding=self.use_rotary_embedding,
            kernel_initializer=clone_initializer(self.kernel_initializer),
            name=name,
            dtype=self.dtype_policy,
        )
        layer.build(query_shape, value_shape)
        return layer

    def _norm(self, name, shape):
        layer = keras.layers.LayerNormalization(
            epsilon=self.layer_norm_epsilon, name=name, dtype=self.dtype_policy
        )
        layer.build(shape)
        return layer

    def _dense(self, units, name, input_shape, activation=None):
        layer = keras.layers.Dense(
            units,
            activation=activation,
            kernel_initializer=clone_initializer(self.kernel_initializer),
            name=name,
            dtype=self.dtype_policy,
        )
        layer.build(input_shape)
        return layer

    def _build_feedforward(self, shape):
        self.feedforward_norm = self._norm("feedforward_norm", shape)
        self.intermediate_dense = self._dense(
            self.intermediate_dim, "intermediate_dense", shape, self.activation
        )
        self.output_dense = self._dense(
            self.hidden_dim, "output_dense", (*shape[:-1], self.intermediate_dim)
        )
        self.dropout_layer = keras.layers.Dropout(
            self.dropout, name="residual_dropout", dtype=self.dtype_policy
        )

    def _residual(self, x, norm, sublayer, training):
        """`x + dropout(f(norm(x)))` (pre-norm) or `norm(x + dropout(f(x)))` (post-norm).

        `sublayer` returns the branch output, or a tuple whose first item is it; the
        rest of the tuple (a new cache) is returned beside the result.
        """
        branch = sublayer(norm(x) if self.norm_first else x)
        extra = ()
        if isinstance(branch, tuple):
            branch, *extra = branch
        y = x + self.dropout_layer(branch, training=training)
        return (y if self.norm_first else norm(y)), tuple(extra)

    def _feedforward(self, x, training):
        return self._residual(
            x,
            self.feedforward_norm,
            lambda h: self.output_dense(self.intermediate_dense(h)),
            training,
        )[0]

    def _check_shape(self, name, shape):
        check.rank(name, shape, 3, "(B, T, hidden_dim)")
        check.dim(name, shape, 2, self.hidden_dim, "hidden_dim")

    def _check_sequence(self, name, x):
        check.floating(name, x)
        self._check_shape(name, x.shape)

    @staticmethod
    def _keras_mask(x):
        """The padding mask Keras attached to `x` (as `keras.layers.Embedding` does)."""
        return getattr(x, "_keras_mask", None)

    @staticmethod
    def _padding(name, mask, x, length=None):
        """Validates a `(B, T)` padding mask against `x`; returns it as bool or None."""
        if mask is None:
            return None
        mask = ops.convert_to_tensor(mask)
        expected = (x.shape[0], x.shape[1] if length is None else length)
        check.shape_matches(name, mask.shape, expected, "(B, T)")
        return ops.cast(mask, "bool")

    def get_config(self):
        return {
            **super().get_config(),
            "num_heads": self.num_heads,
            "hidden_dim": self.hidden_dim,
            "intermediate_dim": self.intermediate_dim,
            "dropout": self.dropout,
            "norm_first": self.norm_first,
            "activation": self.activation,
            "layer_norm_epsilon": self.layer_norm_epsilon,
            "num_key_value_heads": self.num_key_value_heads,
            "use_rotary_embedding": self.use_rotary_embedding,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
        }
