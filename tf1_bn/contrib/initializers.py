"""contrib's weight initializers and regularizers (`tf.contrib.layers.xavier_initializer`, `l2_regularizer`, …).

With n the fan chosen by `mode` (fan_in = product of all but the last dimension, fan_out = product of
all but the second-to-last, FAN_AVG = their mean):

    uniform:  W ~ U(−√(3·factor/n), +√(3·factor/n))
    normal:   W ~ truncated N(0, √(1.3·factor/n))      (contrib's constant 1.3, not core TF's 1/0.8796²)

`xavier_initializer()` = factor 1, FAN_AVG, uniform (Glorot & Bengio 2010); the default of
`variance_scaling_initializer()` = factor 2, FAN_IN, normal (He et al. 2015).

    l1_regularizer(s)(W) = s·Σ|W|        l2_regularizer(s)(W) = s·Σ W²/2   (tf.nn.l2_loss)

Reference: TF 1.15 tensorflow/contrib/layers/python/layers/initializers.py and regularizers.py (read
for behaviour).
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable

import numpy as np
import tensorflow as tf

MODES = ("FAN_IN", "FAN_OUT", "FAN_AVG")


def variance_scaling_initializer(factor: float = 2.0, mode: str = "FAN_IN", uniform: bool = False,
                                 seed: int | None = None, dtype: Any = tf.float32) -> Callable[..., tf.Tensor]:
    """An initializer whose variance is factor/n (see the module docstring); floating dtypes only."""
    if mode not in MODES:
        raise TypeError(f"`mode` must be one of {list(MODES)}; received {mode!r}")
    if not tf.as_dtype(dtype).is_floating:
        raise TypeError(f"`dtype` must be a floating-point type; received {dtype!r}")

    def initializer(shape: Any, dtype: Any = dtype, partition_info: Any = None) -> tf.Tensor:
        shape = [int(d) for d in shape]
        fan_in = float(shape[-2] if len(shape) > 1 else shape[-1]) if shape else 1.0
        fan_out = float(shape[-1]) if shape else 1.0
        receptive = float(np.prod(shape[:-2])) if len(shape) > 2 else 1.0
        fan_in, fan_out = fan_in * receptive, fan_out * receptive
        n = {"FAN_IN": fan_in, "FAN_OUT": fan_out, "FAN_AVG": (fan_in + fan_out) / 2.0}[mode]
        if uniform:
            limit = math.sqrt(3.0 * factor / n)
            return tf.random.uniform(shape, -limit, limit, dtype, seed=seed)
        return tf.random.truncated_normal(shape, 0.0, math.sqrt(1.3 * factor / n), dtype, seed=seed)

    return initializer


def xavier_initializer(uniform: bool = True, seed: int | None = None, dtype: Any = tf.float32) -> Callable[..., tf.Tensor]:
    """Glorot & Bengio 2010: variance 1/FAN_AVG, uniform by default."""
    return variance_scaling_initializer(1.0, "FAN_AVG", uniform, seed, dtype)


xavier_initializer_conv2d = xavier_initializer


def _scale(scale: Any, name: str) -> float:
    if isinstance(scale, numbers.Integral) or not isinstance(scale, numbers.Real):
        raise ValueError(f"`scale` of {name} must be a float (TF1 refused ints such as 1); received {scale!r}")
    if scale < 0.0:
        raise ValueError(f"`scale` of {name} must be >= 0; received {scale!r}")
    return float(scale)


def _regularizer(scale: Any, name: str, scope: str | None, penalty: Callable[[tf.Tensor], tf.Tensor]) -> Callable[[tf.Tensor], Any]:
    value = _scale(scale, name)
    if value == 0.0:
        return lambda weights: None  # TF1: a zero scale adds no loss at all

    def regularize(weights: tf.Tensor) -> tf.Tensor:
        with tf.compat.v1.name_scope(scope, name, [weights]) as scope_name:
            factor = tf.convert_to_tensor(value, dtype=weights.dtype.base_dtype, name="scale")
            return tf.multiply(factor, penalty(weights), name=scope_name)

    return regularize


def l1_regularizer(scale: float, scope: str | None = None) -> Callable[[tf.Tensor], Any]:
    """scale·Σ|W| (a zero scale returns a function that adds nothing)."""
    return _regularizer(scale, "l1_regularizer", scope, lambda w: tf.reduce_sum(tf.abs(w)))


def l2_regularizer(scale: float, scope: str | None = None) -> Callable[[tf.Tensor], Any]:
    """scale·Σ W²/2 (tf.nn.l2_loss; a zero scale returns a function that adds nothing)."""
    return _regularizer(scale, "l2_regularizer", scope, tf.nn.l2_loss)
