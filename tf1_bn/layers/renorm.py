"""Batch Renormalization's correction (Ioffe 2017, "Batch Renormalization", Algorithm 1), TF1-layer style.

Training normalizes with the batch statistics and then corrects towards the running ones:

    σ_B = √(σ²_B + ε),   r = stop_grad(clip[1/rmax, rmax](σ_B / σ_run)),
    d = stop_grad(clip[−dmax, dmax]((μ_B − μ_run) / σ_run)),   x̂ = (x − μ_B)/σ_B · r + d

with σ_run floored at √ε early in training. The running μ_run, σ_run (`renorm_mean`,
`renorm_stddev`) move with `renorm_momentum`; the inference statistics keep using `momentum`, and the
moving variance is kept as `moving_stddev² − ε` so that √(moving_variance + ε) = moving_stddev.

This matches the legacy layer kept in the tf-keras package (the `moving_stddev` variant introduced in TF 2.x);
TF ≤ 1.14 checkpoints that hold `renorm_mean_weight`/`renorm_stddev_weight` are a different layout.
"""

from __future__ import annotations

from typing import Any, Mapping

import tensorflow as tf

from tf1_bn import bn_updates
from tf1_bn._graph import Training

CLIPPING_KEYS = ("rmax", "rmin", "dmax")


def validate_clipping(renorm_clipping: Mapping[str, Any] | None) -> dict[str, Any]:
    """The clipping dict with unknown keys refused; a missing key means "no clip" (rmin 0, rmax/dmax ∞)."""
    if renorm_clipping is not None and not isinstance(renorm_clipping, Mapping):
        raise TypeError(f"`renorm_clipping` must be a dict with keys from {list(CLIPPING_KEYS)} or None; "
                        f"received {renorm_clipping!r}")
    clipping = dict(renorm_clipping or {})
    unknown = set(clipping) - set(CLIPPING_KEYS)
    if unknown:
        raise ValueError(
            f"`renorm_clipping` accepts the keys {list(CLIPPING_KEYS)}; received unknown keys {sorted(unknown)}"
        )
    return clipping


def add_variables(layer: Any, param_shape: list, dtype: tf.DType, statistic: dict) -> None:
    """The renorm state beside the moving statistics: `moving_stddev` (= √moving_variance at start),
    `renorm_mean` and `renorm_stddev` (the running μ_run, σ_run), created with the layer's add_weight."""
    variance_init = layer.moving_variance_initializer

    def stddev_init(shape: Any, dtype: Any = None, partition_info: Any = None) -> tf.Tensor:
        return tf.sqrt(variance_init(shape, dtype=dtype))

    layer.moving_stddev = layer.add_weight("moving_stddev", param_shape, dtype, stddev_init, **statistic)
    layer.renorm_mean = layer.add_weight("renorm_mean", param_shape, dtype, layer.moving_mean_initializer, **statistic)
    layer.renorm_stddev = layer.add_weight("renorm_stddev", param_shape, dtype, stddev_init, **statistic)


def correction_and_moments(
    layer: Any, mean: tf.Tensor, variance: tf.Tensor, training: Training
) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]:
    """(r, d, mean, variance): the correction for this batch, and the batch moments made to run only
    after `renorm_mean`/`renorm_stddev` have been updated (when training).

    `layer` provides renorm_mean, renorm_stddev, renorm_momentum, renorm_clipping and epsilon.
    """
    stddev = tf.sqrt(variance + layer.epsilon)
    running_stddev = tf.maximum(layer.renorm_stddev, tf.sqrt(layer.epsilon))
    r = stddev / running_stddev
    d = (mean - layer.renorm_mean) / running_stddev
    # r and d must see the running values from before this step's update.
    with tf.control_dependencies([r, d]):
        mean = tf.identity(mean)
        stddev = tf.identity(stddev)
    clip = layer.renorm_clipping
    if clip.get("rmin") is not None:
        r = tf.maximum(r, clip["rmin"])
    if clip.get("rmax") is not None:
        r = tf.minimum(r, clip["rmax"])
    if clip.get("dmax") is not None:
        d = tf.minimum(tf.maximum(d, -clip["dmax"]), clip["dmax"])
    r = training.cond(lambda: r, lambda: tf.ones_like(r))
    d = training.cond(lambda: d, lambda: tf.zeros_like(d))
    mean_value, stddev_value = tf.identity(mean), tf.identity(stddev)

    def track() -> tuple[tf.Tensor, tf.Tensor]:
        return (bn_updates.assign_moving_average(layer.renorm_mean, mean_value, layer.renorm_momentum),
                bn_updates.assign_moving_average(layer.renorm_stddev, stddev_value, layer.renorm_momentum))

    updated = list(bn_updates.gated_updates(
        training, track, lambda: (tf.identity(layer.renorm_mean), tf.identity(layer.renorm_stddev))))
    with tf.control_dependencies(updated):
        return r, d, tf.identity(mean), tf.identity(variance)


def moving_variance_update(layer: Any, new_variance: tf.Tensor) -> tf.Tensor:
    """moving_stddev ← EMA(√(σ²_B + ε)), then moving_variance ← max(moving_stddev² − ε, 0)."""
    moving_stddev = bn_updates.assign_moving_average(
        layer.moving_stddev, tf.sqrt(new_variance + layer.epsilon), layer.momentum
    )
    return bn_updates.assign_value(layer.moving_variance, tf.nn.relu(moving_stddev * moving_stddev - layer.epsilon))
