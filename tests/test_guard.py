"""tf1_bn.guard on every TF1 batch-norm pattern: tf1_bn.layers, TF1's own layer (tf-keras), seed 003's
moments + EMA, the Udacity tf.assign pattern, the fast loop. Each verdict is checked against what
running the graph actually does to the statistics."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import tensorflow as tf

import tf1_bn.layers as layers
from tf1_bn import guard
from tf1_bn.article.experiment import article_weights
from tf1_bn.article.network import NeuralNetwork

UPDATE_OPS = tf.compat.v1.GraphKeys.UPDATE_OPS
DATA = np.arange(24, dtype=np.float32).reshape(8, 3) * 0.5 + 4.0


def _bn_graph(batch_normalization, wiring):
    """x → BN → loss; the train op wired as `wiring` says. Returns (x, is_training, loss, train_op)."""
    x = tf.compat.v1.placeholder(tf.float32, [None, 3])
    is_training = tf.compat.v1.placeholder(tf.bool, [])
    h = batch_normalization(x, training=is_training)
    loss = tf.reduce_mean(tf.square(h - 1.0))
    optimizer = tf.compat.v1.train.GradientDescentOptimizer(0.1)
    update_ops = tf.compat.v1.get_collection(UPDATE_OPS)
    if wiring == "control_dependencies":
        with tf.control_dependencies(update_ops):
            train_op = optimizer.minimize(loss)
    elif wiring == "group":
        train_op = tf.group(optimizer.minimize(loss), *update_ops)
    elif wiring == "identity_of_loss":
        with tf.control_dependencies(update_ops):
            loss = tf.identity(loss)
        train_op = optimizer.minimize(loss)
    else:
        train_op = optimizer.minimize(loss)
    return x, is_training, loss, train_op


def _moving_mean_after_one_step(x, is_training, fetches):
    moving_mean = next(v for v in tf.compat.v1.global_variables() if v.name.endswith("moving_mean:0"))
    with tf.compat.v1.Session() as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        sess.run(fetches, {x: DATA, is_training: True})
        return sess.run(moving_mean)


@pytest.mark.parametrize("implementation", ["tf1_bn", "tf_keras"])
@pytest.mark.parametrize("wiring, attached", [
    ("control_dependencies", True), ("group", True), ("none", False), ("identity_of_loss", False),
])
def test_verdict_matches_what_running_the_train_op_does(graph, legacy_tf_layers, implementation, wiring, attached):
    batch_normalization = layers.batch_normalization if implementation == "tf1_bn" else legacy_tf_layers.batch_normalization
    x, is_training, _, train_op = _bn_graph(batch_normalization, wiring)
    missing = guard.find_unattached_update_ops(train_op)
    moved = bool(np.any(_moving_mean_after_one_step(x, is_training, train_op) != 0))
    assert moved is attached  # what really happens ...
    assert (missing == []) is attached  # ... is what the guard says
    if not attached:
        assert {v for u in missing for v in u.variables} == {"batch_normalization/moving_mean", "batch_normalization/moving_variance"}


def test_identity_of_the_loss_runs_the_updates_only_when_the_loss_is_fetched(graph):
    x, is_training, loss, train_op = _bn_graph(layers.batch_normalization, "identity_of_loss")
    assert np.all(_moving_mean_after_one_step(x, is_training, train_op) == 0)
    assert np.any(_moving_mean_after_one_step(x, is_training, [train_op, loss]) != 0)
    assert guard.find_unattached_update_ops([train_op, loss]) == []
    hint = str(guard.find_unattached_update_ops(train_op)[0])
    assert "only Identity depends on it" in hint


def test_the_error_names_the_variables_and_the_fix(graph):
    _, _, _, train_op = _bn_graph(layers.batch_normalization, "none")
    with pytest.raises(guard.MissingUpdateOpsError) as caught:
        guard.assert_update_ops_attached(train_op)
    message = str(caught.value)
    assert isinstance(caught.value, AssertionError)
    assert "batch_normalization/moving_mean" in message and "tf.control_dependencies" in message


def _seed_003_layer(x, is_training, attach):
    """Seed 003's batch_norm_layer; with attach=False the EMA is applied outside, never depended on."""
    mean, variance = tf.nn.moments(x, [0])
    ema = tf.compat.v1.train.ExponentialMovingAverage(decay=0.5)
    if attach:
        def update():
            with tf.control_dependencies([ema.apply([mean, variance])]):
                return tf.identity(mean), tf.identity(variance)
        mean, variance = tf.compat.v1.cond(is_training, update, lambda: (ema.average(mean), ema.average(variance)))
    else:
        ema.apply([mean, variance])
    return tf.nn.batch_normalization(x, mean, variance, None, None, 1e-3)


