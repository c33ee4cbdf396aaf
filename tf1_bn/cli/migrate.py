"""`tf1-bn migrate CHECKPOINT --inputs … --outputs … --out MODEL.keras`: a TF1 checkpoint to Keras 3, with proof.

Exit codes: 0 converted (and, with --check, every difference within the tolerance); 1 a difference
exceeds the tolerance (nothing written but the report); 2 bad input (no .meta, a misspelled tensor
name, variables that do not fit, an unsupported op, an unusable --out), one line, nothing written.
"""

from __future__ import annotations

import argparse

from tf1_bn.cli._common import option_names, output_file_parent, positive_int


def _names(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"expected NAME[,NAME…], received {text!r}")
    return names


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "migrate", help="convert a TF1 checkpoint (prefix + .meta) to a Keras 3 .keras model, with a parity check",
        description="Import CHECKPOINT.meta, restore CHECKPOINT, convert the graph from --inputs to --outputs into "
                    "a Keras 3 functional model (batch norm with its momentum, epsilon and axis), check it against "
                    "the TF1 graph and save it as a .keras file. Names are graph tensor or op names (x, x:0, logits).",
    )
    parser.add_argument("checkpoint", metavar="CHECKPOINT", help="the TF1 checkpoint prefix, e.g. model.ckpt")
    parser.add_argument("--inputs", type=_names, required=True, metavar="NAME[,NAME…]",
                        help="the graph's input tensors or ops, comma-separated (x or x:0)")
    parser.add_argument("--outputs", type=_names, required=True, metavar="NAME[,NAME…]",
                        help="the graph's output tensors or ops to convert up to, comma-separated (logits)")
    parser.add_argument("--training", metavar="NAME", help="the graph's is_training placeholder, if it has one")
    parser.add_argument("--out", required=True, metavar="MODEL.keras", help="where to write the Keras model")
    parser.add_argument("--report", metavar="REPORT.txt", help="write the conversion report there")
    parser.add_argument("--check", type=positive_int, default=None, metavar="N",
                        help="feed N random batches through both and compare (default 2 when --check-data is absent)")
    parser.add_argument("--check-data", metavar="FILE.npz", help="arrays to check with, keyed by input name")
    parser.add_argument("--fused-variance", choices=("keras", "tf1"), default="keras",
                        help="keras (default): fused TF1 batch norm becomes keras.layers.BatchNormalization, loadable "
                             "anywhere; tf1: tf1_bn.keras.FusedBatchNormalization, whose moving variance trains as "
                             "TF1's fused kernel did (sigma^2*m/(m-1))")
    parser.add_argument("--allow-missing-statistics", action="store_true",
                        help="migrate even when BN moving statistics are missing from the checkpoint (report says so)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tf1_bn.migrate.checkpoint_migration import migrate_checkpoint

    if not args.out.endswith(".keras"):
        raise ValueError(f"--out {args.out!r}: expected a file name ending in .keras")
    output_file_parent(args.out, "--out")
    if args.report is not None:
        output_file_parent(args.report, "--report")
    check = args.check if args.check is not None else (0 if args.check_data else 2)
    with option_names(inputs="--inputs", outputs="--outputs", training="--training", check_data="--check-data",
                      fused_variance="--fused-variance"):
        result = migrate_checkpoint(args.checkpoint, args.inputs, args.outputs, args.training, out=args.out,
                                    report=args.report, check=check, check_data=args.check_data,
                                    allow_missing_statistics=args.allow_missing_statistics,
                                    fused_variance=args.fused_variance)
    layers = [line for line in result.report.splitlines() if line.startswith("  ") and "<-" in line]
    print(f"converted {len(layers)} layers from {args.checkpoint}")
    for mode, value in result.differences.items():
        print(f"check {mode}: largest |Keras − TF1| = {value:.3g}")
    if not result.passed:
        print(f"tf1-bn migrate: a difference exceeds the tolerance 1e-05; {args.out} not written"
              + (f" (see {args.report})" if args.report else ""))
        return 1
    print(f"wrote {args.out}" + (f" and {args.report}" if args.report else ""))
    return 0
