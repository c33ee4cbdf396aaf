"""contrib's small layers: softmax, one_hot_encoding, bias_add, layer_norm (TF 1.15 semantics).

    softmax(logits)            softmax over the LAST axis of an N-D tensor (N ≥ 2), scope `softmax`
    one_hot_encoding(labels, num_classes, on_value=1.0, off_value=0.0)    name scope `OneHotEncoding`
    bias_add(x)                y = x + b, `BiasAdd/biases` [C] (C: last axis, or axis 1 for NCHW)
    layer_norm(x)              y = γ·(x − μ)/√(σ² + ε) + β, μ and σ² over axes begin_norm_axis… of
                               EACH example (Ba, Kiros & Hinton 2016, "Layer Normalization", Sec. 3),
                               ε = 1e-12 (1e-3 for float16), `LayerNorm/beta`, `LayerNorm/gamma` of
                               shape inputs.shape[begin_params_axis:]

Every variable is a model variable; `outputs_collections` as in the other contrib layers. Shapes
work as TF1 (`Dimension`) or TF2 shapes. Reference: TF 1.15 tensorflow/contrib/layers/python/layers/
layers.py, read for behaviour.
"""

from __future__ import annotations

from typing import Any, Callable

import tensorflow as tf

from tf1_bn import bn_math
from tf1_bn.contrib import variables as contrib_variables
from tf1_bn.contrib.arg_scope import add_arg_scope
from tf1_bn.layers.core import optional_callable


@add_arg_scope
def softmax(logits: Any, scope: Any = None) -> tf.Tensor:
    """Softmax over the last axis of `logits` (rank ≥ 2, last dimension known), shape kept."""
    with tf.compat.v1.variable_scope(scope, "softmax", [logits]):
        logits = tf.convert_to_tensor(logits)
        shape = logits.shape
        if shape.rank is None or shape.rank < 2:
            raise ValueError(f"`logits` must have rank at least 2; received shape {shape}")
        classes = tf.compat.dimension_value(shape[-1])
        if classes is None:
            raise ValueError(f"`logits` must have a known last dimension (the classes); received shape {shape}")
        predictions = tf.reshape(tf.nn.softmax(tf.reshape(logits, [-1, classes])), tf.shape(logits))
        predictions.set_shape(shape)
        return predictions


@add_arg_scope
def one_hot_encoding(labels: Any, num_classes: int, on_value: float = 1.0, off_value: float = 0.0,
                     outputs_collections: Any = None, scope: Any = None) -> tf.Tensor:
    """`tf.one_hot(labels, num_classes, on_value, off_value)` (int32 labels taken as int64, as TF1)."""
    with tf.compat.v1.name_scope(scope, "OneHotEncoding", [labels, num_classes]) as sc:
        labels = tf.convert_to_tensor(labels)
        if labels.dtype == tf.int32:
            labels = tf.cast(labels, tf.int64)
        outputs = tf.one_hot(labels, num_classes, on_value=on_value, off_value=off_value)
        return contrib_variables.collect_named_outputs(outputs_collections, sc, outputs)


def _channels(inputs: tf.Tensor, axis: int, what: str) -> int:
    value = tf.compat.dimension_value(inputs.shape[axis])
    if value is None:
        raise ValueError(f"`C` dimension must be known but is None: {what} of inputs {inputs.name} with shape "
                         f"{inputs.shape}")
    return int(value)


@add_arg_scope
def bias_add(inputs: Any, activation_fn: Callable | None = None,
             initializer: Any = tf.compat.v1.zeros_initializer(), regularizer: Callable | None = None,
             reuse: Any = None, variables_collections: Any = None, outputs_collections: Any = None,
             trainable: bool = True, data_format: str = "NHWC", scope: Any = None) -> tf.Tensor:
    """y = activation_fn(x + b) with `BiasAdd/biases` over the channel axis (usable as a normalizer_fn)."""
    if data_format not in ("NCHW", "NHWC"):
        raise ValueError(f"data_format has to be either NCHW or NHWC. `data_format` received {data_format!r}")
    optional_callable(activation_fn, "activation_fn")
    with tf.compat.v1.variable_scope(scope, "BiasAdd", [inputs], reuse=reuse) as sc:
        inputs = tf.convert_to_tensor(inputs)
        rank = inputs.shape.rank
        if rank is None:
            raise ValueError(f"Dims of shape must be known but is None: `inputs` {inputs.name} has unknown rank")
        if rank != 4 and data_format == "NCHW":
            raise ValueError(f"Data format NCHW only supports 4D Tensor; received shape {inputs.shape}")
        channels = _channels(inputs, 1 if data_format == "NCHW" else -1, "the channel axis")
        biases = contrib_variables.model_variable(
            "biases", [channels], inputs.dtype.base_dtype, initializer, trainable=trainable, regularizer=regularizer,
            collections=contrib_variables.variable_collections(variables_collections, "biases"))
        outputs = tf.nn.bias_add(inputs, biases, data_format=data_format)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return contrib_variables.collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def layer_norm(inputs: Any, center: bool = True, scale: bool = True, activation_fn: Callable | None = None,
               reuse: Any = None, variables_collections: Any = None, outputs_collections: Any = None,
               trainable: bool = True, begin_norm_axis: int = 1, begin_params_axis: int = -1,
               scope: Any = None) -> tf.Tensor:
    """Layer normalization over axes begin_norm_axis… of each example; see the module docstring."""
    optional_callable(activation_fn, "activation_fn")
    with tf.compat.v1.variable_scope(scope, "LayerNorm", [inputs], reuse=reuse) as sc:
        inputs = tf.convert_to_tensor(inputs)
        shape = inputs.shape
        rank = shape.rank
        if rank is None:
            raise ValueError(f"Inputs {inputs.name} has undefined rank.")
        norm_axis = begin_norm_axis + rank if begin_norm_axis < 0 else begin_norm_axis
        if begin_params_axis >= rank or norm_axis >= rank:
            raise ValueError(f"begin_params_axis ({begin_params_axis}) and begin_norm_axis ({begin_norm_axis}) "
                             f"must be < rank(inputs) ({rank})")
        params_shape = shape[begin_params_axis:]
        if not params_shape.is_fully_defined():
            raise ValueError(f"Inputs {inputs.name}: shape(inputs)[{begin_params_axis}:] is not fully defined: {shape}")
        dtype = inputs.dtype.base_dtype

        def parameter(role: str, initializer: Any) -> tf.Variable:
            return contrib_variables.model_variable(
                role, params_shape, dtype, initializer, trainable=trainable,
                collections=contrib_variables.variable_collections(variables_collections, role))

        beta = parameter("beta", tf.compat.v1.zeros_initializer()) if center else None
        gamma = parameter("gamma", tf.compat.v1.ones_initializer()) if scale else None
        mean, variance = bn_math.moments(inputs, range(norm_axis, rank), keepdims=True)
        epsilon = 1e-3 if dtype == tf.float16 else 1e-12  # float16 cannot hold 1e-12
        outputs = bn_math.normalize(inputs, mean, variance, beta, gamma, epsilon)
        outputs.set_shape(shape)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return contrib_variables.collect_named_outputs(outputs_collections, sc.name, outputs)