def _assign_layer(x, is_training, attach):
    """Population statistics kept with tf.assign (the Udacity pattern), attached or left dangling."""
    population_mean = tf.Variable(tf.zeros([3]), trainable=False, name="weird_name")
    mean, variance = tf.nn.moments(x, [0])
    update = tf.compat.v1.assign(population_mean, population_mean * 0.9 + mean * 0.1)
    if attach:
        with tf.control_dependencies([update]):
            mean = tf.identity(mean)
    return tf.nn.batch_normalization(x, mean, variance, None, None, 1e-3)


@pytest.mark.parametrize("layer", [_seed_003_layer, _assign_layer], ids=["moments_ema", "tf_assign"])
@pytest.mark.parametrize("attach", [True, False])
def test_patterns_without_update_ops_collection(graph, layer, attach):
    """No UPDATE_OPS here: the guard finds the writes of non-trainable state by structure, not names."""
    x = tf.compat.v1.placeholder(tf.float32, [None, 3])
    is_training = tf.compat.v1.placeholder(tf.bool, [])
    kernel = tf.Variable(tf.ones([3, 3]))
    loss = tf.reduce_mean(tf.square(layer(tf.matmul(x, kernel), is_training, attach)))
    train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(loss)
    missing = guard.find_unattached_update_ops(train_op)
    assert (missing == []) is attach
    statistics = [v for v in tf.compat.v1.global_variables() if not v.trainable]
    with tf.compat.v1.Session() as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        before = sess.run(statistics)
        sess.run(train_op, {x: DATA, is_training: True})
        moved = any(bool(np.any(a != b)) for a, b in zip(before, sess.run(statistics)))
    assert moved is attach


@pytest.mark.parametrize("bn", ["layers", "moments_ema", "assign"])
def test_neural_network_train_step_and_the_fast_loop_pass(graph, bn):
    network = NeuralNetwork(article_weights(0.05, 0), tf.nn.relu, True, bn=bn)
    assert guard.find_unattached_update_ops(network.train_step(0.01)) == []
    from tf1_bn.article.fast_loop import FastLoop

    loop = FastLoop(network, 0.01, ((100, 784), (100, 10)), ((20, 784), (20, 10)))
    assert guard.find_unattached_update_ops(loop.val_accuracy) == []  # the loop body updates the same statistics


def test_guard_leaves_the_graph_as_it_found_it(graph):
    _, _, _, train_op = _bn_graph(layers.batch_normalization, "none")
    saver = tf.compat.v1.train.Saver()  # restore ops write the statistics too, but are not updates
    assert saver is not None
    operations = len(graph.get_operations())
    collections = {key: list(graph.get_collection(key)) for key in graph.get_all_collection_keys()}
    missing = guard.find_unattached_update_ops(train_op)
    assert len(graph.get_operations()) == operations
    assert {key: list(graph.get_collection(key)) for key in graph.get_all_collection_keys()} == collections
    assert all("save" not in u.op.name for u in missing) and len(missing) == 2


