"""Prove a Keras 3 port computes what the TF1 NeuralNetwork computes: outputs, and one training step.

- `assert_parity(network, sess, keras_model, x, training=False)`: the parameters that mode uses, then
  the logits. Inference (`training=False`): y = γ·(x − μ)/√(σ² + ε) + β with the moving statistics;
  batch statistics (`training=True`): μ_B, σ²_B of `x` itself (Ioffe & Szegedy 2015, Alg. 1). With
  training=True nothing is updated on either side: TF1's moving statistics are put back (the
  "moments_ema" and "assign" backends update them on the forward pass), Keras runs `stateless_call`.
- `assert_training_step_parity(network, sess, keras_model, x, y, learning_rate)`: from the same
  weights, one SGD step on the same batch, w ← w − lr·∂L/∂w with L the mean softmax cross-entropy, in
  TF1 (the network's own train op, which runs its update ops) and in Keras (GradientTape +
  keras.optimizers.SGD); then the kernels, biases, γ, β and the moving statistics
  moving ← moving − (moving − batch)·(1 − momentum) must agree. Both sides are put back afterwards
  unless `restore=False`.

A value agrees when |keras − tf1| ≤ atol + rtol·|tf1| (np.allclose). A mismatch raises AssertionError
naming the layer and the quantity, e.g. "layer 2 (batch_normalization_1) moving_variance differs by
3.1e-03 (atol 1e-05, rtol 1e-05)". Both functions return a ParityReport of the max |difference|.
"""

from __future__ import annotations

import dataclasses
import math
import weakref
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tf1_bn.article import backends as bn_backends
from tf1_bn.migrate import keras_model as km
from tf1_bn.migrate import snapshot
from tf1_bn._graph import tf2_shapes


@dataclasses.dataclass(frozen=True)
class Difference:
    """max |keras − tf1| of one quantity of one layer (layer 0: the whole model's output or loss)."""

    layer: int
    name: str
    quantity: str
    max_abs: float
    agrees: bool

    def __str__(self) -> str:
        where = f"layer {self.layer} ({self.name})" if self.layer else self.name
        return f"{where} {self.quantity} differs by {self.max_abs:.1e}"


@dataclasses.dataclass
class ParityReport:
    """Every quantity compared, input side first; `max_abs(quantity)` summarises."""

    differences: list[Difference]
    atol: float
    rtol: float

    def max_abs(self, quantity: str | None = None) -> float:
        values = [d.max_abs for d in self.differences if quantity in (None, d.quantity)]
        return max(values) if values else 0.0

    @property
    def failures(self) -> list[Difference]:
        return [d for d in self.differences if not d.agrees]

    def __str__(self) -> str:
        return "\n".join(f"{'ok ' if d.agrees else 'BAD'} {d}" for d in self.differences)

    def raise_on_failure(self, context: str = "") -> "ParityReport":
        if self.failures:
            tolerance = f"(atol {self.atol:.0e}, rtol {self.rtol:.0e})"
            lines = [f"{failure} {tolerance}" for failure in self.failures]
            raise AssertionError(f"{context}{lines[0]}" + "".join(f"\n  also: {line}" for line in lines[1:]))
        return self


def _difference(layer: int, name: str, quantity: str, keras_value: Any, tf1_value: Any, atol: float, rtol: float) -> Difference:
    keras_value, tf1_value = np.asarray(keras_value, np.float64), np.asarray(tf1_value, np.float64)
    if keras_value.shape != tf1_value.shape:
        where = f"layer {layer} ({name})" if layer else name
        raise AssertionError(f"{where} {quantity} has shape {keras_value.shape} in Keras, {tf1_value.shape} in TF1")
    gap = np.abs(keras_value - tf1_value)
    max_abs = float(gap.max()) if gap.size else 0.0
    finite = np.isfinite(keras_value) == np.isfinite(tf1_value)
    agrees = bool(np.all(finite & ((gap <= atol + rtol * np.abs(tf1_value)) | (keras_value == tf1_value))))
    return Difference(layer, name, quantity, max_abs if math.isfinite(max_abs) else math.inf, agrees)


def _parameters(pair: km.LayerPair, moving: bool) -> list[tuple[str, str, Any, Any]]:
    """(TF1 name, quantity, Keras variable, TF1 variable) of one layer; BN quantities go by the BN scope."""
    record = pair.record
    found = [(record.weights.op.name, "kernel", pair.dense.kernel, record.weights)]
    if record.bias is not None:
        found.append((record.bias.op.name, "bias", pair.dense.bias, record.bias))
    if pair.batch_norm is not None:
        bn, norm = record.batch_norm, pair.batch_norm
        found += [(pair.name, "gamma", norm.gamma, bn.gamma), (pair.name, "beta", norm.beta, bn.beta)]
        if moving:
            found += [(pair.name, "moving_mean", norm.moving_mean, bn.moving_mean),
                      (pair.name, "moving_variance", norm.moving_variance, bn.moving_variance)]
    return found


