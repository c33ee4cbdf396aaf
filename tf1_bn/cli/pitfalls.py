"""`tf1-bn pitfalls`: the classic TF1 batch-norm mistakes, each measured, with the fix and what guard and lint say."""

from __future__ import annotations

import argparse
import os

from tf1_bn._files import folder_lock
from tf1_bn.cli._common import data_factory, option_names, output_folder, seed


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "pitfalls", help="measure the classic TF1 batch-norm mistakes (update ops omitted, ...)",
        description="Train the article's network once per pitfall (a few seconds each) and print, per row: "
                    "inference vs training-mode accuracy, what went wrong, the one-line fix, and what "
                    "tf1_bn.guard and tf1-bn lint say. Also writes a PNG bar chart.",
    )
    parser.add_argument("--data", default="mnist", metavar="mnist|fashion|DIR", help="data set (default mnist)")
    parser.add_argument("--seed", type=seed, default=0, help="seed of weights and batch order (default 0)")
    parser.add_argument("--only", metavar="KEY,...", help="run only these pitfalls (keys: see the table)")
    parser.add_argument("--out", default="tf1_bn_results", metavar="DIR",
                        help="folder for pitfalls.png (default tf1_bn_results)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tf1_bn.article.pitfalls import check_only, format_results, plot_results, run_pitfalls

    only = [key.strip() for key in args.only.split(",") if key.strip()] if args.only is not None else None
    with option_names(only="--only"):
        check_only(only)  # before the data are loaded
    output_folder(args.out, "--out")
    with folder_lock(args.out, "--out"):
        with option_names(only="--only"):
            results = run_pitfalls(data_factory(args.data, args.seed), seed=args.seed, only=only)
        print()
        print(format_results(results))
        path = os.path.join(args.out, "pitfalls.png")
        plot_results(results, path)
    print(f"\nwrote {path}")
    return 0
