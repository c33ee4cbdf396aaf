"""Steps per second of the training paths, with and without BN, and how close each is to the compute bound.

Everything runs in one process on the same data: for each (path, batch norm) the networks are built in a
fresh graph, warmed up, then timed over `steps` SGD steps `repeats` times; the median is reported. The
article's setting: batch 60, 784-128-128-128-10, ReLU, plain SGD (lr 0.01, weights N(0, 0.05²)).
Paths: "faithful" (the article's feed_dict loop), "fast" (the in-graph loop, one network: `--solo`) and
"batched" (`NETWORKS` such networks trained together, `tf1_bn.article.batched_loop`); rates are
network-steps per second (one SGD step of one network), so the three compare directly.

Work per network-step (`flops_per_step`), counting the matmuls only (multiply and add = 2 FLOPs):

    forward            2·B·Σ_l in_l·out_l                      (B = 60: 16.1 MFLOP)
    weight gradients   2·B·Σ_l in_l·out_l                      (16.1 MFLOP)
    input gradients    2·B·Σ_{l≥2} in_l·out_l                  (layers 2–4; the input needs none: 4.1 MFLOP)

36.3 MFLOP in all. The bound is that work at the rate of a 1024×1024×1024 float32 matmul measured in the
same run (`bound_gflops`, the better of a measurement before and one after the paths), so
`percent_of_bound` = network-steps/s × FLOPs per step ÷ that rate. Each path also reports the rate of
its own matmuls alone (`matmul_gflops`: the step's forward and gradient matmuls at the step's shapes,
batched for the batched path, in a graph loop) — the ceiling a step of that shape can reach.

The `table` row times the article's whole table (8 configurations × with/without BN, `run_pairs`,
validation every 500 steps included) for `table_steps` steps, batched and solo.

Targets (issues 7 and 17), read off the same run:
- speedup     best BN path ÷ the article's feed_dict BN loop           ≥ 2.0
- overhead    no-BN ÷ BN network-steps/s, fast path ≤ 1.15, batched   ≤ 1.10
- bound       the batched table's percent_of_bound                    ≥ 80

Where the batched step's time goes (a RunMetadata trace by kernel type): `tf1_bn.article.profile`.
"""

from __future__ import annotations

import statistics
import time
from typing import Any, Callable, Sequence

import numpy as np
import tensorflow as tf

from tf1_bn.article.experiment import LAYER_SIZES, article_table, article_weights, run_pairs
from tf1_bn.article.network import BATCH_SIZE, NeuralNetwork

PATHS = ("faithful", "fast", "batched")
NETWORKS = 16  # the batched path: as many networks as the table has
SPEEDUP_TARGET, OVERHEAD_TARGET, BATCHED_OVERHEAD_TARGET, BOUND_TARGET = 2.0, 1.15, 1.10, 80.0


def flops_per_step(layer_sizes: Sequence[int] = LAYER_SIZES, batch: int = BATCH_SIZE) -> int:
    """Matmul FLOPs of one SGD step of one network (the module docstring's formula)."""
    products = [a * b for a, b in zip(layer_sizes, layer_sizes[1:])]
    return 2 * batch * (2 * sum(products) + sum(products[1:]))


def _step_matmuls(networks: int, layer_sizes: Sequence[int], batch: int) -> list[tuple[tuple, tuple, dict]]:
    """(a shape, b shape, tf.matmul flags) of every matmul of a step; leading axis `networks` when batched."""
    lead = (networks,) if networks > 1 else ()
    shapes = []
    for layer, (n_in, n_out) in enumerate(zip(layer_sizes, layer_sizes[1:])):
        x = (1, batch, n_in) if lead and layer == 0 else lead + (batch, n_in)  # layer 1: one batch for all
        shapes.append((x, lead + (n_in, n_out), {}))                                          # x·W
        shapes.append((x, lead + (batch, n_out), {"adjoint_a": True}))                        # xᵀ·dz
        if layer:
            shapes.append((lead + (batch, n_out), lead + (n_in, n_out), {"adjoint_b": True}))  # dz·Wᵀ
    return shapes


