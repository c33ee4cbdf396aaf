"""contrib's `conv2d_transpose` and `separable_conv2d` (slim's too), TF 1.15's names and defaults.

    conv2d_transpose(x, num_outputs, kernel_size)     scope `Conv2d_transpose`: weights [kh, kw, out, in], biases
        the transposed convolution of `tf1_bn.layers.conv2d_transpose`, static output shape kept
    separable_conv2d(x, num_outputs, kernel_size, depth_multiplier)   scope `SeparableConv2d`:
        depthwise_weights [kh, kw, in, depth_multiplier], pointwise_weights [1, 1, in·depth_multiplier, out],
        biases; with num_outputs=None only the depthwise convolution (in·depth_multiplier channels)

Both: stride 1, **padding 'SAME'**, data_format 'NHWC' or 'NCHW', activation relu, weights from
xavier_initializer, and a `normalizer_fn` (e.g. batch_norm) in place of the bias. Reference: TF 1.15
tensorflow/contrib/layers/python/layers/layers.py, read for behaviour.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import tensorflow as tf

from tf1_bn.contrib import variables as contrib_variables
from tf1_bn.contrib.arg_scope import add_arg_scope
from tf1_bn.contrib.initializers import xavier_initializer
from tf1_bn.contrib.layer_output import RENAME, check_callables, finish_layer
from tf1_bn.contrib.utils import channel_dimension, two_element_tuple
from tf1_bn.layers.conv_transpose import Conv2DTranspose
from tf1_bn.layers.separable_conv import SeparableConv2D

SEPARABLE_RENAME = {"bias": "biases", "depthwise_kernel": "depthwise_weights", "pointwise_kernel": "pointwise_weights"}


def _keras_format(data_format: Any) -> str:
    if data_format not in ("NCHW", "NHWC"):
        raise ValueError(f"data_format has to be either NCHW or NHWC. `data_format` received {data_format!r}")
    return "channels_first" if data_format == "NCHW" else "channels_last"


@add_arg_scope
def convolution2d_transpose(
    inputs: Any, num_outputs: int, kernel_size: int | Sequence[int], stride: int | Sequence[int] = 1,
    padding: str = "SAME", data_format: str = "NHWC", activation_fn: Callable | None = tf.nn.relu,
    normalizer_fn: Callable | None = None, normalizer_params: Mapping[str, Any] | None = None,
    weights_initializer: Callable | None = xavier_initializer(), weights_regularizer: Callable | None = None,
    biases_initializer: Callable | None = tf.compat.v1.zeros_initializer(), biases_regularizer: Callable | None = None,
    reuse: Any = None, variables_collections: Any = None, outputs_collections: Any = None, trainable: bool = True,
    scope: Any = None,
) -> tf.Tensor:
    """y = activation_fn(normalizer_fn(conv2d_transpose(x, W))) or activation_fn(conv2d_transpose(x, W) + b)."""
    check_callables(activation_fn=activation_fn, normalizer_fn=normalizer_fn)
    getter = contrib_variables.layer_variable_getter(RENAME)
    with tf.compat.v1.variable_scope(scope, "Conv2d_transpose", [inputs], reuse=reuse, custom_getter=getter) as sc:
        layer_format = _keras_format(data_format)
        inputs = tf.convert_to_tensor(inputs)
        layer = Conv2DTranspose(
            num_outputs, kernel_size, strides=stride, padding=padding, data_format=layer_format, activation=None,
            use_bias=normalizer_fn is None and biases_initializer is not None,
            kernel_initializer=weights_initializer, bias_initializer=biases_initializer,
            kernel_regularizer=weights_regularizer, bias_regularizer=biases_regularizer, trainable=trainable,
            name=sc.name, dtype=inputs.dtype.base_dtype, _scope=sc, _reuse=reuse,
        )
        outputs = layer(inputs)
        return finish_layer(layer, outputs, sc, normalizer_fn, normalizer_params, activation_fn,
                            variables_collections, outputs_collections)


@add_arg_scope
def separable_convolution2d(
    inputs: Any, num_outputs: int | None, kernel_size: int | Sequence[int], depth_multiplier: int = 1,
    stride: int | Sequence[int] = 1, padding: str = "SAME", data_format: str = "NHWC", rate: int | Sequence[int] = 1,
    activation_fn: Callable | None = tf.nn.relu, normalizer_fn: Callable | None = None,
    normalizer_params: Mapping[str, Any] | None = None, weights_initializer: Callable | None = xavier_initializer(),
    pointwise_initializer: Callable | None = None, weights_regularizer: Callable | None = None,
    biases_initializer: Callable | None = tf.compat.v1.zeros_initializer(), biases_regularizer: Callable | None = None,
    reuse: Any = None, variables_collections: Any = None, outputs_collections: Any = None, trainable: bool = True,
    scope: Any = None,
) -> tf.Tensor:
    """Depthwise then (unless num_outputs is None) pointwise convolution; see the module docstring."""
    layer_format = _keras_format(data_format)
    check_callables(activation_fn=activation_fn, normalizer_fn=normalizer_fn)
    getter = contrib_variables.layer_variable_getter(SEPARABLE_RENAME)
    with tf.compat.v1.variable_scope(scope, "SeparableConv2d", [inputs], reuse=reuse, custom_getter=getter) as sc:
        inputs = tf.convert_to_tensor(inputs)
        if num_outputs is None:
            return _depthwise_only(inputs, kernel_size, depth_multiplier, stride, padding, data_format, rate,
                                   activation_fn, normalizer_fn, normalizer_params, weights_initializer,
                                   weights_regularizer, biases_initializer, biases_regularizer, variables_collections,
                                   outputs_collections, trainable, sc)
        layer = SeparableConv2D(
            num_outputs, kernel_size, strides=stride, padding=padding, data_format=layer_format,
            dilation_rate=two_element_tuple(rate), depth_multiplier=depth_multiplier, activation=None,
            use_bias=normalizer_fn is None and biases_initializer is not None,
            depthwise_initializer=weights_initializer,
            pointwise_initializer=weights_initializer if pointwise_initializer is None else pointwise_initializer,
            bias_initializer=biases_initializer, depthwise_regularizer=weights_regularizer,
            pointwise_regularizer=weights_regularizer, bias_regularizer=biases_regularizer, trainable=trainable,
            name=sc.name, dtype=inputs.dtype.base_dtype, _scope=sc, _reuse=reuse,
        )
        outputs = layer(inputs)
        return finish_layer(layer, outputs, sc, normalizer_fn, normalizer_params, activation_fn,
                            variables_collections, outputs_collections)


def _depthwise_only(inputs: tf.Tensor, kernel_size: Any, depth_multiplier: int, stride: Any, padding: str,
                    data_format: str, rate: Any, activation_fn: Callable | None, normalizer_fn: Callable | None,
                    normalizer_params: Mapping | None, weights_initializer: Any, weights_regularizer: Any,
                    biases_initializer: Any, biases_regularizer: Any, variables_collections: Any,
                    outputs_collections: Any, trainable: bool, sc: Any) -> tf.Tensor:
    """separable_conv2d(num_outputs=None): `depthwise_weights` only, then biases or the normalizer."""
    dtype = inputs.dtype.base_dtype
    channels_first = data_format == "NCHW"
    in_channels = channel_dimension(inputs.shape, "channels_first" if channels_first else "channels_last", min_rank=4)
    kernel_h, kernel_w = two_element_tuple(kernel_size)
    stride_h, stride_w = two_element_tuple(stride)
    weights = contrib_variables.model_variable(
        "depthwise_weights", [kernel_h, kernel_w, in_channels, depth_multiplier], dtype, weights_initializer,
        trainable=trainable, regularizer=weights_regularizer,
        collections=contrib_variables.variable_collections(variables_collections, "weights"))
    strides = [1, 1, stride_h, stride_w] if channels_first else [1, stride_h, stride_w, 1]
    outputs = tf.nn.depthwise_conv2d(inputs, weights, strides, padding, dilations=two_element_tuple(rate),
                                     data_format=data_format)
    if normalizer_fn is not None:
        outputs = normalizer_fn(outputs, **dict(normalizer_params or {}))
    elif biases_initializer is not None:
        biases = contrib_variables.model_variable(
            "biases", [depth_multiplier * in_channels], dtype, biases_initializer, trainable=trainable,
            regularizer=biases_regularizer,
            collections=contrib_variables.variable_collections(variables_collections, "biases"))
        outputs = tf.nn.bias_add(outputs, biases, data_format=data_format)
    if activation_fn is not None:
        outputs = activation_fn(outputs)
    return contrib_variables.collect_named_outputs(outputs_collections, sc.name, outputs)


conv2d_transpose = convolution2d_transpose
separable_conv2d = separable_convolution2d
