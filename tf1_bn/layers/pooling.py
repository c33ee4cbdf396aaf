"""TF1's `tf.layers.max_pooling2d` and `average_pooling2d` (and their classes), on tf.compat.v1.

    max:      y[n, i, j, c] = max over the window at (i·s_h, j·s_w) of x[n, ·, ·, c]
    average:  the mean over the same window; with 'same' padding the mean counts only the real
              (non-padded) entries, as TF's AvgPool always did.

TF 1.15's signatures: `pool_size` and `strides` are both required (an int or a pair), padding 'valid'
by default (case-insensitive), data_format 'channels_last'. The layers have no variables. As for
conv2d, channels_first inputs are pooled in NHWC between two transposes (stock CPU kernels implement
pooling's gradients only for NHWC; see `tf1_bn.layers.convolutional`).

Reference: TF 1.15 `tf.layers` (tensorflow/python/layers/pooling.py), as kept in the tf-keras package,
read for behaviour; this is an independent implementation.
"""

from __future__ import annotations

from typing import Any, Sequence

import tensorflow as tf

from tf1_bn.layers.base import Layer
from tf1_bn.layers.convolutional import from_channels_last, pair, padding_mode, to_channels_last
from tf1_bn.layers.core import channels_format

_OPS = {"max": tf.nn.max_pool2d, "average": tf.nn.avg_pool2d}


def pool2d(inputs: tf.Tensor, kind: str, pool_size: Any, strides: Any, padding: str = "valid",
           data_format: str = "channels_last") -> tf.Tensor:
    """2-D max or average pooling of a 4-D tensor (the op behind the layers and contrib's max_pool2d)."""
    if kind not in _OPS:
        raise ValueError(f"`kind` must be one of {sorted(_OPS)}; received {kind!r}")
    if strides is None:
        raise ValueError("`strides` must not be None: TF1's pooling layers require it (use pool_size for non-overlapping windows)")
    size, step = pair(pool_size, "pool_size"), pair(strides, "strides")
    mode, data_format = padding_mode(padding), channels_format(data_format)
    inputs = tf.convert_to_tensor(inputs)
    if inputs.shape.rank != 4:
        raise ValueError(f"`inputs` of 2-D pooling must be 4-D ({data_format}); received shape {inputs.shape}")
    outputs = _OPS[kind](to_channels_last(inputs, data_format), size, step, mode)  # (N, H', W', C)
    return from_channels_last(outputs, data_format)


class _Pooling2D(Layer):
    _kind = ""

    def __init__(self, pool_size: int | Sequence[int], strides: int | Sequence[int], padding: str = "valid",
                 data_format: str = "channels_last", name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        if strides is None:
            raise ValueError("`strides` must not be None: TF1's pooling layers require it")
        self.pool_size, self.strides = pair(pool_size, "pool_size"), pair(strides, "strides")
        self.padding, self.data_format = padding_mode(padding).lower(), channels_format(data_format)

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        return pool2d(inputs, self._kind, self.pool_size, self.strides, self.padding, self.data_format)


class MaxPooling2D(_Pooling2D):
    """`tf.layers.MaxPooling2D(pool_size, strides, padding='valid', data_format='channels_last')`."""

    _kind = "max"


class AveragePooling2D(_Pooling2D):
    """`tf.layers.AveragePooling2D(pool_size, strides, padding='valid', data_format='channels_last')`."""

    _kind = "average"


def max_pooling2d(inputs: Any, pool_size: int | Sequence[int], strides: int | Sequence[int], padding: str = "valid",
                  data_format: str = "channels_last", name: str | None = None) -> tf.Tensor:
    """Functional `tf.layers.max_pooling2d(inputs, pool_size, strides)` (scope `max_pooling2d`, …)."""
    return MaxPooling2D(pool_size, strides, padding=padding, data_format=data_format, name=name)(inputs)


def average_pooling2d(inputs: Any, pool_size: int | Sequence[int], strides: int | Sequence[int], padding: str = "valid",
                      data_format: str = "channels_last", name: str | None = None) -> tf.Tensor:
    """Functional `tf.layers.average_pooling2d(inputs, pool_size, strides)` (scope `average_pooling2d`, …)."""
    return AveragePooling2D(pool_size, strides, padding=padding, data_format=data_format, name=name)(inputs)


# TF1's module aliases.
MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D
max_pool2d = max_pooling2d
avg_pool2d = average_pooling2d
