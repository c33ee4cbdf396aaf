"""tf1_bn.migrate.assert_parity and assert_training_step_parity: agreement on every backend, nothing
left changed on either side, and mismatches named by layer and quantity."""

from __future__ import annotations

import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from tf1_bn import mnist, reference
from tf1_bn.article.experiment import article_weights
from tf1_bn.migrate import assert_parity, assert_training_step_parity, eager, to_keras
from tf1_bn.article.network import NeuralNetwork

BACKENDS = ["layers", "moments_ema", "assign", "none"]
LEARNING_RATE = 0.5


@pytest.fixture(scope="module")
def data():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return mnist.read_data_sets("MNIST_data/", one_hot=True, seed=0, source="embedded")


def _trained(session, data, bn, momentum=0.9, activation_fn=tf.nn.relu, scale=0.05, steps=10):
    network = NeuralNetwork(article_weights(scale, 2), activation_fn, bn != "none", bn=bn, momentum=momentum)
    session.run(tf.compat.v1.global_variables_initializer())
    network.train(session, LEARNING_RATE, steps, steps, data=data, progress=False, verbose=False)
    return network


def _state(session, graph):
    variables = graph.get_collection(tf.compat.v1.GraphKeys.GLOBAL_VARIABLES)
    collections = {key: list(graph.get_collection(key)) for key in graph.get_all_collection_keys()}
    return [v.name for v in variables], session.run(variables), collections


def _assert_same_state(before, after):
    assert before[0] == after[0] and before[2] == after[2]
    for old, new in zip(before[1], after[1]):
        np.testing.assert_array_equal(old, new)


def _keras_values(model):
    with eager():
        return [v.numpy().copy() for v in model.variables]


@pytest.mark.parametrize("bn", BACKENDS)
@pytest.mark.parametrize("training", [False, True])
def test_outputs_agree_and_nothing_changes(graph, session, data, bn, training):
    network = _trained(session, data, bn)
    model = to_keras(network, session)
    before, keras_before = _state(session, graph), _keras_values(model)
    x = data.test.images[:100]
    report = assert_parity(network, session, model, x, training=training)
    assert report.max_abs("logits") <= 1e-5
    # "moments_ema"/"assign" update their statistics on a training forward pass: put back; Keras: stateless
    _assert_same_state(before, _state(session, graph))
    for old, new in zip(keras_before, _keras_values(model)):
        np.testing.assert_array_equal(old, new)
    if training and bn != "none":  # the batch-statistics output really is another output
        inference = session.run(network.output_layer, {network.input_layer: x, network.is_training: False})
        with eager():
            batch_stats = model(x, training=True).numpy()
        assert np.abs(batch_stats - inference).max() > 1e-3


@pytest.mark.parametrize("bn", BACKENDS)
def test_one_training_step_agrees_and_tf1_is_put_back(graph, session, data, bn):
    network = _trained(session, data, bn)
    model = to_keras(network, session)
    x, y = data.train.images[:60], data.train.labels[:60]
    before, keras_before = _state(session, graph), _keras_values(model)
    report = assert_training_step_parity(network, session, model, x, y, LEARNING_RATE)
    _assert_same_state(before, _state(session, graph))  # TF1 variables and collections as found
    for old, new in zip(keras_before, _keras_values(model)):
        np.testing.assert_array_equal(old, new)
    assert report.max_abs() <= 1e-6
    quantities = {d.quantity for d in report.differences}
    assert quantities >= {"loss", "kernel", "bias"} | ({"gamma", "beta", "moving_mean", "moving_variance"} if bn != "none" else set())
    ops = len(graph.get_operations())
    assert_training_step_parity(network, session, model, x, y, 0.01)  # another learning rate: the cached train op
    assert len(graph.get_operations()) == ops


@pytest.mark.parametrize("bn", ["layers", "moments_ema"])
def test_the_step_is_the_closed_form_and_restore_false_keeps_it(graph, session, data, bn):
    """After the step, TF1 (and so Keras) hold moving − (moving − μ_B)·(1 − momentum) with the batch's
    μ_B from the NumPy reference; with restore=False both sides keep it and a second step still agrees."""
    network = _trained(session, data, bn, momentum=0.7)
    model = to_keras(network, session)
    x, y = data.train.images[60:120], data.train.labels[60:120]
    first = network.layers[0]
    kernel, moving = session.run([first.weights, first.batch_norm.moving_mean])
    batch_mean, batch_variance = reference.moments(x.astype(np.float64) @ kernel)
    assert_training_step_parity(network, session, model, x, y, LEARNING_RATE, restore=False)
    expected = reference.update_moving(moving, batch_mean, 0.7)
    np.testing.assert_allclose(session.run(first.batch_norm.moving_mean), expected, rtol=1e-5, atol=1e-6)
    with eager():
        np.testing.assert_allclose(model.layers[1].moving_mean.numpy(), expected, rtol=1e-5, atol=1e-6)
    assert_training_step_parity(network, session, model, data.train.images[:60], data.train.labels[:60], LEARNING_RATE,
                                restore=False)


