"""TF1's `tf.layers.conv2d` and `tf.layers.Conv2D`, rebuilt on tf.compat.v1.

    y = activation(conv2d(x, kernel) + bias)     kernel: `<scope>/kernel` [kh, kw, in, filters]
                                                 bias:   `<scope>/bias`   [filters]

(a cross-correlation, as every deep-learning "convolution"). TF 1.15's signature and defaults:
strides (1, 1), padding 'valid' ('same' keeps H×W at stride 1; both case-insensitive), data_format
'channels_last', dilation_rate (1, 1), kernel initializer None = get_variable's glorot_uniform, bias
zeros. The output size per spatial axis is ⌈n/s⌉ with 'same' and ⌈(n − (k−1)·d)/s⌉ with 'valid'.

channels_first (NCHW): the variables and the result are TF1's, but the convolution itself runs in
NHWC between two transposes. Stock TensorFlow's CPU kernels implement Conv2D only for NHWC; TF 2.21's
default x86 build happens to accept NCHW through oneDNN, but with TF_ENABLE_ONEDNN_OPTS=0 (or other
builds) the NCHW op fails at run time, as it did on TF1's CPU. Transposing always works and gives the
same numbers; on a GPU it costs two transposes.

Reference: TF 1.15 `tf.layers` (tensorflow/python/layers/convolutional.py), as kept in the tf-keras
package, read for behaviour; this is an independent implementation.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import tensorflow as tf

from tf1_bn.layers.base import Layer
from tf1_bn.layers.core import add_activity_loss, add_kernel_and_bias, channels_format, configure_kernel_and_bias, positive_int

NCHW_TO_NHWC = [0, 2, 3, 1]
NHWC_TO_NCHW = [0, 3, 1, 2]


def pair(value: Any, argument: str) -> tuple[int, int]:
    """An int n → (n, n); a list/tuple of two positive ints → that pair (TF1's normalize_tuple)."""
    values = [value, value] if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(values, (list, tuple)) or len(values) != 2:
        raise ValueError(f"`{argument}` must be a positive int or a list/tuple of 2 positive ints; received {value!r}")
    return positive_int(values[0], argument), positive_int(values[1], argument)


def padding_mode(padding: Any) -> str:
    """TF1's `padding`: 'valid' or 'same', case-insensitive; returned in the ops' upper case."""
    value = padding.lower() if isinstance(padding, str) else padding
    if value not in ("valid", "same"):
        raise ValueError(f"`padding` must be 'valid' or 'same' (any case); received {padding!r}")
    return value.upper()


def to_channels_last(inputs: tf.Tensor, data_format: str) -> tf.Tensor:
    return tf.transpose(inputs, NCHW_TO_NHWC) if data_format == "channels_first" else inputs


def from_channels_last(outputs: tf.Tensor, data_format: str) -> tf.Tensor:
    return tf.transpose(outputs, NHWC_TO_NCHW) if data_format == "channels_first" else outputs


class Conv2D(Layer):
    """`tf.layers.Conv2D(filters, kernel_size, …)`; see the module docstring for the equation and defaults."""

    def __init__(
        self,
        filters: int,
        kernel_size: int | Sequence[int],
        strides: int | Sequence[int] = (1, 1),
        padding: str = "valid",
        data_format: str = "channels_last",
        dilation_rate: int | Sequence[int] = (1, 1),
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = None,
        bias_initializer: Any = tf.compat.v1.zeros_initializer(),
        kernel_regularizer: Callable | None = None,
        bias_regularizer: Callable | None = None,
        activity_regularizer: Callable | None = None,
        kernel_constraint: Callable | None = None,
        bias_constraint: Callable | None = None,
        trainable: bool = True,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(trainable=trainable, name=name, **kwargs)
        self.filters = positive_int(filters, "filters")
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.strides = pair(strides, "strides")
        self.padding = padding_mode(padding)
        self.data_format = channels_format(data_format)
        self.dilation_rate = pair(dilation_rate, "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"`strides` > 1 cannot be combined with `dilation_rate` > 1; received "
                             f"strides={self.strides}, dilation_rate={self.dilation_rate}")
        configure_kernel_and_bias(
            self, activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
            activity_regularizer, kernel_constraint, bias_constraint)

    @property
    def _channel_axis(self) -> int:
        return 1 if self.data_format == "channels_first" else 3

    def build(self, input_shape: tf.TensorShape) -> None:
        if input_shape.rank != 4 or input_shape[self._channel_axis] is None:
            raise ValueError(f"`inputs` of Conv2D must be 4-D with a known channel dimension ({self.data_format}); "
                             f"received shape {input_shape}")
        self._in_channels = int(input_shape[self._channel_axis])
        add_kernel_and_bias(self, [*self.kernel_size, self._in_channels, self.filters], self.filters)

    def _check_input(self, inputs: tf.Tensor) -> None:
        if inputs.shape.rank != 4 or inputs.shape[self._channel_axis] not in (None, self._in_channels):
            raise ValueError(f"`inputs` of layer {self.name!r} must be 4-D with {self._in_channels} channels, as on its "
                             f"first call; received shape {inputs.shape}")

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        x = to_channels_last(tf.cast(inputs, self.kernel.dtype.base_dtype), self.data_format)  # (N, H, W, C)
        outputs = tf.nn.convolution(x, self.kernel, strides=self.strides, padding=self.padding,
                                    dilations=self.dilation_rate, name="Conv2D")  # (N, H', W', filters)
        if self.use_bias:
            outputs = tf.nn.bias_add(outputs, self.bias)
        outputs = from_channels_last(outputs, self.data_format)
        if self.activation is not None:
            outputs = self.activation(outputs)
        add_activity_loss(self, self.activity_regularizer, outputs)
        return outputs


def conv2d(
    inputs: Any,
    filters: int,
    kernel_size: int | Sequence[int],
    strides: int | Sequence[int] = (1, 1),
    padding: str = "valid",
    data_format: str = "channels_last",
    dilation_rate: int | Sequence[int] = (1, 1),
    activation: Any = None,
    use_bias: bool = True,
    kernel_initializer: Any = None,
    bias_initializer: Any = tf.compat.v1.zeros_initializer(),
    kernel_regularizer: Callable | None = None,
    bias_regularizer: Callable | None = None,
    activity_regularizer: Callable | None = None,
    kernel_constraint: Callable | None = None,
    bias_constraint: Callable | None = None,
    trainable: bool = True,
    name: str | None = None,
    reuse: Any = None,
) -> tf.Tensor:
    """Functional `tf.layers.conv2d(inputs, filters, kernel_size)`: one new Conv2D layer applied once
    (scope `conv2d`, `conv2d_1`, …). `name` fixes the scope; `reuse=True` reuses its variables."""
    layer = Conv2D(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                   dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                   kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                   kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                   activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                   bias_constraint=bias_constraint, trainable=trainable, name=name, _scope=name, _reuse=reuse)
    return layer(inputs)


# TF1's module aliases.
Convolution2D = Conv2D
convolution2d = conv2d
