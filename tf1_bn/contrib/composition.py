"""contrib's `repeat` and `stack`: one layer function applied several times, each call in its own scope.

    y = repeat(x, 3, conv2d, 64, [3, 3], scope="conv1")
    # = conv2d(conv2d(conv2d(x, 64, [3, 3], scope="conv1/conv1_1"), …, scope="conv1/conv1_2"), …, scope="conv1/conv1_3")
    y = stack(x, fully_connected, [32, 64, 128], scope="fc")
    # = fully_connected(… fully_connected(x, 32, scope="fc/fc_1") …, 128, scope="fc/fc_3")

Without `scope` the outer variable scope is `Repeat`/`Stack` and the inner ones are named after the
layer function (`layer.__name__`, or `layer.func.__name__` for a functools.partial, else
"repeat"/"stack"), as in TF 1.15 (tensorflow/contrib/layers/python/layers/layers.py, read for
behaviour). VGG's blocks are written with `repeat`.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import tensorflow as tf


def _inner_scope(layer: Callable[..., Any], fallback: str) -> str:
    name = getattr(layer, "__name__", None) or getattr(getattr(layer, "func", None), "__name__", None)
    return name or fallback


def _check_layer(layer: Any) -> None:
    if not callable(layer):
        raise TypeError(f"`layer` must be a layer function such as conv2d; received {layer!r}")


def repeat(inputs: Any, repetitions: int, layer: Callable[..., Any], *args: Any, **kwargs: Any) -> tf.Tensor:
    """`layer(inputs, *args, **kwargs)` applied `repetitions` times, in scopes `<scope>/<scope>_1`, `_2`, …"""
    if isinstance(repetitions, bool) or not isinstance(repetitions, int) or repetitions < 0:
        raise ValueError(f"`repetitions` must be a non-negative int; received {repetitions!r}")
    _check_layer(layer)
    scope = kwargs.pop("scope", None)
    with tf.compat.v1.variable_scope(scope, "Repeat", [inputs]):
        outputs = tf.convert_to_tensor(inputs)
        inner = scope if scope is not None else _inner_scope(layer, "repeat")
        for i in range(repetitions):
            outputs = layer(outputs, *args, scope=f"{inner}_{i + 1}", **kwargs)
        return outputs


def stack(inputs: Any, layer: Callable[..., Any], stack_args: Sequence[Any], **kwargs: Any) -> tf.Tensor:
    """`layer` applied once per entry of `stack_args` (a value or a tuple of positional arguments),
    in scopes `<scope>/<scope>_1`, `_2`, …"""
    if not isinstance(stack_args, (list, tuple)):
        raise ValueError(f"stack_args need to be a list or tuple; received {stack_args!r}")
    _check_layer(layer)
    scope = kwargs.pop("scope", None)
    with tf.compat.v1.variable_scope(scope, "Stack", [inputs]):
        outputs = tf.convert_to_tensor(inputs)
        inner = scope if scope is not None else _inner_scope(layer, "stack")
        for i, layer_args in enumerate(stack_args):
            positional = layer_args if isinstance(layer_args, (list, tuple)) else [layer_args]
            outputs = layer(outputs, *positional, scope=f"{inner}_{i + 1}", **kwargs)
        return outputs
