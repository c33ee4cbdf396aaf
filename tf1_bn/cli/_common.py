"""Argument types and options shared by several subcommands (no TensorFlow imported here)."""

from __future__ import annotations

import argparse
import contextlib
import os
from typing import Any, Callable, Iterator

BN_CHOICES = ("layers", "moments_ema", "assign")


MAX_COUNT = 10**9  # steps, repeats, batches: beyond this no run ends (and tqdm/plots overflow)
MAX_SEED = 2**32 - 1  # NumPy's seed range


def _bounded_int(text: str, low: int, high: int, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, received {text!r}") from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"expected {what}, received {text!r}")
    return value


def positive_int(text: str) -> int:
    """argparse type: an integer in 1…10⁹ (argparse names the option in its message)."""
    return _bounded_int(text, 1, MAX_COUNT, f"a positive integer up to {MAX_COUNT:_}".replace("_", ","))


def seed(text: str) -> int:
    """argparse type: a seed in 0…2³²−1."""
    return _bounded_int(text, 0, MAX_SEED, f"a non-negative integer up to {MAX_SEED}")


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, received {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, received {text!r}")
    return value


@contextlib.contextmanager
def option_names(**options: str) -> Iterator[None]:
    """Library errors name parameters (`only`, `steps`); the user typed options (--only, --steps).

    Within the block, a ValueError naming a parameter of `options` (parameter="--option") is raised
    again with the option's name in its place, so the one-line error speaks the user's words.
    """
    try:
        yield
    except ValueError as error:
        message = str(error)
        renamed = message
        for parameter, option in options.items():
            renamed = renamed.replace(f"`{parameter}`", option)
        if renamed == message:
            raise
        raise ValueError(renamed) from None


def output_folder(path: str, option: str) -> str:
    """Create the output folder `path` now, before any training, so a bad `option` value fails in one line
    at once instead of after minutes of work; returns `path`."""
    try:
        os.makedirs(path, exist_ok=True)
    except FileExistsError:
        raise ValueError(f"{option} {path!r}: expected a folder, found a file") from None
    except OSError as error:
        raise ValueError(f"{option} {path!r}: cannot create the folder ({error.strerror})") from None
    _probe_writable(path, option)
    return path


def _probe_writable(folder: str, option: str) -> None:
    """Write and remove a probe file in `folder` (root ignores permission bits, so os.access alone is not enough)."""
    import tempfile

    if not os.access(folder, os.W_OK):
        raise ValueError(f"{option} {folder!r}: the folder is not writable")
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".tf1-bn-probe."):
            pass
    except OSError as error:
        raise ValueError(f"{option} {folder!r}: cannot write there ({error.strerror})") from None


def output_file_parent(path: str, option: str) -> str:
    """A file `path` can be written: its folder exists and is writable, and `path` is not a folder."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise ValueError(f"{option} {path!r}: expected a file name, found a folder")
    if not os.path.isdir(folder):
        raise ValueError(f"{option} {path!r}: the folder {folder!r} does not exist")
    _probe_writable(folder, option)
    return path


def add_training_options(parser: argparse.ArgumentParser, default_steps: int) -> None:
    parser.add_argument("--steps", type=positive_int, default=default_steps,
                        help=f"training batches of 60 per network (default {default_steps}; the article: 50000)")
    parser.add_argument("--validate-every", type=positive_int, default=500, metavar="K",
                        help="validate after batch 0 and every K batches (default 500, as the article)")
    parser.add_argument("--seed", type=seed, default=0, help="seed of the initial weights and the batch order (default 0)")
    parser.add_argument("--data", default="mnist", metavar="mnist|fashion|DIR",
                        help="mnist: MNIST_data/ in the current folder, else the embedded 10,000-digit subset "
                             "(offline); fashion: Debian's dataset-fashion-mnist; DIR: a folder with the four "
                             "IDX files or mnist.npz")
    parser.add_argument("--bn", choices=BN_CHOICES, default="layers",
                        help="how BN is written: tf.layers (default), seed 003's moments+EMA, or tf.assign (Udacity); the "
                             "last two train one network at a time (the batched path has the tf.layers statistics)")
    paths = parser.add_mutually_exclusive_group()
    paths.add_argument("--solo", action="store_true",
                       help="train the networks one at a time with the fast in-graph loop instead of all together "
                            "in one batched graph (the default; same math)")
    paths.add_argument("--faithful", action="store_true",
                       help="train the networks one at a time with the article's feed_dict loop (same math)")
    parser.add_argument("--inference-stats", choices=("ema", "population"), default="ema",
                        help="BN statistics used after training: the moving averages (ema, default, as TF1) or "
                             "population statistics recomputed over the training set (Ioffe & Szegedy, Algorithm 2)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")


def training_mode(args: argparse.Namespace) -> str:
    """"batched" (default), "solo" (--solo) or "faithful" (--faithful), as `tf1_bn.article.experiment.MODES`."""
    return "faithful" if args.faithful else "solo" if args.solo else "batched"


def data_factory(spec: str, seed: int, echo: Callable[[str], None] = print) -> Callable[[], Any]:
    """A function returning a fresh one-hot `Datasets` for `--data`, each with the same batch order."""
    import warnings

    from tf1_bn import mnist

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = mnist.load(spec, one_hot=True, seed=seed)
    for warning in caught:
        echo(f"note: {warning.message}")
    echo(f"data: {first.source} (train {first.train.num_examples}, validation {first.validation.num_examples}, "
         f"test {first.test.num_examples})")
    handed_out = [False]

    def factory() -> Any:
        if not handed_out[0]:
            handed_out[0] = True
            return first
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return mnist.load(spec, one_hot=True, seed=seed)

    return factory
