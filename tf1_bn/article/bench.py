"""Steps per second of the article's training loop and of the fast path, with and without BN.

Everything runs in one process on the same data: for each (path, batch norm) the network is built in
a fresh graph, warmed up, then timed over `steps` SGD steps `repeats` times; the median is reported.
The article's setting: batch 60, 784-128-128-128-10, ReLU, plain SGD (lr 0.01, weights N(0, 0.05²)).

Targets (issue 7), read off the same run:
- speedup     best BN path ÷ the article-style feed_dict BN loop   ≥ 1.6
- overhead    no-BN steps/s ÷ BN steps/s on the fast path          ≤ 1.15
"""

from __future__ import annotations

import statistics
import time
from typing import Any, Callable

import tensorflow as tf

from tf1_bn.article.experiment import article_weights
from tf1_bn.article.network import BATCH_SIZE, NeuralNetwork

PATHS = ("faithful", "fast")
SPEEDUP_TARGET, OVERHEAD_TARGET = 1.6, 1.15


def measure(path: str, batch_norm: bool, data_factory: Callable[[], Any], steps: int, repeats: int, warmup: int) -> float:
    """Median steps/s of `repeats` timed runs of `steps` steps, after `warmup` steps, in one graph."""
    data = data_factory()
    rates = []
    with tf.Graph().as_default():
        network = NeuralNetwork(article_weights(0.05, seed=0), tf.nn.relu, batch_norm)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            for run in range(repeats + 1):
                count = warmup if run == 0 else steps
                start = time.perf_counter()
                network.train(sess, 0.01, count, count, data=data, fast=path == "fast", progress=False, verbose=False)
                if run:
                    rates.append(count / (time.perf_counter() - start))
    return statistics.median(rates)


def run_benchmark(data_factory: Callable[[], Any], steps: int = 2000, repeats: int = 3, warmup: int = 200,
                  echo: Callable[[str], None] = print) -> dict:
    """Measure all four combinations; returns the JSON-ready summary (also echoed as a table)."""
    results = []
    for path in PATHS:
        for batch_norm in (False, True):
            rate = measure(path, batch_norm, data_factory, steps, repeats, warmup)
            results.append({"path": path, "batch_norm": batch_norm, "steps_per_s": round(rate, 1)})
            echo(f"{path:>9}  {'with BN' if batch_norm else 'no BN':>7}  {rate:8.1f} steps/s")
    rate = {(r["path"], r["batch_norm"]): r["steps_per_s"] for r in results}
    speedup = max(rate[(p, True)] for p in PATHS) / rate[("faithful", True)]
    overhead = rate[("fast", False)] / rate[("fast", True)]
    echo(f"speedup of the best BN path over the article's feed_dict BN loop: {speedup:.2f}x (target >= {SPEEDUP_TARGET})")
    echo(f"BN overhead on the fast path (no-BN / BN steps/s): {overhead:.3f} (target <= {OVERHEAD_TARGET})")
    return {"batch_size": BATCH_SIZE, "steps": steps, "results": results,
            "speedup": round(speedup, 3), "bn_overhead": round(overhead, 3)}
