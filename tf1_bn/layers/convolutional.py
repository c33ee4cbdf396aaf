"""TF1's `tf.layers.conv2d` / `Conv2D` and `conv1d` / `Conv1D`, rebuilt on tf.compat.v1.

    y = activation(conv(x, kernel) + bias)    conv2d kernel: `<scope>/kernel` [kh, kw, in, filters]
                                              conv1d kernel: `<scope>/kernel` [k, in, filters]
                                              bias:          `<scope>/bias`   [filters]

(a cross-correlation, as every deep-learning "convolution"). TF 1.15's signatures and defaults:
strides 1, padding 'valid' ('same' keeps the size at stride 1; both case-insensitive), data_format
'channels_last', dilation_rate 1, kernel initializer None = get_variable's glorot_uniform, bias
zeros. The output size per spatial axis is ⌈n/s⌉ with 'same' and ⌈(n − (k−1)·d)/s⌉ with 'valid'.
conv1d also takes padding='causal' (TF 1.15's Conv1D inherited it from Keras although its docstring
lists only 'valid' and 'same'): the input is padded on the left by (k−1)·d, so y[t] sees only
x[≤ t], and the size is ⌈n/s⌉.

channels_first (NCHW / NCW): the variables and the result are TF1's, but the convolution itself runs
channels_last between two transposes. Stock TensorFlow's CPU kernels implement Conv2D only for NHWC;
TF 2.21's default x86 build happens to accept NCHW through oneDNN, but with TF_ENABLE_ONEDNN_OPTS=0
(or other builds) the NCHW op fails at run time, as it did on TF1's CPU. Transposing always works and
gives the same numbers; on a GPU it costs two transposes.

`_Convolution` is what every convolution layer here shares (argument checks, the channels_last round
trip, bias, activation, activity loss); Conv2DTranspose and SeparableConv2D (their own modules) build
on it too.

Reference: TF 1.15 `tf.layers` (tensorflow/python/layers/convolutional.py), as kept in the tf-keras
package, read for behaviour; this is an independent implementation.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import tensorflow as tf

from tf1_bn.layers.base import Layer, functional_form
from tf1_bn.layers.core import add_activity_loss, add_kernel_and_bias, channels_format, configure_kernel_and_bias, positive_int


def ntuple(value: Any, argument: str, n: int) -> tuple[int, ...]:
    """An int k → (k,)·n; a list/tuple of n positive ints → that tuple (TF1's normalize_tuple)."""
    values = [value] * n if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(values, (list, tuple)) or len(values) != n:
        raise ValueError(f"`{argument}` must be a positive int or a list/tuple of {n} positive int{'s' * (n > 1)}; "
                         f"received {value!r}")
    return tuple(positive_int(v, argument) for v in values)


def pair(value: Any, argument: str) -> tuple[int, int]:
    """An int n → (n, n); a list/tuple of two positive ints → that pair."""
    return ntuple(value, argument, 2)  # type: ignore[return-value]


def padding_mode(padding: Any, allowed: Sequence[str] = ("valid", "same")) -> str:
    """TF1's `padding`: one of `allowed` ('valid' or 'same'), case-insensitive; returned in the ops' upper case."""
    value = padding.lower() if isinstance(padding, str) else padding
    if value not in allowed:
        names = " or ".join(", ".join(repr(a) for a in allowed).rsplit(", ", 1))
        raise ValueError(f"`padding` must be {names} (any case); received {padding!r}")
    return value.upper()


def to_channels_last(inputs: tf.Tensor, data_format: str) -> tf.Tensor:
    """(N, C, d1, …) → (N, d1, …, C) for channels_first; channels_last inputs pass through."""
    if data_format != "channels_first":
        return inputs
    return tf.transpose(inputs, [0, *range(2, inputs.shape.rank), 1])


def from_channels_last(outputs: tf.Tensor, data_format: str) -> tf.Tensor:
    """(N, d1, …, C) → (N, C, d1, …) for channels_first; the inverse of `to_channels_last`."""
    if data_format != "channels_first":
        return outputs
    rank = outputs.shape.rank
    return tf.transpose(outputs, [0, rank - 1, *range(1, rank - 1)])


class _Convolution(Layer):
    """The shared part of the convolution layers. Subclasses define `_convolve(x)` on a channels_last
    input (the product before the bias, still channels_last) and, for other weights than kernel and
    bias, `build`."""

    _rank = 2  # spatial dimensions

    def _configure(self, filters: Any, kernel_size: Any, strides: Any, padding: Any, data_format: Any,
                   dilation_rate: Any, paddings: Sequence[str] = ("valid", "same")) -> None:
        self.filters = positive_int(filters, "filters")
        self.kernel_size = ntuple(kernel_size, "kernel_size", self._rank)
        self.strides = ntuple(strides, "strides", self._rank)
        self.padding = padding_mode(padding, paddings)
        self.data_format = channels_format(data_format)
        self.dilation_rate = ntuple(dilation_rate, "dilation_rate", self._rank)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"`strides` > 1 cannot be combined with `dilation_rate` > 1; received "
                             f"strides={self.strides}, dilation_rate={self.dilation_rate}")

    @property
    def _channel_axis(self) -> int:
        return 1 if self.data_format == "channels_first" else self._rank + 1

    def _input_channels(self, input_shape: tf.TensorShape) -> int:
        """The first call's channel count, checked (build's first step)."""
        if input_shape.rank != self._rank + 2 or input_shape[self._channel_axis] is None:
            raise ValueError(f"`inputs` of {type(self).__name__} must be {self._rank + 2}-D with a known channel "
                             f"dimension ({self.data_format}); received shape {input_shape}")
        self._in_channels = int(input_shape[self._channel_axis])
        return self._in_channels

    def _check_input(self, inputs: tf.Tensor) -> None:
        if inputs.shape.rank != self._rank + 2 or inputs.shape[self._channel_axis] not in (None, self._in_channels):
            raise ValueError(f"`inputs` of layer {self.name!r} must be {self._rank + 2}-D with {self._in_channels} "
                             f"channels, as on its first call; received shape {inputs.shape}")

    def build(self, input_shape: tf.TensorShape) -> None:
        """The plain convolution's weights: kernel [*kernel_size, in, filters], bias [filters]."""
        add_kernel_and_bias(self, [*self.kernel_size, self._input_channels(input_shape), self.filters], self.filters)

    def _convolve(self, x: tf.Tensor) -> tf.Tensor:
        raise NotImplementedError

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        x = to_channels_last(tf.cast(inputs, self.variables[0].dtype.base_dtype), self.data_format)  # (N, …, C)
        outputs = self._convolve(x)  # (N, …', filters)
        if self.use_bias:
            outputs = tf.nn.bias_add(outputs, self.bias)
        outputs = from_channels_last(outputs, self.data_format)
        if self.activation is not None:
            outputs = self.activation(outputs)
        add_activity_loss(self, self.activity_regularizer, outputs)
        return outputs


