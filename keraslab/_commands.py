"""The `list`, `presets`, `train`, `evaluate` and `generate` commands of the `keraslab`
tool.

Keras is imported inside each command, after `--backend` has set `KERAS_BACKEND`.

`train` builds the model its docs page teaches (`RECIPES`), or a named size of it, with
`--config key=value` overrides, and trains it on its own dataset with its own loss.
`train --save` adds a small `keraslab.json` to the `.keras` archive, naming the catalogue
entry, the dataset and the dataset's options; Keras ignores it when loading, and
`evaluate` and `generate` read it to rebuild the same test data and vocabulary.
"""

import ast
import dataclasses
import inspect
import json
import os
import zipfile
from collections.abc import Callable
from typing import Any

import numpy as np

METADATA_FILE = "keraslab.json"
_IMAGE_SAMPLERS = ("sample", "generate")
_SPARSE = "sparse_categorical_crossentropy"
_SPARSE_LOGITS = ("SparseCategoricalCrossentropy", {"from_logits": True})


@dataclasses.dataclass(frozen=True)
class Recipe:
    """How `keraslab train` builds, compiles and feeds one catalogue model.

    Attributes:
        config: constructor arguments of the model its docs page teaches, plus options of
            its dataset (`window`, `sequence_length`); the dataset fills in the model
            arguments it implies and this leaves out (`vocabulary_size`, `image_shape`...).
        sizes: named variants of `config` as overrides, for `--size`; `"quick"` is the
            page's quick mode (`KERASLAB_QUICK`).
        loss: a `keras.losses` name, or `(class name, kwargs)`; None for models that
            compute their own loss.
        metrics: `keras.metrics` names or `(class name, kwargs)`.
        optimizer: kwargs of the `keras.optimizers.Adam` the page trains with.
        compile_options: further `compile` kwargs (the diffusion model's `ema_momentum`).
        labelled: whether `fit` gets the dataset's targets, given the final config.
    """

    config: dict
    sizes: dict = dataclasses.field(default_factory=lambda: {"quick": {}})
    loss: Any = _SPARSE
    metrics: tuple = ("accuracy",)
    optimizer: dict = dataclasses.field(default_factory=dict)
    compile_options: dict = dataclasses.field(default_factory=dict)
    labelled: Callable[[dict], bool] = lambda config: True


def _images(loss=None, **fields):
    """A recipe for a generative model: it learns from the images alone."""
    return Recipe(loss=loss, metrics=(), labelled=lambda config: False, **fields)


_TRANSFORMER_QUICK = {"hidden_dim": 32, "intermediate_dim": 64}

