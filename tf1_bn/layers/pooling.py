"""TF1's `tf.layers.max_pooling2d`, `average_pooling2d`, `max_pooling1d` and `average_pooling1d` (and
their classes), on tf.compat.v1.

    max:      y[n, i, j, c] = max over the window at (i·s_h, j·s_w) of x[n, ·, ·, c]
    average:  the mean over the same window; with 'same' padding the mean counts only the real
              (non-padded) entries, as TF's AvgPool always did.

The 1-D layers pool [N, length, C] (or [N, C, length]) the same way, as TF1 did: as a 2-D pooling of
[N, length, 1, C] with window (p, 1) and strides (s, 1).

TF 1.15's signatures: `pool_size` and `strides` are both required (an int, or a pair / a 1-tuple),
padding 'valid' by default (case-insensitive), data_format 'channels_last'. The layers have no
variables. As for conv2d, channels_first inputs are pooled channels_last between two transposes
(stock CPU kernels implement pooling's gradients only for NHWC; see `tf1_bn.layers.convolutional`).

Reference: TF 1.15 `tf.layers` (tensorflow/python/layers/pooling.py), as kept in the tf-keras package,
read for behaviour; this is an independent implementation.
"""

from __future__ import annotations

from typing import Any, Sequence

import tensorflow as tf

from tf1_bn.layers.base import Layer
from tf1_bn.layers.convolutional import from_channels_last, ntuple, pair, padding_mode, to_channels_last
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


def pool1d(inputs: tf.Tensor, kind: str, pool_size: Any, strides: Any, padding: str = "valid",
           data_format: str = "channels_last") -> tf.Tensor:
    """1-D max or average pooling of a 3-D tensor: `pool2d` of [N, L, 1, C] with window (p, 1)."""
    if strides is None:
        raise ValueError("`strides` must not be None: TF1's pooling layers require it (use pool_size for non-overlapping windows)")
    (size,), (step,) = ntuple(pool_size, "pool_size", 1), ntuple(strides, "strides", 1)
    data_format = channels_format(data_format)
    inputs = tf.convert_to_tensor(inputs)
    if inputs.shape.rank != 3:
        raise ValueError(f"`inputs` of 1-D pooling must be 3-D ({data_format}); received shape {inputs.shape}")
    x = tf.expand_dims(to_channels_last(inputs, data_format), 2)  # (N, L, 1, C)
    outputs = tf.squeeze(pool2d(x, kind, (size, 1), (step, 1), padding), [2])  # (N, L', C)
    return from_channels_last(outputs, data_format)


class _Pooling(Layer):
    _kind = ""
    _rank = 2  # spatial dimensions

    def __init__(self, pool_size: int | Sequence[int], strides: int | Sequence[int], padding: str = "valid",
                 data_format: str = "channels_last", name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        if strides is None:
            raise ValueError("`strides` must not be None: TF1's pooling layers require it")
        self.pool_size = ntuple(pool_size, "pool_size", self._rank)
        self.strides = ntuple(strides, "strides", self._rank)
        self.padding, self.data_format = padding_mode(padding).lower(), channels_format(data_format)

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        pool = pool2d if self._rank == 2 else pool1d
        return pool(inputs, self._kind, self.pool_size, self.strides, self.padding, self.data_format)


class MaxPooling2D(_Pooling):
    """`tf.layers.MaxPooling2D(pool_size, strides, padding='valid', data_format='channels_last')`."""

    _kind = "max"


class AveragePooling2D(_Pooling):
    """`tf.layers.AveragePooling2D(pool_size, strides, padding='valid', data_format='channels_last')`."""

    _kind = "average"


class MaxPooling1D(_Pooling):
    """`tf.layers.MaxPooling1D(pool_size, strides, padding='valid', data_format='channels_last')`."""

    _kind, _rank = "max", 1


class AveragePooling1D(_Pooling):
    """`tf.layers.AveragePooling1D(pool_size, strides, padding='valid', data_format='channels_last')`."""

    _kind, _rank = "average", 1


def max_pooling2d(inputs: Any, pool_size: int | Sequence[int], strides: int | Sequence[int], padding: str = "valid",
                  data_format: str = "channels_last", name: str | None = None) -> tf.Tensor:
    """Functional `tf.layers.max_pooling2d(inputs, pool_size, strides)` (scope `max_pooling2d`, …)."""
    return MaxPooling2D(pool_size, strides, padding=padding, data_format=data_format, name=name)(inputs)


def average_pooling2d(inputs: Any, pool_size: int | Sequence[int], strides: int | Sequence[int], padding: str = "valid",
                      data_format: str = "channels_last", name: str | None = None) -> tf.Tensor:
    """Functional `tf.layers.average_pooling2d(inputs, pool_size, strides)` (scope `average_pooling2d`, …)."""
    return AveragePooling2D(pool_size, strides, padding=padding, data_format=data_format, name=name)(inputs)


def max_pooling1d(inputs: Any, pool_size: int | Sequence[int], strides: int | Sequence[int], padding: str = "valid",
                  data_format: str = "channels_last", name: str | None = None) -> tf.Tensor:
    """Functional `tf.layers.max_pooling1d(inputs, pool_size, strides)` (scope `max_pooling1d`, …)."""
    return MaxPooling1D(pool_size, strides, padding=padding, data_format=data_format, name=name)(inputs)


def average_pooling1d(inputs: Any, pool_size: int | Sequence[int], strides: int | Sequence[int], padding: str = "valid",
                      data_format: str = "channels_last", name: str | None = None) -> tf.Tensor:
    """Functional `tf.layers.average_pooling1d(inputs, pool_size, strides)` (scope `average_pooling1d`, …)."""
    return AveragePooling1D(pool_size, strides, padding=padding, data_format=data_format, name=name)(inputs)


# TF1's module aliases.
MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D
max_pool2d = max_pooling2d
avg_pool2d = average_pooling2d
MaxPool1D = MaxPooling1D
AvgPool1D = AveragePooling1D
max_pool1d = max_pooling1d
avg_pool1d = average_pooling1d
