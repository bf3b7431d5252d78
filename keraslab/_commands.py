"""The `list`, `train`, `evaluate` and `generate` commands of the `keraslab` tool.

Keras is imported inside each command, after `--backend` has set `KERAS_BACKEND`.

`train --save` adds a small `keraslab.json` to the `.keras` archive, naming the catalogue
entry and dataset; Keras ignores it when loading, and `evaluate` and `generate` read it to
find the test data and the vocabulary.
"""

import inspect
import json
import os
import zipfile

import numpy as np

METADATA_FILE = "keraslab.json"
_IMAGE_SAMPLERS = ("sample", "generate")


def list_entries(args):
    from keraslab import catalog

    entries = catalog.entries()
    if not entries:
        print("The catalogue is empty.")
    width = max((len(e.name) for e in entries), default=0) + 2
    for entry in entries:
        page = f"  (docs/{entry.docs_page})" if entry.docs_page else ""
        print(f"{entry.name.ljust(width)}{entry.kind:<6} {entry.description}{page}")
    return 0


def _adapted_build(entry, data):
    """`entry.build()`, rebuilt with the config values the dataset implies."""
    instance = entry.build()
    config = instance.get_config()
    overrides = {k: v for k, v in data.config.items() if k in config and config[k] != v}
    if config.get("output_units") == 1 and "output_units" in overrides:
        del overrides["output_units"]
    return type(instance).from_config({**config, **overrides}) if overrides else instance


def train(args):
    import keras
    from keras import tree

    from keraslab import catalog
    from keraslab.datasets import registry

    entry = catalog.get(args.name)
    if entry.kind != "model":
        raise ValueError(f"Argument name must be a model; {entry.name} is a {entry.kind}.")
    dataset = args.dataset or entry.default_dataset
    if dataset is None:
        raise ValueError(f"{entry.name} has no default dataset; pass --dataset NAME.")
    if args.save and not args.save.endswith(".keras"):
        raise ValueError(f"Argument --save must end in .keras; received {args.save!r}.")
    for option, value in (("--epochs", args.epochs), ("--limit", args.limit)):
        if value is not None and value < 1:
            raise ValueError(f"Argument {option} must be >= 1; received {value}.")
    data = registry.load(dataset, entry.sample_input())
    keras.utils.set_random_seed(args.seed)
    model = _adapted_build(entry, data)
    x, y = _inputs_and_labels(entry, data.train)
    # Models that compute their own loss (y is None) have no labels to score metrics on.
    metrics = list(data.metrics) if y is not None else []
    defaults = {"optimizer": "adam", "loss": "mse", "metrics": metrics}
    model.compile(**{**defaults, **entry.compile_kwargs})
    if args.limit is not None:
        x, y = tree.map_structure(lambda a: None if a is None else a[: args.limit], (x, y))
    print(f"Training {entry.name} on {dataset} under {keras.backend.backend()}")
    history = model.fit(x, y, epochs=args.epochs, batch_size=args.batch_size, verbose=1)
    final = {name: values[-1] for name, values in history.history.items()}
    print("final training metrics: " + _format(final))
    print("test metrics:           " + _format(_evaluate(entry, model, data)))
    if args.save:
        model.save(args.save)
        with zipfile.ZipFile(args.save, "a") as archive:
            archive.writestr(METADATA_FILE, json.dumps({"entry": entry.name, "dataset": dataset}))
        print(f"saved {args.save}")
    return 0


def _inputs_and_labels(entry, split):
    x, y = split
    labelled = entry.fit_data()[1] is not None
    return x, (y if labelled else None)


def _evaluate(entry, model, data):
    x, y = _inputs_and_labels(entry, data.test)
    return model.evaluate(x, y, verbose=0, return_dict=True)


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


def evaluate(args):
    from keraslab import catalog
    from keraslab.datasets import registry

    model, metadata = load_keras_file(args.model)
    dataset = args.dataset or metadata.get("dataset")
    if dataset is None or "entry" not in metadata:
        raise ValueError(
            f"{args.model} was not saved by `keraslab train`; it names no catalogue model or "
            "dataset to evaluate on."
        )
    entry = catalog.get(metadata["entry"])
    data = registry.load(dataset, entry.sample_input())
    if not model.compiled:
        model.compile(**{"optimizer": "adam", "loss": "mse", **entry.compile_kwargs})
    print(f"{entry.name} on the {dataset} test split: " + _format(_evaluate(entry, model, data)))
    return 0


def _first_parameter(method):
    return next(iter(inspect.signature(method).parameters), None)


def _call(method, first, **options):
    """`method(first, **options)`, passing only the options its signature names."""
    accepted = inspect.signature(method).parameters
    return method(first, **{k: v for k, v in options.items() if k in accepted})


def generate(args):
    model, metadata = load_keras_file(args.model)
    if args.n < 1:
        raise ValueError(f"Argument -n must be >= 1; received {args.n}.")
    for name in _IMAGE_SAMPLERS:
        method = getattr(model, name, None)
        if callable(method) and _first_parameter(method) in ("n", "num_samples"):
            return _save_images(_call(method, args.n, seed=args.seed), args.out)
    method = getattr(model, "generate", None)
    if callable(method) and _first_parameter(method) in ("prompt_ids", "source_ids"):
        return _print_text(model, method, metadata, args)
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


def _print_text(model, method, metadata, args):
    from keraslab import catalog
    from keraslab.datasets import registry

    if "dataset" not in metadata:
        raise ValueError(
            f"{args.model} was not saved by `keraslab train`, so its vocabulary is unknown."
        )
    entry = catalog.get(metadata["entry"])
    data = registry.load(metadata["dataset"], entry.sample_input())
    if _first_parameter(method) == "prompt_ids":
        prompt = data.vocabulary.encode(args.prompt or "def ")
        options = {"max_new_tokens": args.length, "sampler": args.sampler, "seed": args.seed}
        ids = _call(method, np.tile(prompt, (args.n, 1)), **options)
        decoded = [data.vocabulary.decode(row) for row in ids]
    else:
        sources = data.test[0][0][: args.n]
        decoded = [data.vocabulary.decode(row) for row in np.asarray(method(sources))]
    for line in decoded:
        print(line)
    return 0
