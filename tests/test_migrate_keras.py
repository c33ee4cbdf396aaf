"""tf1_bn.migrate.to_keras: the Keras 3 model's structure and values, the graph left alone, and what
we found about building Keras 3 models while a TF1 graph is the default."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from tf1_bn import mnist
from tf1_bn.article import backends as bn_backends
from tf1_bn.article.experiment import article_weights
from tf1_bn.migrate import eager, to_keras
from tf1_bn.article.network import NeuralNetwork

BACKENDS = ["layers", "moments_ema", "assign", "none"]


@pytest.fixture(scope="module")
def data():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return mnist.read_data_sets("MNIST_data/", one_hot=True, seed=0, source="embedded")


def _graph_state(graph):
    return len(graph.get_operations()), {key: list(graph.get_collection(key)) for key in graph.get_all_collection_keys()}


@pytest.mark.parametrize("bn", BACKENDS)
def test_same_structure_and_values_inside_the_graph_block(graph, session, data, bn):
    network = NeuralNetwork(article_weights(0.05, 1), tf.nn.sigmoid, bn != "none", bn=bn, momentum=0.9)
    session.run(tf.compat.v1.global_variables_initializer())
    network.train(session, 0.5, 5, 5, data=data, progress=False, verbose=False)  # moving statistics ≠ 0 and 1
    before = _graph_state(graph)
    model = to_keras(network, session)
    assert _graph_state(graph) == before  # no op, no collection entry in the user's graph
    assert not tf.executing_eagerly()  # and the caller is still in graph mode

    kinds = [type(layer).__name__ for layer in model.layers]
    if bn == "none":
        assert kinds == ["Dense"] * 4
        assert [layer.activation.__name__ for layer in model.layers] == ["sigmoid"] * 3 + ["linear"]
    else:
        assert kinds == ["Dense", "BatchNormalization", "Activation"] * 3 + ["Dense"]
        norms = model.layers[1:9:3]
        scope = {"layers": "batch_normalization", "moments_ema": "batch_norm_layer", "assign": "assign_batch_norm"}[bn]
        assert [n.name for n in norms] == [scope, f"{scope}_1", f"{scope}_2"]
        assert {(n.momentum, n.epsilon) for n in norms} == {(0.9, bn_backends.EPSILON)}
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert [d.name for d in dense] == ["dense_1", "dense_2", "dense_3", "dense_4"]
    assert [d.use_bias for d in dense] == [r.bias is not None for r in network.layers]

    with eager():
        keras_values = [v.numpy() for v in model.weights]
    expected = []
    for record in network.layers:
        expected += [record.weights] + ([record.bias] if record.bias is not None else [])
        if record.batch_norm is not None:
            b = record.batch_norm
            expected += [b.gamma, b.beta, b.moving_mean, b.moving_variance]
    tf1_values = session.run(expected)
    assert len(keras_values) == len(tf1_values)
    for keras_value, tf1_value in zip(keras_values, tf1_values):
        np.testing.assert_array_equal(keras_value, tf1_value)  # copied, not recomputed: bit for bit
    if bn != "none":
        assert not np.allclose(tf1_values[4], 0) and not np.allclose(tf1_values[5], 1)  # real statistics moved


def test_the_model_is_usable_after_the_graph_block(data):
    with tf.Graph().as_default():
        network = NeuralNetwork(article_weights(0.05, 0), tf.nn.relu, True)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            model = to_keras(network, sess)
            expected = sess.run(network.output_layer, {network.input_layer: data.test.images[:50], network.is_training: False})
    assert tf.executing_eagerly()
    np.testing.assert_allclose(model(data.test.images[:50], training=False).numpy(), expected, rtol=0, atol=1e-6)
    np.testing.assert_allclose(model.predict(data.test.images[:50], verbose=0), expected, rtol=0, atol=1e-6)


def test_keras_inside_a_tf1_graph_block_findings(graph):
    """Why to_keras reads values with sess.run and builds under `eager()` (see keras_model's docstring)."""
    def small():
        return keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.BatchNormalization()])

    ops_before = len(graph.get_operations())
    inside = small()  # Keras 3 builds its variables in the user's TF1 graph, calls give symbolic tensors
    assert len(graph.get_operations()) > ops_before
    assert not hasattr(inside(np.ones((2, 4), np.float32)), "numpy")
    with tf.init_scope():  # lifts out of function graphs only: still the user's graph, still not eager
        assert not tf.executing_eagerly()
    ops_before = len(graph.get_operations())
    with eager():
        model = small()
        out = model(np.ones((2, 4), np.float32), training=True)
        assert out.numpy().shape == (2, 3)
    assert len(graph.get_operations()) == ops_before
    with pytest.raises(Exception, match="EagerTensor"):  # an eager model cannot be called in the graph block
        model(np.ones((2, 4), np.float32))


def test_to_keras_after_disable_eager_execution_and_without_pytest():
    """tf1_bn.install()-style legacy scripts turn eager off for good: to_keras still works, and the
    model is used under `eager()`. A subprocess (eager cannot be turned back on), in which pytest
    cannot be imported: tf1_bn.migrate, tf1_bn.article.population and tf1_bn.migrate.testing do not need it."""
    script = textwrap.dedent("""
        import sys
        sys.modules["pytest"] = None
        import numpy as np, tensorflow as tf
        import tf1_bn.migrate, tf1_bn.migrate.testing, tf1_bn.article.population
        tf.compat.v1.disable_eager_execution()
        from tf1_bn.article.experiment import article_weights
        from tf1_bn.article.network import NeuralNetwork
        network = NeuralNetwork(article_weights(0.05, 0), tf.nn.relu, True)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            model = tf1_bn.migrate.to_keras(network, sess)
            x = np.random.default_rng(0).random((7, 784), dtype=np.float32)
            report = tf1_bn.migrate.assert_parity(network, sess, model, x)
            with tf1_bn.migrate.eager():
                assert model(x).numpy().shape == (7, 10)
        print("ok", report.max_abs("logits"), sys.modules["pytest"])
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("ok") and result.stdout.split()[-1] == "None"


def test_activations_map_to_keras_names(graph, session):
    network = NeuralNetwork(article_weights(0.05, 0), tf.nn.tanh, False)
    session.run(tf.compat.v1.global_variables_initializer())
    assert [layer.get_config()["activation"] for layer in to_keras(network, session).layers] == ["tanh"] * 3 + ["linear"]


def test_bad_arguments(graph, session):
    network = NeuralNetwork(article_weights(0.05, 0), tf.nn.relu, True)
    with pytest.raises(TypeError, match="`network` must be a tf1_bn.article.network.NeuralNetwork; received str"):
        to_keras("network", session)
    with pytest.raises(TypeError, match="`sess` must be a tf.compat.v1.Session; received NoneType"):
        to_keras(network, None)
    with tf.compat.v1.Session(graph=tf.Graph()) as other:
        with pytest.raises(ValueError, match="`sess` must run the graph `network` was built in"):
            to_keras(network, other)
