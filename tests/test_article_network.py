"""The article's NeuralNetwork: structure and names, the UPDATE_OPS wiring (these tests turn red when
the wiring is removed from NeuralNetwork.train), divergence, errors, and the fast path's equivalence."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tf1_bn import mnist
from tf1_bn.article.experiment import article_weights
from tf1_bn.article.network import NeuralNetwork

BACKENDS = ["layers", "moments_ema", "assign"]


@pytest.fixture(scope="module")
def load():
    """A fresh embedded MNIST (one-hot, fixed batch order) per call."""
    import warnings

    def fresh(seed: int = 0):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return mnist.read_data_sets("no-such-folder", one_hot=True, seed=seed, source="embedded")

    return fresh


def test_the_article_architecture_and_variable_names(graph):
    weights = article_weights(0.05, seed=0)
    assert [w.shape for w in weights] == [(784, 128), (128, 128), (128, 128), (128, 10)]
    plain = NeuralNetwork(weights, tf.nn.relu, False)
    with_bn = NeuralNetwork(weights, tf.nn.relu, True)
    assert [v.name for v in plain.variables] == [f"Variable{'' if i == 0 else f'_{i}'}:0" for i in range(8)]
    bn_names = [v.name for v in with_bn.variables]
    assert bn_names[:5] == ["Variable_8:0", "batch_normalization/gamma:0", "batch_normalization/beta:0",
                            "batch_normalization/moving_mean:0", "batch_normalization/moving_variance:0"]
    assert bn_names[-2:] == ["Variable_11:0", "Variable_12:0"]  # output layer: weights and bias, no BN
    assert [layer.bias is None for layer in with_bn.layers] == [True, True, True, False]
    assert with_bn.output_layer.shape.as_list() == [None, 10]
    assert len(with_bn.update_ops) == 6 and plain.update_ops == []
    assert with_bn.name == "With Batch Norm" and plain.name == "Without Batch Norm"


def _train_bad_config(load, bn, wire=True, steps=300):
    """Weights N(0, 10²), lr 2, sigmoid (the article's model 8): BN inputs are far from 0/1."""
    data = load()
    with tf.Graph().as_default():
        network = NeuralNetwork(article_weights(10.0, seed=0), tf.nn.sigmoid, True, bn=bn, momentum=0.9)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            if wire:
                network.train(sess, 2.0, steps, 100, data=data, progress=False, verbose=False)
            else:  # the classic bug: minimize() without the UPDATE_OPS dependency
                labels, loss, _ = network.evaluation_ops()
                train_op = tf.compat.v1.train.GradientDescentOptimizer(2.0).minimize(loss)
                for _ in range(steps):
                    x, y = data.train.next_batch(60)
                    sess.run(train_op, {network.input_layer: x, labels: y, network.is_training: True})
            first = network.batch_norms[0]
            moving = sess.run([first.moving_mean, first.moving_variance])
            kernel = sess.run(network.layers[0].weights)
            inference = network.test(sess, data=data, verbose=False)
            training_mode = network.test(sess, test_training_accuracy=True, data=data, verbose=False)
    return moving, kernel, inference, training_mode, data


@pytest.mark.parametrize("bn", BACKENDS)
def test_moving_statistics_learn_the_data_and_inference_matches_training(load, bn):
    (moving_mean, moving_variance), kernel, inference, training_mode, data = _train_bad_config(load, bn)
    pre_activation = data.train.images.astype(np.float64) @ kernel  # what the first BN layer normalizes
    mean, variance = pre_activation.mean(0), pre_activation.var(0)
    scale = np.sqrt(variance)
    assert np.median(np.abs(moving_mean - mean) / scale) < 0.2  # moved from 0 to the data's mean
    assert np.median(np.abs(np.log(moving_variance / variance))) < 0.3  # and from 1 to its variance
    assert training_mode > 0.6
    assert abs(inference - training_mode) < 0.03


def test_without_the_update_ops_statistics_stay_and_inference_collapses(load):
    (moving_mean, moving_variance), _, inference, training_mode, _ = _train_bad_config(load, "layers", wire=False)
    assert np.all(moving_mean == 0) and np.all(moving_variance == 1)
    assert training_mode > 0.6 and inference < 0.2


def test_train_step_waits_for_this_networks_update_ops_only(graph):
    first = NeuralNetwork(article_weights(0.05, 0), tf.nn.relu, True)
    second = NeuralNetwork(article_weights(0.05, 1), tf.nn.relu, True)
    assert len(tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)) == 12
    train_op = second.train_step(0.01)
    waits_for = set(train_op.control_inputs)
    assert {u.op for u in second.update_ops} <= waits_for
    assert not {u.op for u in first.update_ops} & waits_for