def test_bad_arguments(graph):
    with pytest.raises(ValueError, match="at least one op"):
        guard.find_unattached_update_ops([])
    with pytest.raises(TypeError, match="expected ops or tensors"):
        guard.find_unattached_update_ops("train_op")
    other = tf.Graph()
    with other.as_default():
        foreign = tf.constant(1.0)
    with pytest.raises(ValueError, match="same graph"):
        guard.find_unattached_update_ops(foreign, graph=graph)


def test_guarded_session_checks_the_first_run_of_each_train_op(graph):
    x, is_training, loss, train_op = _bn_graph(layers.batch_normalization, "none")
    with guard.GuardedSession(tf.compat.v1.Session()) as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        assert sess.run(loss, {x: DATA, is_training: False}) > 0  # not a training step: not checked
        with pytest.raises(guard.MissingUpdateOpsError):
            sess.run(train_op, {x: DATA, is_training: True})
    with guard.GuardedSession(tf.compat.v1.Session(), on_missing="warn") as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        with pytest.warns(RuntimeWarning, match="moving_mean"):
            sess.run(train_op, {x: DATA, is_training: True})
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            sess.run(train_op, {x: DATA, is_training: True})  # checked once only
    with pytest.raises(ValueError, match="`on_missing` must be 'raise' or 'warn'"):
        guard.GuardedSession(tf.compat.v1.Session(), on_missing="ignore")


def test_guard_sessions_patches_every_session_and_restores(graph):
    original = tf.compat.v1.Session.run
    _, _, _, bad = _bn_graph(layers.batch_normalization, "none")
    x = graph.get_tensor_by_name("Placeholder:0")
    is_training = graph.get_tensor_by_name("Placeholder_1:0")
    with guard.guard_sessions():
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            with pytest.raises(guard.MissingUpdateOpsError):
                sess.run(bad, {x: DATA, is_training: True})
    assert tf.compat.v1.Session.run is original


def test_tf1_mode_ref_variables_and_control_flow_v1():
    """Under disable_v2_behavior (RefVariables, Switch/Merge conds) the guard sees the same thing."""
    import subprocess
    import sys

    code = (
        "import tensorflow as tf\n"
        "tf.compat.v1.disable_v2_behavior()\n"
        "import tf1_bn.layers as layers\n"
        "from tf1_bn.guard import find_unattached_update_ops\n"
        "x = tf.compat.v1.placeholder(tf.float32, [None, 3]); t = tf.compat.v1.placeholder(tf.bool, [])\n"
        "loss = tf.reduce_mean(tf.square(layers.batch_normalization(x, training=t) - 1.0))\n"
        "opt = tf.compat.v1.train.GradientDescentOptimizer(0.1)\n"
        "with tf.control_dependencies(tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)):\n"
        "    good = opt.minimize(loss)\n"
        "bad = opt.minimize(loss)\n"
        "print(type(tf.compat.v1.global_variables()[0]).__name__, len(find_unattached_update_ops(good)),\n"
        "      sorted(v for u in find_unattached_update_ops(bad) for v in u.variables))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "RefVariable 0 ['batch_normalization/moving_mean', 'batch_normalization/moving_variance']"
    )


def test_another_models_update_ops_are_not_this_train_ops_business(graph):
    """Two BN networks in one graph, the train op of one: the other's updates are not reported;
    forgetting this one's still is."""
    first = NeuralNetwork(article_weights(0.05, 0), tf.nn.relu, True)
    second = NeuralNetwork(article_weights(0.05, 1), tf.nn.relu, True)
    assert guard.find_unattached_update_ops(second.train_step(0.01)) == []
    _, loss, _ = first.evaluation_ops()
    forgotten = tf.compat.v1.train.GradientDescentOptimizer(0.01).minimize(loss, var_list=first.trainable_variables)
    reported = {v for u in guard.find_unattached_update_ops(forgotten) for v in u.variables}
    assert reported == {v.op.name for bn in first.batch_norms for v in (bn.moving_mean, bn.moving_variance)}
