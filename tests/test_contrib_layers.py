"""tf.contrib.layers / slim / framework (tf1_bn.contrib): TF 1.15's names, defaults and the normalizer pattern.

Numbers are checked against NumPy (x·W + b, conv via tf.nn.conv2d on the same weights), names against
TF1's (`fully_connected/weights`, `Conv/biases`, `fully_connected/BatchNorm/beta`), and arg_scope
against its documented rules.
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import tf1_bn.contrib as contrib
from tf1_bn.errors import MissingAPIError
from tf1_bn.contrib.arg_scope import add_arg_scope, arg_scope, arg_scoped_arguments

layers, slim = contrib.layers, contrib.slim
GraphKeys = tf.compat.v1.GraphKeys


def _names() -> list[str]:
    return [v.op.name for v in tf.compat.v1.global_variables()]


@pytest.mark.parametrize("activation_fn", [None, tf.nn.relu])
@pytest.mark.parametrize("rank", [2, 3])
def test_fully_connected_numbers_and_names(graph, session, rng, activation_fn, rank):
    data = rng.standard_normal((4, 5) if rank == 2 else (4, 2, 5)).astype(np.float32)
    y = layers.fully_connected(tf.constant(data), 3, activation_fn=activation_fn,
                               biases_initializer=tf.compat.v1.constant_initializer(0.5))
    assert _names() == ["fully_connected/weights", "fully_connected/biases"]
    assert _names() == [v.op.name for v in tf.compat.v1.get_collection(GraphKeys.MODEL_VARIABLES)]
    session.run(tf.compat.v1.global_variables_initializer())
    weights = session.run(tf.compat.v1.global_variables()[0])
    expected = data @ weights + 0.5
    np.testing.assert_allclose(session.run(y), expected if activation_fn is None else np.maximum(expected, 0), rtol=1e-5, atol=1e-5)


def test_fully_connected_defaults_relu_and_xavier(graph, session):
    y = layers.fully_connected(tf.fill([3, 200], -1.0), 300)  # activation_fn defaults to relu
    session.run(tf.compat.v1.global_variables_initializer())
    weights = session.run(tf.compat.v1.global_variables()[0])
    assert session.run(y).min() >= 0
    limit = np.sqrt(6.0 / 500)  # xavier_initializer: uniform Glorot
    assert 0.95 * limit < np.abs(weights).max() <= limit


def test_normalizer_fn_replaces_the_bias(graph):
    x = tf.compat.v1.placeholder(tf.float32, [None, 6])
    is_training = tf.compat.v1.placeholder(tf.bool, [])
    h = layers.fully_connected(x, 4, normalizer_fn=layers.batch_norm, normalizer_params={"is_training": is_training})
    layers.fully_connected(h, 2, normalizer_fn=layers.batch_norm, normalizer_params={"scale": True}, scope="logits")
    assert _names() == [
        "fully_connected/weights", "fully_connected/BatchNorm/beta", "fully_connected/BatchNorm/moving_mean",
        "fully_connected/BatchNorm/moving_variance", "logits/weights", "logits/BatchNorm/beta",
        "logits/BatchNorm/gamma", "logits/BatchNorm/moving_mean", "logits/BatchNorm/moving_variance",
    ]  # rank 2 takes contrib's own fused path, which (as TF1's) creates beta before gamma
    assert len(tf.compat.v1.get_collection(GraphKeys.UPDATE_OPS)) == 4
    assert len(tf.compat.v1.get_collection(GraphKeys.MODEL_VARIABLES)) == 9


@pytest.mark.parametrize("data_format", [None, "NCHW"])
@pytest.mark.parametrize("stride, padding", [(1, "SAME"), (2, "VALID")])
def test_conv2d_numbers_and_names(graph, session, rng, data_format, stride, padding):
    data = rng.standard_normal((2, 7, 7, 3)).astype(np.float32)
    inputs = data.transpose(0, 3, 1, 2) if data_format == "NCHW" else data
    y = layers.conv2d(tf.constant(inputs), 4, [3, 3], stride=stride, padding=padding, data_format=data_format,
                      activation_fn=None)
    assert _names() == ["Conv/weights", "Conv/biases"]
    session.run(tf.compat.v1.global_variables_initializer())
    weights = session.run(tf.compat.v1.global_variables()[0])
    expected = session.run(tf.nn.conv2d(data, weights, stride, padding))
    out = session.run(y)
    np.testing.assert_allclose(out.transpose(0, 2, 3, 1) if data_format == "NCHW" else out, expected, rtol=1e-5, atol=1e-5)


def test_conv2d_with_batch_norm_and_slim_names(graph):
    images = tf.compat.v1.placeholder(tf.float32, [None, 8, 8, 1])
    net = slim.conv2d(images, 4, [3, 3], normalizer_fn=slim.batch_norm)
    net = slim.conv2d(net, 4, 3, rate=2, weights_regularizer=contrib.layers.l2_regularizer(0.1))
    net = slim.max_pool2d(net, [2, 2])
    net = slim.flatten(net)
    assert net.shape.as_list() == [None, 64]
    assert _names() == ["Conv/weights", "Conv/BatchNorm/beta", "Conv/BatchNorm/moving_mean",
                        "Conv/BatchNorm/moving_variance", "Conv_1/weights", "Conv_1/biases"]
    assert len(tf.compat.v1.get_collection(GraphKeys.REGULARIZATION_LOSSES)) == 1


def test_arg_scope_rules():
    @add_arg_scope
    def layer(x, size=1, activation="none"):
        return (x, size, activation)

    def undecorated(x, size=1):
        return x

    with arg_scope([layer], size=3, activation="relu") as saved:
        assert layer(0) == (0, 3, "relu")
        assert layer(0, size=5) == (0, 5, "relu")  # the call's own argument wins
        with arg_scope([layer], size=7):  # nested: merged, inner wins
            assert layer(0) == (0, 7, "relu")
        assert sorted(arg_scoped_arguments(layer)) == ["activation", "size"]
    assert layer(0) == (0, 1, "none")
    with arg_scope(saved):  # re-enter a saved scope
        assert layer(0) == (0, 3, "relu")
    with pytest.raises(ValueError, match="'undecorated' is not decorated with @add_arg_scope"):
        with arg_scope([undecorated], size=2):
            pass
    with pytest.raises(ValueError, match="takes no keyword arguments"):
        with arg_scope(saved, size=2):
            pass


def test_slim_arg_scope_with_batch_norm(graph):
    is_training = tf.compat.v1.placeholder(tf.bool, [])
    with slim.arg_scope([slim.conv2d, slim.fully_connected], normalizer_fn=slim.batch_norm,
                        normalizer_params={"is_training": is_training, "updates_collections": None}):
        net = slim.conv2d(tf.zeros([2, 6, 6, 1]), 3, 3)
        net = slim.fully_connected(slim.flatten(net), 2)
    assert "Conv/biases" not in _names() and "fully_connected/BatchNorm/beta" in _names()
    assert tf.compat.v1.get_collection(GraphKeys.UPDATE_OPS) == []  # updates_collections=None: in place
    assert [v.op.name for v in slim.get_model_variables("Conv")] == [
        "Conv/weights", "Conv/BatchNorm/beta", "Conv/BatchNorm/moving_mean", "Conv/BatchNorm/moving_variance"]


def test_dropout_keep_prob_and_training_default(graph, session):
    x = tf.ones([400, 50])
    dropped = session.run(slim.dropout(x, keep_prob=0.8))  # contrib: is_training=True by default
    assert set(np.unique(dropped)) == {0.0, np.float32(1.25)} and abs((dropped == 0).mean() - 0.2) < 0.02
    np.testing.assert_array_equal(session.run(layers.dropout(x, 0.8, is_training=False)), 1.0)
    with pytest.raises(ValueError, match=r"`keep_prob` must be a number in \(0, 1\]; received 0"):
        layers.dropout(x, keep_prob=0)


@pytest.mark.parametrize("mode, uniform, n", [("FAN_IN", False, 300), ("FAN_AVG", True, 250), ("FAN_OUT", False, 200)])
def test_variance_scaling_initializer_variance(graph, session, mode, uniform, n):
    """Variance factor/n in both forms: contrib's 1.3 undoes the truncation of the normal at 2σ."""
    initializer = layers.variance_scaling_initializer(factor=2.0, mode=mode, uniform=uniform, seed=1)
    values = session.run(initializer([300, 200]))
    np.testing.assert_allclose(values.var(), 2.0 / n, rtol=0.03)


