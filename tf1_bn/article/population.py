"""Population statistics for inference: the paper's estimate instead of a moving average.

Ioffe & Szegedy 2015, Algorithm 2, steps 8–11; seed 001 ("在训练的最后一个epoch…使用训练样本中的标准差
的期望和均值的期望…其无偏估计") and seed 002 (实战板块, "测试阶段如何使用Batch Normalization"):
run the TRAINING network — every BN layer normalized with its own batch statistics — over
mini-batches B of size m and average:

    μ  = E_B[μ_B]                   σ² = m/(m−1) · E_B[σ²_B]       (σ²_B biased, Alg. 1)

then infer with y = γ·(x − μ)/√(σ² + ε) + β. TF1's moving averages estimate the same quantities with
moving ← moving − (moving − batch)·(1 − momentum); after few steps they still remember their start
(0 and 1, or 0 and 0 for an EMA shadow), and they always lag the weights. No TF API computes Alg. 2.

`recompute(sess, network, images)` writes μ and σ² into the network's inference statistics (the
layer's moving_mean/moving_variance for "layers", the EMA shadows for "moments_ema", pop_mean and
pop_variance for "assign") and nothing else:
- it runs no update op and no train op: its own ops only read variables (the network's layers
  replayed from `network.layers` by `tf1_bn.article.replay`, as the fast loop does, minus the updates);
- those ops are built once per network and cached (a later call adds no op); no graph collection
  changes (checked in `snapshot.preserved_collections`);
- it writes through the variables' initializers (`tf1_bn.migrate.snapshot`), adding no assign op;
- all batches are computed in a few Session.runs: the images are reshaped to (batches, m, width) and
  the moments taken over axis 1; sums are accumulated in float64;
- consecutive batches images[0:m], images[m:2m], …; a last partial batch is left out (its m differs).

    import tf1_bn.article.population
    stats = tf1_bn.article.population.recompute(sess, network, data.train.images)   # then test as usual
"""

from __future__ import annotations

import dataclasses
import weakref
from typing import Any

import numpy as np
import tensorflow as tf

from tf1_bn import bn_math
from tf1_bn.article import backends as bn_backends
from tf1_bn.article.replay import replay
from tf1_bn.migrate import snapshot

_MAX_BATCHES_PER_RUN = 256  # bounds the memory of one Session.run: 256·60·784 floats ≈ 48 MB


@dataclasses.dataclass(frozen=True)
class LayerStatistics:
    """What `recompute` wrote for one BN layer, and what it replaced."""

    layer: int                    # 1-based position in network.layers, from the input
    name: str                     # the BN variable scope, e.g. "batch_normalization_1"
    mean: np.ndarray              # E_B[μ_B]
    variance: np.ndarray          # m/(m−1)·E_B[σ²_B] when unbiased, else E_B[σ²_B]
    previous_mean: np.ndarray     # the moving statistics before (e.g. the EMA)
    previous_variance: np.ndarray
    batches: int
    batch_size: int

    def __repr__(self) -> str:
        return (f"<LayerStatistics layer {self.layer} ({self.name}): {self.batches} batches of {self.batch_size}, "
                f"mean·{self.mean.shape} |Δ| {np.abs(self.mean - self.previous_mean).max():.3g}, "
                f"variance |Δ| {np.abs(self.variance - self.previous_variance).max():.3g}>")


class _BatchMoments:
    """The per-batch moments (μ_B, σ²_B) of every BN layer, for images fed as (batches·m, width)."""

    def __init__(self, network: Any) -> None:
        graph = network.graph
        last = max(i for i, layer in enumerate(network.layers) if layer.batch_norm is not None)
        width = network.layers[0].weights.shape[0]
        with graph.as_default(), snapshot.preserved_collections(graph), tf.compat.v1.name_scope("population_statistics"):
            self.images = tf.compat.v1.placeholder(tf.float32, [None, width], name="images")  # (batches·m, 784)
            self.batch_size = tf.compat.v1.placeholder(tf.int32, [], name="batch_size")
            self.means, self.variances = [], []

            def batch_moments(bn: Any, x: tf.Tensor) -> tf.Tensor:
                units = x.shape[-1]
                batched = tf.reshape(x, [-1, self.batch_size, units])  # (batches, m, units)
                mean, variance = bn_math.moments(batched, [1], keepdims=True)  # (batches, 1, units), biased
                self.means.append(tf.squeeze(mean, 1))
                self.variances.append(tf.squeeze(variance, 1))
                normalized = bn_math.normalize(batched, mean, variance, bn.beta, bn.gamma, bn_backends.EPSILON)
                return tf.reshape(normalized, [-1, units])  # (batches·m, units)

            replay(network, self.images, batch_moments, network.layers[: last + 1])


