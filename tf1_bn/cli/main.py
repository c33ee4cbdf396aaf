"""Entry point of the `tf1-bn` console script.

Each subcommand is a module of this package (found automatically; names starting with "_" and `main`
are not commands) that defines ``register(subparsers)``; the parser it adds sets
``func`` to a callable taking the parsed namespace and returning an exit code. Modules are imported when the
parser is built, so they must not import TensorFlow at module level: `tf1-bn --help` and `tf1-bn lint` stay
fast and TF-free.

A subcommand that never needs TensorFlow (e.g. `lint`) sets ``needs_tensorflow=False``; for the others
TensorFlow is imported once, quietly (see `tf1_bn._quiet`), before the command runs.

Set TF1_BN_DEBUG=1 to see full tracebacks instead of one-line errors.

Exit codes: 0 success, 1 the command found a problem (e.g. lint findings), 2 bad usage or bad input
(argparse errors, and ValueError/TypeError/FileNotFoundError raised by the library), shown as one line
without a traceback; 130 interrupted (Ctrl-C, also while TensorFlow imports), 143 terminated
(SIGTERM: raised as an exception, so temporary files are removed as on any error).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import signal
import sys
from typing import Sequence

from tf1_bn._quiet import import_tensorflow_quietly
from tf1_bn._signals import Terminated, terminate_as_exception
from tf1_bn._version import __version__

# The order `--help` lists subcommands in; modules not named here follow alphabetically.
COMMAND_ORDER: tuple[str, ...] = ("table", "compare", "pitfalls", "lint", "run", "bench")


def command_modules() -> list[str]:
    import tf1_bn.cli

    found = {m.name for m in pkgutil.iter_modules(tf1_bn.cli.__path__) if not m.name.startswith("_") and m.name != "main"}
    return [n for n in COMMAND_ORDER if n in found] + sorted(found - set(COMMAND_ORDER))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tf1-bn",
        description="TF1 batch normalization restored on TensorFlow 2.16+: the article's experiments, "
        "the UPDATE_OPS pitfall and the tools that catch it.",
    )
    parser.add_argument("--version", action="version", version=f"tf1-bn {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in command_modules():
        importlib.import_module(f"tf1_bn.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    try:
        with terminate_as_exception():
            return _run(args)
    except Terminated:
        print(f"tf1-bn {args.command}: terminated", file=sys.stderr)
        return 128 + signal.SIGTERM


def _run(args: argparse.Namespace) -> int:
    try:
        if getattr(args, "needs_tensorflow", True):
            import_tensorflow_quietly()  # Ctrl-C here is "interrupted" too
        return int(args.func(args) or 0)
    except (ValueError, TypeError, OSError) as error:  # OSError: FileNotFoundError, PermissionError, DownloadError…
        if os.environ.get("TF1_BN_DEBUG"):
            raise
        print(f"tf1-bn {args.command}: error: {_one_line(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"tf1-bn {args.command}: interrupted", file=sys.stderr)
        return 130


def _one_line(error: BaseException) -> str:
    """The error's message on one line (an OSError's strerror and file name when it has no message of its own)."""
    text = str(error)
    if isinstance(error, OSError) and error.filename and error.strerror and not text.startswith(error.strerror):
        text = f"{error.filename}: {error.strerror}"
    return " ".join(text.split())


if __name__ == "__main__":
    sys.exit(main())