def test_regularizers(graph, session):
    weights = tf.constant([[1.0, -2.0], [3.0, 0.5]])
    assert session.run(layers.l2_regularizer(0.5)(weights)) == pytest.approx(0.5 * (1 + 4 + 9 + 0.25) / 2)
    assert session.run(layers.l1_regularizer(0.1)(weights)) == pytest.approx(0.1 * 6.5)
    assert layers.l2_regularizer(0.0)(weights) is None
    with pytest.raises(ValueError, match="must be a float"):
        layers.l2_regularizer(1)
    with pytest.raises(ValueError, match="must be >= 0"):
        layers.l1_regularizer(-0.1)


def test_outputs_collections_and_aliases(graph):
    y = layers.fully_connected(tf.zeros([2, 3]), 2, outputs_collections=["end_points"], scope="fc")
    pooled = layers.avg_pool2d(tf.zeros([1, 4, 4, 1]), 2, outputs_collections="end_points")
    assert tf.compat.v1.get_collection("end_points") == [y, pooled]
    assert y.aliases == ["fc"] and pooled.aliases == ["AvgPool2D"]


@pytest.mark.parametrize("namespace, name", [
    (contrib, "rnn"), (layers, "conv3d"), (slim, "learning"), (contrib.framework, "assign_from_checkpoint_fn"),
])
def test_missing_names_raise_a_listing_error(namespace, name):
    assert not hasattr(namespace, name)
    with pytest.raises(NotImplementedError) as caught:
        getattr(namespace, name)
    assert isinstance(caught.value, MissingAPIError) and isinstance(caught.value, AttributeError)
    assert f".{name} is not provided by tf1_bn's TF1 facade (supported here: " in str(caught.value)


def test_slim_exposes_the_same_functions():
    assert slim.batch_norm is layers.batch_norm and slim.conv2d is layers.conv2d is layers.convolution2d
    assert slim.arg_scope is contrib.framework.arg_scope and slim.layers is layers
