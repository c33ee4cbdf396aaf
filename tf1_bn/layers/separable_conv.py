"""TF1's `tf.layers.separable_conv2d` and `tf.layers.SeparableConv2D`, rebuilt on tf.compat.v1.

    z[n, i, j, c·M + m] = Σ_{di, dj} x[n, i·s + di·d, j·s + dj·d, c] · depthwise[di, dj, c, m]   (per channel)
    y = activation(Σ_{c'} z[…, c'] · pointwise[0, 0, c', f] + bias[f])                        (1×1 mixing)

Variables, created in this order: `<scope>/depthwise_kernel` [kh, kw, in, depth_multiplier],
`<scope>/pointwise_kernel` [1, 1, in·depth_multiplier, filters] and, with use_bias, `<scope>/bias`
[filters]. TF 1.15's signature and defaults: strides (1, 1), padding 'valid' (case-insensitive),
data_format 'channels_last', dilation_rate (1, 1), depth_multiplier 1, depthwise and pointwise
initializers None = get_variable's glorot_uniform (each with its own fans), bias zeros; each kernel
has its own regularizer and constraint. The output size is conv2d's: ⌈n/s⌉ ('same') or
⌈(n − (k−1)·d)/s⌉ ('valid'). Strides > 1 with dilation_rate > 1 is a ValueError at construction,
as for conv2d (TensorFlow's op cannot combine them).

channels_first inputs run NHWC between two transposes, as conv2d does (`tf1_bn.layers.convolutional`).

Reference: TF 1.15 `tf.layers` (tensorflow/python/layers/convolutional.py, SeparableConv2D) and
`tf.nn.separable_conv2d`, as kept in the tf-keras package, read for behaviour; this is an independent
implementation. Chollet 2017 (Xception, arXiv:1610.02357), Sec. 1.2, for the factorization.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import tensorflow as tf

from tf1_bn.layers.base import functional_form
from tf1_bn.layers.convolutional import _Convolution
from tf1_bn.layers.core import add_configured_weight, configure_output, configure_weight, positive_int


class SeparableConv2D(_Convolution):
    """`tf.layers.SeparableConv2D(filters, kernel_size, …)`: a depthwise k×k convolution, then a 1×1 one."""

    def __init__(
        self,
        filters: int,
        kernel_size: int | Sequence[int],
        strides: int | Sequence[int] = (1, 1),
        padding: str = "valid",
        data_format: str = "channels_last",
        dilation_rate: int | Sequence[int] = (1, 1),
        depth_multiplier: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        depthwise_initializer: Any = None,
        pointwise_initializer: Any = None,
        bias_initializer: Any = tf.compat.v1.zeros_initializer(),
        depthwise_regularizer: Callable | None = None,
        pointwise_regularizer: Callable | None = None,
        bias_regularizer: Callable | None = None,
        activity_regularizer: Callable | None = None,
        depthwise_constraint: Callable | None = None,
        pointwise_constraint: Callable | None = None,
        bias_constraint: Callable | None = None,
        trainable: bool = True,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(trainable=trainable, name=name, **kwargs)
        self._configure(filters, kernel_size, strides, padding, data_format, dilation_rate)
        self.depth_multiplier = positive_int(depth_multiplier, "depth_multiplier")
        configure_output(self, activation, use_bias, activity_regularizer)
        configure_weight(self, "depthwise", depthwise_initializer, depthwise_regularizer, depthwise_constraint)
        configure_weight(self, "pointwise", pointwise_initializer, pointwise_regularizer, pointwise_constraint)
        configure_weight(self, "bias", bias_initializer, bias_regularizer, bias_constraint)
        self.depthwise_kernel = self.pointwise_kernel = self.bias = None

    def build(self, input_shape: tf.TensorShape) -> None:
        channels = self._input_channels(input_shape)
        self.depthwise_kernel = add_configured_weight(
            self, "depthwise", "depthwise_kernel", [*self.kernel_size, channels, self.depth_multiplier])
        self.pointwise_kernel = add_configured_weight(
            self, "pointwise", "pointwise_kernel", [1, 1, channels * self.depth_multiplier, self.filters])
        if self.use_bias:
            self.bias = add_configured_weight(self, "bias", "bias", [self.filters])

    def _convolve(self, x: tf.Tensor) -> tf.Tensor:
        return tf.nn.separable_conv2d(x, self.depthwise_kernel, self.pointwise_kernel, strides=(1, *self.strides, 1),
                                      padding=self.padding, dilations=self.dilation_rate,
                                      name="separable_conv2d")  # (N, H', W', filters)


separable_conv2d = functional_form(SeparableConv2D, "separable_conv2d", (
    "Functional `tf.layers.separable_conv2d(inputs, filters, kernel_size)`: one new SeparableConv2D layer applied"
    " once (scope `separable_conv2d`, …). `name` fixes the scope; `reuse=True` reuses its variables."))


# TF1's module aliases.
SeparableConvolution2D = SeparableConv2D
separable_convolution2d = separable_conv2d