def compare_parameters(pairs: list[km.LayerPair], sess: Any, atol: float, rtol: float, moving: bool = True) -> list[Difference]:
    """Differences of every kernel, bias, γ, β (and moving statistics when `moving`), input side first."""
    entries = [(pair.index, *entry) for pair in pairs for entry in _parameters(pair, moving)]
    tf1_values = snapshot.read(sess, [entry[-1] for entry in entries])
    with km.eager():
        keras_values = [np.array(entry[3].numpy()) for entry in entries]
    return [_difference(index, name, quantity, kv, tv, atol, rtol)
            for (index, name, quantity, _, _), kv, tv in zip(entries, keras_values, tf1_values)]


def _check_config(pairs: list[km.LayerPair], momentum: bool) -> None:
    for pair in pairs:
        if pair.batch_norm is None:
            continue
        bn, norm = pair.record.batch_norm, pair.batch_norm
        if not math.isclose(norm.epsilon, bn_backends.EPSILON, rel_tol=1e-6):
            raise AssertionError(f"layer {pair.index} ({pair.name}) epsilon is {norm.epsilon:g} in Keras, {bn_backends.EPSILON:g} in TF1")
        if momentum and not math.isclose(norm.momentum, bn.momentum, rel_tol=1e-6):
            hint = " (PyTorch's momentum is 1 − Keras's)" if math.isclose(norm.momentum, 1 - bn.momentum, rel_tol=1e-6) else ""
            raise AssertionError(f"layer {pair.index} ({pair.name}) momentum is {norm.momentum:g} in Keras, {bn.momentum:g} in TF1{hint}")
        if tuple(norm.axis if isinstance(norm.axis, (list, tuple)) else [norm.axis]) not in ((-1,), (1,)):
            raise AssertionError(f"layer {pair.index} ({pair.name}) normalizes axis {norm.axis} in Keras, the last axis in TF1")


def _check_inputs(network: Any, x: Any, argument: str = "x") -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    width = network.layers[0].weights.shape[0]
    if x.ndim != 2 or x.shape[1] != width or x.shape[0] < 1:
        raise ValueError(f"`{argument}` must be a (batch, {width}) array with at least one row; received shape {x.shape}")
    return x


