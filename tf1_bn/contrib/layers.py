"""`tf.contrib.layers` (and slim's layers): fully_connected, conv2d, batch_norm, pooling, flatten, dropout.

The normalizer pattern these functions exist for (TF 1.15 semantics):

    h = tf.contrib.layers.fully_connected(x, 128, normalizer_fn=tf.contrib.layers.batch_norm,
                                          normalizer_params={"is_training": is_training})
    # h = relu(batch_norm(x·W)): with a normalizer_fn NO bias is created (β replaces it)

- `fully_connected(inputs, num_outputs)`: variables `fully_connected/weights` [in, out] and, without a
  normalizer, `fully_connected/biases`; **activation_fn defaults to tf.nn.relu** (not None as in
  tf.layers); weights start from xavier_initializer (uniform Glorot).
- `conv2d(inputs, num_outputs, kernel_size)`: scope `Conv`, `Conv/weights` [kh, kw, in, out],
  `Conv/biases`; stride 1, **padding 'SAME'**, data_format None/'NHWC' or 'NCHW', rate = dilation,
  activation relu.
- The normalizer runs inside the layer's scope: `fully_connected/BatchNorm/moving_mean`.
- `dropout(inputs, keep_prob=0.5, is_training=True)`: keep_prob, not rate, and **is_training
  defaults to True** here (tf.layers.dropout's training defaults to False).
- `max_pool2d`/`avg_pool2d(inputs, kernel_size, stride=2, padding='VALID')`, `flatten(inputs)`.
- `conv2d_transpose`, `separable_conv2d` (`tf1_bn.contrib.conv_variants`); `repeat`/`stack`
  (`tf1_bn.contrib.composition`); `softmax`, `one_hot_encoding`, `bias_add`,
  `layer_norm` (`tf1_bn.contrib.small_layers`).

Every function accepts defaults from `arg_scope`. Any other `tf.contrib.layers` name raises
MissingAPIError listing these. Reference: TF 1.15 tensorflow/contrib/layers/python/layers/layers.py
(read for behaviour); the layers themselves are `tf1_bn.layers`.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import tensorflow as tf

from tf1_bn.contrib import variables as contrib_variables
from tf1_bn.compat.namespace import namespace_getattr
from tf1_bn.contrib.arg_scope import add_arg_scope
from tf1_bn.contrib.batch_norm import batch_norm
from tf1_bn.contrib.composition import repeat, stack
from tf1_bn.contrib.conv_variants import (
    conv2d_transpose, convolution2d_transpose, separable_conv2d, separable_convolution2d,
)
from tf1_bn.contrib.layer_output import RENAME, check_callables, finish_layer
from tf1_bn.contrib.initializers import (
    l1_regularizer, l2_regularizer, variance_scaling_initializer, xavier_initializer, xavier_initializer_conv2d,
)
from tf1_bn.contrib.small_layers import bias_add, layer_norm, one_hot_encoding, softmax
from tf1_bn.layers import core, pooling
from tf1_bn.layers.convolutional import Conv2D


__all__ = [
    "avg_pool2d", "batch_norm", "bias_add", "conv2d", "conv2d_transpose", "convolution2d", "convolution2d_transpose",
    "dropout", "flatten", "fully_connected", "separable_conv2d", "separable_convolution2d",
    "l1_regularizer", "l2_regularizer", "layer_norm", "max_pool2d", "one_hot_encoding", "repeat", "softmax", "stack",
    "variance_scaling_initializer", "xavier_initializer", "xavier_initializer_conv2d",
]
__getattr__ = namespace_getattr("tf.contrib.layers", lambda: __all__)


@add_arg_scope
def fully_connected(
    inputs: Any,
    num_outputs: int,
    activation_fn: Callable | None = tf.nn.relu,
    normalizer_fn: Callable | None = None,
    normalizer_params: Mapping[str, Any] | None = None,
    weights_initializer: Callable | None = xavier_initializer(),
    weights_regularizer: Callable | None = None,
    biases_initializer: Callable | None = tf.compat.v1.zeros_initializer(),
    biases_regularizer: Callable | None = None,
    reuse: Any = None,
    variables_collections: Any = None,
    outputs_collections: Any = None,
    trainable: bool = True,
    scope: Any = None,
) -> tf.Tensor:
    """y = activation_fn(normalizer_fn(x·W)) or activation_fn(x·W + b); see the module docstring."""
    if isinstance(num_outputs, bool) or not isinstance(num_outputs, int):
        raise ValueError(f"`num_outputs` must be an int; received {num_outputs!r}")
    check_callables(activation_fn=activation_fn, normalizer_fn=normalizer_fn)
    getter = contrib_variables.layer_variable_getter(RENAME)
    with tf.compat.v1.variable_scope(scope, "fully_connected", [inputs], reuse=reuse, custom_getter=getter) as sc:
        inputs = tf.convert_to_tensor(inputs)
        layer = core.Dense(
            num_outputs, activation=None, use_bias=normalizer_fn is None and biases_initializer is not None,
            kernel_initializer=weights_initializer, bias_initializer=biases_initializer,
            kernel_regularizer=weights_regularizer, bias_regularizer=biases_regularizer, trainable=trainable,
            name=sc.name, dtype=inputs.dtype.base_dtype, _scope=sc, _reuse=reuse,
        )
        outputs = layer(inputs)
        return finish_layer(layer, outputs, sc, normalizer_fn, normalizer_params, activation_fn,
                       variables_collections, outputs_collections)


@add_arg_scope
def convolution2d(
    inputs: Any,
    num_outputs: int,
    kernel_size: int | Sequence[int],
    stride: int | Sequence[int] = 1,
    padding: str = "SAME",
    data_format: str | None = None,
    rate: int | Sequence[int] = 1,
    activation_fn: Callable | None = tf.nn.relu,
    normalizer_fn: Callable | None = None,
    normalizer_params: Mapping[str, Any] | None = None,
    weights_initializer: Callable | None = xavier_initializer(),
    weights_regularizer: Callable | None = None,
    biases_initializer: Callable | None = tf.compat.v1.zeros_initializer(),
    biases_regularizer: Callable | None = None,
    reuse: Any = None,
    variables_collections: Any = None,
    outputs_collections: Any = None,
    trainable: bool = True,
    scope: Any = None,
) -> tf.Tensor:
    """y = activation_fn(normalizer_fn(conv2d(x, W))) or activation_fn(conv2d(x, W) + b); scope `Conv`."""
    if data_format not in (None, "NHWC", "NCHW"):
        raise ValueError(f"`data_format` must be None, 'NHWC' or 'NCHW' for conv2d; received {data_format!r}")
    check_callables(activation_fn=activation_fn, normalizer_fn=normalizer_fn)
    getter = contrib_variables.layer_variable_getter(RENAME)
    with tf.compat.v1.variable_scope(scope, "Conv", [inputs], reuse=reuse, custom_getter=getter) as sc:
        inputs = tf.convert_to_tensor(inputs)
        if inputs.shape.rank != 4:
            raise ValueError(f"`inputs` of conv2d must be 4-D; received shape {inputs.shape} "
                             "(1-D and 3-D contrib convolutions are not provided)")
        layer = Conv2D(
            num_outputs, kernel_size, strides=stride, padding=padding,
            data_format="channels_first" if data_format == "NCHW" else "channels_last", dilation_rate=rate,
            activation=None, use_bias=normalizer_fn is None and biases_initializer is not None,
            kernel_initializer=weights_initializer, bias_initializer=biases_initializer,
            kernel_regularizer=weights_regularizer, bias_regularizer=biases_regularizer, trainable=trainable,
            name=sc.name, dtype=inputs.dtype.base_dtype, _scope=sc, _reuse=reuse,
        )
        outputs = layer(inputs)
        return finish_layer(layer, outputs, sc, normalizer_fn, normalizer_params, activation_fn,
                       variables_collections, outputs_collections)


conv2d = convolution2d


def _pool(kind: str, default_scope: str, inputs: Any, kernel_size: Any, stride: Any, padding: str, data_format: str,
          outputs_collections: Any, scope: Any) -> tf.Tensor:
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError(f"`data_format` must be 'NHWC' or 'NCHW'; received {data_format!r}")
    with tf.compat.v1.name_scope(scope, default_scope, [inputs]) as sc:
        outputs = pooling.pool2d(inputs, kind, kernel_size, stride, padding,
                                 "channels_first" if data_format == "NCHW" else "channels_last")
        return contrib_variables.collect_named_outputs(outputs_collections, sc, outputs)


@add_arg_scope
def max_pool2d(inputs: Any, kernel_size: int | Sequence[int], stride: int | Sequence[int] = 2, padding: str = "VALID",
               data_format: str = "NHWC", outputs_collections: Any = None, scope: Any = None) -> tf.Tensor:
    """2-D max pooling with contrib's defaults (stride 2, 'VALID'); name scope `MaxPool2D`."""
    return _pool("max", "MaxPool2D", inputs, kernel_size, stride, padding, data_format, outputs_collections, scope)


