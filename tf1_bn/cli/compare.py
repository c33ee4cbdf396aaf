"""`tf1-bn compare`: one configuration of the article, without and with BN."""

from __future__ import annotations

import argparse
import os

from tf1_bn.cli._common import (add_training_options, data_factory, output_file_parent, output_folder, positive_float,
                               training_mode)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compare", help="train one configuration without and with BN",
        description="Train the article's network with the given initial weights, learning rate and activation, "
                    "without and with batch normalization, and report both accuracies and the verdict. The two "
                    "networks train together in one batched graph unless --solo or --faithful is given.",
    )
    parser.add_argument("--weights", choices=("small", "large"), required=True,
                        help="initial weights N(0, 0.05²) (small) or N(0, 10²) (large)")
    parser.add_argument("--lr", type=positive_float, required=True, help="learning rate (the article: 0.01 or 2)")
    parser.add_argument("--activation", choices=("relu", "sigmoid"), required=True, help="hidden-layer activation")
    add_training_options(parser, 2000)
    parser.add_argument("--plot", metavar="PNG", help="save the two validation curves to this PNG file")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tf1_bn.article.experiment import configuration, run_pairs
    from tf1_bn.article.plots import plot_training_accuracies
    from tf1_bn.article.table import verdict

    config = configuration(args.weights, args.lr, args.activation)
    factory = data_factory(args.data, args.seed)
    if args.plot:
        output_folder(os.path.dirname(args.plot) or ".", "--plot")
        output_file_parent(args.plot, "--plot")  # a folder or an unwritable place: one line, before training
    [(without_bn, with_bn, pair)] = run_pairs([config], args.steps, args.validate_every, data_factory=factory,
                                              seed=args.seed, bn=args.bn, mode=training_mode(args),
                                              inference_stats=args.inference_stats, progress=not args.no_progress)
    for label, run_result in (("without BN", pair.without_bn), ("with BN", pair.with_bn)):
        note = "  (diverged: the loss became NaN/inf)" if run_result.diverged else ""
        print(f"{label:>11}: validation {run_result.val_acc:.4f}, test {run_result.test_acc:.4f}, "
              f"{run_result.steps_per_second:.0f} steps/s{note}")
    print(f"verdict: {verdict(pair.without_bn.test_acc, pair.with_bn.test_acc)}")
    if args.plot:
        plot_training_accuracies(without_bn, with_bn, batches_per_validate_data=args.validate_every, path=args.plot)
        print(f"wrote {args.plot}")
    return 0
