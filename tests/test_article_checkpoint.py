"""A checkpoint written by the article's own code (seed 002, TF1's layer from tf-keras as the oracle)
restores into tf1_bn's NeuralNetwork: same variable names, same outputs."""

from __future__ import annotations

import warnings

import numpy as np
import tensorflow as tf

from tf1_bn import mnist
from tf1_bn.article.experiment import article_weights
from tf1_bn.article.network import NeuralNetwork


def _article_network(legacy, initial_weights, activation_fn, use_batch_norm):
    """Seed 002's build_network/fully_connected, transcribed (loop over [:-1], as the notebook does)."""
    is_training = tf.compat.v1.placeholder(tf.bool, name="is_training")
    input_layer = tf.compat.v1.placeholder(tf.float32, [None, initial_weights[0].shape[0]])

    def fully_connected(layer_in, layer_weights, activation_fn=None):
        if use_batch_norm and activation_fn:
            weights = tf.Variable(layer_weights)
            linear_output = tf.matmul(layer_in, weights)
            return activation_fn(legacy.batch_normalization(linear_output, training=is_training))
        weights = tf.Variable(layer_weights)
        bias = tf.Variable(tf.zeros([layer_weights.shape[-1]]))
        linear_output = tf.add(tf.matmul(layer_in, weights), bias)
        return activation_fn(linear_output) if activation_fn else linear_output

    layer_in = input_layer
    for layer_weights in initial_weights[:-1]:
        layer_in = fully_connected(layer_in, layer_weights, activation_fn)
    return input_layer, is_training, fully_connected(layer_in, initial_weights[-1])


def test_article_checkpoint_restores_into_neural_network(tmp_path, legacy_tf_layers):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = mnist.read_data_sets("x", one_hot=True, seed=0, source="embedded")
    weights = article_weights(0.05, seed=0)
    path = str(tmp_path / "article.ckpt")
    with tf.Graph().as_default():  # the article's train_and_test: both networks in one graph
        networks = [_article_network(legacy_tf_layers, weights, tf.nn.relu, use_bn) for use_bn in (False, True)]
        x, is_training, logits = networks[1]
        labels = tf.compat.v1.placeholder(tf.float32, [None, 10])
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits))
        with tf.control_dependencies(tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)):
            train_step = tf.compat.v1.train.GradientDescentOptimizer(0.5).minimize(loss)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            for _ in range(30):
                batch_x, batch_y = data.train.next_batch(60)
                sess.run(train_step, {x: batch_x, labels: batch_y, is_training: True})
            tf.compat.v1.train.Saver().save(sess, path)
            expected = [sess.run(n[2], {n[0]: data.test.images, n[1]: False}) for n in networks]
        article_names = sorted(v.name for v in tf.compat.v1.global_variables())

    with tf.Graph().as_default():
        ours = [NeuralNetwork(weights, tf.nn.relu, use_bn) for use_bn in (False, True)]
        assert sorted(v.name for v in tf.compat.v1.global_variables()) == article_names
        with tf.compat.v1.Session() as sess:
            ours[1].test(sess, restore=path, data=data, verbose=False)
            for network, logits in zip(ours, expected):
                got = sess.run(network.output_layer, {network.input_layer: data.test.images, network.is_training: False})
                np.testing.assert_allclose(got, logits, rtol=1e-5, atol=1e-5)
