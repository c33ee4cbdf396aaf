"""Benchmark: the guard's two graph checks on generated deep training graphs (≥100,000 ops in under 2 s).

    python -m tf1_bn.guard.bench                        # graphs of ≥100,000 and ≥50,000 ops
    python -m tf1_bn.guard.bench --ops 20000 --ops 10000 --repeat 5

The graph is `blocks` × (dense 8→8 → `tf1_bn.layers.batch_normalization(training=<bool placeholder>)` →
ReLU), a mean-square loss, the training graph of a MomentumOptimizer built WITHOUT the UPDATE_OPS
dependency, and `Saver(var_list=tf.trainable_variables())`. Both checks therefore have every BN layer to
report — the worst case, where each finding is built — and the placeholder makes every update a tf.cond,
so the function library is read too. The number of blocks is chosen from two small probe graphs so that
the graph has at least the requested number of ops.

Timed from a cold start (the cached graph index cleared before every call; `graph_index`):
`find_unattached_update_ops(train_op)`, `find_unsaved_statistics(saver)`, and both one after the other —
what guard_sessions and the pytest plugin do, the second check reusing the first one's index. Building
the graph is not timed. "first" is the first
call on the graph, "best" the fastest of `--repeat` calls (wall clock; "cpu" is that call's CPU time,
which other processes on the machine do not inflate); ops/s is computed from "best". The last lines
compare CPU seconds per op between the largest and the smallest graph (1.0 = linear).
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import math
import os
import time
from typing import Callable, Sequence

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf  # noqa: E402

WIDTH = 8  # units per dense layer: the op count per block does not depend on it, the build time barely


@dataclasses.dataclass(frozen=True)
class BenchGraph:
    """A generated training graph, its (forgetful) train op and its (forgetful) Saver."""

    graph: tf.Graph
    train_op: tf.Operation
    saver: tf.compat.v1.train.Saver
    blocks: int

    @property
    def ops(self) -> int:
        return len(self.graph.get_operations())


@dataclasses.dataclass(frozen=True)
class Timing:
    """One check on one graph: ops, findings, and seconds: wall clock of the first and of the best call,
    and the CPU time of the best call (other processes on the machine inflate wall clock, not CPU)."""

    check: str
    ops: int
    findings: int
    first: float
    best: float
    cpu: float

    @property
    def ops_per_second(self) -> float:
        return self.ops / self.best


def build_graph(blocks: int) -> BenchGraph:
    """`blocks` dense+BN+ReLU blocks with their Momentum training graph (see the module docstring)."""
    import tf1_bn.layers as layers

    if blocks < 1:
        raise ValueError(f"`blocks` must be at least 1; received {blocks}")
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, WIDTH])  # (batch, WIDTH)
        is_training = tf.compat.v1.placeholder(tf.bool, [])
        h = x
        for _ in range(blocks):
            h = tf.nn.relu(layers.batch_normalization(layers.dense(h, WIDTH, use_bias=False), training=is_training))
        loss = tf.reduce_mean(tf.square(h))
        train_op = tf.compat.v1.train.MomentumOptimizer(0.01, 0.9).minimize(loss)  # UPDATE_OPS forgotten
        saver = tf.compat.v1.train.Saver(var_list=tf.compat.v1.trainable_variables())  # statistics left out
    return BenchGraph(graph, train_op, saver, blocks)


def blocks_for(ops: int) -> int:
    """The number of blocks whose graph has at least `ops` ops (from two probe graphs: ops are linear in blocks)."""
    small, large = build_graph(2).ops, build_graph(4).ops
    per_block = (large - small) / 2
    base = small - 2 * per_block
    return max(1, math.ceil((ops - base) / per_block))


def _time(check: Callable[[], list], repeat: int) -> tuple[int, float, float, float]:
    """(findings, first wall s, best wall s, CPU s of the best call) over `repeat` cold calls."""
    from tf1_bn.guard import graph_index

    seconds = []
    for _ in range(max(1, repeat)):
        graph_index.clear_cache()
        gc.collect()  # garbage of earlier graphs is not this call's cost
        start, start_cpu = time.perf_counter(), time.process_time()
        findings = check()
        seconds.append((time.perf_counter() - start, time.process_time() - start_cpu))
    best = min(seconds)
    return len(findings), seconds[0][0], best[0], best[1]


def time_checks(bench: BenchGraph, repeat: int = 3) -> list[Timing]:
    """Time both checks on `bench` (each `repeat` times)."""
    from tf1_bn.guard import find_unattached_update_ops, find_unsaved_statistics

    checks = {
        "find_unattached_update_ops": lambda: find_unattached_update_ops(bench.train_op),
        "find_unsaved_statistics": lambda: find_unsaved_statistics(bench.saver, bench.graph),
        "both": lambda: find_unattached_update_ops(bench.train_op) + find_unsaved_statistics(bench.saver, bench.graph),
    }
    ops = bench.ops
    return [Timing(name, ops, *_time(check, repeat)) for name, check in checks.items()]


def format_table(timings: Sequence[Timing]) -> str:
    lines = [f"{'ops':>9}  {'check':<28} {'findings':>8}  {'first s':>8}  {'best s':>8}  {'cpu s':>7}  {'ops/s':>10}"]
    lines += [f"{t.ops:>9,}  {t.check:<28} {t.findings:>8,}  {t.first:>8.3f}  {t.best:>8.3f}  {t.cpu:>7.3f}  "
              f"{t.ops_per_second:>10,.0f}" for t in timings]
    sizes = sorted({t.ops for t in timings})
    if len(sizes) > 1:
        for check in dict.fromkeys(t.check for t in timings):
            per_op = {t.ops: t.cpu / t.ops for t in timings if t.check == check}
            lines.append(f"{check}: CPU seconds per op at {sizes[-1]:,} / at {sizes[0]:,} ops = "
                         f"{per_op[sizes[-1]] / per_op[sizes[0]]:.2f} (1.0 = linear)")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tf1_bn.guard.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, action="append", help="minimum ops of a graph (repeatable; "
                        "default: 100000 and 50000)")
    parser.add_argument("--repeat", type=int, default=3, help="calls per check and graph (default: 3)")
    args = parser.parse_args(argv)
    sizes = args.ops or [100_000, 50_000]
    if any(size < 1 for size in sizes) or args.repeat < 1:
        parser.error(f"--ops and --repeat must be positive; received --ops {sizes}, --repeat {args.repeat}")
    tf.get_logger().setLevel("ERROR")
    timings = []
    for size in sizes:
        start = time.perf_counter()
        bench = build_graph(blocks_for(size))
        print(f"built {bench.ops:,} ops ({bench.blocks} blocks) in {time.perf_counter() - start:.1f} s", flush=True)
        timings += time_checks(bench, args.repeat)
        del bench
    print(format_table(timings))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