# The model each docs page teaches, in the order of `keraslab list`.
RECIPES = {
    # foundations/feedforward.py: the final model, with dropout.
    "MLP": Recipe(
        {"hidden_units": (32, 16), "dropout": 0.3, "output_activation": "softmax"},
    ),
    # architectures/convolutional.py: the digits model.
    "CNN": Recipe(
        {"filters": (32, 64), "dense_units": (64,), "dropout": 0.2},
        sizes={"quick": {"filters": (8,)}},
        optimizer={"learning_rate": 2e-3},
    ),
    # architectures/recurrent.py: the forecaster.
    "RNN": Recipe(
        {"cell_type": "gru", "units": 32, "task": "forecast", "window": 48},
        sizes={"quick": {"window": 12}},
        loss="mse",
        metrics=("mae",),
        optimizer={"learning_rate": 3e-3},
    ),
    # generative/autoencoder.py: the denoiser.
    "Autoencoder": _images(
        config={"latent_dim": 32, "kind": "conv", "filters": 32, "noise_stddev": 0.3, "seed": 0},
        optimizer={"learning_rate": 3e-3},
    ),
    # generative/vae.py
    "VAE": _images(
        config={"latent_dim": 2, "kind": "conv", "filters": 32, "beta": 1.0, "seed": 0},
        optimizer={"learning_rate": 2e-3},
    ),
    # generative/gan.py: the unconditional GAN; `--config num_classes=10` gives the
    # page's conditional one, which trains on the labels too.
    "GAN": Recipe(
        {"latent_dim": 32, "filters": 32, "num_classes": None, "seed": 0},
        loss=None,
        metrics=(),
        optimizer={"learning_rate": 1e-3, "beta_1": 0.5},
        labelled=lambda config: config["num_classes"] is not None,
    ),
    # generative/diffusion.py
    "Diffusion": _images(
        config={"timesteps": 100, "schedule": "cosine", "filters": 16, "seed": 0},
        sizes={"quick": {"timesteps": 20}},
        optimizer={"learning_rate": 2e-3},
        compile_options={"ema_momentum": 0.995},
    ),
    # transformers/encoder_only.py: the classifier.
    "EncoderOnlyTransformer": Recipe(
        {
            "sequence_length": 16,
            "num_layers": 2,
            "num_heads": 4,
            "hidden_dim": 64,
            "intermediate_dim": 128,
            "dropout": 0.1,
        },
        sizes={"quick": _TRANSFORMER_QUICK},
        loss=_SPARSE_LOGITS,
    ),
    # transformers/decoder_only.py
    "DecoderOnlyTransformer": Recipe(
        {
            "sequence_length": 96,
            "num_layers": 4,
            "num_heads": 4,
            "hidden_dim": 128,
            "intermediate_dim": 384,
        },
        sizes={
            "quick": {"sequence_length": 32, "num_layers": 1, "num_heads": 2, **_TRANSFORMER_QUICK}
        },
        loss=_SPARSE_LOGITS,
        metrics=(),
        optimizer={"learning_rate": 2e-3},
    ),
    # transformers/encoder_decoder.py
    "EncoderDecoderTransformer": Recipe(
        {
            "num_encoder_layers": 2,
            "num_decoder_layers": 2,
            "num_heads": 4,
            "hidden_dim": 128,
            "intermediate_dim": 256,
            "dropout": 0.1,
        },
        sizes={"quick": {"num_encoder_layers": 1, "num_decoder_layers": 1, **_TRANSFORMER_QUICK}},
        loss=("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 0}),
        metrics=(("SparseCategoricalAccuracy", {"name": "token_accuracy"}),),
    ),
}


def list_entries(args):
    from keraslab import catalog

    entries = catalog.entries()
    width = max(len(e.name) for e in entries) + 2
    for entry in entries:
        page = f"  (docs/{entry.docs_page})" if entry.docs_page else ""
        print(f"{entry.name.ljust(width)}{entry.kind:<6} {entry.description}{page}")
    return 0


def parse_config(pairs):
    """`["key=value", ...]` as a dict, each value a Python literal or else a string."""
    config = {}
    for pair in pairs:
        key, equals, text = pair.partition("=")
        if not equals or not key.isidentifier():
            raise ValueError(f"Argument --config must be key=value; received {pair!r}.")
        try:
            config[key] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            config[key] = text
    return config


def _recipe(entry):
    if entry.kind != "model":
        raise ValueError(f"Argument name must be a model; {entry.name} is a {entry.kind}.")
    if entry.name not in RECIPES:
        raise ValueError(f"Argument name: `keraslab train` has no recipe for {entry.name}.")
    return RECIPES[entry.name]


def _settings(entry, recipe, size, overrides, dataset):
    """The recipe's config at `size` with `overrides`, split into model and data options."""
    from keraslab import models
    from keraslab.datasets import registry

    if size not in {"docs", *recipe.sizes}:
        raise ValueError(
            f"Argument --size must be one of {['docs', *recipe.sizes]} for {entry.name}; "
            f"received {size!r}."
        )
    model_class = getattr(models, entry.name)
    parameters = _parameters(model_class)
    data_options = registry.options(dataset)
    valid = sorted(parameters | set(data_options))
    for key in overrides:
        if key not in valid:
            raise ValueError(
                f"Argument --config: {entry.name} has no option {key!r}; valid keys are "
                f"{', '.join(valid)}."
            )
    settings = {**recipe.config, **recipe.sizes.get(size, {}), **overrides}
    model_config = {k: v for k, v in settings.items() if k in parameters}
    return model_class, model_config, {k: v for k, v in settings.items() if k in data_options}


def _compile_options(recipe):
    import keras

    def get(module, spec):
        """A name as it is (compile resolves "accuracy" by the loss), or `(class, kwargs)`."""
        if isinstance(spec, tuple):
            name, kwargs = spec
            return getattr(module, name)(**kwargs)
        return spec

    options = {
        "optimizer": keras.optimizers.Adam(**recipe.optimizer),
        "loss": None if recipe.loss is None else get(keras.losses, recipe.loss),
        **recipe.compile_options,
    }
    if recipe.metrics:  # compiled metrics, even none, make fit call the model on x first
        options["metrics"] = [get(keras.metrics, spec) for spec in recipe.metrics]
    return options


def _built(model_class, config, x):
    """`model_class(**config)`, built on `x` so that a config that cannot work fails here."""
    from keras import tree

    model = model_class(**config)
    if model.built:  # the generative models build their networks in the constructor
        return model
    try:
        model(tree.map_structure(lambda a: a[:1], x))
    except (ValueError, TypeError, RuntimeError) as error:
        message = str(error).strip() or type(error).__name__
        raise ValueError(
            f"{model_class.__name__}({_format_config(config)}) cannot run on the data: "
            + message.splitlines()[0]
        ) from error
    return model


def _format_config(config):
    return ", ".join(f"{k}={v!r}" for k, v in config.items())


def train(args):
    import keras

    from keraslab import catalog
    from keraslab.datasets import registry

    entry = catalog.get(args.name)
    recipe = _recipe(entry)
    dataset = args.dataset or entry.default_dataset
    if args.save and not args.save.endswith(".keras"):
        raise ValueError(f"Argument --save must end in .keras; received {args.save!r}.")
    if args.epochs < 1:
        raise ValueError(f"Argument --epochs must be >= 1; received {args.epochs}.")
    overrides = parse_config(args.config)
    cluster = _cluster(args)
    model_class, config, data_options = _settings(entry, recipe, args.size, overrides, dataset)
    data = registry.load(dataset, **data_options)
    config = {**{k: v for k, v in data.config.items() if k in _parameters(model_class)}, **config}
    data = _first(data, args.limit)
    x, y = data.train if recipe.labelled(config) else (data.train[0], None)
    keras.utils.set_random_seed(args.seed)
    model = _built(model_class, config, x)
    model.compile(**_compile_options(recipe))
    callbacks, batch_size = cluster.prepare(model), cluster.local_batch_size(args.batch_size)
    if cluster.world_size > 1:
        x, y = cluster.shard((x, y), args.batch_size)
    say = print if cluster.is_chief else lambda *_: None
    say(f"Training {entry.name} on {dataset} under {keras.backend.backend()}")
    if cluster.world_size > 1:
        say(f"data parallel over {cluster.world_size} processes, {batch_size} examples each")
    say(f"config: {_format_config(config)}")
    history = model.fit(
        x,
        y,
        epochs=args.epochs,
        batch_size=batch_size,
        verbose=int(cluster.is_chief),
        callbacks=callbacks,
    )
    final = {name: values[-1] for name, values in history.history.items()}
    say("final training metrics: " + _format(final))
    test_metrics = _evaluate(recipe, model, data)
    say("test metrics:           " + _format(test_metrics))
    if args.save and cluster.is_chief:
        model.save(args.save)
        metadata = {"entry": entry.name, "dataset": dataset, "dataset_options": data_options}
        with zipfile.ZipFile(args.save, "a") as archive:
            archive.writestr(METADATA_FILE, json.dumps(metadata))
        print(f"saved {args.save}")
    cluster.shutdown()
    return 0


def _cluster(args):
    """The processes `--distributed` trains over: this one alone without it."""
    from keraslab.training import distributed

    if not args.distributed:
        return distributed.Cluster(0, 1)
    return distributed.initialize(args.timeout)


def _first(data, limit):
    """`data` with its first `limit` training and test examples only (all for None)."""
    from keras import tree

    if limit is None:
        return data
    if limit < 1:
        raise ValueError(f"Argument --limit must be >= 1; received {limit}.")
    train, test = tree.map_structure(
        lambda a: None if a is None else a[:limit], (data.train, data.test)
    )
    return dataclasses.replace(data, train=train, test=test)


def _parameters(model_class):
    return set(inspect.signature(model_class).parameters) - {"kwargs"}


def _evaluate(recipe, model, data):
    x, y = data.test
    labelled = recipe.labelled(model.get_config())
    return model.evaluate(x, y if labelled else None, verbose=0, return_dict=True)


def _format(metrics):
    return ", ".join(f"{name}={float(value):.4f}" for name, value in metrics.items())


def load_keras_file(path):
    """Returns `(model, metadata)`; raises a one-line error for a missing or bad file."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"Argument model: no such file {path!r}.")
    if not path.endswith(".keras"):
        raise ValueError(f"Argument model must be a .keras file; received {path!r}.")
    import keras

    import keraslab.layers
    import keraslab.models  # noqa: F401  registers every keraslab class with Keras

    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            metadata = json.loads(archive.read(METADATA_FILE)) if METADATA_FILE in names else {}
        model = keras.saving.load_model(path)
    except Exception as error:  # any failure to read the archive means the same to the user
        raise ValueError(
            f"Argument model: {path!r} is not a readable .keras file ({type(error).__name__})."
        ) from error
    return model, metadata


def _saved_data(path, metadata, dataset=None):
    """The catalogue entry and `TaskData` a file saved by `keraslab train` names."""
    from keraslab import catalog
    from keraslab.datasets import registry

    if "entry" not in metadata:
        raise ValueError(
            f"{path} was not saved by `keraslab train`; it names no catalogue model or "
            "dataset to evaluate on."
        )
    entry = catalog.get(metadata["entry"])
    if dataset is None or dataset == metadata["dataset"]:
        data = registry.load(metadata["dataset"], **metadata["dataset_options"])
    else:
        data = registry.load(dataset)
    return entry, data


def evaluate(args):
    model, metadata = load_keras_file(args.model)
    entry, data = _saved_data(args.model, metadata, args.dataset)
    data = _first(data, args.limit)
    dataset = args.dataset or metadata["dataset"]
    recipe = _recipe(entry)
    # The saved compile config holds the training backend's resolved jit_compile (True
    # under JAX and TensorFlow), which under torch means torch.compile: compile afresh.
    model.compile(**_compile_options(recipe))
    print(f"{entry.name} on the {dataset} test split: " + _format(_evaluate(recipe, model, data)))
    return 0


def _first_parameter(method):
    return next(iter(inspect.signature(method).parameters), None)


def _call(method, first, **options):
    """`method(first, **options)`, passing only the options its signature names."""
    accepted = inspect.signature(method).parameters
    return method(first, **{k: v for k, v in options.items() if k in accepted})


def _preset_lines():
    from keraslab import presets

    for name, info in presets.list().items():
        metric = info["metric"]
        yield (
            f"{name:<24} {info['class']:<24} {metric['name']} {metric['value']:.4f}; "
            f"{info['corpus']}, {info['steps']} steps, seed {info['seed']}, "
            f"{info['backend']}, keraslab {info['keraslab']}, {info['date']}"
        )


def print_presets():
    for line in _preset_lines():
        print(f"  {line}")


def list_presets(args):
    for line in _preset_lines():
        print(line)
    return 0


def _generator(args):
    """`(model, vocabulary or None, metadata)` of `generate`'s file or `--preset`."""
    if (args.model is None) == (args.preset is None):
        raise ValueError(
            "Argument model: give either a .keras file or --preset NAME; received "
            + ("neither." if args.model is None else "both.")
        )
    if args.model is not None:
        return (*load_keras_file(args.model), None)
    from keraslab import presets

    if "tokens" not in presets.metadata(args.preset):
        raise ValueError(
            f"Argument --preset must be a text preset; {args.preset!r} generates no text."
        )
    return presets.load(args.preset), {}, presets.vocabulary(args.preset)


def generate(args):
    model, metadata, vocabulary = _generator(args)
    if args.n < 1:
        raise ValueError(f"Argument -n must be >= 1; received {args.n}.")
    for name in _IMAGE_SAMPLERS:
        method = getattr(model, name, None)
        if callable(method) and _first_parameter(method) in ("n", "num_samples"):
            return _save_images(_call(method, args.n, seed=args.seed), args.out)
    method = getattr(model, "generate", None)
    if callable(method) and _first_parameter(method) in ("prompt_ids", "source_ids"):
        return _print_text(model, method, metadata, vocabulary, args)
    raise ValueError(
        f"Argument model: {type(model).__name__} generates nothing; generate works with "
        "the generative models and the text models."
    )


def _save_images(samples, out):
    import keras
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    samples = np.clip(keras.ops.convert_to_numpy(samples), 0.0, 1.0)
    columns = int(np.ceil(np.sqrt(len(samples))))
    rows = int(np.ceil(len(samples) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 1.2, rows * 1.2), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, image in zip(axes.flat, samples):
        ax.imshow(image.squeeze(-1) if image.shape[-1] == 1 else image, cmap="gray")
    fig.savefig(out, bbox_inches="tight")
    print(f"wrote {len(samples)} samples to {out}")
    return 0


def _print_text(model, method, metadata, vocabulary, args):
    if vocabulary is None:
        _, data = _saved_data(args.model, metadata)
        vocabulary = data.vocabulary
    if _first_parameter(method) == "prompt_ids":
        prompt = vocabulary.encode(args.prompt or "def ")
        options = {"max_new_tokens": args.length, "sampler": args.sampler, "seed": args.seed}
        ids = _call(method, np.tile(prompt, (args.n, 1)), **options)
        decoded = [vocabulary.decode(row) for row in ids]
    else:
        sources = data.test[0]["source_ids"][: args.n]
        decoded = [vocabulary.decode(row) for row in np.asarray(method(sources))]
    for line in decoded:
        print(line)
    return 0
