"""`tf1-bn bench`: network-steps/s of the faithful, fast and batched training paths, with and without BN, in
percent of the compute bound; and the whole table, batched vs solo."""

from __future__ import annotations

import argparse
import json
import sys

from tf1_bn.cli._common import data_factory, positive_int


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "bench", help="measure training steps/s of the article's loop, the fast path and the batched path",
        description="Time the article-style feed_dict loop, the fast in-graph loop and the batched loop (16 "
                    "networks in one graph), with and without BN, in one process after a warm-up; report the "
                    "median of repeats, FLOPs per step, percent of the compute bound (a 1024³ matmul's rate "
                    "measured in the same run), the whole table batched vs solo, and the issue-7/17 targets.",
    )
    parser.add_argument("--steps", type=positive_int, default=2000, help="timed steps per repeat (default 2000)")
    parser.add_argument("--repeats", type=positive_int, default=3, help="timed repeats; the median is reported (default 3)")
    parser.add_argument("--warmup", type=positive_int, default=200, help="untimed warm-up steps (default 200)")
    parser.add_argument("--table-steps", type=positive_int, default=1000, metavar="N",
                        help="steps per network of the timed whole table, batched and solo (default 1000)")
    parser.add_argument("--data", default="mnist", metavar="mnist|fashion|DIR", help="data set (default mnist)")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object on the last line")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tf1_bn.article.bench import run_benchmark

    echo = (lambda text: print(text, file=sys.stderr)) if args.json else print
    summary = run_benchmark(data_factory(args.data, seed=0, echo=echo), args.steps, args.repeats, args.warmup,
                            table_steps=args.table_steps, echo=echo)
    if args.json:
        print(json.dumps(summary))
    return 0
