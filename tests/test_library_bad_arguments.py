"""Library arguments are named when wrong: one TypeError/ValueError naming the argument and what was expected."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import tf1_bn.layers as layers
from tf1_bn import migrate


def test_renorm_clipping_must_be_a_dict(graph):
    with pytest.raises(TypeError, match="`renorm_clipping` must be a dict with keys from"):
        layers.batch_normalization(tf.zeros([2, 3]), renorm=True, renorm_clipping="x")


def test_none_inputs_are_named(graph):
    with pytest.raises(TypeError, match="`inputs` of BatchNormalization must be a tensor or an array; received None"):
        layers.batch_normalization(None)


def test_a_checkpoint_path_must_be_a_path():
    with pytest.raises(TypeError, match="`path` must be a checkpoint prefix"):
        migrate.from_checkpoint(None, "relu")


def test_population_images_must_be_numbers(graph, session):
    from tf1_bn.article.network import NeuralNetwork
    from tf1_bn.article.population import recompute

    rng = np.random.default_rng(0)
    weights = [rng.normal(0, 0.1, (4, 3)).astype(np.float32), rng.normal(0, 0.1, (3, 2)).astype(np.float32)]
    network = NeuralNetwork(weights, tf.nn.relu, True)
    session.run(tf.compat.v1.global_variables_initializer())
    with pytest.raises(TypeError, match="`images` must be a \\(N, width\\) array of numbers"):
        recompute(session, network, [["a", "b", "c", "d"]] * 120)


def test_a_virtual_batch_size_that_does_not_divide_the_fed_batch_says_so(session):
    x = tf.compat.v1.placeholder(tf.float32, [None, 3])
    y = layers.batch_normalization(x, training=True, virtual_batch_size=7)
    session.run(tf.compat.v1.global_variables_initializer())
    assert session.run(y, {x: np.ones((14, 3), np.float32)}).shape == (14, 3)
    with pytest.raises(tf.errors.InvalidArgumentError, match="`virtual_batch_size`=7 must divide the batch size"):
        session.run(y, {x: np.ones((60, 3), np.float32)})


def test_a_foreign_checkpoint_that_happens_to_chain_is_named_as_such(tmp_path):
    path = str(tmp_path / "foreign.ckpt")
    with tf.Graph().as_default():
        tf.compat.v1.Variable(tf.zeros([4, 3]), name="Variable")  # chains like the article's weights, no biases
        tf.compat.v1.Variable(tf.zeros([3, 2]), name="Variable_1")
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            tf.compat.v1.train.Saver().save(sess, path)
    with pytest.raises(ValueError, match="is not a NeuralNetwork"):  # never blamed on the session
        migrate.from_checkpoint(path, "relu")
