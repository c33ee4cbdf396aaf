"""`to_keras`: the article's NeuralNetwork, with its current values, as a Keras 3 model.

Each LayerRecord of the network becomes Keras layers with the same math (seed 002, 实战板块 1.2):

    TF1 (hidden, with BN)   f(BN(x·W))      →  Dense(use_bias=False), BatchNormalization, Activation(f)
    TF1 (without BN)        f(x·W + b)      →  Dense(activation=f)
    TF1 (output)            x·W + b         →  Dense()

BatchNormalization gets γ, β, the inference statistics (the layer's moving_mean/moving_variance, the
EMA shadows of "moments_ema", pop_mean/pop_variance of "assign"), `momentum` and ε = 1e-3. Keras
updates `moving ← momentum·moving + (1 − momentum)·batch`, TF1 `moving ← moving − (moving −
batch)·(1 − momentum)`: the same rule, so momentum carries over unchanged (see the package docstring
for PyTorch).

Keras 3 and a TF1 graph (measured on TF 2.21 / Keras 3.15, tested in tests/test_migrate_keras.py):
- inside `with tf.Graph().as_default():` Keras builds graph-mode variables IN THAT GRAPH, its calls
  return symbolic tensors and `predict` fails ("tf.data.Dataset only supports Python-style iteration
  in eager mode");
- `tf.init_scope()` does not help: it lifts out of function graphs only, to the innermost plain
  Graph, which is the user's;
- a new thread is eager (the default-graph stack is per thread), but not after
  `tf.compat.v1.disable_eager_execution()`;
- `tf.__internal__.eager_context.eager_mode()` (Keras 3 uses it itself in `keras/src/legacy/backend.py`)
  makes the current thread eager even inside the Graph block and after disable_eager_execution.
So: read the TF1 values with `sess.run`, then build the model under `eager()`. The user's graph gains
no op and no collection entry. The model cannot be called inside the Graph block ("Attempting to
capture an EagerTensor without building a function"): call it outside, or under `eager()`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from typing import Any, Callable, ContextManager, Iterator

import keras
import numpy as np
import tensorflow as tf

from tf1_bn.article import backends as bn_backends
from tf1_bn.migrate import snapshot
from tf1_bn._graph import tf2_shapes


def eager() -> ContextManager[None]:
    """Eager execution for the current thread, even inside `tf.Graph().as_default()` (see above)."""
    return tf.__internal__.eager_context.eager_mode()


# TF activation functions and the Keras names with the same op (keras.activations.relu → tf.nn.relu, …).
_KERAS_ACTIVATIONS: dict[Any, str] = {
    tf.nn.relu: "relu", tf.nn.sigmoid: "sigmoid", tf.math.sigmoid: "sigmoid", tf.nn.tanh: "tanh",
    tf.math.tanh: "tanh", tf.nn.elu: "elu", tf.nn.selu: "selu", tf.nn.softplus: "softplus",
    tf.nn.relu6: "relu6", tf.nn.silu: "silu",
}


def keras_activation(activation_fn: Callable | str | None) -> Callable | str | None:
    """The Keras name of a TF activation function (tf.nn.relu → "relu"); other callables unchanged."""
    if activation_fn is None or isinstance(activation_fn, str):
        return activation_fn
    if not callable(activation_fn):
        raise TypeError(f"`activation_fn` must be callable (e.g. tf.nn.relu), a Keras activation name or None; received {activation_fn!r}")
    return _KERAS_ACTIVATIONS.get(activation_fn, activation_fn)


def tf1_name(layer: Any) -> str:
    """The name a TF1 user knows a layer by: the BN variable scope, else the weights variable."""
    if layer.batch_norm is not None:
        return layer.batch_norm.gamma.op.name.rsplit("/", 1)[0]
    return layer.weights.op.name


@dataclasses.dataclass(frozen=True)
class LayerPair:
    """Layer `index` (1-based, from the input) of the TF1 network and the Keras layers that replace it."""

    index: int
    name: str                 # TF1 name (tf1_name)
    record: Any               # network.LayerRecord
    dense: keras.layers.Dense
    batch_norm: keras.layers.BatchNormalization | None


def _flat_layers(model: keras.Model) -> Iterator[keras.layers.Layer]:
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _flat_layers(layer)
        else:
            yield layer


def pair_layers(network: Any, keras_model: Any) -> list[LayerPair]:
    """Match the network's layers with the model's Dense and BatchNormalization layers, in order.

    Works for a model from `to_keras` and for a hand-written port alike; raises ValueError when the
    counts or the kernel shapes differ.
    """
    if not isinstance(keras_model, keras.Model):
        raise TypeError(f"`keras_model` must be a keras.Model (Keras 3); received {type(keras_model).__name__}")
    layers = list(_flat_layers(keras_model))
    dense = [layer for layer in layers if isinstance(layer, keras.layers.Dense)]
    norms = [layer for layer in layers if isinstance(layer, keras.layers.BatchNormalization)]
    if len(dense) != len(network.layers) or len(norms) != len(network.batch_norms):
        raise ValueError(
            f"`keras_model` must have one Dense layer per network layer and one BatchNormalization per BN layer "
            f"({len(network.layers)} and {len(network.batch_norms)}); received {len(dense)} and {len(norms)}"
        )
    pairs, norm_iter = [], iter(norms)
    for index, (record, layer) in enumerate(zip(network.layers, dense), start=1):
        expected = tuple(record.weights.shape.as_list())
        kernel_shape = tuple(layer.kernel.shape) if layer.built else None
        if kernel_shape != expected:
            raise ValueError(
                f"`keras_model` layer {layer.name!r} must have a {expected} kernel like layer {index} "
                f"({tf1_name(record)}); received {kernel_shape}"
            )
        if (record.bias is None) == layer.use_bias:
            raise ValueError(
                f"`keras_model` layer {layer.name!r} must have use_bias={record.bias is not None} like layer {index} "
                f"({tf1_name(record)}); received use_bias={layer.use_bias}"
            )
        norm = next(norm_iter) if record.batch_norm is not None else None
        pairs.append(LayerPair(index, tf1_name(record), record, layer, norm))
    return pairs


def check_session(network: Any, sess: Any) -> None:
    """Raise TypeError/ValueError unless `sess` is a Session on the network's graph."""
    if not hasattr(network, "layers") or not hasattr(network, "batch_norms"):
        raise TypeError(f"`network` must be a tf1_bn.article.network.NeuralNetwork; received {type(network).__name__}")
    if not isinstance(sess, tf.compat.v1.Session):
        raise TypeError(f"`sess` must be a tf.compat.v1.Session; received {type(sess).__name__}")
    if sess.graph is not network.graph:
        raise ValueError("`sess` must run the graph `network` was built in; received a Session on another graph")


