"""A migration regression test, written the way a tf1_bn user writes one.

The story: the article's TF1 network (seed 002) was trained and saved with
`NeuralNetwork.train(save_model=...)`. We ported it to Keras 3 by hand and want proof that the port
computes the same thing — at inference, with batch statistics, and after a training step, moving
statistics included. The `tf1_migration` fixture (tf1_bn.migrate.testing) does the bookkeeping.
"""

from __future__ import annotations

import warnings

import keras
import pytest
import tensorflow as tf

from tf1_bn import mnist
from tf1_bn.article.experiment import article_weights
from tf1_bn.article.network import NeuralNetwork

BN_SCOPES = ["batch_normalization", "batch_normalization_1", "batch_normalization_2"]


@pytest.fixture(scope="module")
def old_checkpoint(tmp_path_factory):
    """Stands in for the old TF1 training run: the article's train_and_test, saved at the end."""
    path = str(tmp_path_factory.mktemp("tf1") / "model.ckpt")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = mnist.read_data_sets("MNIST_data/", one_hot=True, seed=0, source="embedded")
    with tf.Graph().as_default():
        networks = [NeuralNetwork(article_weights(0.05, 0), tf.nn.relu, use_bn) for use_bn in (False, True)]
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            for network in networks:
                network.train(sess, 0.01, 30, 10, save_model=path, data=data, progress=False, verbose=False)
    return path


def keras_port(checkpoint: str, momentum: float = 0.99) -> keras.Model:
    """The code under test: our hand-written Keras 3 version of the article's network."""
    model = keras.Sequential([keras.Input((784,))])
    for _ in BN_SCOPES:
        model.add(keras.layers.Dense(128, use_bias=False))
        model.add(keras.layers.BatchNormalization(momentum=momentum, epsilon=1e-3))
        model.add(keras.layers.Activation("relu"))
    model.add(keras.layers.Dense(10))
    reader = tf.train.load_checkpoint(checkpoint)
    names = []
    for kernel, scope in zip(["Variable_8", "Variable_9", "Variable_10"], BN_SCOPES):
        names += [kernel] + [f"{scope}/{v}" for v in ("gamma", "beta", "moving_mean", "moving_variance")]
    model.set_weights([reader.get_tensor(name) for name in names + ["Variable_11", "Variable_12"]])
    return model


def test_our_keras_port_computes_what_the_tf1_model_computed(tf1_migration, old_checkpoint):
    old = tf1_migration.restore(old_checkpoint, tf.nn.relu)  # the network with BN, as TF1 ran it
    new = keras_port(old_checkpoint)
    x, y = tf1_migration.sample_batch()
    tf1_migration.check(old, new, x, y, learning_rate=0.01)


def test_the_automatic_port_of_the_network_without_bn(tf1_migration, old_checkpoint):
    old = tf1_migration.restore(old_checkpoint, tf.nn.relu, bn="none")
    reports = tf1_migration.check(old, learning_rate=0.01)  # tf1_bn.migrate.to_keras(old), a sample batch
    assert reports["training_step"].max_abs() < 1e-5


def test_a_port_with_the_pytorch_momentum_convention_fails(tf1_migration, old_checkpoint):
    old = tf1_migration.restore(old_checkpoint, tf.nn.relu)
    new = keras_port(old_checkpoint, momentum=0.01)  # PyTorch's momentum=0.01 means Keras's 0.99
    x, y = tf1_migration.sample_batch()
    with pytest.raises(AssertionError, match="momentum is 0.01 in Keras, 0.99 in TF1"):
        tf1_migration.check(old, new, x, y, learning_rate=0.01)
