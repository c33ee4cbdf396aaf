"""Parity of ANY converted model (`tf1_bn.migrate.convert`) with the TF1 graph it came from.

- `outputs_parity(sess, model, feed, training=False)`: the TF1 outputs for `feed` (with the training
  placeholder fed `training`) against `model(inputs, training=training)`; the TF1 statistics are put
  back afterwards (forms that update on the forward pass would otherwise move them).
- `training_step_parity(sess, model, feed, loss, learning_rate)`: from the same weights, one plain SGD
  step w ← w − lr·∂L/∂w on the same batch in TF1 (GradientDescentOptimizer under the UPDATE_OPS
  dependency) and in Keras; then every converted weight, moving statistics included, must agree.
  Keras never sees the TF1 loss: it takes g = ∂L/∂outputs from TF1 and differentiates Σ g·outputs,
  which has the same gradient by the chain rule (exact when L depends on the weights only through the
  outputs, e.g. no regularization losses).
  Known difference, named in the message: TF1's FUSED kernel moves the moving variance towards the
  Bessel-corrected σ²·m/(m−1), Keras towards σ² (see `tf1_bn.bn_math.fused_batch_norm`).
Both sides are put back afterwards (`restore=True`). Returns a `parity.ParityReport`; a mismatch
raises AssertionError naming the layer and the weight.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tf1_bn._graph import tf2_shapes
from tf1_bn.migrate import snapshot
from tf1_bn.migrate.handlers_bn import FUSED_NOTE
from tf1_bn.migrate.keras_model import eager
from tf1_bn.migrate.parity import ParityReport, _difference


def record_of(model: Any) -> Any:
    record = getattr(model, "_tf1_bn_conversion", None)
    if record is None:
        raise TypeError("`model` must come from tf1_bn.migrate.convert (it records the TF1 tensors it stands for)")
    return record


def _feed(record: Any, feed: Any, training: bool) -> tuple[dict, list[np.ndarray]]:
    if not isinstance(feed, dict):
        raise TypeError(f"`feed` must be a dict {{input tensor or name: array}}; received {type(feed).__name__}")
    by_name = {(k if isinstance(k, str) else k.name): np.asarray(v) for k, v in feed.items()}
    arrays = []
    for tensor in record.inputs:
        value = by_name.get(tensor.name, by_name.get(tensor.op.name))
        if value is None:
            raise ValueError(f"`feed` has no value for the model input {tensor.name!r}")
        arrays.append(value.astype(tensor.dtype.as_numpy_dtype))
    tf1_feed = {t: a for t, a in zip(record.inputs, arrays)}
    if record.training is not None:
        tf1_feed[record.training] = training
    return tf1_feed, arrays


def _keras_call(model: Any, arrays: list[np.ndarray], training: bool) -> list[np.ndarray]:
    outputs = model(arrays if len(arrays) > 1 else arrays[0], training=training)
    return [np.asarray(o) for o in (outputs if isinstance(outputs, (list, tuple)) else [outputs])]


def _statistic_variables(record: Any) -> list[Any]:
    return [w for _, step in record.steps for w in step.weights if not isinstance(w, np.ndarray)]


@tf2_shapes()
def outputs_parity(sess: tf.compat.v1.Session, model: Any, feed: dict, training: bool = False,
                   atol: float = 1e-5, rtol: float = 1e-5) -> ParityReport:
    """The model's outputs against the TF1 graph's for `feed` (see the module docstring)."""
    record = record_of(model)
    tf1_feed, arrays = _feed(record, feed, training)
    with snapshot.preserved(sess, _statistic_variables(record)), sess.graph.as_default():
        tf1_outputs = sess.run(list(record.outputs), tf1_feed)
    with eager():
        weights = [np.array(v) for v in model.weights]
        try:
            keras_outputs = _keras_call(model, arrays, training)
        finally:
            model.set_weights(weights)  # a training call moves Keras's moving statistics
    mode = "batch-statistics" if training else "inference"
    differences = [_difference(0, f"{mode} output", tensor.name, k, t, atol, rtol)
                   for tensor, k, t in zip(record.outputs, keras_outputs, tf1_outputs)]
    return ParityReport(differences, atol, rtol).raise_on_failure()


def _tf1_step(sess: Any, record: Any, feed: dict, loss: tf.Tensor, learning_rate: float) -> tuple[list, list]:
    """(∂L/∂outputs before the step, the converted weights after one TF1 SGD step)."""
    graph = sess.graph
    with graph.as_default(), snapshot.preserved_collections(graph):
        gradients = tf.gradients(loss, list(record.outputs))
        with tf.control_dependencies(graph.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)):
            train_op = tf.compat.v1.train.GradientDescentOptimizer(learning_rate).minimize(loss)
        try:
            with snapshot.preserved(sess, _statistic_variables(record)):  # forms that update on the forward pass
                upstream = sess.run(gradients, feed)
            sess.run(train_op, feed)
        except tf.errors.InvalidArgumentError as error:
            if "Connecting to invalid output" not in str(error):
                raise
            raise ValueError("the graph uses TF 2 control flow and this session already ran it, so TensorFlow "
                             "cannot add its gradients any more; build it with TF1 control flow (tf1_bn.install(), "
                             "tf1-bn run) or call tf.compat.v1.experimental.output_all_intermediates(True) first") from None
    return upstream, snapshot.read(sess, _statistic_variables(record))


@tf2_shapes()
def training_step_parity(sess: tf.compat.v1.Session, model: Any, feed: dict, loss: tf.Tensor, learning_rate: float,
                         atol: float = 1e-5, rtol: float = 1e-5, restore: bool = True) -> ParityReport:
    """One SGD step in both frameworks gives the same weights and moving statistics (module docstring)."""
    record = record_of(model)
    tf1_feed, arrays = _feed(record, feed, True)
    variables = _statistic_variables(record)
    with snapshot.preserved(sess, variables, restore=restore):
        upstream, tf1_after = _tf1_step(sess, record, tf1_feed, loss, learning_rate)
    with eager():
        before = [np.array(v) for v in model.weights]
        try:
            with tf.GradientTape() as tape:
                outputs = model(arrays if len(arrays) > 1 else arrays[0], training=True)
                outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
                surrogate = tf.add_n([tf.reduce_sum(o * g) for o, g in zip(outputs, upstream)])
            for variable, gradient in zip(model.trainable_variables, tape.gradient(surrogate, model.trainable_variables)):
                if gradient is not None:
                    variable.assign(variable - learning_rate * gradient)
            keras_after = {layer.name: {w.name.split("/")[-1].split(":")[0]: np.array(w) for w in layer.weights}
                           for layer in model.layers}
        finally:
            if restore:
                model.set_weights(before)
    differences, values = [], iter(tf1_after)
    for position, (_, step) in enumerate(record.steps, start=1):
        for name, weight in zip(step.weight_names, step.weights):
            if isinstance(weight, np.ndarray):
                continue
            keras_value = keras_after[step.keras_name][name]
            tf1_value = np.reshape(next(values), keras_value.shape)
            fused = name == "moving_variance" and any(FUSED_NOTE in note for note in step.notes)
            label = f"{name} (TF1's fused kernel keeps σ²·m/(m−1), Keras σ²)" if fused else name
            differences.append(_difference(position, step.keras_name, label, keras_value, tf1_value, atol, rtol))
    return ParityReport(differences, atol, rtol).raise_on_failure()
