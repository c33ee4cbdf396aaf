"""Benchmark: `tf1_bn.migrate.convert` on a slim ResNet-50-sized graph (issue 14: under 30 s on 2 cores).

    python -m tf1_bn.migrate.bench                           # ResNet-50: units 3 4 6 3, 64x64x3 input
    python -m tf1_bn.migrate.bench --units 1 1 1 1 --width 16 --profile 15

The graph is slim's ResNet v1 shape (He et al. 2016, Table 1, the 50-layer column), built with
`tf1_bn.contrib.slim` under TF1 behaviour (graph mode, TF1 shapes, Switch/Merge conds):
- stem: 7x7/2 conv → max pool 3x3/2; then 4 blocks of bottleneck units (1x1, 3x3, 1x1 convs, depth
  4·width·2^b) with a projection shortcut (1x1 conv) on each block's first unit, stride 2 on the
  first unit of blocks 2–4; global mean pooling; `fully_connected` logits;
- every conv has `normalizer_fn=slim.batch_norm` under `arg_scope`, switching on an `is_training`
  placeholder (contrib's fused kernel pair in a tf.cond, decay 0.999, scale=True);
- a 64x64x3 input keeps the activations small; the weights are ResNet-50's (about 23.5 M).
γ, β and the moving statistics are set to random values (by the variables' own initializers, no new
op) so the inference check compares more than the initial mean 0, variance 1.

Timed once each, as a user calls it: `Converter.plan` alone (walking the graph, recognising the op
patterns), then the whole `convert` (plan again, one Session.run of the weights, the eager Keras
build); "read + Keras build" is their difference. Then one `graph_parity.outputs_parity` at
inference. `--profile N` runs `convert` once more under cProfile and prints the N functions with the
largest cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import io
import os
import pstats
import time
from typing import Sequence

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

RESNET50_UNITS = (3, 4, 6, 3)  # bottleneck units per block (He et al. 2016, Table 1)
TARGET_SECONDS = 30.0          # issue 14, "Scale"
BATCH = 4                      # the parity check's batch


@dataclasses.dataclass(frozen=True)
class ResNetGraph:
    """A built TF1 ResNet: its graph, session (variables initialized) and the tensors to convert."""

    graph: tf.Graph
    sess: tf.compat.v1.Session
    images: tf.Tensor            # (batch, size, size, 3)
    is_training: tf.Tensor       # bool placeholder
    logits: tf.Tensor            # (batch, classes)


@dataclasses.dataclass(frozen=True)
class BenchResult:
    """The figures the benchmark prints."""

    units: tuple[int, ...]
    conv_layers: int             # Keras Conv2D layers of the converted model
    bn_layers: int               # Keras BatchNormalization layers
    graph_ops: int               # ops of the TF1 graph (constant during the conversion)
    plan_seconds: float          # Converter.plan alone
    convert_seconds: float       # the whole convert()
    max_abs_difference: float    # |Keras − TF1| at inference, largest over the batch
    output_scale: float          # max |TF1 logits|, to read the difference against

    @property
    def build_seconds(self) -> float:
        """Reading the weights and building the Keras model: convert minus plan."""
        return max(self.convert_seconds - self.plan_seconds, 0.0)

    def lines(self) -> list[str]:
        verdict = "under" if self.convert_seconds < TARGET_SECONDS else "OVER"
        return [f"graph: slim ResNet units {list(self.units)}, {self.graph_ops} ops",
                f"converted: {self.conv_layers} Conv2D, {self.bn_layers} BatchNormalization layers",
                f"plan (walk + recognise): {self.plan_seconds:.2f} s",
                f"read + Keras build:      {self.build_seconds:.2f} s",
                f"convert total:           {self.convert_seconds:.2f} s ({verdict} the {TARGET_SECONDS:.0f} s target)",
                f"inference max |Keras − TF1|: {self.max_abs_difference:.3g} (max |logit| {self.output_scale:.4g})"]


def _bottleneck(net: tf.Tensor, depth: int, stride: int, project: bool, scope: str) -> tf.Tensor:
    """relu(shortcut + BN(conv1x1(relu(BN(conv3x3/stride(relu(BN(conv1x1(net))))))))), slim v1 style."""
    from tf1_bn.contrib import slim

    with tf.compat.v1.variable_scope(scope):
        shortcut = (slim.conv2d(net, depth, [1, 1], stride=stride, activation_fn=None, scope="shortcut")
                    if project else net)
        residual = slim.conv2d(net, depth // 4, [1, 1], scope="conv1")
        residual = slim.conv2d(residual, depth // 4, [3, 3], stride=stride, scope="conv2")
        residual = slim.conv2d(residual, depth, [1, 1], activation_fn=None, scope="conv3")
        return tf.nn.relu(shortcut + residual)


def build_resnet(units: Sequence[int] = RESNET50_UNITS, width: int = 64, size: int = 64, classes: int = 10,
                 seed: int = 0, train_op: bool = False) -> ResNetGraph:
    """The slim ResNet of the module docstring in a new graph and session; call under TF1 behaviour.

    `width` is the stem's channels (ResNet-50: 64; block b's output depth is 4·width·2^b). `train_op`
    adds what a meta graph saved during training also holds: a softmax loss and a MomentumOptimizer
    step under the UPDATE_OPS dependency (the converter walks from the logits, but some of its
    look-ups scan the whole graph)."""
    from tf1_bn.contrib import slim
    from tf1_bn.migrate import snapshot

    if not units or any(isinstance(u, bool) or not isinstance(u, int) or u < 1 for u in units):
        raise ValueError(f"`units` must be positive ints, one per block; received {list(units)!r}")
    for argument, value in (("width", width), ("size", size), ("classes", classes)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 4:
            raise ValueError(f"`{argument}` must be an int of at least 4; received {value!r}")
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.set_random_seed(seed)
        images = tf.compat.v1.placeholder(tf.float32, (None, size, size, 3), name="images")
        is_training = tf.compat.v1.placeholder(tf.bool, (), name="is_training")
        with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm,
                            normalizer_params={"is_training": is_training, "scale": True}):
            net = slim.conv2d(images, width, [7, 7], stride=2, scope="conv1")        # (batch, size/2, size/2, width)
            net = slim.max_pool2d(net, [3, 3], stride=2, padding="SAME", scope="pool1")  # (batch, size/4, …)
            for block, count in enumerate(units):
                depth = 4 * width * 2 ** block
                for unit in range(count):
                    stride = 2 if unit == 0 and block > 0 else 1
                    net = _bottleneck(net, depth, stride, unit == 0, f"block{block + 1}/unit_{unit + 1}")
        net = tf.reduce_mean(net, [1, 2], name="pool5")                               # (batch, 4·width·2^(B−1))
        logits = slim.fully_connected(net, classes, activation_fn=None, scope="logits")  # (batch, classes)
        if train_op:
            labels = tf.compat.v1.placeholder(tf.int64, (None,), name="labels")
            loss = tf.compat.v1.losses.sparse_softmax_cross_entropy(labels, logits)
            with tf.control_dependencies(tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)):
                tf.compat.v1.train.MomentumOptimizer(0.01, 0.9).minimize(loss, name="train_op")
        sess = tf.compat.v1.Session(graph=graph)
        sess.run(tf.compat.v1.global_variables_initializer())
        rng = np.random.default_rng(seed)
        chosen = {"gamma": lambda s: rng.uniform(0.5, 1.5, s), "beta": lambda s: rng.normal(0.0, 0.1, s),
                  "moving_mean": lambda s: rng.normal(0.0, 0.1, s),
                  "moving_variance": lambda s: rng.uniform(0.5, 2.0, s)}
        variables = [v for v in tf.compat.v1.global_variables() if v.op.name.rsplit("/", 1)[-1] in chosen]
        snapshot.write(sess, variables, [chosen[v.op.name.rsplit("/", 1)[-1]](v.shape.as_list()) for v in variables])
    return ResNetGraph(graph, sess, images, is_training, logits)


def _profile(call, top: int) -> str:
    profiler = cProfile.Profile()
    profiler.runcall(call)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(top)
    return text.getvalue()


def run_benchmark(units: Sequence[int] = RESNET50_UNITS, width: int = 64, size: int = 64, seed: int = 0,
                  train_op: bool = False, profile: int = 0, echo=print) -> BenchResult:
    """Build, time `plan` and `convert`, check inference parity once; `profile` > 0 prints a cProfile."""
    from tf1_bn.compat import behaviour
    from tf1_bn.migrate import graph_parity
    from tf1_bn.migrate.converter import Converter, convert

    switched = behaviour.switch_to_tf1()
    try:
        built = build_resnet(units, width, size, seed=seed, train_op=train_op)
        with built.sess, built.graph.as_default():
            ops = len(built.graph.get_operations())
            start = time.perf_counter()
            Converter(built.sess, [built.images], built.is_training).plan([built.logits])
            plan_seconds = time.perf_counter() - start
            steps: list = []
            start = time.perf_counter()
            model = convert(built.sess, built.images, built.logits, built.is_training, steps=steps)
            convert_seconds = time.perf_counter() - start
            if len(built.graph.get_operations()) != ops:
                raise RuntimeError(f"convert added {len(built.graph.get_operations()) - ops} ops to the graph")
            batch = np.random.default_rng(seed + 1).normal(size=(BATCH, size, size, 3)).astype(np.float32)
            scale = float(np.abs(built.sess.run(built.logits, {built.images: batch, built.is_training: False})).max())
            report = graph_parity.outputs_parity(built.sess, model, {built.images: batch}, training=False, atol=np.inf)
            if profile:
                echo(_profile(lambda: convert(built.sess, built.images, built.logits, built.is_training), profile))
    finally:
        behaviour.switch_back(switched)
    kinds = [step.layer for _, step in steps]
    return BenchResult(tuple(units), kinds.count("Conv2D"), kinds.count("BatchNormalization"), ops, plan_seconds,
                       convert_seconds, report.max_abs(), scale)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tf1_bn.migrate.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, nargs="+", default=list(RESNET50_UNITS), metavar="N",
                        help="bottleneck units per block (default 3 4 6 3: ResNet-50)")
    parser.add_argument("--width", type=int, default=64, help="stem channels (default 64, as ResNet-50)")
    parser.add_argument("--size", type=int, default=64, help="input height and width (default 64)")
    parser.add_argument("--train-op", action="store_true",
                        help="also build a loss and a MomentumOptimizer step, as in a meta graph saved while training")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="profile one more convert() and print its N largest cumulative times")
    args = parser.parse_args(argv)
    try:
        result = run_benchmark(args.units, args.width, args.size, train_op=args.train_op, profile=args.profile)
    except ValueError as error:
        parser.error(str(error))
    print("\n".join(result.lines()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