def matmul_gflops(shapes: Sequence[tuple[tuple, tuple, dict]], flops: float, runs: int = 3) -> float:
    """GFLOP/s of the matmuls `shapes` (worth `flops` per round) in a graph loop of ~30 GFLOP, best of `runs`.

    The operands are loop variables, not constants, so no kernel can cache a reordered weight matrix."""
    repeats = max(5, round(3e10 / flops))
    with tf.Graph().as_default():
        rng = np.random.default_rng(0)
        operands = [tf.constant(rng.random(shape, np.float32)) for a, b, _ in shapes for shape in (a, b)]

        def body(i: tf.Tensor, total: tf.Tensor, *operands: tf.Tensor) -> tuple[tf.Tensor, ...]:
            products = [tf.reshape(tf.matmul(operands[2 * k], operands[2 * k + 1], **flags), [-1])[0]
                        for k, (_, _, flags) in enumerate(shapes)]
            return (i + 1, total + tf.add_n(products), *operands)

        loop = tf.compat.v1.while_loop(lambda i, *_: i < repeats, body, [tf.constant(0), tf.constant(0.0), *operands])[1]
        with tf.compat.v1.Session() as sess:
            sess.run(loop)
            best = float("inf")
            for _ in range(runs):
                start = time.perf_counter()
                sess.run(loop)
                best = min(best, time.perf_counter() - start)
    return flops * repeats / best / 1e9


def bound_gflops() -> float:
    """GFLOP/s of a 1024×1024×1024 float32 matmul (the rate the bound is taken at)."""
    return matmul_gflops([((1024, 1024), (1024, 1024), {})], 2 * 1024**3)


def _bench_specs(batch_norm: bool) -> list[Any]:
    from tf1_bn.article.stacked import NetworkSpec

    return [NetworkSpec(article_weights(0.05, seed=k), tf.nn.relu, batch_norm, 0.01) for k in range(NETWORKS)]


def _measure_batched(batch_norm: bool, data: Any, steps: int, repeats: int, warmup: int) -> float:
    from tf1_bn.article.batched_loop import BatchedLoop
    from tf1_bn.article.fast_loop import validation_chunks
    from tf1_bn.article.stacked import StackedNetworks

    rates = []
    with tf.Graph().as_default():
        stacked = StackedNetworks(_bench_specs(batch_norm))
        loop = BatchedLoop(stacked, [0] * NETWORKS, (data.train.base_images.shape, data.train.base_labels.shape),
                           (data.validation.images.shape, data.validation.labels.shape))
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            loop.load(sess, data.train, data.validation)
            for run in range(repeats + 1):
                count = warmup if run == 0 else steps
                start = time.perf_counter()
                for chunk, _ in validation_chunks(count, count):  # validate twice, as train(count, count) does
                    loop.run(sess, np.stack([[data.train.next_batch_indices(BATCH_SIZE) for _ in range(chunk)]]).astype(np.int32))
                if run:
                    rates.append(NETWORKS * count / (time.perf_counter() - start))
    return statistics.median(rates)


def measure(path: str, batch_norm: bool, data_factory: Callable[[], Any], steps: int, repeats: int, warmup: int) -> float:
    """Median network-steps/s of `repeats` timed runs of `steps` steps, after `warmup` steps, in one graph."""
    data = data_factory()
    if path == "batched":
        return _measure_batched(batch_norm, data, steps, repeats, warmup)
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


def measure_table(data_factory: Callable[[], Any], mode: str, steps: int) -> float:
    """Network-steps/s of the article's whole table (`run_pairs`, graphs and validation included)."""
    configurations = [row.configuration for row in article_table()]
    start = time.perf_counter()
    run_pairs(configurations, steps, 500, data_factory=data_factory, seed=0, mode=mode, progress=False)
    return 2 * len(configurations) * steps / (time.perf_counter() - start)


