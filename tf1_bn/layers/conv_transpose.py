"""TF1's `tf.layers.conv2d_transpose` and `tf.layers.Conv2DTranspose`, rebuilt on tf.compat.v1.

    y = activation(conv2d_transpose(x, kernel) + bias)   kernel: `<scope>/kernel` [kh, kw, filters, in]
                                                         bias:   `<scope>/bias`   [filters]

the gradient of conv2d with respect to its input, used forwards (a "deconvolution"): each input pixel
scatters kernel·x into a k×k patch of the output, patches s apart. Note the kernel's last two axes are
[filters, in], the reverse of conv2d's, as TF1 stored it. TF 1.15's signature and defaults: strides
(1, 1), padding 'valid' (case-insensitive), data_format 'channels_last', kernel initializer None =
get_variable's glorot_uniform, bias zeros; no dilation_rate and no output_padding (TF 1.15's
`tf.layers` had neither). The output size per spatial axis:

    'same':   n·s
    'valid':  n·s + max(k − s, 0)

**The static shape is TF1's**: TF1 computed the output shape, called the op, then `set_shape` with
the sizes above wherever the input's were known. Here the output-shape argument uses the static size
where it is known (a dynamic `tf.shape` entry only where it is not) and the result gets `set_shape`,
so a known batch stays known and an unknown one stays None.

channels_first inputs run NHWC between two transposes, as conv2d does (`tf1_bn.layers.convolutional`).

Reference: TF 1.15 `tf.layers` (tensorflow/python/layers/convolutional.py, Conv2DTranspose) and
`conv_utils.deconv_output_length`, as kept in the tf-keras package, read for behaviour; this is an
independent implementation.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import tensorflow as tf

from tf1_bn.layers.base import functional_form
from tf1_bn.layers.convolutional import _Convolution
from tf1_bn.layers.core import add_kernel_and_bias, configure_kernel_and_bias


def transposed_length(size: Any, kernel: int, stride: int, padding: str) -> Any:
    """One axis of the output: n·s ('SAME') or n·s + max(k − s, 0) ('VALID'); `size` an int or a scalar tensor."""
    return size * stride if padding == "SAME" else size * stride + max(kernel - stride, 0)


class Conv2DTranspose(_Convolution):
    """`tf.layers.Conv2DTranspose(filters, kernel_size, …)`; see the module docstring for sizes and defaults."""

    def __init__(
        self,
        filters: int,
        kernel_size: int | Sequence[int],
        strides: int | Sequence[int] = (1, 1),
        padding: str = "valid",
        data_format: str = "channels_last",
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
        self._configure(filters, kernel_size, strides, padding, data_format, dilation_rate=1)
        configure_kernel_and_bias(
            self, activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
            activity_regularizer, kernel_constraint, bias_constraint)

    def build(self, input_shape: tf.TensorShape) -> None:
        add_kernel_and_bias(self, [*self.kernel_size, self.filters, self._input_channels(input_shape)], self.filters)

    def _convolve(self, x: tf.Tensor) -> tf.Tensor:
        static, dynamic = x.shape.as_list(), tf.shape(x)
        sizes = [dynamic[i] if n is None else n for i, n in enumerate(static[:3])]  # (N, H, W), static where known
        out = [sizes[0], *(transposed_length(n, k, s, self.padding)
                           for n, k, s in zip(sizes[1:], self.kernel_size, self.strides)), self.filters]
        known = [n if isinstance(n, int) else None for n in out]  # (N, H', W', filters) as TF1's set_shape had it
        outputs = tf.nn.conv2d_transpose(x, self.kernel, known if None not in known else tf.stack(out),
                                         strides=(1, *self.strides, 1), padding=self.padding, name="conv2d_transpose")
        outputs.set_shape(known)  # what the op's own inference from a partly dynamic shape may lose
        return outputs


conv2d_transpose = functional_form(Conv2DTranspose, "conv2d_transpose", (
    "Functional `tf.layers.conv2d_transpose(inputs, filters, kernel_size)`: one new Conv2DTranspose layer applied"
    " once (scope `conv2d_transpose`, …). `name` fixes the scope; `reuse=True` reuses its variables."))


# TF1's module aliases.
Convolution2DTranspose = Conv2DTranspose
convolution2d_transpose = conv2d_transpose
