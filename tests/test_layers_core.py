"""tf1_bn.layers dense / dropout / flatten against TF1's own layers (tf-keras legacy_tf_layers.core, the oracle).

Each case builds the same graph once per implementation, with the same initial values, and compares
outputs, gradients, variable names and shapes, trainable lists and regularization losses; checkpoints
written by one implementation restore into the other.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import tensorflow as tf

import tf1_bn.layers as layers

pytestmark = pytest.mark.usefixtures("behaviour")  # each test under TF2 and TF1 behaviour

GraphKeys = tf.compat.v1.GraphKeys


@pytest.fixture(scope="module")
def legacy_core():
    return pytest.importorskip("tf_keras.src.legacy_tf_layers.core")


def _run(build, feed_value, seed=0):
    """Build `build(x)` in a fresh graph, initialize, and return (outputs, grads, names, trainable, losses)."""
    with tf.Graph().as_default(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tf.compat.v1.set_random_seed(seed)
        x = tf.compat.v1.placeholder(tf.float32, [None, *feed_value.shape[1:]])
        y = build(x)
        variables = tf.compat.v1.global_variables()
        grads = tf.gradients(tf.reduce_sum(tf.square(y)), [x, *variables])
        losses = tf.compat.v1.get_collection(GraphKeys.REGULARIZATION_LOSSES)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            out, grad_values, loss_values = sess.run([y, grads, losses], {x: feed_value})
        names = [(v.name, v.shape.as_list()) for v in variables]
        trainable = [v.name for v in tf.compat.v1.trainable_variables()]
    return out, grad_values, names, trainable, sorted(loss_values)


def _assert_same(ours, theirs, atol=1e-5):
    out, grads, names, trainable, losses = ours
    t_out, t_grads, t_names, t_trainable, t_losses = theirs
    assert names == t_names and trainable == t_trainable
    np.testing.assert_allclose(out, t_out, rtol=1e-5, atol=atol)
    for g, t in zip(grads, t_grads):
        np.testing.assert_allclose(g, t, rtol=1e-5, atol=atol)
    np.testing.assert_allclose(losses, t_losses, rtol=1e-5, atol=atol)


DENSE_CASES = [
    dict(units=4),
    dict(units=4, use_bias=False),
    dict(units=3, activation=tf.nn.relu),
    dict(units=3, activation="tanh", bias_initializer=tf.compat.v1.constant_initializer(0.5)),
    dict(units=2, kernel_regularizer=lambda w: 0.1 * tf.reduce_sum(tf.square(w)),
         bias_regularizer=lambda b: tf.reduce_sum(b), activity_regularizer=lambda y: tf.reduce_sum(tf.abs(y))),
    dict(units=5, trainable=False),
]


@pytest.mark.parametrize("rank", [2, 3])
@pytest.mark.parametrize("kwargs", DENSE_CASES, ids=lambda k: ",".join(f"{a}" for a in k))
def test_dense_matches_tf1(legacy_core, rng, rank, kwargs):
    shape = (6, 5) if rank == 2 else (6, 3, 5)
    data = rng.standard_normal(shape).astype(np.float32)
    kernel = rng.standard_normal((5, kwargs["units"])).astype(np.float32)

    def build(dense):
        def model(x):
            options = dict(kwargs, kernel_initializer=tf.compat.v1.constant_initializer(kernel))
            return dense(dense(x, **options), 2, kernel_initializer=tf.compat.v1.constant_initializer(0.3))
        return model

    _assert_same(_run(build(layers.dense), data), _run(build(legacy_core.dense), data))


def test_dense_default_initializer_is_glorot_uniform(graph, session):
    y = layers.dense(tf.zeros([1, 300]), 100)
    session.run(tf.compat.v1.global_variables_initializer())
    kernel, bias = session.run(tf.compat.v1.global_variables())
    limit = np.sqrt(6.0 / 400)
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.9 * limit
    assert not bias.any() and y.shape.as_list() == [1, 100]


def test_dense_names_scopes_and_reuse(graph):
    x = tf.compat.v1.placeholder(tf.float32, [None, 3])
    with tf.compat.v1.variable_scope("model"):
        layers.dense(x, 2)
        layers.dense(x, 2)
    layers.dense(x, 2, name="shared")
    layers.dense(x, 2, name="shared", reuse=True)
    layer = layers.Dense(4, name="explicit")
    layer(x)
    layer(x)  # a second call reuses the layer's variables
    assert [v.name for v in tf.compat.v1.global_variables()] == [
        "model/dense/kernel:0", "model/dense/bias:0", "model/dense_1/kernel:0", "model/dense_1/bias:0",
        "shared/kernel:0", "shared/bias:0", "explicit/kernel:0", "explicit/bias:0",
    ]
    assert layer.kernel.name == "explicit/kernel:0" and layer.trainable_variables == [layer.kernel, layer.bias]


@pytest.mark.parametrize("rate", [0.0, 0.3, 0.5])
@pytest.mark.parametrize("noise_shape", [None, [None, 1]])
def test_dropout_matches_tf1_with_the_same_seeds(legacy_core, rng, rate, noise_shape):
    data = rng.standard_normal((8, 6)).astype(np.float32) + 2.0
    for training in (True, False):
        ours = _run(lambda x: layers.dropout(x, rate, noise_shape=noise_shape, seed=7, training=training), data, seed=3)
        theirs = _run(lambda x: legacy_core.dropout(x, rate, noise_shape=noise_shape, seed=7, training=training), data, seed=3)
        _assert_same(ours, theirs)
        if not training:
            np.testing.assert_array_equal(ours[0], data)


def test_dropout_defaults_to_inference_and_follows_a_placeholder(graph, session):
    x = tf.ones([200, 50])
    assert layers.dropout(x).op.type == "Identity"  # training=False by default, as in TF1: no random op
    is_training = tf.compat.v1.placeholder(tf.bool, [])
    y = layers.dropout(x, rate=0.25, training=is_training)
    dropped = session.run(y, {is_training: True})
    assert set(np.unique(dropped)) == {0.0, np.float32(1 / 0.75)}
    assert abs((dropped == 0).mean() - 0.25) < 0.03
    np.testing.assert_array_equal(session.run(y, {is_training: False}), 1.0)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("shape", [(4, 3, 2, 5), (4, 6, 5), (4, 7)])
def test_flatten_matches_tf1(legacy_core, rng, data_format, shape):
    data = rng.standard_normal(shape).astype(np.float32)
    ours = _run(lambda x: layers.flatten(x, data_format=data_format), data)
    theirs = _run(lambda x: legacy_core.flatten(x, data_format=data_format), data)
    _assert_same(ours, theirs)
    assert ours[0].shape == (4, int(np.prod(shape[1:])))


def test_flatten_keeps_static_shape(graph):
    x = tf.compat.v1.placeholder(tf.float32, [None, 4, 4, 3])
    assert layers.flatten(x).shape.as_list() == [None, 48]
    assert layers.flatten(tf.compat.v1.placeholder(tf.float32, [5, None, 2])).shape.as_list() == [5, None]


@pytest.mark.parametrize("writer", ["tf_keras", "tf1_bn"])
def test_checkpoint_round_trip(checkpoint_round_trip, rng, legacy_core, writer):
    implementations = {"tf_keras": legacy_core, "tf1_bn": layers}
    reader = "tf1_bn" if writer == "tf_keras" else "tf_keras"

    def build(impl):
        x = tf.compat.v1.placeholder(tf.float32, [None, 2, 3])
        h = impl.dense(impl.flatten(x), 4, activation=tf.nn.relu)
        return [x], impl.dense(impl.dropout(h, 0.5), 2, use_bias=False, name="logits")

    data = rng.standard_normal((5, 2, 3)).astype(np.float32)
    written, read = checkpoint_round_trip(build, implementations[writer], implementations[reader], [data])
    assert read.names == written.names
    np.testing.assert_allclose(read.output, written.output, rtol=0, atol=1e-6)


@pytest.mark.parametrize("call, message", [
    (lambda x: layers.dense(x, 0), "`units` must be a positive int; received 0"),
    (lambda x: layers.dense(x, 2, activation="swishy"), "`activation` must be callable"),
    (lambda x: layers.dense(x, 2, kernel_initializer=3), "`kernel_initializer` must be an initializer"),
    (lambda x: layers.dropout(x, rate=1.0), "`rate` must be a number in [0, 1); received 1.0"),
    (lambda x: layers.flatten(x, data_format="NHWC"), "`data_format` must be 'channels_last' or 'channels_first'"),
    (lambda x: layers.dense(tf.zeros([3]), 2), "`inputs` of Dense must have rank >= 2"),
])
def test_errors_name_the_argument(graph, call, message):
    with pytest.raises((ValueError, TypeError)) as caught:
        call(tf.compat.v1.placeholder(tf.float32, [None, 3]))
    assert message in str(caught.value)


def test_dense_refuses_a_different_feature_size_on_reuse(graph):
    layer = layers.Dense(2)
    layer(tf.zeros([1, 3]))
    with pytest.raises(ValueError, match="must end in 3 features"):
        layer(tf.zeros([1, 4]))
