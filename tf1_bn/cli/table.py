"""`tf1-bn table`: the article's 8 configurations, without and with BN, beside the article's numbers."""

from __future__ import annotations

import argparse

from tf1_bn._files import folder_lock
from tf1_bn.cli._common import add_training_options, data_factory, option_names, output_folder, training_mode

DEFAULT_STEPS = 30000  # the article: 50000; 30000 already shows all 8 of its verdicts on the embedded subset


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "table", help="rerun the article's 8-experiment table (the main job)",
        description="Train the article's 784-128-128-128-10 network for each of the 8 configurations, without "
                    "and with batch normalization (same initial weights, same batches), print the table beside "
                    "the article's, and write DIR/results.csv, DIR/model_N.png and DIR/all_models.png. The 16 "
                    "networks train together in one batched graph unless --solo or --faithful is given.",
    )
    add_training_options(parser, DEFAULT_STEPS)
    parser.add_argument("--only", metavar="1,3,...", help="run only these models (1-8)")
    parser.add_argument("--out", default="tf1_bn_results", metavar="DIR", help="output folder (default tf1_bn_results)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tf1_bn.article.table import parse_only, run_table

    with option_names(only="--only", steps="--steps", validate_every="--validate-every"):
        only = parse_only(args.only)
        output_folder(args.out, "--out")
    with folder_lock(args.out, "--out"), option_names(only="--only", steps="--steps", validate_every="--validate-every"):
        run_table(steps=args.steps, validate_every=args.validate_every, seed=args.seed,
                  data_factory=data_factory(args.data, args.seed), bn=args.bn, only=only, out_dir=args.out,
                  mode=training_mode(args), inference_stats=args.inference_stats,
                  progress=not args.no_progress)
    return 0