def run_benchmark(data_factory: Callable[[], Any], steps: int = 2000, repeats: int = 3, warmup: int = 200,
                  table_steps: int = 1000, echo: Callable[[str], None] = print) -> dict:
    """Measure every (path, batch norm) and the table; returns the JSON-ready summary (also echoed)."""
    flops = flops_per_step()
    before = bound_gflops()
    networks_of = {path: NETWORKS if path == "batched" else 1 for path in PATHS}  # faithful and fast: one shape
    by_count = {n: matmul_gflops(_step_matmuls(n, LAYER_SIZES, BATCH_SIZE), flops * n) for n in set(networks_of.values())}
    shapes = {path: by_count[n] for path, n in networks_of.items()}
    results = [{"path": path, "batch_norm": batch_norm,
                "steps_per_s": round(measure(path, batch_norm, data_factory, steps, repeats, warmup), 1)}
               for path in PATHS for batch_norm in (False, True)]
    table = {mode: round(measure_table(data_factory, mode, table_steps), 1) for mode in ("batched", "solo")}
    bound = max(before, bound_gflops())  # the better of before and after: the machine's rate in this run
    percent = lambda rate: round(100 * rate * flops / 1e9 / bound, 1)  # noqa: E731
    echo(f"compute bound: {flops / 1e6:.1f} MFLOP per network-step at {bound:.0f} GFLOP/s (1024³ matmul) "
         f"= {bound * 1e9 / flops:.0f} network-steps/s")
    for r in results:
        r.update(flops_per_step=flops, gflops=round(r["steps_per_s"] * flops / 1e9, 1),
                 matmul_gflops=round(shapes[r["path"]], 1), percent_of_bound=percent(r["steps_per_s"]))
        echo(f"{r['path']:>9}  {'with BN' if r['batch_norm'] else 'no BN':>7}  {r['steps_per_s']:8.1f} network-steps/s  "
             f"{r['gflops']:6.1f} GFLOP/s = {r['percent_of_bound']:5.1f}% of bound (its matmuls alone: "
             f"{r['matmul_gflops']:.0f} GFLOP/s = {100 * r['matmul_gflops'] / bound:.0f}%)")
    table_percent = {mode: percent(rate) for mode, rate in table.items()}
    echo(f"    table  {table['batched']:8.1f} network-steps/s batched ({table_percent['batched']}% of bound), "
         f"{table['solo']:.1f} solo ({table_percent['solo']}%): {table['batched'] / table['solo']:.2f}x")
    rate = {(r["path"], r["batch_norm"]): r["steps_per_s"] for r in results}
    speedup = max(rate[(p, True)] for p in PATHS) / rate[("faithful", True)]
    overhead = rate[("fast", False)] / rate[("fast", True)]
    overhead_batched = rate[("batched", False)] / rate[("batched", True)]
    met = lambda ok: "met" if ok else "not met"  # noqa: E731
    echo(f"speedup of the best BN path over the article's feed_dict BN loop: {speedup:.2f}x "
         f"(target >= {SPEEDUP_TARGET}: {met(speedup >= SPEEDUP_TARGET)})")
    echo(f"BN overhead (no-BN / BN network-steps/s): fast path {overhead:.3f} (target <= {OVERHEAD_TARGET}: "
         f"{met(overhead <= OVERHEAD_TARGET)}), batched {overhead_batched:.3f} (target <= {BATCHED_OVERHEAD_TARGET}: "
         f"{met(overhead_batched <= BATCHED_OVERHEAD_TARGET)})")
    echo(f"batched table at {table_percent['batched']}% of the compute bound "
         f"(target >= {BOUND_TARGET:g}%: {met(table_percent['batched'] >= BOUND_TARGET)})")
    return {"batch_size": BATCH_SIZE, "steps": steps, "results": results,
            "speedup": round(speedup, 3), "bn_overhead": round(overhead, 3),
            "bn_overhead_batched": round(overhead_batched, 3), "flops_per_step": flops,
            "bound_gflops": round(bound, 1), "networks": NETWORKS,
            "table": {"steps": table_steps, "network_steps_per_s": table, "percent_of_bound": table_percent,
                      "speedup": round(table["batched"] / table["solo"], 3)}}
