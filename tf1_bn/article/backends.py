"""The three ways TF1 tutorials wrote batch normalization, as the NeuralNetwork's `bn=` backends.

Each backend takes the linear output Wx of a hidden layer and the `is_training` placeholder and
returns the normalized output plus its variables (γ, β and the two inference statistics), which the
fast training loop (`tf1_bn.article.fast_loop`) and the population-statistics tool use:

- ``"layers"``: `tf.layers.batch_normalization(x, training=is_training)` (seed 002, seed 000). Its two
  update ops go to UPDATE_OPS; the train op must depend on them (NeuralNetwork.train does).
- ``"moments_ema"``: seed 003's `batch_norm_layer`: `tf.nn.moments`, a
  `tf.train.ExponentialMovingAverage` applied inside the training branch of `tf.cond`, the output
  made to depend on the EMA update. The shadow variables start at 0 (mean AND variance).
- ``"assign"``: the Udacity lesson's pattern: population mean/variance variables updated with
  `tf.assign` in the training branch of `tf.cond`, normalization with `tf.nn.batch_normalization`.
- ``"none"``: no normalization (the caller adds a bias instead).

In the last two the update rides on the forward pass: computing the output in training mode updates
the statistics, whether or not anything reads UPDATE_OPS. All use the same ε (1e-3) and the same
moving-average rule `moving ← moving − (moving − batch)·(1 − momentum)` (`tf1_bn.bn_math`); for the
EMA, decay = momentum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import tensorflow as tf

from tf1_bn import bn_math
from tf1_bn.layers import normalization

BACKENDS = ("layers", "moments_ema", "assign", "none")
EPSILON = 1e-3


@dataclass(frozen=True)
class BatchNormVariables:
    """One BN layer's variables, whatever backend made them, and its moving-average momentum."""

    gamma: tf.Variable
    beta: tf.Variable
    moving_mean: tf.Variable      # inference mean: layer moving_mean, EMA shadow, or pop_mean
    moving_variance: tf.Variable  # inference variance (biased batch variances averaged)
    momentum: float


def layers_bn(x: tf.Tensor, is_training: tf.Tensor, momentum: float) -> tuple[tf.Tensor, BatchNormVariables]:
    """`tf.layers.batch_normalization(x, training=is_training)`; updates go to UPDATE_OPS."""
    layer = normalization.BatchNormalization(momentum=momentum, epsilon=EPSILON)
    y = layer(x, training=is_training)
    return y, BatchNormVariables(layer.gamma, layer.beta, layer.moving_mean, layer.moving_variance, momentum)


def moments_ema_bn(x: tf.Tensor, is_training: tf.Tensor, momentum: float) -> tuple[tf.Tensor, BatchNormVariables]:
    """Seed 003's batch_norm_layer: tf.nn.moments + ExponentialMovingAverage(decay=momentum) + tf.cond."""
    with tf.compat.v1.variable_scope(None, default_name="batch_norm_layer"):
        size = x.shape[-1]
        beta = tf.Variable(tf.zeros([size]), name="beta")
        gamma = tf.Variable(tf.ones([size]), name="gamma")
        batch_mean, batch_var = bn_math.moments(x, range(x.shape.rank - 1))
        ema = tf.compat.v1.train.ExponentialMovingAverage(decay=momentum)

        def mean_var_with_update() -> tuple[tf.Tensor, tf.Tensor]:
            ema_apply_op = ema.apply([batch_mean, batch_var])
            with tf.control_dependencies([ema_apply_op]):
                return tf.identity(batch_mean), tf.identity(batch_var)

        mean, var = tf.compat.v1.cond(
            is_training, mean_var_with_update, lambda: (ema.average(batch_mean), ema.average(batch_var))
        )
        y = bn_math.normalize(x, mean, var, beta, gamma, EPSILON)
    return y, BatchNormVariables(gamma, beta, ema.average(batch_mean), ema.average(batch_var), momentum)


def assign_bn(x: tf.Tensor, is_training: tf.Tensor, momentum: float) -> tuple[tf.Tensor, BatchNormVariables]:
    """The Udacity lesson's pattern: population statistics kept with tf.assign inside tf.cond."""
    with tf.compat.v1.variable_scope(None, default_name="assign_batch_norm"):
        size = x.shape[-1]
        gamma = tf.Variable(tf.ones([size]), name="gamma")
        beta = tf.Variable(tf.zeros([size]), name="beta")
        pop_mean = tf.Variable(tf.zeros([size]), trainable=False, name="pop_mean")
        pop_variance = tf.Variable(tf.ones([size]), trainable=False, name="pop_variance")

        # The lesson normalized inside both branches of tf.cond; TF 2's cond (control flow v2) cannot
        # be differentiated once a Session has run the graph, which the article's flow does (initialize,
        # then build the optimizer in train()). So the cond selects the statistics — the same math.
        batch_mean, batch_variance = bn_math.moments(x, [0])

        def batch_statistics_with_update() -> tuple[tf.Tensor, tf.Tensor]:
            train_mean = tf.compat.v1.assign(pop_mean, pop_mean - bn_math.moving_average_delta(pop_mean, batch_mean, momentum))
            train_variance = tf.compat.v1.assign(
                pop_variance, pop_variance - bn_math.moving_average_delta(pop_variance, batch_variance, momentum)
            )
            with tf.control_dependencies([train_mean, train_variance]):
                return tf.identity(batch_mean), tf.identity(batch_variance)

        mean, variance = tf.compat.v1.cond(
            is_training, batch_statistics_with_update, lambda: (tf.identity(pop_mean), tf.identity(pop_variance))
        )
        y = bn_math.normalize(x, mean, variance, beta, gamma, EPSILON)
    return y, BatchNormVariables(gamma, beta, pop_mean, pop_variance, momentum)


_BUILDERS: dict[str, Callable[..., tuple[tf.Tensor, BatchNormVariables]]] = {
    "layers": layers_bn,
    "moments_ema": moments_ema_bn,
    "assign": assign_bn,
}


def check_backend(bn: str) -> str:
    if bn not in BACKENDS:
        raise ValueError(f"`bn` must be one of {', '.join(BACKENDS)}; received {bn!r}")
    return bn


def batch_norm(bn: str, x: tf.Tensor, is_training: tf.Tensor, momentum: float = 0.99) -> tuple[tf.Tensor, BatchNormVariables]:
    """Normalize `x` with backend `bn` ("layers", "moments_ema" or "assign")."""
    if check_backend(bn) == "none":
        raise ValueError("`bn`='none' has no normalization to build; the caller adds a bias instead")
    return _BUILDERS[bn](x, is_training, momentum)
