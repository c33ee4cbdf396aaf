"""tf1_bn.article.population.recompute: Algorithm 2's statistics against the NumPy reference, written where
each backend keeps its inference statistics, and nothing else touched."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import tensorflow as tf

from tf1_bn import mnist, reference
from tf1_bn.article.experiment import article_weights
from tf1_bn.article.network import NeuralNetwork
from tf1_bn.article.population import recompute

BACKENDS = ["layers", "moments_ema", "assign"]
NUMPY_ACTIVATIONS = {tf.nn.relu: lambda x: np.maximum(x, 0.0), tf.nn.sigmoid: lambda x: 1.0 / (1.0 + np.exp(-x))}


@pytest.fixture(scope="module")
def data():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return mnist.read_data_sets("MNIST_data/", one_hot=True, seed=0, source="embedded")


def _trained(session, data, bn, activation_fn=tf.nn.relu, steps=10, scale=0.05):
    network = NeuralNetwork(article_weights(scale, 3), activation_fn, True, bn=bn, momentum=0.9)
    session.run(tf.compat.v1.global_variables_initializer())
    network.train(session, 0.5, steps, steps, data=data, progress=False, verbose=False)
    return network


def _numpy_population(session, network, images, m, batches, unbiased=True):
    """The oracle: each batch through the training network in float64 (reference.forward with batch
    statistics), then reference.population_statistics over the batches."""
    hidden = session.run([(r.weights, r.batch_norm.gamma, r.batch_norm.beta) for r in network.layers[:-1]])  # (W, γ, β)
    activation = NUMPY_ACTIVATIONS[network.layers[0].activation_fn]
    per_layer = [([], []) for _ in hidden]
    for b in range(batches):
        x = images[b * m:(b + 1) * m].astype(np.float64)  # (m, 784)
        for (kernel, gamma, beta), (means, variances) in zip(hidden, per_layer):
            x = x @ kernel  # (m, 128)
            mean, variance = reference.moments(x)  # biased
            means.append(mean)
            variances.append(variance)
            x = activation(reference.forward(x, gamma, beta, training=True, epsilon=1e-3)[0])
    return [reference.population_statistics(means, variances, m, unbiased) for means, variances in per_layer]


@pytest.mark.parametrize("bn", BACKENDS)
@pytest.mark.parametrize("activation_fn, shift", [(tf.nn.relu, 0.0), (tf.nn.sigmoid, 100.0)], ids=["relu", "sigmoid+100"])
def test_matches_the_numpy_reference_and_is_written(graph, session, data, bn, activation_fn, shift):
    """+100 on every pixel makes layer 1's inputs ~500 with a variance of ~0.2: E[x²] − E[x]² in float32
    would lose every digit (ulp(500²) ≈ 0.02); the shifted moments keep a relative error of ~5e-5."""
    network = _trained(session, data, bn, activation_fn)
    images = data.train.images[:1200] + np.float32(shift)
    found = recompute(session, network, images, batch_size=60)
    expected = _numpy_population(session, network, images, 60, 20)
    assert [(s.layer, s.batches, s.batch_size) for s in found] == [(1, 20, 60), (2, 20, 60), (3, 20, 60)]
    for stats, (mean, variance), bn_vars in zip(found, expected, network.batch_norms):
        np.testing.assert_allclose(stats.mean, mean, rtol=1e-4, atol=1e-5 * (1 + np.abs(mean).max()))
        np.testing.assert_allclose(stats.variance, variance, rtol=2e-4 if shift else 1e-5, atol=1e-7)
        written = session.run([bn_vars.moving_mean, bn_vars.moving_variance])
        np.testing.assert_array_equal(written[0], stats.mean)  # written as returned: no update op ran after it
        np.testing.assert_array_equal(written[1], stats.variance)


@pytest.mark.parametrize("bn", BACKENDS)
def test_inference_then_uses_them_and_nothing_else_changes(graph, session, data, bn):
    network = _trained(session, data, bn)
    bystander = NeuralNetwork(article_weights(0.05, 9), tf.nn.relu, True, bn=bn)  # same graph, must stay as it is
    session.run(tf.compat.v1.variables_initializer(bystander.variables))
    keys = graph.get_all_collection_keys()
    collections = {key: list(graph.get_collection(key)) for key in keys}
    statistics = {v.ref() for bn_vars in network.batch_norms for v in (bn_vars.moving_mean, bn_vars.moving_variance)}
    others = [v for v in tf.compat.v1.global_variables() if v.ref() not in statistics]
    before = session.run(others)
    found = recompute(session, network, data.train.images)
    assert found[0].batches == len(data.train.images) // 60 and found[0].name == network.batch_norms[0].gamma.op.name.split("/")[0]
    ops = len(graph.get_operations())
    recompute(session, network, data.train.images[:600], batch_size=30)  # cached: the second call adds no op
    assert len(graph.get_operations()) == ops
    assert graph.get_all_collection_keys() == keys
    assert {key: list(graph.get_collection(key)) for key in keys} == collections
    for old, new in zip(before, session.run(others)):
        np.testing.assert_array_equal(old, new)

    # inference now normalizes with the population statistics: compare with the NumPy forward pass
    x = data.test.images[:100]
    values = session.run([[r.weights, r.bias] if r.bias is not None else
                          [r.weights, r.batch_norm.gamma, r.batch_norm.beta, r.batch_norm.moving_mean, r.batch_norm.moving_variance]
                          for r in network.layers])
    h = x.astype(np.float64)
    for layer in values[:-1]:
        h = np.maximum(reference.forward(h @ layer[0], layer[1], layer[2], training=False, moving_mean=layer[3],
                                         moving_variance=layer[4])[0], 0.0)
    logits = h @ values[-1][0] + values[-1][1]
    got = session.run(network.output_layer, {network.input_layer: x, network.is_training: False})
    np.testing.assert_allclose(got, logits, rtol=1e-4, atol=1e-4)


def test_resplitting_the_data_gives_the_same_first_layer_statistics(graph, session, data):
    """Layer 1's input does not depend on the batch: E[μ_B] is the data's mean for any m, and
    m/(m−1)·E[σ²_B] estimates its variance (fvcore's precise-BN test, re-split)."""
    network = _trained(session, data, "layers")
    images = data.train.images[:6000]
    by_50, by_100 = (recompute(session, network, images, batch_size=m, write=False)[0] for m in (50, 100))
    np.testing.assert_allclose(by_50.mean, by_100.mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(by_50.variance, by_100.variance, rtol=0.05, atol=1e-5)
    whole = images.astype(np.float64) @ session.run(network.layers[0].weights)
    np.testing.assert_allclose(by_50.mean, whole.mean(0), rtol=1e-5, atol=1e-6)


def test_unbiased_and_write_flags(graph, session, data):
    network = _trained(session, data, "assign")
    moving = session.run(network.batch_norms[1].moving_variance)
    unbiased = recompute(session, network, data.train.images[:600], batch_size=10, write=False)
    np.testing.assert_array_equal(session.run(network.batch_norms[1].moving_variance), moving)  # write=False writes nothing
    np.testing.assert_array_equal(unbiased[1].previous_variance, moving)
    biased = recompute(session, network, data.train.images[:600], batch_size=10, unbiased=False)
    np.testing.assert_allclose(unbiased[1].variance, biased[1].variance * 10 / 9, rtol=1e-6)
    np.testing.assert_array_equal(session.run(network.batch_norms[1].moving_variance), biased[1].variance)
    assert "layer 2 (assign_batch_norm_1): 60 batches of 10" in repr(biased[1])


def test_population_statistics_beat_a_cold_ema_after_200_steps(graph, session, data):
    """Momentum 0.99 after 200 steps: the moving averages still hold 0.99**200 ≈ 13 % of their start
    (0 and 1) and lag the weights. Algorithm 2's average is close to the batch-statistics accuracy.
    (Measured: test accuracy 0.449 with the moving averages, 0.702 with population statistics.)"""
    network = NeuralNetwork(article_weights(0.05, 0), tf.nn.sigmoid, True, momentum=0.99)
    session.run(tf.compat.v1.global_variables_initializer())
    network.train(session, 0.01, 200, 100, data=data, fast=True, progress=False, verbose=False)
    moving = network.test(session, data=data, verbose=False)
    batch_statistics = network.test(session, test_training_accuracy=True, data=data, verbose=False)
    recompute(session, network, data.train.images)
    population = network.test(session, data=data, verbose=False)
    assert population > moving + 0.1
    assert abs(population - batch_statistics) < 0.02


def test_a_network_without_bn_and_bad_arguments(graph, session, data):
    plain = NeuralNetwork(article_weights(0.05, 0), tf.nn.relu, False)
    network = NeuralNetwork(article_weights(0.05, 0), tf.nn.relu, True)
    session.run(tf.compat.v1.global_variables_initializer())
    ops = len(graph.get_operations())
    assert recompute(session, plain, data.train.images) == [] and len(graph.get_operations()) == ops
    images = data.train.images[:120]
    cases = [
        (dict(images=images[:, :10]), ValueError, r"`images` must be a \(N, 784\) array; received shape \(120, 10\)"),
        (dict(images=images, batch_size=1), ValueError, "`batch_size` must be an int of at least 2; received 1"),
        (dict(images=images, batch_size=True), ValueError, "`batch_size` must be an int"),
        (dict(images=images, batches=3), ValueError, r"`batches` must be at most 2 \(120 images in batches of 60\)"),
        (dict(images=images[:50]), ValueError, "`batches` must be at most 0"),
        (dict(images=images, unbiased=1), TypeError, "`unbiased` must be a bool"),
    ]
    for kwargs, error, message in cases:
        with pytest.raises(error, match=message):
            recompute(session, network, **kwargs)
    recompute(session, network, images[:50], batch_size=1, unbiased=False)  # m = 1 is fine without m/(m−1)
    with pytest.raises(TypeError, match="`network` must be a tf1_bn.article.network.NeuralNetwork"):
        recompute(session, "network", images)
    with tf.compat.v1.Session(graph=tf.Graph()) as other:
        with pytest.raises(ValueError, match="`sess` must be a tf.compat.v1.Session on the network's graph"):
            recompute(other, network, images)


def test_called_outside_the_graph_block(data):
    """Eagerly, TF variables and tensors are unhashable: recompute must still feed and write."""
    with tf.Graph().as_default():
        network = NeuralNetwork(article_weights(0.05, 0), tf.nn.relu, True, bn="moments_ema")
        sess = tf.compat.v1.Session()
        sess.run(tf.compat.v1.global_variables_initializer())
    try:
        assert tf.executing_eagerly()
        found = recompute(sess, network, data.train.images[:300])
        np.testing.assert_array_equal(sess.run(network.batch_norms[2].moving_mean), found[2].mean)
    finally:
        sess.close()
