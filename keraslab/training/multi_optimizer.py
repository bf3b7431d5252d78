"""A `keras.Model` base class whose `fit()` steps several optimizers, one per role."""

import re

import keras

from keraslab.training.gradients import value_and_grad


class MultiOptimizerModel(keras.Model):
    """Base class for models trained by several optimizers within one `fit()` step.

    A GAN updates its discriminator with one optimizer, then its generator with
    another, on every batch. A subclass names those *roles* and writes each role's
    loss once, in `keras.ops`; this class runs the step on every backend with the
    backend's own automatic differentiation:

    * TensorFlow: `tf.GradientTape`, inside the `tf.function` Keras compiles.
    * PyTorch: `torch.autograd.grad`, then the update under `torch.no_grad()`.
    * JAX: `jax.value_and_grad` of a pure function that runs the role's loss under a
      `keras.StatelessScope` carrying the trainable and non-trainable variables, the
      optimizer variables and the metric variables; the updated values are threaded
      through to the next role and returned to the JAX trainer as its state.

    The optimizers live in one `keras.optimizers.MultiOptimizer`, with one inner
    optimizer per role (matched to the role's sublayer by variable path), so the
    Keras trainers save, reload and carry their state as they would a single
    optimizer's. Roles run in the order `optimizer_roles()` lists them, each seeing
    the weights the previous roles have just updated.

    Subclasses implement:

    * `optimizer_roles()`: an ordered dict from role name to the sublayer whose
      trainable variables that role's optimizer updates.
    * `compute_role_loss(role, x, y=None, training=True)`: the scalar loss of one role
      on the batch `x` (and its targets `y`, when `fit` gets any), written with
      `keras.ops` and `keras.random` (seeded with a `keras.random.SeedGenerator` on
      the model). Loss trackers (`keras.metrics.Mean` attributes) may be updated here.

    The model must be built before `fit()`. The `"loss"` the progress bar shows is
    the sum of the roles' losses. The constructor is `keras.Model`'s.

    Example:

    ```python
    gan = keraslab.models.GAN(image_shape=(8, 8, 1), latent_dim=16)
    gan.compile(optimizer={"discriminator": "adam", "generator": "adam"})
    gan.fit(images, epochs=1)
    ```
    """

    def optimizer_roles(self):
        """Returns an ordered dict `{role: sublayer}`; each role has its own optimizer."""
        raise NotImplementedError(f"{type(self).__name__} must implement optimizer_roles().")

    def compute_role_loss(self, role, x, y=None, training=True):
        """Returns the scalar loss that role `role`'s optimizer minimises on batch `x, y`."""
        raise NotImplementedError(f"{type(self).__name__} must implement compute_role_loss().")

    def compile(self, optimizer="adam", loss=None, **kwargs):
        """Configures one optimizer per role.

        Args:
            optimizer: a `dict` from role name to optimizer (instance or name); or one
                optimizer (instance or name), copied for every role; or a
                `keras.optimizers.MultiOptimizer` as built by this method (the form
                it is saved in). Defaults to `"adam"`.
            loss: must be `None`: the losses come from `compute_role_loss`.
            **kwargs: passed to `keras.Model.compile` (for example `jit_compile`).
        """
        if loss is not None:
            raise ValueError(
                f"Argument loss must be None for {type(self).__name__}, whose losses come "
                f"from compute_role_loss(); received {loss!r}."
            )
        super().compile(optimizer=self._multi_optimizer(optimizer), **kwargs)
        if self.built:
            self.optimizer.build(self.trainable_variables)

    def compile_from_config(self, config):
        self.compile(**keras.saving.deserialize_keras_object(config))

    def role_optimizer(self, role):
        """Returns the optimizer that updates role `role`'s variables."""
        roles = list(self.optimizer_roles())
        if role not in roles:
            raise ValueError(f"Argument role must be one of {roles}; received {role!r}.")
        return self.optimizer.optimizers[roles.index(role)]

    def _multi_optimizer(self, optimizer):
        roles = self.optimizer_roles()
        if isinstance(optimizer, keras.optimizers.MultiOptimizer):
            if len(optimizer.optimizers) != len(roles) + 1:
                raise ValueError(
                    f"Argument optimizer must hold {len(roles) + 1} inner optimizers (one "
                    f"per role {list(roles)}, then the unused default); received "
                    f"{len(optimizer.optimizers)}."
                )
            return optimizer
        if isinstance(optimizer, dict):
            if set(optimizer) != set(roles):
                raise ValueError(
                    f"Argument optimizer must have exactly the keys {sorted(roles)}; "
                    f"received {sorted(optimizer)}."
                )
            chosen = {role: keras.optimizers.get(optimizer[role]) for role in roles}
            if len({id(o) for o in chosen.values()}) != len(roles):
                raise ValueError(
                    "Argument optimizer must give each role its own optimizer instance; "
                    "received the same instance for several roles."
                )
        else:
            template = keras.optimizers.get(optimizer)
            chosen = {
                role: type(template).from_config({**template.get_config(), "name": role})
                for role in roles
            }
        mapping = keras.optimizers.OptimizerMap(
            default_optimizer=keras.optimizers.SGD(learning_rate=0.0, name="unassigned")
        )
        for role, layer in roles.items():
            pattern = f"(.*/)?{re.escape(layer.name)}/.*"
            stray = [v.path for v in layer.trainable_variables if not re.fullmatch(pattern, v.path)]
            if stray:
                raise ValueError(
                    f"The variables of role {role!r} must have paths under its layer's name "
                    f"{layer.name!r}, which is how its optimizer finds them; received paths "
                    f"{stray[:3]}. Create the layer's weights inside "
                    f"`keras.name_scope({layer.name!r})` (a Sequential does this itself)."
                )
            mapping[pattern] = chosen[role]
        return keras.optimizers.MultiOptimizer(mapping)

    def _roles(self):
        return [
            (role, self.role_optimizer(role), list(layer.trainable_variables))
            for role, layer in self.optimizer_roles().items()
        ]

    def train_step(self, *args):
        backend = keras.backend.backend()
        if backend == "jax":
            return self._jax_step(*args, training=True)
        (data,) = args
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        total = 0.0
        for role, optimizer, variables in self._roles():
            loss, grads = value_and_grad(lambda r=role: self.compute_role_loss(r, x, y), variables)
            if backend == "torch":
                import torch

                with torch.no_grad():
                    optimizer.apply(grads, variables)
            else:
                optimizer.apply(grads, variables)
            total = total + loss
        self.optimizer.iterations.assign_add(1)
        return self._logs(total)

    def test_step(self, *args):
        if keras.backend.backend() == "jax":
            return self._jax_step(*args, training=False)
        (data,) = args
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        total = sum(
            self.compute_role_loss(role, x, y, training=False) for role in self.optimizer_roles()
        )
        return self._logs(total)

    def _logs(self, total):
        self._loss_tracker.update_state(total)
        return self.get_metrics_result()

    def _jax_step(self, state, data, training):
        import jax

        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        if training:
            groups = [
                self.trainable_variables,
                self.non_trainable_variables,
                self.optimizer.variables,
                self.metrics_variables,
            ]
        else:
            groups = [
                self.trainable_variables,
                self.non_trainable_variables,
                self.metrics_variables,
            ]
        refs = [v for group in groups for v in group]
        values = dict(zip(map(id, refs), [v for group in state for v in group]))

        def run(fn, replaced=()):
            replaced = dict(replaced)
            mapping = [(v, replaced.get(id(v), values[id(v)])) for v in refs]
            with keras.StatelessScope(state_mapping=mapping) as scope:
                out = fn()
            return out, {id(v): scope.get_current_value(v) for v in refs}

        total = 0.0
        for role in self.optimizer_roles():
            if not training:
                loss, updated = run(lambda role=role: self.compute_role_loss(role, x, y, False))
                values.update(updated)
                total = total + loss
                continue
            optimizer = self.role_optimizer(role)
            variables = list(self.optimizer_roles()[role].trainable_variables)

            def pure(role_values, role=role, variables=variables):
                replaced = zip(map(id, variables), role_values)
                return run(lambda: self.compute_role_loss(role, x, y, True), replaced)

            role_values = [values[id(v)] for v in variables]
            (loss, updated), grads = jax.value_and_grad(pure, has_aux=True)(role_values)
            values.update(updated)
            _, updated = run(lambda o=optimizer, g=grads, v=variables: o.apply(g, v))
            values.update(updated)
            total = total + loss

        def finish():
            if training:
                self.optimizer.iterations.assign_add(1)
            return self._logs(total)

        logs, updated = run(finish)
        values.update(updated)
        new_state = tuple([values[id(v)] for v in group] for group in groups)
        return logs, new_state