def test_a_diverging_run_is_reported_not_raised(load):
    data = load()
    with tf.Graph().as_default():
        network = NeuralNetwork(article_weights(10.0, 0), tf.nn.relu, False)  # the article's model 7, no BN
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            accuracy = network.train(sess, 2.0, 50, 10, data=data, progress=False, verbose=False)
    assert network.diverged and 0 <= accuracy <= 1


@pytest.mark.parametrize("bn", BACKENDS + ["none"])
def test_the_fast_path_gives_the_faithful_paths_weights(load, bn):
    """Same weights and batches → same variables to float tolerance. (Over hundreds of steps rounding
    differences grow: a 1-ulp change of the initial weights alone moves the faithful run by ~1e-3 after
    100 steps, so a short horizon is the meaningful comparison.)"""
    values, curves = {}, {}
    for fast in (False, True):
        with tf.Graph().as_default():
            network = NeuralNetwork(article_weights(0.05, 3), tf.nn.relu, bn != "none", bn=bn)
            with tf.compat.v1.Session() as sess:
                sess.run(tf.compat.v1.global_variables_initializer())
                network.train(sess, 0.5, 45, 10, data=load(seed=5), fast=fast, progress=False, verbose=False)
                values[fast] = sess.run(network.variables)
                curves[fast] = network.training_accuracies
            assert len(tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)) == len(network.update_ops)
    assert len(curves[True]) == len(curves[False]) == 5  # after batches 0, 10, 20, 30, 40
    np.testing.assert_allclose(curves[True], curves[False], atol=2e-3)
    for fast_value, faithful_value in zip(values[True], values[False]):
        np.testing.assert_allclose(fast_value, faithful_value, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    "args, kwargs, error, message",
    [
        (([np.zeros((784, 10))],), {}, ValueError, "at least two 2-D weight matrices"),
        (([np.zeros((784, 128)), np.zeros((64, 10))],), {}, ValueError, "do not chain"),
        ((None,), {"bn": "batchnorm"}, ValueError, "`bn` must be one of layers, moments_ema, assign, none"),
        ((None,), {"use_batch_norm": "yes"}, TypeError, "`use_batch_norm` must be a bool"),
        ((None,), {"activation_fn": "relu"}, TypeError, "`activation_fn` must be callable"),
    ],
)
def test_bad_arguments(graph, args, kwargs, error, message):
    weights = args[0] if args[0] is not None else article_weights(0.05, 0)
    options = {"activation_fn": tf.nn.relu, "use_batch_norm": True, **kwargs}
    with pytest.raises(error, match=message):
        NeuralNetwork(weights, **options)


def test_bad_training_arguments_and_integer_labels(graph, load):
    network = NeuralNetwork(article_weights(0.05, 0), tf.nn.relu, True)
    with tf.compat.v1.Session() as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        with pytest.raises(ValueError, match="`training_batches` must be a positive int"):
            network.train(sess, 0.01, 0, 10, data=load())
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dense = mnist.read_data_sets("x", one_hot=False, source="embedded")
        with pytest.raises(ValueError, match="labels must be one-hot"):
            network.train(sess, 0.01, 1, 1, data=dense, progress=False)


def test_eager_construction_says_how_to_enter_graph_mode():
    with pytest.raises(RuntimeError, match="graph"):
        NeuralNetwork(article_weights(0.05, 0), tf.nn.relu, True)
