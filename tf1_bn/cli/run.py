"""`tf1-bn run SCRIPT [ARGS…]`: run an unmodified TF1 script (tf.placeholder, tf.layers, tf.contrib, input_data).

Everything after SCRIPT goes to the script unchanged (`tf1-bn run demo.py --steps 50 --help` passes
`--steps 50 --help` to demo.py). Exit codes: the script's own; 1 if it raised; 2 if SCRIPT does not
exist; 3 if it uses a TF API the facade does not provide (one line naming the line and the API).
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run", help="run an unmodified TF1 script on TensorFlow 2 (import tensorflow as tf, tf.layers, tf.contrib)",
        description="Run SCRIPT as `python SCRIPT ARGS` would, with tf1_bn's TF1 facade standing in for "
                    "`tensorflow` in this process: graph mode, tf.placeholder/Session, tf.layers.*, "
                    "tf.contrib.layers.batch_norm, slim, and tensorflow.examples.tutorials.mnist.input_data "
                    "(offline: the embedded MNIST subset). matplotlib uses Agg when there is no display.",
    )
    # nargs="?" only so that a missing SCRIPT is reported alone (argparse would also call ARGS required)
    parser.add_argument("script", metavar="SCRIPT", nargs="?", help="the TF1 script to run")
    parser.add_argument("args", nargs=argparse.REMAINDER, metavar="ARGS", help="the script's own arguments, passed through")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tf1_bn.compat.runner import run_script

    if args.script is None:
        raise ValueError("SCRIPT is required: tf1-bn run SCRIPT [ARGS...]")
    return run_script(args.script, args.args)
