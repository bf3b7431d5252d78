"""The `keraslab` command line: `keraslab [--backend NAME] COMMAND`.

The backend flag sets `KERAS_BACKEND` before Keras is imported, so every command
imports Keras lazily, inside the function that runs it.
"""

import argparse
import os
import sys

from keraslab._backend import SUPPORTED_BACKENDS


def _info(args):
    from keraslab._info import describe_environment

    print(describe_environment())
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
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
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.backend:
        os.environ["KERAS_BACKEND"] = args.backend
    try:
        return args.run(args)
    except (ValueError, TypeError, FileNotFoundError) as error:
        print(f"keraslab: error: {error}", file=sys.stderr)
        return 2