@add_arg_scope
def avg_pool2d(inputs: Any, kernel_size: int | Sequence[int], stride: int | Sequence[int] = 2, padding: str = "VALID",
               data_format: str = "NHWC", outputs_collections: Any = None, scope: Any = None) -> tf.Tensor:
    """2-D average pooling with contrib's defaults (stride 2, 'VALID'); name scope `AvgPool2D`."""
    return _pool("average", "AvgPool2D", inputs, kernel_size, stride, padding, data_format, outputs_collections, scope)


@add_arg_scope
def flatten(inputs: Any, outputs_collections: Any = None, scope: Any = None) -> tf.Tensor:
    """[N, …] → [N, product of the rest], in name scope `Flatten`."""
    with tf.compat.v1.name_scope(scope, "Flatten", [inputs]) as sc:
        inputs = tf.convert_to_tensor(inputs)
        if inputs.shape.rank is None or inputs.shape.rank < 2:
            raise ValueError(f"`inputs` of flatten must have at least 2 dimensions; received shape {inputs.shape}")
        return contrib_variables.collect_named_outputs(outputs_collections, sc, core.flatten(inputs))


@add_arg_scope
def dropout(inputs: Any, keep_prob: float = 0.5, noise_shape: Sequence[int | None] | None = None, is_training: Any = True,
            outputs_collections: Any = None, scope: Any = None, seed: int | None = None) -> tf.Tensor:
    """Keep each unit with probability `keep_prob`, scaling kept ones by 1/keep_prob.

    **is_training defaults to True** (contrib's default, the opposite of tf.layers.dropout).
    """
    if isinstance(keep_prob, bool) or not isinstance(keep_prob, (int, float)) or not 0.0 < keep_prob <= 1.0:
        raise ValueError(f"`keep_prob` must be a number in (0, 1]; received {keep_prob!r}")
    with tf.compat.v1.variable_scope(scope, "Dropout", [inputs]) as sc:
        layer = core.Dropout(rate=1.0 - keep_prob, noise_shape=noise_shape, seed=seed, name=sc.name, _scope=sc)
        outputs = layer(inputs, training=is_training)
        return contrib_variables.collect_named_outputs(outputs_collections, sc.name, outputs)