def _slug(text: str) -> str:
    return re.sub(r"[^0-9a-zA-Z_]+", "_", text).strip("_").lower()


@tf2_shapes()  # Keras 3 and this code read shapes as TF2, also under a TF1 script
def to_keras(network: Any, sess: tf.compat.v1.Session, *, name: str | None = None) -> keras.Model:
    """A Keras 3 Sequential model computing what `network` computes, with its current values.

    Works for every backend ("layers", "moments_ema", "assign", "none") and from inside or outside
    the network's `tf.Graph().as_default()` block; the graph is not changed. Layer names: "dense_k"
    for layer k (1-based), BN layers keep their TF1 scope (e.g. "batch_normalization_1").
    """
    check_session(network, sess)
    records = list(network.layers)
    parameters = []
    for record in records:
        parameters.append(record.weights)
        if record.bias is not None:
            parameters.append(record.bias)
        if record.batch_norm is not None:
            bn = record.batch_norm
            parameters += [bn.gamma, bn.beta, bn.moving_mean, bn.moving_variance]
    values = iter(snapshot.read(sess, parameters))
    width = records[0].weights.shape[0]
    with eager():
        model = keras.Sequential(name=name or _slug(f"tf1_{network.name}"))
        model.add(keras.Input(shape=(width,), name="images"))
        weights: list[tuple[keras.Variable, np.ndarray]] = []
        for index, record in enumerate(records, start=1):
            units = record.weights.shape[1]
            activation = keras_activation(record.activation_fn)
            bn = record.batch_norm
            dense = keras.layers.Dense(units, use_bias=record.bias is not None,
                                       activation=None if bn is not None else activation, name=f"dense_{index}")
            model.add(dense)
            weights.append((dense.kernel, next(values)))
            if record.bias is not None:
                weights.append((dense.bias, next(values)))
            if bn is not None:
                norm = keras.layers.BatchNormalization(momentum=bn.momentum, epsilon=bn_backends.EPSILON,
                                                       name=tf1_name(record))
                model.add(norm)
                for variable in (norm.gamma, norm.beta, norm.moving_mean, norm.moving_variance):
                    weights.append((variable, next(values)))
                if activation is not None:
                    label = activation if isinstance(activation, str) else "activation"
                    model.add(keras.layers.Activation(activation, name=f"{label}_{index}"))
        for variable, value in weights:
            variable.assign(value)
    return model


@contextlib.contextmanager
def preserved_keras(model: keras.Model, restore: bool = True) -> Iterator[None]:
    """Put every variable of `model` back on exit (also after an error) when `restore`."""
    with eager():
        saved = [np.array(variable.numpy()) for variable in model.variables]
    try:
        yield
    finally:
        if restore:
            with eager():
                for variable, value in zip(model.variables, saved):
                    variable.assign(value)
