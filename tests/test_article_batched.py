"""The batched training path (tf1_bn.article.stacked, tf1_bn.article.batched_loop): every network of a
batched run is its solo run, the TF1 update recipe (UPDATE_OPS, the guard), NaN isolation, batch streams,
the variables' wiring, and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import tensorflow as tf

from tf1_bn import guard, mnist, reference
from tf1_bn.article.batched_loop import BatchedLoop, train_batched
from tf1_bn.article.experiment import ACTIVATIONS, article_table, article_weights
from tf1_bn.article.network import NeuralNetwork
from tf1_bn.article.stacked import UPDATE_OPS, NetworkSpec, StackedNetworks, load_values

STEPS, EVERY = 30, 10
# Both activations, with and without BN, several learning rates: all in the two groups of one stack.
SPECS = [NetworkSpec(article_weights(0.05, seed=i), act, bn, lr)
         for i, (act, lr) in enumerate([(tf.nn.relu, 0.5), (tf.nn.sigmoid, 0.5), (tf.nn.relu, 0.01), (tf.nn.sigmoid, 2.0)])
         for bn in (False, True)]


def _load(seed: int = 0):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return mnist.read_data_sets("no-such-folder", one_hot=True, seed=seed, source="embedded")


def _solo(spec: NetworkSpec, fast: bool, steps: int = STEPS, every: int = EVERY, seed: int = 0):
    """(variables, network) after the one-network run: the fast loop, or the article's loop."""
    with tf.Graph().as_default():
        network = NeuralNetwork(spec.initial_weights, spec.activation_fn, spec.use_batch_norm, momentum=spec.momentum)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            network.train(sess, spec.learning_rate, steps, every, data=_load(seed), fast=fast, progress=False, verbose=False)
            return sess.run(network.variables), network


@pytest.fixture(scope="module")
def solo_runs():
    return [(_solo(spec, True), _solo(spec, False)[0]) for spec in SPECS]


@pytest.fixture(scope="module")
def batched_run():
    data = _load()
    return train_batched(SPECS, [data] * len(SPECS), STEPS, EVERY, progress=False), data


@pytest.mark.parametrize("jit", [True, False])
def test_each_network_matches_its_solo_fast_loop_run(solo_runs, batched_run, jit):
    """Same weights, same batches → the solo fast loop's variables, to the tolerance the article's own
    loop gets: the fast and faithful solo paths already differ by float32 rounding grown over 30 steps
    (the networks with BN most); batched may differ from the fast loop by at most 3× that, plus a few
    ulps (1e-6 of the variable's size) where fast and faithful agree to the bit."""
    run = batched_run[0] if jit else train_batched(SPECS, [_load()] * len(SPECS), STEPS, EVERY, progress=False, jit=False)
    for spec, trained, ((fast, network), faithful) in zip(SPECS, run.networks, solo_runs):
        assert trained.name == network.name and trained.diverged == network.diverged is False
        assert len(trained.training_accuracies) == len(network.training_accuracies) == 3  # after batches 0, 10, 20
        np.testing.assert_allclose(trained.training_accuracies, network.training_accuracies, atol=2e-3)
        assert [v.shape for v in trained.values] == [v.shape for v in fast]
        for batched, fast_value, faithful_value in zip(trained.values, fast, faithful):
            envelope = 3 * np.abs(faithful_value - fast_value).max() + 1e-6 * max(1.0, np.abs(fast_value).max())
            assert np.abs(batched - fast_value).max() <= envelope, (spec, np.abs(batched - fast_value).max(), envelope)