def _check_tolerances(atol: Any, rtol: Any) -> None:
    for argument, value in (("atol", atol), ("rtol", rtol)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
            raise ValueError(f"`{argument}` must be a non-negative number; received {value!r}")


@tf2_shapes()  # Keras 3 and this code read shapes as TF2, also under a TF1 script
def assert_parity(network: Any, sess: Any, keras_model: Any = None, x: Any = None, training: bool = False,
                  atol: float = 1e-5, *, rtol: float = 1e-5) -> ParityReport:
    """Same parameters and same logits for `x`; nothing is updated (see the module docstring).

    For any model from `tf1_bn.migrate.convert`: `assert_parity(sess, model, feed, training=False,
    atol=1e-5)` compares its outputs with the graph's (`tf1_bn.migrate.graph_parity.outputs_parity`).
    """
    if isinstance(network, tf.compat.v1.Session):
        from tf1_bn.migrate import graph_parity

        feed = keras_model if isinstance(keras_model, dict) else x
        flag = x if isinstance(x, bool) else training
        return graph_parity.outputs_parity(network, sess, feed, training=flag, atol=atol, rtol=rtol)
    km.check_session(network, sess)
    if not isinstance(training, bool):
        raise TypeError(f"`training` must be a bool (True: batch statistics, False: moving statistics); received {training!r}")
    _check_tolerances(atol, rtol)
    x = _check_inputs(network, x)
    pairs = km.pair_layers(network, keras_model)
    _check_config(pairs, momentum=False)
    differences = compare_parameters(pairs, sess, atol, rtol, moving=not training)
    stats = [v for bn in network.batch_norms for v in (bn.moving_mean, bn.moving_variance)]
    # "moments_ema" and "assign" update them on a training forward pass; feed_dict keys need graph mode
    with snapshot.preserved(sess, stats), network.graph.as_default():
        tf1_logits = sess.run(network.output_layer, {network.input_layer: x, network.is_training: training})
    with km.eager():
        trainable = [v.value for v in keras_model.trainable_variables]
        non_trainable = [v.value for v in keras_model.non_trainable_variables]
        keras_logits, _ = keras_model.stateless_call(trainable, non_trainable, tf.constant(x), training=training)
        keras_logits = np.array(keras_logits)
    mode = "batch-statistics" if training else "inference"
    differences.append(_difference(0, f"{mode} output", "logits", keras_logits, tf1_logits, atol, rtol))
    return ParityReport(differences, atol, rtol).raise_on_failure()


# One train op per network, fed the learning rate: built once, not once per check.
_TRAIN_OPS: "weakref.WeakKeyDictionary[Any, tuple[Any, Any, Any]]" = weakref.WeakKeyDictionary()


def _train_op(network: Any) -> tuple[Any, Any, Any]:
    """(learning-rate placeholder, labels placeholder, the network's own train op)."""
    if network not in _TRAIN_OPS:
        graph = network.graph
        with graph.as_default(), snapshot.preserved_collections(graph):  # minimize() appends to TRAIN_OP
            labels, loss, _ = network.evaluation_ops()
            learning_rate = tf.compat.v1.placeholder(tf.float32, [], name="parity_learning_rate")
            train_op = network.train_step(learning_rate, loss)
        _TRAIN_OPS[network] = (learning_rate, labels, train_op)
    return _TRAIN_OPS[network]


def _check_labels(y: Any, rows: int) -> np.ndarray:
    y = np.asarray(y, dtype=np.float32)
    if y.ndim != 2 or y.shape != (rows, 10):
        raise ValueError(f"`y` must be one-hot labels of shape ({rows}, 10), one row per row of `x`; received shape {y.shape}")
    return y


@tf2_shapes()  # Keras 3 and this code read shapes as TF2, also under a TF1 script
def assert_training_step_parity(network: Any, sess: Any, keras_model: Any, x: Any, y: Any,
                                learning_rate: float | None = None, *, atol: float = 1e-5, rtol: float = 1e-5,
                                restore: bool = True) -> ParityReport:
    """One SGD step on (x, y) in both frameworks gives the same weights and moving statistics.

    For any model from `tf1_bn.migrate.convert`: `assert_training_step_parity(sess, model, feed, loss,
    learning_rate)` (`tf1_bn.migrate.graph_parity.training_step_parity`).

    Checks first that both start from the same parameters. With `restore=True` (default) both the
    TF1 variables and the Keras model are put back afterwards, also when the check fails; with
    `restore=False` both keep the step (so steps can be chained).
    """
    if isinstance(network, tf.compat.v1.Session):
        from tf1_bn.migrate import graph_parity

        # (sess, model, feed, loss, learning_rate) arrive as (network, sess, keras_model, x, y)
        return graph_parity.training_step_parity(network, sess, keras_model, x, y, atol=atol, rtol=rtol,
                                                 restore=restore)
    km.check_session(network, sess)
    _check_tolerances(atol, rtol)
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float)) or not learning_rate > 0:
        raise ValueError(f"`learning_rate` must be a positive number; received {learning_rate!r}")
    if not isinstance(restore, bool):
        raise TypeError(f"`restore` must be a bool; received {restore!r}")
    x = _check_inputs(network, x)
    y = _check_labels(y, x.shape[0])
    pairs = km.pair_layers(network, keras_model)
    _check_config(pairs, momentum=True)
    ParityReport(compare_parameters(pairs, sess, atol, rtol), atol, rtol).raise_on_failure("before the step: ")
    lr, labels, train_op = _train_op(network)
    _, cross_entropy, _ = network.evaluation_ops()
    loss = keras.losses.CategoricalCrossentropy(from_logits=True)
    with snapshot.preserved(sess, network.variables, restore), km.preserved_keras(keras_model, restore):
        with network.graph.as_default():
            feed = {network.input_layer: x, labels: y, network.is_training: True, lr: learning_rate}
            tf1_loss, _ = sess.run([cross_entropy, train_op], feed)
        with km.eager():
            with tf.GradientTape() as tape:
                keras_loss = loss(tf.constant(y), keras_model(tf.constant(x), training=True))
            variables = keras_model.trainable_variables
            gradients = tape.gradient(keras_loss, variables)
            keras.optimizers.SGD(learning_rate=learning_rate).apply(gradients, variables)
            keras_loss = float(keras_loss)
        differences = [_difference(0, "training step", "loss", keras_loss, tf1_loss, atol, rtol)]
        differences += compare_parameters(pairs, sess, atol, rtol)
    return ParityReport(differences, atol, rtol).raise_on_failure("after one training step: ")