_CACHE: "weakref.WeakKeyDictionary[Any, _BatchMoments]" = weakref.WeakKeyDictionary()


def _check_int(argument: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"`{argument}` must be an int of at least {minimum}; received {value!r}")
    return int(value)


def recompute(sess: tf.compat.v1.Session, network: Any, images: Any, batch_size: int = 60, batches: int | None = None,
              unbiased: bool = True, *, write: bool = True) -> list[LayerStatistics]:
    """Algorithm 2's μ = E[μ_B], σ² = m/(m−1)·E[σ²_B] over consecutive batches of `images`, written
    into the network's inference statistics (`write=False`: computed and returned only).

    `batch_size` is m (60, the paper's and the article's); `batches` how many to use (None: every
    full batch); `unbiased=False` leaves out m/(m−1). Returns one LayerStatistics per BN layer, input
    side first; a network without BN (bn="none") returns [] and writes nothing.
    """
    if not hasattr(network, "layers") or not hasattr(network, "batch_norms"):
        raise TypeError(f"`network` must be a tf1_bn.article.network.NeuralNetwork; received {type(network).__name__}")
    if not isinstance(sess, tf.compat.v1.Session) or sess.graph is not network.graph:
        raise ValueError(f"`sess` must be a tf.compat.v1.Session on the network's graph; received {sess!r}")
    for argument, value in (("unbiased", unbiased), ("write", write)):
        if not isinstance(value, bool):
            raise TypeError(f"`{argument}` must be a bool; received {value!r}")
    batch_size = _check_int("batch_size", batch_size, 2 if unbiased else 1)
    try:
        images = np.asarray(images, dtype=np.float32)
    except (TypeError, ValueError):
        raise TypeError(f"`images` must be a (N, width) array of numbers; received {type(images).__name__}") from None
    width = network.layers[0].weights.shape[0]
    if images.ndim != 2 or images.shape[1] != width:
        raise ValueError(f"`images` must be a (N, {width}) array; received shape {images.shape}")
    available = images.shape[0] // batch_size
    batches = available if batches is None else _check_int("batches", batches, 1)
    if not 1 <= batches <= available:
        raise ValueError(f"`batches` must be at most {available} ({images.shape[0]} images in batches of {batch_size}), "
                         f"and `images` must hold at least one batch; received batches={batches}")
    if not network.batch_norms:
        return []

    if network not in _CACHE:
        _CACHE[network] = _BatchMoments(network)
    ops = _CACHE[network]
    sums = [np.zeros([2, bn.gamma.shape[0]], np.float64) for bn in network.batch_norms]
    for start in range(0, batches, _MAX_BATCHES_PER_RUN):
        stop = min(batches, start + _MAX_BATCHES_PER_RUN)
        with network.graph.as_default():  # feed_dict keys are hashed: graph mode, also when called eagerly
            feed = {ops.images: images[start * batch_size: stop * batch_size], ops.batch_size: batch_size}
            means, variances = sess.run([ops.means, ops.variances], feed)  # each (batches in run, units)
        for total, mean, variance in zip(sums, means, variances):
            total[0] += mean.sum(0, dtype=np.float64)
            total[1] += variance.sum(0, dtype=np.float64)
    correction = batch_size / (batch_size - 1) if unbiased else 1.0

    moving = [v for bn in network.batch_norms for v in (bn.moving_mean, bn.moving_variance)]
    previous = snapshot.read(sess, moving)
    found, values = [], []
    positions = [i for i, layer in enumerate(network.layers, start=1) if layer.batch_norm is not None]
    for k, (bn, total, position) in enumerate(zip(network.batch_norms, sums, positions)):
        mean = (total[0] / batches).astype(np.float32)
        variance = (total[1] / batches * correction).astype(np.float32)
        found.append(LayerStatistics(position, bn.gamma.op.name.rsplit("/", 1)[0], mean, variance,
                                     previous[2 * k], previous[2 * k + 1], batches, batch_size))
        values += [mean, variance]
    if write:
        snapshot.write(sess, moving, values)
    return found