def _numpy_step(spec: NetworkSpec, x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    """One SGD step of the article's network in float64 (tf1_bn.reference for BN): its variables after
    the step, in NeuralNetwork.variables order (weights, then the bias or γ, β, moving mean and variance)."""
    relu, lr = spec.activation_fn is tf.nn.relu, spec.learning_rate
    weights = [w.astype(np.float64) for w in spec.initial_weights]
    inputs, hidden = [x], []
    for w in weights[:-1]:
        z = inputs[-1] @ w
        a, cache = reference.forward(z, training=True) if spec.use_batch_norm else (z, None)  # γ 1, β 0, ε 1e-3
        hidden.append((z, a, cache))
        inputs.append(np.maximum(a, 0) if relu else 1 / (1 + np.exp(-a)))
    logits = inputs[-1] @ weights[-1]
    p = np.exp(logits - logits.max(1, keepdims=True))
    grad = (p / p.sum(1, keepdims=True) - y) / len(x)  # d mean cross-entropy / d logits
    after = [weights[-1] - lr * inputs[-1].T @ grad, -lr * grad.sum(0)]
    grad = grad @ weights[-1].T
    for layer in reversed(range(len(weights) - 1)):
        z, a, cache = hidden[layer]
        h = inputs[layer + 1]
        grad = grad * ((a > 0) if relu else h * (1 - h))  # through the activation
        if spec.use_batch_norm:
            dz, dgamma, dbeta = reference.backward(grad, cache)
            moving = [reference.update_moving(np.zeros(z.shape[1]), z.mean(0), spec.momentum),
                      reference.update_moving(np.ones(z.shape[1]), z.var(0), spec.momentum)]
            params = [1 - lr * dgamma, -lr * dbeta, *moving]
        else:
            dz, params = grad, [-lr * grad.sum(0)]
        after = [weights[layer] - lr * inputs[layer].T @ dz, *params] + after
        grad = dz @ weights[layer].T
    return after


def _initial_values(spec: NetworkSpec) -> list[np.ndarray]:
    """The variables before training, in NeuralNetwork.variables order."""
    values = []
    for w in spec.initial_weights[:-1]:
        zeros = np.zeros(w.shape[1])
        values += [w, zeros + 1, zeros, zeros, zeros + 1] if spec.use_batch_norm else [w, zeros]
    return values + [spec.initial_weights[-1], np.zeros(spec.initial_weights[-1].shape[1])]


def test_one_step_of_the_tables_networks_matches_a_float64_oracle():
    """The table's 16 networks (weights N(0, 10²) and lr 2 included) after one step, batched and solo,
    against NumPy in float64: both within 0.1 % of the step's size (plus 2 ulps of the variable). Over
    more steps the saturated sigmoid networks amplify float32 rounding by orders of magnitude per step,
    in either path, so one step is the comparison that means something for them."""
    specs = []
    for row in article_table():
        c = row.configuration
        weights = article_weights(c.weight_scale, 0)
        specs += [NetworkSpec(weights, ACTIVATIONS[c.activation], bn, c.learning_rate) for bn in (False, True)]
    data = _load()
    batch = _load().train.next_batch_indices(60)  # the first batch every run draws
    x, y = data.train.base_images[batch].astype(np.float64), data.train.base_labels[batch].astype(np.float64)
    run = train_batched(specs, [data] * len(specs), 1, 1, progress=False)
    for spec, trained in zip(specs, run.networks):
        fast = _solo(spec, True, steps=1, every=1)[0]
        for index, (exact, initial) in enumerate(zip(_numpy_step(spec, x, y), _initial_values(spec))):
            tolerance = 1e-3 * np.abs(exact - initial).max() + 2 * np.spacing(np.float32(np.abs(exact).max()))
            for path, value in (("batched", trained.values[index]), ("fast", fast[index])):
                assert np.abs(value - exact).max() <= tolerance, (str(spec.activation_fn), spec.use_batch_norm, index, path)


def test_a_diverging_network_stays_nan_in_its_own_slice():
    """lr 1e30 makes networks 1 (no BN) and 4 (BN) NaN; the others are bit for bit what they are when their
    neighbours train quietly (no reduction across networks before the per-network split)."""
    def specs(bad_lr: float) -> list[NetworkSpec]:
        return [NetworkSpec(article_weights(scale, seed), act, bn, bad_lr if seed in (1, 4) else 0.5)
                for seed, (scale, act, bn) in enumerate([(0.05, tf.nn.relu, False), (10.0, tf.nn.relu, False),
                                                         (0.05, tf.nn.sigmoid, False), (0.05, tf.nn.relu, True),
                                                         (10.0, tf.nn.relu, True), (0.05, tf.nn.sigmoid, True)])]
    bad = train_batched(specs(1e30), [_load()] * 6, 20, 5, progress=False)
    quiet = train_batched(specs(0.01), [_load()] * 6, 20, 5, progress=False)
    assert [n.diverged for n in bad.networks] == [False, True, False, False, True, False]
    assert not any(n.diverged for n in quiet.networks)
    for index in (1, 4):
        assert any(np.isnan(v).any() for v in bad.networks[index].values)
    for index in (0, 2, 3, 5):
        assert bad.networks[index].training_accuracies == quiet.networks[index].training_accuracies
        for a, b in zip(bad.networks[index].values, quiet.networks[index].values):
            np.testing.assert_array_equal(a, b)


def test_networks_given_different_data_keep_their_own_batch_orders():
    """Different `data` objects are different streams (gathered per network); the same object is one."""
    specs = [NetworkSpec(article_weights(0.05, seed), tf.nn.relu, bn, 0.5) for seed, bn in ((0, False), (1, True), (2, False))]
    seeds = [3, 4, 3]
    run = train_batched(specs, [_load(s) for s in seeds], 12, 4, progress=False)
    for spec, seed, trained in zip(specs, seeds, run.networks):
        fast, network = _solo(spec, True, steps=12, every=4, seed=seed)
        np.testing.assert_allclose(trained.training_accuracies, network.training_accuracies, atol=2e-3)
        for batched, solo in zip(trained.values, fast):
            np.testing.assert_allclose(batched, solo, rtol=1e-4, atol=1e-5)


def test_the_train_op_waits_for_the_update_ops_from_update_ops(graph):
    """UPDATE_OPS holds one moving-average update per BN statistic and layer; the train op waits for
    exactly those, and the guard passes on it and on the whole loop."""
    stacked = StackedNetworks(SPECS[:4], jit=False)
    assert len(tf.compat.v1.get_collection(UPDATE_OPS)) == 0
    x = tf.compat.v1.placeholder(tf.float32, [60, 784])
    y = tf.compat.v1.placeholder(tf.float32, [60, 10])
    train_op = stacked.train_step(x, y)
    updates = tf.compat.v1.get_collection(UPDATE_OPS)
    assert len(updates) == 6 and {u.op.type for u in updates} == {"AssignSubVariableOp"}
    bn_group = next(g for g in stacked.groups if g.use_batch_norm)
    written = {u.op.inputs[0].op.name for u in updates}
    assert written == {v.op.name for pair in bn_group.moving for v in pair}
    assert {u.op for u in updates} <= set(train_op.control_inputs)
    guard.assert_update_ops_attached(train_op)
    loop = BatchedLoop(stacked, [0] * 4, ((100, 784), (100, 10)), ((20, 784), (20, 10)))
    assert len(tf.compat.v1.get_collection(UPDATE_OPS)) == 6  # the loop body's updates do not leak out
    guard.assert_update_ops_attached(loop.val_accuracy)  # the loop body updates the same statistics


def test_without_update_ops_the_guard_catches_the_batched_train_op(graph, monkeypatch):
    """The train op depends on the updates only through the collection: keep them out of UPDATE_OPS and
    the guard names the moving statistics."""
    add = tf.compat.v1.add_to_collection
    monkeypatch.setattr(tf.compat.v1, "add_to_collection", lambda name, value: None if name == UPDATE_OPS else add(name, value))
    stacked = StackedNetworks(SPECS[:4], jit=False)
    train_op = stacked.train_step(tf.zeros([60, 784]), tf.zeros([60, 10]))
    with pytest.raises(guard.MissingUpdateOpsError, match="moving_mean"):
        guard.assert_update_ops_attached(train_op)


def test_stacked_variables_and_their_round_trip_into_neural_network(graph, batched_run):
    """Variables per group (k, in, out) and (k, units); a trained network's values load into a
    NeuralNetwork, whose inference accuracy is the batched one."""
    stacked = StackedNetworks(SPECS, jit=False)
    plain, with_bn = stacked.groups
    assert (plain.use_batch_norm, with_bn.use_batch_norm) == (False, True)
    assert [v.shape.as_list() for v in with_bn.weights] == [[4, 784, 128], [4, 128, 128], [4, 128, 128], [4, 128, 10]]
    assert [len(p) for p in plain.hidden_params] == [1, 1, 1] and plain.moving == []
    assert [v.shape.as_list() for v in with_bn.hidden_params[0] + list(with_bn.moving[0])] == [[4, 128]] * 4
    assert len(stacked.trainable_variables) == (4 + 3 + 1) + (4 + 6 + 1)
    assert [g.members for g in stacked.groups] == [[0, 4, 2, 6], [1, 5, 3, 7]]  # ordered by activation
    run, data = batched_run
    for spec, trained in zip(SPECS[:2], run.networks[:2]):
        with tf.Graph().as_default():
            network = NeuralNetwork(spec.initial_weights, spec.activation_fn, spec.use_batch_norm)
            with tf.compat.v1.Session() as sess:
                sess.run(tf.compat.v1.global_variables_initializer())
                load_values(network, sess, trained.values)
                assert network.test(sess, data=data, verbose=False) == pytest.approx(trained.test_acc, abs=1e-3)


@pytest.mark.parametrize("build, error, message", [
    (lambda: NetworkSpec(article_weights(0.05, 0), "relu", True, 0.1), TypeError, "`activation_fn` must be callable"),
    (lambda: NetworkSpec(article_weights(0.05, 0), tf.nn.relu, 1, 0.1), TypeError, "`use_batch_norm` must be a bool"),
    (lambda: NetworkSpec(article_weights(0.05, 0), tf.nn.relu, True, 0.0), ValueError, "`learning_rate` must be positive"),
    (lambda: NetworkSpec(article_weights(0.05, 0), tf.nn.relu, True, 0.1, momentum=1.0), ValueError, r"`momentum` must be in \[0, 1\)"),
    (lambda: NetworkSpec([np.zeros((784, 10))], tf.nn.relu, True, 0.1), ValueError, "at least two 2-D weight matrices"),
    (lambda: train_batched(SPECS[:2], [_load()], 5, 5), ValueError, "one Datasets per network: 2 specs, received 1"),
    (lambda: train_batched(SPECS[:2], [_load(), _fewer()], 5, 5), ValueError, "received different train sets"),
    (lambda: train_batched(SPECS[:1], [_load()], 0, 5), ValueError, "`training_batches` must be a positive int"),
])
def test_bad_input(build, error, message):
    with pytest.raises(error, match=message):
        build()


def _fewer():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return mnist.read_data_sets("no-such-folder", one_hot=True, seed=0, source="embedded", validation_size=500)


def test_stacks_need_equal_layer_sizes_and_graph_mode(graph):
    small = NetworkSpec([np.zeros((784, 64), np.float32), np.zeros((64, 10), np.float32)], tf.nn.relu, False, 0.1)
    with pytest.raises(ValueError, match="same layer sizes"):
        StackedNetworks([SPECS[0], small])
    with pytest.raises(ValueError, match="non-empty"):
        StackedNetworks([])


def test_eager_construction_says_how_to_enter_graph_mode():
    with pytest.raises(RuntimeError, match="graph"):
        StackedNetworks(SPECS[:1])
