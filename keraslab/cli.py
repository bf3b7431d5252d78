"""The `keraslab` command line: `keraslab [--backend NAME] COMMAND`.

The backend flag sets `KERAS_BACKEND` before Keras is imported, so every command
imports Keras lazily, inside the function that runs it. Bad arguments, bad `--config`
values, missing or unreadable files and models that cannot be built end with one line on
stderr and exit code 2, never a traceback.
"""

import argparse
import os
import sys

from keraslab import _commands
from keraslab._backend import SUPPORTED_BACKENDS


def _info(args):
    from keraslab._info import describe_environment

    print(describe_environment())
    print("presets:")
    _commands.print_presets()
    return 0


class _Parser(argparse.ArgumentParser):
    """Reports a bad argument in one line, with exit code 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _add_commands(commands):
    commands.add_parser("list", help="the catalogue: layers and models").set_defaults(
        run=_commands.list_entries
    )
    train = commands.add_parser("train", help="train a catalogue model on its dataset")
    train.add_argument("name", help="catalogue name, as printed by `keraslab list`")
    train.add_argument("--epochs", type=int, default=3)
    train.add_argument("--batch-size", type=int, default=32)
    train.add_argument("--dataset", help="offline dataset (default: the model's own)")
    train.add_argument(
        "--limit", type=int, help="train and test on the first N examples of each split only"
    )
    train.add_argument(
        "--size",
        default="docs",
        help="docs: the model its docs page teaches (default); quick: the page's quick mode",
    )
    train.add_argument(
        "--config",
        nargs="+",
        action="extend",
        default=[],
        metavar="KEY=VALUE",
        help="override a constructor argument or dataset option, e.g. num_layers=2",
    )
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--save", metavar="PATH.keras")
    train.add_argument(
        "--distributed",
        action="store_true",
        help="data parallel over the processes of torchrun (torch) or a JAX launcher (jax); "
        "--batch-size is the global batch, and process 0 alone prints and saves",
    )
    train.add_argument(
        "--timeout",
        type=int,
        default=60,
        help="with --distributed: seconds to wait for the other processes (default 60)",
    )
    train.set_defaults(run=_commands.train)
    evaluate = commands.add_parser("evaluate", help="evaluate a saved model on its test data")
    evaluate.add_argument("model", help="a .keras file written by `keraslab train --save`")
    evaluate.add_argument("--dataset", help="offline dataset (default: the one it trained on)")
    evaluate.add_argument("--limit", type=int, help="the first N test examples only")
    evaluate.set_defaults(run=_commands.evaluate)
    commands.add_parser("presets", help="the shipped pretrained models").set_defaults(
        run=_commands.list_presets
    )
    generate = commands.add_parser("generate", help="sample from a generative or text model")
    generate.add_argument(
        "model", nargs="?", help="a .keras file written by `keraslab train --save`"
    )
    generate.add_argument("--preset", help="a shipped text preset instead of a file")
    generate.add_argument("-n", type=int, default=16, help="samples to draw")
    generate.add_argument("--out", default="samples.png", help="image grid file")
    generate.add_argument("--prompt", help="text prompt for language models")
    generate.add_argument("--length", type=int, default=80, help="new tokens for text")
    generate.add_argument("--sampler", default="top_k", help="text sampling rule, e.g. greedy")
    generate.add_argument("--seed", type=int, default=0)
    generate.set_defaults(run=_commands.generate)


def build_parser():
    parser = _Parser(
        prog="keraslab", description="Backend-agnostic Keras 3 models, run from the shell."
    )
    parser.add_argument(
        "--backend",
        choices=SUPPORTED_BACKENDS,
        help="Keras backend to use (default: the KERAS_BACKEND environment variable).",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    commands.add_parser("info", help="print the backend, versions and devices").set_defaults(
        run=_info
    )
    _add_commands(commands)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.backend:
        os.environ["KERAS_BACKEND"] = args.backend
    try:
        return args.run(args)
    except (ValueError, TypeError, OSError) as error:
        message = str(error).strip() or type(error).__name__
        print(f"keraslab: error: {message.splitlines()[0]}", file=sys.stderr)
        return 2
