"""Op handlers for the layers with a kernel: dense (MatMul) and conv2d (Conv2D), with their bias folded in.

    y = x·W (+ b)                        MatMul [→ BiasAdd or Add of a 1-D variable]  →  keras Dense
    y = conv2d(x, W) (+ b)               Conv2D [→ BiasAdd]                           →  keras Conv2D

W and b must be variables (read through Identity/ReadVariableOp/Switch); `x` may be anything the
converter can convert. NCHW convolutions keep data_format="channels_first" in Keras.
"""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from tf1_bn.migrate import graph_reading as gr
from tf1_bn.migrate.steps import Step


def _kernel_variable(converter: Any, op: tf.Operation, index: int) -> Any | None:
    variable = gr.variable_op(op.inputs[index])
    return None if variable is None else converter.variable(variable)


def _linear(converter: Any, tensor: tf.Tensor) -> tuple[tf.Operation, Any] | None:
    """(MatMul or Conv2D op, its kernel variable) when `tensor` is such an op's output."""
    op = tensor.op
    if op.type == "MatMul" and not op.get_attr("transpose_a") and not op.get_attr("transpose_b"):
        kernel = _kernel_variable(converter, op, 1)
        return (op, kernel) if kernel is not None else None
    if op.type == "Conv2D":
        kernel = _kernel_variable(converter, op, 1)
        return (op, kernel) if kernel is not None else None
    return None


def _bias(converter: Any, op: tf.Operation) -> tuple[tf.Tensor, Any] | None:
    """(the linear output, the bias variable) when `op` adds a 1-D variable to a MatMul/Conv2D output."""
    if op.type == "BiasAdd":
        linear, bias = op.inputs[0], op.inputs[1]
    elif op.type in ("Add", "AddV2"):
        linear, bias = op.inputs[0], op.inputs[1]
        if gr.variable_op(linear) is not None:
            linear, bias = bias, linear
    else:
        return None
    variable = gr.variable_op(bias)
    if variable is None or bias.shape.rank != 1 or _linear(converter, gr.source(linear)) is None:
        return None
    return gr.source(linear), converter.variable(variable)


def _step(converter: Any, linear_op: tf.Operation, kernel: Any, bias: Any | None, tf1: str) -> Step:
    weights = [kernel] + ([bias] if bias is not None else [])
    if linear_op.type == "MatMul":
        units = int(kernel.shape[-1])
        arguments = dict(units=units, use_bias=bias is not None)
        return Step("Dense", lambda name: keras.layers.Dense(name=name, **arguments), [linear_op.inputs[0]], weights,
                    ["kernel", "bias"][: len(weights)], arguments, tf1)
    data_format = linear_op.get_attr("data_format").decode()
    spatial = slice(2, 4) if data_format == "NCHW" else slice(1, 3)
    padding = linear_op.get_attr("padding").decode()
    if padding not in ("SAME", "VALID"):
        raise ValueError(f"Conv2D op {linear_op.name!r} has padding {padding!r}; the converter supports 'SAME' and 'VALID'")
    arguments = dict(
        filters=int(kernel.shape[-1]), kernel_size=tuple(int(d) for d in kernel.shape[:2]),
        strides=tuple(linear_op.get_attr("strides")[spatial]), padding=padding.lower(),
        dilation_rate=tuple(linear_op.get_attr("dilations")[spatial]),
        data_format="channels_first" if data_format == "NCHW" else "channels_last", use_bias=bias is not None)
    return Step("Conv2D", lambda name: keras.layers.Conv2D(name=name, **arguments), [linear_op.inputs[0]], weights,
                ["kernel", "bias"][: len(weights)], arguments, tf1)


def linear(converter: Any, tensor: tf.Tensor) -> Step | None:
    """MatMul/Conv2D without a bias (e.g. before batch norm, or use_bias=False)."""
    found = _linear(converter, tensor)
    if found is None:
        return None
    return _step(converter, found[0], found[1], None, tensor.op.name)


def linear_with_bias(converter: Any, tensor: tf.Tensor) -> Step | None:
    """MatMul/Conv2D followed by BiasAdd (or an Add of a 1-D variable): one Keras layer with use_bias."""
    found = _bias(converter, tensor.op)
    if found is None:
        return None
    linear_tensor, bias = found
    op, kernel = _linear(converter, linear_tensor)
    return _step(converter, op, kernel, bias, f"{op.name} + {tensor.op.name}")
