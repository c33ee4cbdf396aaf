"""Where the batched table's step spends its time: a TensorFlow RunMetadata trace, op time by kernel type.

`tf1-bn bench` says how far the batched path is from the compute bound; this says why. It builds the bench's
16 networks (`bench._bench_specs`: ReLU, lr 0.01, weights N(0, 0.05²)) as one `StackedNetworks`, warms the
loop up, then traces `steps` SGD steps of one `BatchedLoop.run` with `RunOptions(trace_level=FULL_TRACE)`
and sums each kernel's duration (`NodeExecStats.all_end_rel_micros`) by the kernel type the runtime ran
(`_MklBatchMatMulV2` for a batched matmul, `PartitionedCall` for an XLA-compiled BN call, ...):

    op time per step   = Σ durations ÷ steps            (the ops' own time, summed over both cores)
    wall per step      = (last end − first start) ÷ steps
    busy               = op time ÷ (wall × cores)       (1.0: both cores always inside a kernel)

Tracing adds its own cost to every op (measured: ~30 % more wall time per step than the untraced bench),
so the shares are what to read, not the absolute times.

    python -m tf1_bn.article.profile [--steps 300] [--top 12]
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import os
import warnings
from typing import Any

import numpy as np

# TensorFlow is imported in the functions that build graphs, so `python -m tf1_bn.article.profile` can parse
# its options and silence TensorFlow's start-up lines first (tf1_bn._quiet), as the tf1-bn command does.


@dataclasses.dataclass
class StepProfile:
    """One traced run: per kernel type (µs per step, kernels per step), and the step's wall time."""

    batch_norm: bool
    steps: int
    per_kernel: dict[str, tuple[float, float]]
    wall_us: float

    @property
    def op_us(self) -> float:
        return sum(us for us, _ in self.per_kernel.values())

    def busy(self, cores: int) -> float:
        return self.op_us / (self.wall_us * cores)


def _kernel_type(stats: Any) -> str:
    """"name = Type(inputs)" → Type; labels without " = " (sources, sinks) keep the node's name."""
    label = stats.timeline_label
    return label.split(" = ", 1)[1].split("(", 1)[0].strip() if " = " in label else stats.node_name


def summarize(metadata: Any, steps: int) -> tuple[dict[str, tuple[float, float]], float]:
    """(per kernel type: (µs per step, kernels per step)), wall µs per step) of a traced run."""
    micros: collections.Counter = collections.Counter()
    counts: collections.Counter = collections.Counter()
    starts, ends = [], []
    for device in metadata.step_stats.dev_stats:
        for stats in device.node_stats:
            kernel = _kernel_type(stats)
            micros[kernel] += stats.all_end_rel_micros
            counts[kernel] += 1
            starts.append(stats.all_start_micros)
            ends.append(stats.all_start_micros + stats.all_end_rel_micros)
    if not starts:
        raise ValueError("`metadata` holds no step statistics: was the run traced with trace_level=FULL_TRACE?")
    per_kernel = {k: (micros[k] / steps, counts[k] / steps) for k, _ in micros.most_common()}
    return per_kernel, (max(ends) - min(starts)) / steps


def profile_batched(batch_norm: bool, data: Any, steps: int = 300, warmup: int = 200) -> StepProfile:
    """Trace `steps` batched steps of the bench's 16 networks (all with BN or all without) on `data`."""
    import tensorflow as tf

    from tf1_bn.article.batched_loop import BatchedLoop
    from tf1_bn.article.bench import NETWORKS, _bench_specs
    from tf1_bn.article.network import BATCH_SIZE
    from tf1_bn.article.stacked import StackedNetworks

    for name, value in (("steps", steps), ("warmup", warmup)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"`{name}` must be a positive integer; received {value!r}")
    with tf.Graph().as_default():
        stacked = StackedNetworks(_bench_specs(batch_norm))
        loop = BatchedLoop(stacked, [0] * NETWORKS, (data.train.base_images.shape, data.train.base_labels.shape),
                           (data.validation.images.shape, data.validation.labels.shape))

        def indices(count: int) -> np.ndarray:
            return np.stack([[data.train.next_batch_indices(BATCH_SIZE) for _ in range(count)]]).astype(np.int32)

        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            loop.load(sess, data.train, data.validation)
            sess.run(loop.trained, {loop.batch_indices: indices(warmup)})
            metadata = tf.compat.v1.RunMetadata()
            options = tf.compat.v1.RunOptions(trace_level=tf.compat.v1.RunOptions.FULL_TRACE)
            sess.run(loop.trained, {loop.batch_indices: indices(steps)}, options=options, run_metadata=metadata)
    return StepProfile(batch_norm, steps, *summarize(metadata, steps))


def report(profiles: list[StepProfile], top: int, cores: int) -> str:
    """The profiles side by side: the `top` kernel types by time, then op time, wall time and busy."""
    kernels = list(dict.fromkeys(k for p in profiles for k in list(p.per_kernel)[:top]))
    header = "".join(f"  {'with BN' if p.batch_norm else 'no BN':>21}" for p in profiles)
    lines = [f"{'kernel type (µs per step, kernels per step)':44}{header}"]
    for kernel in kernels:
        cells = "".join(f"  {p.per_kernel.get(kernel, (0.0, 0.0))[0]:10.1f} µs {p.per_kernel.get(kernel, (0.0, 0.0))[1]:5.1f}×"
                        for p in profiles)
        lines.append(f"{kernel:44}{cells}")
    for label, value in (("op time per step (µs)", lambda p: f"{p.op_us:10.1f}"),
                         ("wall time per step (µs)", lambda p: f"{p.wall_us:10.1f}"),
                         (f"busy (op time ÷ wall × {cores} cores)", lambda p: f"{p.busy(cores):10.2f}")):
        lines.append(f"{label:44}" + "".join(f"  {value(p):>21}" for p in profiles))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tf1_bn.article.profile", description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300, help="traced SGD steps per profile (default 300)")
    parser.add_argument("--top", type=int, default=12, help="kernel types listed per profile (default 12)")
    args = parser.parse_args(argv)
    for option, value in (("--steps", args.steps), ("--top", args.top)):
        if value < 1:
            parser.error(f"argument {option}: expected a positive integer, received {value}")
    from tf1_bn._quiet import import_tensorflow_quietly

    import_tensorflow_quietly()
    import tensorflow as tf

    from tf1_bn import mnist

    tf.compat.v1.disable_eager_execution()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the embedded-subset note: the profile does not depend on the data
        data = mnist.read_data_sets("MNIST_data", one_hot=True, seed=0, source="embedded")
    profiles = [profile_batched(batch_norm, data, args.steps) for batch_norm in (False, True)]
    print(report(profiles, args.top, os.cpu_count() or 1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
