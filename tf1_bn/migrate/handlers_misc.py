"""Op handlers for everything around the weighted layers: activations, pooling, shapes, merges, dropout.

    Relu/Relu6/Elu/Selu/Sigmoid/Tanh/Softmax/Softplus   → Activation(name)
    LeakyRelu, or tf.maximum(x, a·x)                      → LeakyReLU(a)
    MaxPool / AvgPool                                     → MaxPooling2D / AveragePooling2D
    Reshape / Squeeze / ExpandDims (static result)        → Reshape(target shape)
    Transpose keeping the batch axis                      → Permute
    Mean over the spatial axes                            → GlobalAveragePooling2D(keepdims)
    Pad with constant paddings (spatial only)             → ZeroPadding2D
    Add/AddV2 / Mul / Sub of two tensors, ConcatV2        → Add / Multiply / Subtract / Concatenate
    x·c + d with scalar constants (Mul/Add/Sub/RealDiv)   → Rescaling(c, d)
    tf.layers.dropout / tf.nn.dropout (the random mask)   → Dropout(rate)
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tf1_bn.migrate import graph_reading as gr
from tf1_bn.migrate.steps import Step

ACTIVATIONS = {"Relu": "relu", "Relu6": "relu6", "Elu": "elu", "Selu": "selu", "Sigmoid": "sigmoid",
               "Tanh": "tanh", "Softmax": "softmax", "Softplus": "softplus"}


def _simple(layer: str, factory: Any, inputs: list, arguments: dict, tensor: tf.Tensor, as_list: bool = False) -> Step:
    return Step(layer, lambda name: factory(name=name, **arguments), inputs, arguments=arguments, tf1=tensor.op.name,
                as_list=as_list)


def activation(converter: Any, tensor: tf.Tensor) -> Step | None:
    op = tensor.op
    if op.type in ACTIVATIONS:
        return _simple("Activation", keras.layers.Activation, [op.inputs[0]], {"activation": ACTIVATIONS[op.type]}, tensor)
    if op.type == "LeakyRelu":
        return _simple("LeakyReLU", keras.layers.LeakyReLU, [op.inputs[0]],
                       {"negative_slope": gr.decimal(op.get_attr("alpha"))}, tensor)
    if op.type == "Maximum":  # tf.maximum(x, alpha * x): leaky relu written by hand
        for x, scaled in (op.inputs, list(reversed(op.inputs))):
            mul = gr.op_of(scaled, "Mul")
            if mul is not None and any(gr.source(t) is gr.source(x) for t in mul.inputs):
                alpha = gr.scalar(gr.other(mul, next(t for t in mul.inputs if gr.source(t) is gr.source(x))))
                if alpha is not None and 0 <= alpha < 1:
                    return _simple("LeakyReLU", keras.layers.LeakyReLU, [x], {"negative_slope": gr.decimal(alpha)},
                                   tensor)
    return None


def pooling(converter: Any, tensor: tf.Tensor) -> Step | None:
    op = tensor.op
    if op.type not in ("MaxPool", "AvgPool"):
        return None
    data_format = op.get_attr("data_format").decode()
    spatial = slice(2, 4) if data_format == "NCHW" else slice(1, 3)
    arguments = dict(pool_size=tuple(op.get_attr("ksize")[spatial]), strides=tuple(op.get_attr("strides")[spatial]),
                     padding=op.get_attr("padding").decode().lower(),
                     data_format="channels_first" if data_format == "NCHW" else "channels_last")
    factory = keras.layers.MaxPooling2D if op.type == "MaxPool" else keras.layers.AveragePooling2D
    return _simple(factory.__name__, factory, [op.inputs[0]], arguments, tensor)


def reshape(converter: Any, tensor: tf.Tensor) -> Step | None:
    op = tensor.op
    if op.type not in ("Reshape", "Squeeze", "ExpandDims"):
        return None
    target = tensor.shape.as_list()[1:] if tensor.shape.rank else None
    if target is None or any(d is None for d in target):
        raise ValueError(f"{op.type} op {op.name!r} gives shape {tensor.shape}: the converter needs every dimension "
                         "but the batch one known")
    return _simple("Reshape", keras.layers.Reshape, [op.inputs[0]], {"target_shape": tuple(target)}, tensor)


def transpose(converter: Any, tensor: tf.Tensor) -> Step | None:
    op = tensor.op
    perm = gr.constant(op.inputs[1]) if op.type == "Transpose" else None
    if perm is None or int(perm[0]) != 0:
        return None
    return _simple("Permute", keras.layers.Permute, [op.inputs[0]], {"dims": tuple(int(p) for p in perm[1:])}, tensor)


def spatial_mean(converter: Any, tensor: tf.Tensor) -> Step | None:
    op = tensor.op
    axes = gr.constant(op.inputs[1]) if op.type == "Mean" else None
    if axes is None or op.inputs[0].shape.rank != 4:
        return None
    axes = sorted(int(a) % 4 for a in np.ravel(axes))
    if axes not in ([1, 2], [2, 3]):
        return None
    arguments = dict(keepdims=bool(op.get_attr("keep_dims")),
                     data_format="channels_last" if axes == [1, 2] else "channels_first")
    return _simple("GlobalAveragePooling2D", keras.layers.GlobalAveragePooling2D, [op.inputs[0]], arguments, tensor)


def pad(converter: Any, tensor: tf.Tensor) -> Step | None:
    op = tensor.op
    paddings = gr.constant(op.inputs[1]) if op.type in ("Pad", "PadV2") else None
    if paddings is None or paddings.shape != (4, 2) or (op.type == "PadV2" and gr.scalar(op.inputs[2]) != 0):
        return None
    if np.any(paddings[0]) or np.any(paddings[3]):
        return None  # NHWC with batch and channels untouched only
    arguments = {"padding": tuple(tuple(int(v) for v in row) for row in paddings[1:3])}
    return _simple("ZeroPadding2D", keras.layers.ZeroPadding2D, [op.inputs[0]], arguments, tensor)


def merge_layers(converter: Any, tensor: tf.Tensor) -> Step | None:
    """Add/Multiply/Subtract of two converted tensors, ConcatV2 (both need no constants)."""
    op = tensor.op
    if op.type == "ConcatV2":
        axis = gr.scalar(op.inputs[-1])
        if axis is None:
            return None
        return _simple("Concatenate", keras.layers.Concatenate, list(op.inputs[:-1]), {"axis": int(axis)}, tensor, True)
    kinds = {"Add": keras.layers.Add, "AddV2": keras.layers.Add, "Mul": keras.layers.Multiply,
             "Sub": keras.layers.Subtract}
    if op.type not in kinds or any(gr.constant(t) is not None or gr.variable_op(t) is not None for t in op.inputs):
        return None
    return _simple(kinds[op.type].__name__, kinds[op.type], list(op.inputs), {}, tensor, True)


def rescaling(converter: Any, tensor: tf.Tensor) -> Step | None:
    """x·c, x/c, x + d, x − d with a scalar constant: keras Rescaling(scale, offset)."""
    op = tensor.op
    if op.type not in ("Mul", "RealDiv", "Add", "AddV2", "Sub") or len(op.inputs) != 2:
        return None
    for position, (x, c) in enumerate((op.inputs, list(reversed(op.inputs)))):
        value = gr.scalar(c)
        if value is None or gr.constant(x) is not None:
            continue
        if op.type == "Sub" and position == 1:
            return None  # c − x
        if op.type == "RealDiv" and position == 1:
            return None  # c / x
        scale, offset = {"Mul": (value, 0.0), "RealDiv": (1.0 / value, 0.0), "Add": (1.0, value),
                         "AddV2": (1.0, value), "Sub": (1.0, -value)}[op.type]
        return _simple("Rescaling", keras.layers.Rescaling, [x], {"scale": gr.decimal(scale), "offset": gr.decimal(offset)},
                       tensor)
    return None


def _dropout_rate(tensor: tf.Tensor) -> tuple[tf.Tensor, float] | None:
    """(x, rate) when `tensor` is TF's dropout: SelectV2(random ≥ rate, x·1/(1−rate), 0)."""
    op = gr.source(tensor).op
    if op.type not in ("SelectV2", "Select"):
        return None
    keep = gr.op_of(op.inputs[0], "GreaterEqual")
    scaled = gr.op_of(op.inputs[1], "Mul")
    if keep is None or scaled is None or gr.op_of(keep.inputs[0], "RandomUniform", "Add", "AddV2", "Mul") is None:
        return None
    rate = gr.scalar(keep.inputs[1])
    x = next((t for t in scaled.inputs if gr.scalar(t) is None), None)
    return (gr.source(x), rate) if rate is not None and x is not None else None


def dropout(converter: Any, tensor: tf.Tensor) -> Step | None:
    """tf.layers.dropout (a Merge of the masked and the identity branch) or a bare dropout mask."""
    op = tensor.op
    found = None
    if (op.type in ("Merge", "RefMerge") and len(op.inputs) == 2) or op.type in gr.FUNCTIONAL_IFS:
        sides = ([b.outputs[tensor.value_index] for b in gr.branches(op)] if op.type in gr.FUNCTIONAL_IFS
                 else list(op.inputs))
        rates = [_dropout_rate(t) for t in sides]
        found = next((r for r in rates if r is not None), None)
        if found is not None:
            rest = [t for t, r in zip(sides, rates) if r is None]
            if len(rest) != 1 or gr.source(rest[0]) is not found[0]:
                return None
            if op.type in gr.FUNCTIONAL_IFS:
                converter.check_pred(op.inputs[0], op.name)
            else:
                converter.check_training(rest[0], op.name)
    elif op.type in ("SelectV2", "Select"):
        found = _dropout_rate(tensor)
    if found is None:
        return None
    return _simple("Dropout", keras.layers.Dropout, [found[0]], {"rate": gr.decimal(found[1])}, tensor)