class Conv2D(_Convolution):
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
        self._configure(filters, kernel_size, strides, padding, data_format, dilation_rate)
        configure_kernel_and_bias(
            self, activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
            activity_regularizer, kernel_constraint, bias_constraint)

    def _convolve(self, x: tf.Tensor) -> tf.Tensor:
        return tf.nn.convolution(x, self.kernel, strides=self.strides, padding=self.padding,
                                 dilations=self.dilation_rate, name="Conv2D")  # (N, H', W', filters)


conv2d = functional_form(Conv2D, "conv2d", (
    "Functional `tf.layers.conv2d(inputs, filters, kernel_size)`: one new Conv2D layer applied once (scope "
    "`conv2d`, `conv2d_1`, …). `name` fixes the scope; `reuse=True` reuses its variables."))



class Conv1D(_Convolution):
    """`tf.layers.Conv1D(filters, kernel_size, …)` on [N, length, channels] (or [N, channels, length])."""

    _rank = 1

    def __init__(
        self,
        filters: int,
        kernel_size: int | Sequence[int],
        strides: int | Sequence[int] = 1,
        padding: str = "valid",
        data_format: str = "channels_last",
        dilation_rate: int | Sequence[int] = 1,
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
        self._configure(filters, kernel_size, strides, padding, data_format, dilation_rate, ("valid", "same", "causal"))
        configure_kernel_and_bias(
            self, activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
            activity_regularizer, kernel_constraint, bias_constraint)

    def _convolve(self, x: tf.Tensor) -> tf.Tensor:
        padding = self.padding
        if padding == "CAUSAL":  # left-pad (k − 1)·d steps, so y[t] depends on x[≤ t] only
            x = tf.pad(x, [[0, 0], [(self.kernel_size[0] - 1) * self.dilation_rate[0], 0], [0, 0]])
            padding = "VALID"
        return tf.nn.convolution(x, self.kernel, strides=self.strides, padding=padding,
                                 dilations=self.dilation_rate, name="Conv1D")  # (N, L', filters)


conv1d = functional_form(Conv1D, "conv1d", (
    "Functional `tf.layers.conv1d(inputs, filters, kernel_size)`: one new Conv1D layer applied once (scope "
    "`conv1d`, `conv1d_1`, …). `name` fixes the scope; `reuse=True` reuses its variables."))


# TF1's module aliases.
Convolution2D = Conv2D
convolution2d = conv2d
Convolution1D = Conv1D
convolution1d = conv1d
