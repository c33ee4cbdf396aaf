"""tf1_bn.migrate.from_checkpoint / restore / describe_checkpoint on checkpoints written by the
article's flow: two networks in one graph (without BN: Variable…Variable_7; with BN: Variable_8… and
the BN scopes), saved by NeuralNetwork.train(save_model=…)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import tensorflow as tf

from tf1_bn import mnist
from tf1_bn.article.experiment import article_weights
from tf1_bn.migrate import assert_parity, describe_checkpoint, eager, from_checkpoint, restore
from tf1_bn.article.network import NeuralNetwork

BACKENDS = ["layers", "moments_ema", "assign"]


def _data():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return mnist.read_data_sets("MNIST_data/", one_hot=True, seed=0, source="embedded")


@pytest.fixture(scope="module", params=BACKENDS)
def article_checkpoint(request, tmp_path_factory):
    """(path, bn, test images, {use_batch_norm: inference logits}) of the article's train_and_test."""
    bn, data = request.param, _data()
    path = str(tmp_path_factory.mktemp(bn) / "model.ckpt")
    x = data.test.images[:200]
    with tf.Graph().as_default():
        networks = [NeuralNetwork(article_weights(0.05, 4), tf.nn.sigmoid, use_bn, bn=bn, momentum=0.9) for use_bn in (False, True)]
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            logits = {}
            for network in networks:
                network.train(sess, 0.5, 8, 4, save_model=path, data=data, progress=False, verbose=False)
                logits[network.use_batch_norm] = sess.run(network.output_layer, {network.input_layer: x, network.is_training: False})
    return path, bn, x, logits


def test_describe_finds_both_networks(article_checkpoint):
    path, bn, _, _ = article_checkpoint
    without, with_bn = describe_checkpoint(path)
    assert (without.index, without.bn, without.layer_sizes) == (0, "none", (784, 128, 128, 128, 10))
    assert (with_bn.index, with_bn.bn, with_bn.layer_sizes) == (1, bn, (784, 128, 128, 128, 10))
    assert without.weights == tuple(f"Variable{'' if i == 0 else f'_{i}'}" for i in range(8))
    assert with_bn.weights == ("Variable_8", "Variable_9", "Variable_10", "Variable_11", "Variable_12")
    assert str(with_bn).startswith(f"network 1: 784-128-128-128-10, bn={bn!r}")


@pytest.mark.parametrize("use_batch_norm", [True, False])
def test_from_checkpoint_computes_what_was_saved(article_checkpoint, use_batch_norm):
    path, bn, x, logits = article_checkpoint
    model = from_checkpoint(path, tf.nn.sigmoid, bn=None if use_batch_norm else "none", momentum=0.9)
    assert tf.executing_eagerly()
    np.testing.assert_allclose(model(x, training=False).numpy(), logits[use_batch_norm], rtol=0, atol=1e-5)
    if use_batch_norm:
        assert {layer.momentum for layer in model.layers if hasattr(layer, "moving_mean")} == {0.9}


def test_restore_then_assert_parity_inside_the_graph_block(article_checkpoint):
    path, bn, x, logits = article_checkpoint
    with tf.Graph().as_default() as graph, tf.compat.v1.Session() as sess:
        network = restore(sess, path, "sigmoid", bn=bn, momentum=0.9)
        assert network.bn == bn and [v.op.name for v in network.variables][0] == "Variable_8"
        model = from_checkpoint(path, "sigmoid", index=1, momentum=0.9)
        ops = len(graph.get_operations())
        report = assert_parity(network, sess, model, x)
        assert_parity(network, sess, model, x, training=True)
        assert len(graph.get_operations()) == ops
        np.testing.assert_allclose(sess.run(network.output_layer, {network.input_layer: x, network.is_training: False}),
                                   logits[True], rtol=0, atol=1e-6)
    assert report.max_abs() <= 1e-6


def test_selection_and_errors(article_checkpoint, tmp_path):
    path, bn, _, _ = article_checkpoint
    with pytest.raises(ValueError, match=r"`bn`='layers' and `index`=0 disagree: network 0 has bn='none'"):
        from_checkpoint(path, tf.nn.sigmoid, bn="layers", index=0)
    with pytest.raises(ValueError, match=r"`index` must be an int from 0 to 1; received 2"):
        from_checkpoint(path, tf.nn.sigmoid, index=2)
    other = next(b for b in BACKENDS if b != bn)
    with pytest.raises(ValueError, match=rf"`bn`='{other}' must select exactly one network .*received 0 matches"):
        from_checkpoint(path, tf.nn.sigmoid, bn=other)
    with pytest.raises(ValueError, match="`bn` must be one of"):
        from_checkpoint(path, tf.nn.sigmoid, bn="batchnorm")
    with pytest.raises(ValueError, match=r"`activation_fn` must be a callable or one of \["):
        from_checkpoint(path, "swish-ish")
    with pytest.raises(ValueError, match="`path` must name a TF checkpoint"):
        describe_checkpoint(str(tmp_path / "missing.ckpt"))
    with tf.Graph().as_default():  # a graph that already holds variables gives other names
        tf.Variable(1.0)
        with tf.compat.v1.Session() as sess:
            with pytest.raises(ValueError, match="`sess` must run a fresh graph: rebuilding .* made Variable_"):
                restore(sess, path, tf.nn.sigmoid)


def test_a_checkpoint_of_one_network_and_one_of_two_bn_networks(tmp_path):
    data = _data()
    single, double = str(tmp_path / "single.ckpt"), str(tmp_path / "double.ckpt")
    with tf.Graph().as_default():
        network = NeuralNetwork(article_weights(0.05, 0), tf.nn.relu, False)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            network.train(sess, 0.1, 2, 2, save_model=single, data=data, progress=False, verbose=False)
    assert [n.bn for n in describe_checkpoint(single)] == ["none"]
    assert [type(layer).__name__ for layer in from_checkpoint(single, tf.nn.relu).layers] == ["Dense"] * 4
    with tf.Graph().as_default():
        networks = [NeuralNetwork(article_weights(0.05, s), tf.nn.relu, True) for s in (0, 1)]
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            networks[1].train(sess, 0.1, 2, 2, save_model=double, data=data, progress=False, verbose=False)
            expected = sess.run(networks[1].layers[0].weights)
    assert [n.bn for n in describe_checkpoint(double)] == ["layers", "layers"]
    with pytest.raises(ValueError, match="received 2 matches"):
        from_checkpoint(double, tf.nn.relu)
    model = from_checkpoint(double, tf.nn.relu, index=1)
    with eager():
        np.testing.assert_array_equal(model.layers[0].kernel.numpy(), expected)
