"""What the legacy-layer parity tests share: run one TF1 layer graph (ours or tf_keras's legacy_tf_layers, the
oracle) on the same data and compare everything observable: output, gradients, variables, static shape."""

from __future__ import annotations

import warnings
from typing import Any, Callable, NamedTuple

import numpy as np
import pytest
import tensorflow as tf


class Ran(NamedTuple):
    output: np.ndarray
    grads: list[np.ndarray]  # d Σy²/d input, then per variable
    variables: list[tuple[str, list[int]]]
    static_shape: list[int | None]


def legacy(module: str) -> Any:
    """`tf_keras.src.legacy_tf_layers.<module>`, or skip (tf_keras is a test extra only)."""
    return pytest.importorskip(f"tf_keras.src.legacy_tf_layers.{module}")


def run_layer(build: Callable[[tf.Tensor], tf.Tensor], data: np.ndarray) -> Ran:
    """`build(x)` in a fresh graph on a placeholder shaped like `data`, with its variables initialized."""
    with tf.Graph().as_default(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x = tf.compat.v1.placeholder(tf.float32, data.shape)
        y = build(x)
        variables = tf.compat.v1.global_variables()
        grads = tf.gradients(tf.reduce_sum(y * y), [x, *variables])
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            out, grad_values = sess.run([y, grads], {x: data})
        return Ran(out, grad_values, [(v.name, v.shape.as_list()) for v in variables], y.shape.as_list())


def assert_same(ours: Ran, theirs: Ran, rtol: float = 1e-5, atol: float = 1e-4) -> None:
    """Same variable names and shapes, static shape, output and gradients (gradients at 10× the tolerance)."""
    assert ours.variables == theirs.variables
    assert ours.static_shape == theirs.static_shape
    np.testing.assert_allclose(ours.output, theirs.output, rtol=rtol, atol=atol)
    for ours_grad, their_grad in zip(ours.grads, theirs.grads, strict=True):
        np.testing.assert_allclose(ours_grad, their_grad, rtol=10 * rtol, atol=10 * atol)


def case_id(value: Any) -> str:
    return str(value).replace(" ", "")
