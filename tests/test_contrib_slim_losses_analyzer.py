"""slim.losses and slim.model_analyzer (tf1_bn.contrib.losses, .model_analyzer) against TF 1.15 slim's behaviour.

Losses: NumPy references for the numbers, tf.compat.v1.losses with the labels first for the argument order,
and the collections they land in. Analyzer: sizes counted by hand on a small contrib conv net, and TF1's
report format line by line (tf_slim does not import on TF 2.21, so it cannot be the oracle).
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from test_contrib_slim_utils import shape_behaviour  # noqa: F401 (fixture: TF1 and TF2 shape behaviour)

import tf1_bn.contrib as contrib
from tf1_bn.contrib import initializers, losses, model_analyzer
from tf1_bn.errors import MissingAPIError

slim = contrib.slim
GraphKeys = tf.compat.v1.GraphKeys
TOL = {"rtol": 1e-5, "atol": 1e-6}


def _log_softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _sigmoid_xent(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))


# --- losses -------------------------------------------------------------------------------------------------------

@pytest.fixture
def batch(rng):
    logits = (rng.standard_normal((4, 3)) * 2 + 100).astype(np.float32)  # +100: softmax must subtract the max
    onehot = np.eye(3, dtype=np.float32)[[0, 2, 1, 2]]
    targets = rng.standard_normal((4, 3)).astype(np.float32)
    return logits, onehot, targets


@pytest.mark.parametrize("name, scope, keywords, reference", [
    ("softmax_cross_entropy", "softmax_cross_entropy_loss", ("logits", "onehot_labels"),
     lambda z, y: -(y * _log_softmax(z)).sum(-1).mean()),
    ("sigmoid_cross_entropy", "sigmoid_cross_entropy_loss", ("logits", "multi_class_labels"),
     lambda z, y: _sigmoid_xent(z, y).mean()),
    ("mean_squared_error", "mean_squared_error", ("predictions", "labels"), lambda p, y: ((p - y) ** 2).mean()),
    ("absolute_difference", "absolute_difference", ("predictions", "labels"), lambda p, y: np.abs(p - y).mean()),
])
def test_output_first_argument_order(graph, session, batch, name, scope, keywords, reference):
    """slim: loss(logits_or_predictions, labels); tf.losses: loss(labels, logits_or_predictions)."""
    logits, onehot, targets = batch
    labels = onehot if "entropy" in name else targets
    slim_loss = getattr(slim.losses, name)(tf.constant(logits), tf.constant(labels))
    tf_loss = getattr(tf.compat.v1.losses, name)(tf.constant(labels), tf.constant(logits))
    keyword_loss = getattr(slim.losses, name)(**dict(zip(keywords, (logits, labels))))
    assert slim_loss.name == f"{scope}/value:0"  # TF1's loss names
    assert tf.compat.v1.get_collection(GraphKeys.LOSSES) == [slim_loss, tf_loss, keyword_loss]
    value, expected, by_keyword = session.run([slim_loss, tf_loss, keyword_loss])
    np.testing.assert_allclose(value, reference(logits, labels), **TOL)
    np.testing.assert_allclose([expected, by_keyword], [value, value], **TOL)


def test_sparse_softmax_cross_entropy_labels_as_vector_or_column(graph, session, batch):
    logits, onehot, _ = batch
    ids = onehot.argmax(-1).astype(np.int32)
    as_vector = slim.losses.sparse_softmax_cross_entropy(logits, ids)
    as_column = slim.losses.sparse_softmax_cross_entropy(logits, ids[:, None], weights=np.ones((4, 1), np.float32))
    assert as_vector.name == "sparse_softmax_cross_entropy_loss/value:0"
    expected = -_log_softmax(logits)[np.arange(4), ids].mean()
    np.testing.assert_allclose(session.run([as_vector, as_column]), [expected, expected], **TOL)


def test_label_smoothing(graph, session, batch):
    logits, onehot, _ = batch
    softmax = slim.losses.softmax_cross_entropy(logits, onehot, label_smoothing=0.1)
    sigmoid = slim.losses.sigmoid_cross_entropy(logits - 100, onehot, label_smoothing=0.2)
    smoothed = onehot * 0.9 + 0.1 / 3  # towards 1/num_classes
    halfway = onehot * 0.8 + 0.5 * 0.2  # towards 1/2
    np.testing.assert_allclose(session.run(softmax), -(smoothed * _log_softmax(logits)).sum(-1).mean(), **TOL)
    np.testing.assert_allclose(session.run(sigmoid), _sigmoid_xent(logits - 100, halfway).mean(), **TOL)


@pytest.mark.parametrize("weights", [np.array([1.0, 0.0, 2.0, 0.5]), np.array([[1.0], [0.0], [2.0], [0.5]])])
def test_batch_weights_line_up_from_the_left(graph, session, batch, weights):
    """A [batch] (or [batch, 1]) weight scales every element of its sample; the mean is over non-zero weights."""
    logits, onehot, targets = batch
    w = weights.reshape(4).astype(np.float32)
    mse = slim.losses.mean_squared_error(logits - 100, targets, weights=weights.astype(np.float32))
    xent = slim.losses.softmax_cross_entropy(logits, onehot, weights=tf.constant(weights, tf.float32))
    per_element = (logits - 100 - targets) ** 2  # (4, 3)
    expected_mse = (w[:, None] * per_element).sum() / (np.count_nonzero(w) * 3)
    per_sample = -(onehot * _log_softmax(logits)).sum(-1)  # (4,)
    expected_xent = (w * per_sample).sum() / np.count_nonzero(w)
    np.testing.assert_allclose(session.run([mse, xent]), [expected_mse, expected_xent], **TOL)


def test_zero_weight_gives_zero_and_bad_inputs_raise(graph, session, batch):
    logits, onehot, targets = batch
    assert session.run(slim.losses.absolute_difference(logits, targets, weights=0.0)) == 0.0
    with pytest.raises(ValueError, match="are incompatible"):
        slim.losses.softmax_cross_entropy(logits, onehot[:, :2])
    with pytest.raises(ValueError, match="`labels` of mean_squared_error must not be None"):
        slim.losses.mean_squared_error(logits)
    with pytest.raises(ValueError, match="`weights` must be a number or a tensor; received None"):
        slim.losses.absolute_difference(logits, targets, weights=None)
    with pytest.raises(ValueError, match="`weights` must have a known rank"):
        slim.losses.absolute_difference(logits, targets, weights=tf.compat.v1.placeholder(tf.float32))


def test_total_loss_adds_regularization_losses(graph, session, batch):
    logits, onehot, _ = batch
    net = slim.fully_connected(tf.constant(logits - 100), 3, activation_fn=None,
                               weights_regularizer=slim.l2_regularizer(0.1), scope="fc")
    data_loss = slim.losses.softmax_cross_entropy(net, onehot)
    extra = tf.constant(0.25, name="extra")
    slim.losses.add_loss(extra)
    slim.losses.add_loss(tf.constant(9.0), loss_collection=None)  # goes nowhere
    with slim.arg_scope([slim.losses.add_loss], loss_collection="mine"):  # add_loss takes arg_scope, as in slim
        slim.losses.add_loss(extra)
    assert slim.losses.get_losses() == [data_loss, extra] and tf.compat.v1.get_collection("mine") == [extra]
    assert slim.losses.get_losses(loss_collection="mine") == [extra]
    (regularization,) = slim.losses.get_regularization_losses()
    assert slim.losses.get_regularization_losses("fc") == [regularization]
    total, unregularized = slim.losses.get_total_loss(), slim.losses.get_total_loss(False, name="data_only")
    assert total.name == "total_loss:0" and unregularized.name == "data_only:0"
    session.run(tf.compat.v1.global_variables_initializer())
    weights = session.run(tf.compat.v1.global_variables()[0])
    d, r, t, u = session.run([data_loss, regularization, total, unregularized])
    np.testing.assert_allclose(r, 0.1 * (weights ** 2).sum() / 2, **TOL)
    np.testing.assert_allclose([t, u], [d + 0.25 + r, d + 0.25], **TOL)


def test_regularizers_at_slim_level_are_the_contrib_ones():
    assert slim.l2_regularizer is initializers.l2_regularizer is contrib.layers.l2_regularizer
    assert slim.l1_regularizer is initializers.l1_regularizer


# --- model_analyzer -----------------------------------------------------------------------------------------------

def _small_conv_net() -> tf.Tensor:
    images = tf.compat.v1.placeholder(tf.float32, [None, 8, 8, 1], name="images")
    net = slim.conv2d(images, 4, [3, 3], scope="conv1")  # weights 3·3·1·4 = 36, biases 4
    net = slim.conv2d(net, 8, [3, 3], normalizer_fn=slim.batch_norm, scope="conv2")  # 288 + beta/mean/var 3·8
    net = slim.max_pool2d(net, [2, 2])  # (None, 4, 4, 8)
    return slim.fully_connected(slim.flatten(net), 10, activation_fn=None, scope="logits")  # 128·10 + 10


def test_analyze_vars_totals_on_a_conv_net(graph):
    _small_conv_net()
    everything = 36 + 4 + 288 + 3 * 8 + 1280 + 10
    assert model_analyzer.analyze_vars(slim.get_model_variables()) == (everything, 4 * everything)
    assert model_analyzer.analyze_vars(tf.compat.v1.trainable_variables()) == (everything - 16, 4 * (everything - 16))
    double = tf.compat.v1.get_variable("double", [3, 5], tf.float64)
    assert model_analyzer.analyze_vars([double]) == (15, 120) and model_analyzer.analyze_vars([]) == (0, 0)


def test_analyze_vars_report(graph, capsys):
    images = tf.compat.v1.placeholder(tf.float32, [None, 8, 8, 1])
    slim.conv2d(images, 4, [3, 3])
    assert slim.model_analyzer.analyze_vars(tf.compat.v1.global_variables(), print_info=True) == (40, 160)
    assert capsys.readouterr().out.splitlines() == [
        "---------", "Variables: name (type shape) [size]", "---------",
        "Conv/weights:0 (float32 3x3x1x4) [36, bytes: 144]",
        "Conv/biases:0 (float32 4) [4, bytes: 16]",
        "Total size of variables: 40", "Total bytes of variables: 160",
    ]


def test_analyze_ops_sizes_and_report(graph, capsys, shape_behaviour):
    a = tf.constant(np.zeros((2, 3), np.float32), name="a")  # 6
    b = tf.constant(1.0, name="b")  # a scalar: 1 element, described "(float32 )"
    tf.add(a, b, name="c")  # 6
    tf.compat.v1.placeholder(tf.float32, [None, 3], name="p")  # unknown size: 0
    tf.compat.v1.placeholder(tf.float32, None, name="anything")  # unknown rank: no description
    tf.no_op(name="n")
    assert model_analyzer.analyze_ops(graph) == 13 and capsys.readouterr().out == ""
    assert model_analyzer.analyze_ops(graph, print_info=True) == 13
    assert capsys.readouterr().out.splitlines() == [
        "---------", "Operations: name -> (type shapes) [size]", "---------",
        "a \t-> (float32 2x3) [6]", "b \t-> (float32 ) [1]", "c \t-> (float32 2x3) [6]",
        "p \t-> (float32 ?x3) [0]", "anything \t->  [0]", "n \t->  [0]",
    ]  # "?" for an unknown dimension under TF2 shapes too, as TF1 printed it


def test_analyze_ops_counts_the_net(graph):
    _small_conv_net()
    ops = graph.get_operations()
    assert model_analyzer.analyze_ops(graph) == sum(o.get_shape().num_elements() or 0 for op in ops for o in op.outputs)
    assert model_analyzer.tensor_description(graph.get_tensor_by_name("logits/BiasAdd:0")) == "(float32 ?x10)"


# --- the namespaces -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("namespace, name", [(losses, "log_loss"), (model_analyzer, "profile"), (contrib.slim, "nets")])
def test_missing_names_raise_missing_api_error(namespace, name):
    assert not hasattr(namespace, name)
    with pytest.raises(MissingAPIError, match=rf"^tf.contrib.slim(\.\w+)?\.{name} is not provided .*supported here: "):
        getattr(namespace, name)


def test_slim_exposes_the_modules():
    assert slim.losses is losses and slim.model_analyzer is model_analyzer and slim.utils is contrib.utils
    assert {"layers", "losses", "model_analyzer", "utils"} <= set(slim.__all__)
    assert all(callable(getattr(losses, name)) for name in losses.__all__)
    assert model_analyzer.__all__ == ["analyze_ops", "analyze_vars", "tensor_description"]
