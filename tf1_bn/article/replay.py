"""The article's network replayed from its recorded variables, with batch normalization chosen by the caller.

`NeuralNetwork` records each layer it builds (`network.layers`: W, b or the BN variables, f). Tools
that need the same network computed differently — the fast training loop (batch statistics with a
hand-written gradient, or moving statistics) and the population statistics (moments per batch of a
reshaped input) — replay it here instead of rebuilding it:

    hidden, with BN:     a = f(bn(x·W))      bn given by the caller
    hidden, without BN:  a = f(x·W + b)
    output:              logits = a·W + b

The replay reads the same variables; it creates none.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import tensorflow as tf

BatchNormStep = Callable[[Any, tf.Tensor], tf.Tensor]  # (BatchNormVariables, x·W) -> normalized x·W


def replay(network: Any, x: tf.Tensor, batch_norm: BatchNormStep, layers: Sequence[Any] | None = None) -> tf.Tensor:
    """`x` through `layers` (default: all of `network.layers`, input side first), BN done by `batch_norm`."""
    for layer in network.layers if layers is None else layers:
        x = tf.matmul(x, layer.weights)  # (batch, units)
        if layer.batch_norm is None:
            x = x + layer.bias
        else:
            x = batch_norm(layer.batch_norm, x)
        if layer.activation_fn is not None:
            x = layer.activation_fn(x)
    return x
