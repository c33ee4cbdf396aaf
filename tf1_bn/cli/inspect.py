"""`tf1-bn inspect CHECKPOINT`: a TF1 checkpoint's variables and whether its BN moving statistics are all there.

Exit codes: 0 listed (and, with CHECKPOINT.meta, every BN layer's moving statistics are saved); 1 some
BN layer's moving statistics are missing from the checkpoint (a Saver(var_list=tf.trainable_variables()));
2 bad input (no CHECKPOINT.index, not a checkpoint, an unreadable .meta), one line.
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "inspect", help="list a TF1 checkpoint's variables and check that its BN moving statistics were saved",
        description="List the variables of CHECKPOINT (name, shape, dtype) and mark the batch-norm moving statistics "
                    "with their layer. With CHECKPOINT.meta the BN layers are found in the graph and any whose "
                    "moving statistics the checkpoint lacks is reported (exit 1); without it they are marked by "
                    "name only.",
    )
    parser.add_argument("checkpoint", metavar="CHECKPOINT", help="the TF1 checkpoint prefix, e.g. model.ckpt")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tf1_bn.migrate.inspect_checkpoint import format_inspection, inspect_checkpoint

    found = inspect_checkpoint(args.checkpoint)
    print("\n".join(format_inspection(found)))
    return 1 if found.missing_statistics else 0