def test_a_wrong_moving_variance_is_named_by_layer_and_quantity(graph, session, data):
    network = _trained(session, data, "layers")
    model = to_keras(network, session)
    with eager():
        variable = model.get_layer("batch_normalization_1").moving_variance
        variable.assign(variable.numpy() + 3.1e-3)
    x = data.test.images[:50]
    with pytest.raises(AssertionError, match=r"^layer 2 \(batch_normalization_1\) moving_variance differs by 3\.1e-03 "
                                             r"\(atol 1e-05, rtol 1e-05\)"):
        assert_parity(network, session, model, x)
    assert_parity(network, session, model, x, training=True)  # batch statistics do not read it
    with pytest.raises(AssertionError, match=r"^before the step: layer 2 \(batch_normalization_1\) moving_variance"):
        assert_training_step_parity(network, session, model, x, data.test.labels[:50], LEARNING_RATE)


def test_a_wrong_kernel_and_its_logits(graph, session, data):
    network = _trained(session, data, "none")
    model = to_keras(network, session)
    with eager():
        kernel = model.layers[2].kernel
        kernel.assign(kernel.numpy() * 1.01)
    with pytest.raises(AssertionError, match=r"^layer 3 \(Variable_4\) kernel differs by .*\n  also: inference output logits"):
        assert_parity(network, session, model, data.test.images[:50])


def _hand_written_port(momentum, epsilon=1e-3, activation="relu"):
    """What a user writes by hand: the Keras layers of the article's network."""
    model = keras.Sequential([keras.Input((784,))])
    for _ in range(3):
        model.add(keras.layers.Dense(128, use_bias=False))
        model.add(keras.layers.BatchNormalization(momentum=momentum, epsilon=epsilon))
        model.add(keras.layers.Activation(activation))
    model.add(keras.layers.Dense(10))
    return model


def _copy_weights(network, session, model):
    with eager():
        for source, target in zip(to_keras(network, session).weights, model.weights):
            target.assign(source.numpy())


def test_a_pytorch_momentum_and_a_pytorch_epsilon_are_caught(graph, session, data):
    network = _trained(session, data, "layers", momentum=0.99)
    x, y = data.train.images[:60], data.train.labels[:60]
    with eager():
        port = _hand_written_port(momentum=0.01)
    _copy_weights(network, session, port)
    assert_parity(network, session, port, x)  # same outputs now …
    with pytest.raises(AssertionError, match=r"layer 1 \(batch_normalization\) momentum is 0.01 in Keras, 0.99 in TF1 "
                                             r"\(PyTorch's momentum is 1 − Keras's\)"):
        assert_training_step_parity(network, session, port, x, y, LEARNING_RATE)  # … not after a step
    with eager():
        port = _hand_written_port(momentum=0.99, epsilon=1e-5)
    _copy_weights(network, session, port)
    with pytest.raises(AssertionError, match=r"layer 1 \(batch_normalization\) epsilon is 1e-05 in Keras, 0.001 in TF1"):
        assert_parity(network, session, port, x)
    with eager():
        port = _hand_written_port(momentum=0.99, activation="sigmoid")
    _copy_weights(network, session, port)
    with pytest.raises(AssertionError, match=r"^inference output logits differs by"):
        assert_parity(network, session, port, x)


def test_the_structure_must_match(graph, session, data):
    network = _trained(session, data, "layers")
    with eager():
        no_bn = keras.Sequential([keras.Input((784,)), *[keras.layers.Dense(n) for n in (128, 128, 128, 10)]])
        wide = keras.Sequential([keras.Input((784,)), keras.layers.Dense(64, use_bias=False), keras.layers.BatchNormalization(),
                                 *[keras.layers.Dense(n) for n in (128, 128, 10)]])
    x = data.test.images[:5]
    with pytest.raises(ValueError, match=r"one BatchNormalization per BN layer \(4 and 3\); received 4 and 0"):
        assert_parity(network, session, no_bn, x)
    with pytest.raises(ValueError, match="must have one Dense layer per network layer"):
        assert_parity(network, session, wide, x)
    with pytest.raises(TypeError, match="`keras_model` must be a keras.Model"):
        assert_parity(network, session, "model", x)


def test_bad_arguments(graph, session, data):
    network = _trained(session, data, "layers", steps=1)
    model = to_keras(network, session)
    x, y = data.test.images[:5], data.test.labels[:5]
    cases = [
        (lambda: assert_parity(network, session, model, x[:, :100]), ValueError, r"`x` must be a \(batch, 784\) array"),
        (lambda: assert_parity(network, session, model, x, training="yes"), TypeError, "`training` must be a bool"),
        (lambda: assert_parity(network, session, model, x, atol=-1), ValueError, "`atol` must be a non-negative number"),
        (lambda: assert_training_step_parity(network, session, model, x, y[:, :3], 0.1), ValueError,
         r"`y` must be one-hot labels of shape \(5, 10\)"),
        (lambda: assert_training_step_parity(network, session, model, x, y, 0), ValueError,
         "`learning_rate` must be a positive number; received 0"),
        (lambda: assert_training_step_parity(network, session, model, x, y, 0.1, restore=1), TypeError, "`restore` must be a bool"),
    ]
    for call, error, message in cases:
        with pytest.raises(error, match=message):
            call()
