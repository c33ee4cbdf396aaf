"""tf1_bn.guard.find_unsaved_statistics / assert_statistics_saved on every TF1 batch-norm form, and the
Savers that guard_sessions checks. Each verdict is checked against what a save and a restore actually do
to the statistics."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
import tensorflow as tf

import tf1_bn.errors
import tf1_bn.layers as layers
from tf1_bn import guard
from tf1_bn.article import backends
from tf1_bn.contrib.layers import batch_norm as contrib_batch_norm

GraphKeys = tf.compat.v1.GraphKeys
Saver = tf.compat.v1.train.Saver
DATA = np.arange(24, dtype=np.float32).reshape(8, 3) * 0.5 + 4.0


def _layers(x, is_training, request):
    return layers.batch_normalization(x, training=is_training)


def _layers_fused(x, is_training, request):
    y = layers.batch_normalization(tf.reshape(x, [-1, 1, 1, 3]), training=is_training, fused=True)  # (batch, 1, 1, 3)
    return tf.reshape(y, [-1, 3])


def _tf_keras(x, is_training, request):
    return request.getfixturevalue("legacy_tf_layers").batch_normalization(x, training=is_training)


def _contrib(x, is_training, request):
    return contrib_batch_norm(x, decay=0.9, is_training=is_training, updates_collections=None)


def _moments_ema(x, is_training, request):
    return backends.moments_ema_bn(x, is_training, 0.9)[0]  # seed 003: moments + EMA + tf.cond


def _assign(x, is_training, request):
    return backends.assign_bn(x, is_training, 0.9)[0]  # the Udacity pattern: tf.assign inside tf.cond


FORMS = {"layers": _layers, "layers_fused": _layers_fused, "tf_keras": _tf_keras, "contrib": _contrib,
         "moments_ema": _moments_ema, "assign": _assign}
SAVERS = {  # how the Saver is built -> whether it writes the statistics
    "trainable_variables": (lambda: Saver(var_list=tf.compat.v1.trainable_variables()), False),
    "no_var_list": (lambda: Saver(), True),
    "global_variables": (lambda: Saver(var_list=tf.compat.v1.global_variables()), True),
}


def _training_graph(form, request, optimizer=None):
    """x → matmul → BN form → loss, trained with the UPDATE_OPS dependency. Returns (x, is_training, train_op)."""
    x = tf.compat.v1.placeholder(tf.float32, [None, 3])
    is_training = tf.compat.v1.placeholder(tf.bool, [])
    kernel = tf.Variable(tf.eye(3), name="kernel")
    loss = tf.reduce_mean(tf.square(FORMS[form](tf.matmul(x, kernel), is_training, request) - 1.0))
    with tf.control_dependencies(tf.compat.v1.get_collection(GraphKeys.UPDATE_OPS)):
        train_op = (optimizer or tf.compat.v1.train.GradientDescentOptimizer(0.1)).minimize(loss)
    return x, is_training, train_op


def _non_trainable():
    return [v for v in tf.compat.v1.global_variables() if not v.trainable]


@pytest.mark.parametrize("saver_kind", SAVERS)
@pytest.mark.parametrize("form", FORMS)
def test_verdict_matches_what_the_checkpoint_keeps(graph, request, tmp_path, form, saver_kind):
    x, is_training, train_op = _training_graph(form, request)
    build, writes_statistics = SAVERS[saver_kind]
    saver = build()
    findings = guard.find_unsaved_statistics(saver)
    statistics = _non_trainable()  # plain gradient descent: no slots, so these are the BN state
    path = str(tmp_path / "model.ckpt")
    with tf.compat.v1.Session() as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        initial = sess.run(statistics)
        sess.run(train_op, {x: DATA, is_training: True})
        trained = sess.run(statistics)
        saver.save(sess, path)
    with tf.compat.v1.Session() as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        saver.restore(sess, path)
        restored = sess.run(statistics)
    moved = {v.op.name for v, a, b in zip(statistics, initial, trained) if np.any(a != b)}
    lost = {v.op.name for v, a, b in zip(statistics, trained, restored) if np.any(a != b)}
    assert len(moved) == 2 and len(statistics) == 2  # the two statistics of the form, and training moves them
    assert lost == (set() if writes_statistics else moved)  # what really happens ...
    assert {f.variable for f in findings} == lost  # ... is what the guard says


def test_a_dict_var_list_missing_one_moving_variance_is_named(graph, request):
    _training_graph("layers", request)
    variance = next(v for v in _non_trainable() if v.op.name.endswith("moving_variance"))
    var_list = {v.op.name: v for v in tf.compat.v1.global_variables() if v is not variance}
    for saver_or_var_list in (var_list, list(var_list.values()), Saver(var_list=var_list)):
        (finding,) = guard.find_unsaved_statistics(saver_or_var_list)
        assert finding.variable == "batch_normalization/moving_variance"
        assert finding.reason in ("non-trainable, updated inside tf.cond, in UPDATE_OPS",  # control flow v2: If
                                  "non-trainable, moving average (assign_sub), in UPDATE_OPS")  # v1: inside Switch
        assert str(finding).startswith("batch_normalization/moving_variance (non-trainable")
        with pytest.raises(guard.MissingStatisticsError, match="does not write batch_normalization/moving_variance:"):
            guard.assert_statistics_saved(saver_or_var_list)
    guard.assert_statistics_saved({**var_list, "moving_variance": variance})  # complete: no error


def test_the_error_is_one_paragraph_naming_the_variables_and_the_fix(graph, request):
    _training_graph("layers", request)
    saver = Saver(var_list=tf.compat.v1.trainable_variables())
    with pytest.raises(tf1_bn.errors.MissingStatisticsError) as caught:
        guard.assert_statistics_saved(saver)
    message = str(caught.value)
    assert isinstance(caught.value, AssertionError)
    assert guard.MissingStatisticsError is tf1_bn.errors.MissingStatisticsError
    assert "MissingStatisticsError" in tf1_bn.errors.__all__ and "MissingStatisticsError" in guard.__all__
    assert "\n" not in message
    assert message.startswith("the Saver whose save op is 'save/control_dependency' does not write "
                              "batch_normalization/moving_mean, batch_normalization/moving_variance: 2 ")
    for fix in ("`tf.train.Saver()`", "`var_list=tf.global_variables()`", "add the variables named here"):
        assert fix in message


def test_the_check_leaves_the_graph_as_it_found_it(graph, request):
    _training_graph("moments_ema", request)
    saver = Saver(var_list=tf.compat.v1.trainable_variables())
    operations, version = len(graph.get_operations()), graph.version
    collections = {key: list(graph.get_collection(key)) for key in graph.get_all_collection_keys()}
    assert len(guard.find_unsaved_statistics(saver)) == 2
    assert len(guard.find_unsaved_statistics(tf.compat.v1.trainable_variables())) == 2
    with pytest.raises(guard.MissingStatisticsError):
        guard.assert_statistics_saved(saver)
    assert (len(graph.get_operations()), graph.version) == (operations, version)
    assert {key: list(graph.get_collection(key)) for key in graph.get_all_collection_keys()} == collections


@pytest.mark.parametrize("optimizer", ["adam", "momentum"])
def test_optimizer_state_steps_counters_and_metrics_are_not_statistics(graph, request, optimizer):
    """Slots, Adam's β powers, global steps (in the collection, a plain variable, `tf.assign(step, step + 1)`)
    and metric variables move too, but are not statistics."""
    build = {"adam": lambda: tf.compat.v1.train.AdamOptimizer(0.01),
             "momentum": lambda: tf.compat.v1.train.MomentumOptimizer(0.01, 0.9)}[optimizer]
    x = tf.compat.v1.placeholder(tf.float32, [None, 3])
    loss = tf.reduce_mean(tf.square(layers.batch_normalization(layers.dense(x, 3), training=True)))
    plain_step = tf.Variable(0, trainable=False, name="step")
    with tf.control_dependencies(tf.compat.v1.get_collection(GraphKeys.UPDATE_OPS)):
        train_op = build().minimize(loss, global_step=plain_step)
    collected_step = tf.compat.v1.train.get_or_create_global_step()
    epoch = tf.Variable(0, trainable=False, name="epoch")
    counters = [tf.compat.v1.assign(epoch, epoch + 1), tf.compat.v1.assign_add(collected_step, 1)]
    _, metric_update = tf.compat.v1.metrics.mean(loss)
    assert train_op is not None and counters and metric_update is not None
    assert len(_non_trainable()) > 4  # slots/powers and steps are there, non-trainable
    findings = guard.find_unsaved_statistics(tf.compat.v1.trainable_variables())
    assert [f.variable for f in findings] == ["batch_normalization/moving_mean", "batch_normalization/moving_variance"]
    assert all(f.reason == "non-trainable, moving average (assign_sub), in UPDATE_OPS" for f in findings)


def test_ema_shadows_of_the_weights_and_zero_debias_state_are_statistics(graph):
    x = tf.compat.v1.placeholder(tf.float32, [None, 3])
    h = contrib_batch_norm(layers.dense(x, 3, name="dense"), zero_debias_moving_mean=True, updates_collections=None)
    train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_mean(tf.square(h)))
    ema = tf.compat.v1.train.ExponentialMovingAverage(0.99)
    with tf.control_dependencies([train_op]):  # the tf.train.ExponentialMovingAverage docstring's recipe
        ema.apply(tf.compat.v1.trainable_variables())
    found = {f.variable for f in guard.find_unsaved_statistics(Saver(var_list=tf.compat.v1.trainable_variables()))}
    shadows = {ema.average(v).op.name for v in tf.compat.v1.trainable_variables()}
    batch_norm = {"BatchNorm/moving_mean", "BatchNorm/moving_variance", "BatchNorm/BatchNorm/moving_mean/biased"}
    assert found == shadows | batch_norm
    assert guard.find_unsaved_statistics(Saver()) == []  # ... and its step counter `local_step` is not


def test_saver_variants(graph, request):
    _training_graph("layers", request)
    trainable = tf.compat.v1.trainable_variables()
    deferred = Saver(defer_build=True)  # TF defers only without a var_list: it will write every global variable
    assert guard.find_unsaved_statistics(deferred) == []
    deferred.build()
    assert guard.find_unsaved_statistics(deferred) == []  # now read from its save op
    assert len(guard.find_unsaved_statistics(Saver(var_list=trainable, sharded=True))) == 2
    assert guard.find_unsaved_statistics(Saver(sharded=True)) == []
    v1 = Saver(var_list=trainable, write_version=tf.compat.v1.train.SaverDef.V1)
    assert len(guard.find_unsaved_statistics(v1)) == 2
    with tf.compat.v1.variable_scope("partitioned", partitioner=tf.compat.v1.fixed_size_partitioner(2)):
        partitioned = tf.compat.v1.get_variable("w", [4, 3])
    assert len(guard.find_unsaved_statistics([partitioned, *trainable])) == 2


def test_bad_arguments(graph, request):
    _training_graph("layers", request)
    saver = Saver()
    with pytest.raises(TypeError, match="must be a tf.compat.v1.train.Saver, a list of variables or a dict"):
        guard.find_unsaved_statistics("save")
    with pytest.raises(TypeError, match="must hold variables of a TF1 graph; received str"):
        guard.find_unsaved_statistics(["kernel"])
    other = tf.Graph()
    with pytest.raises(ValueError, match="'save/control_dependency' is not in `graph`"):
        guard.find_unsaved_statistics(saver, graph=other)
    with pytest.raises(ValueError, match="must belong to the same graph; 'kernel' does not"):
        guard.find_unsaved_statistics(tf.compat.v1.trainable_variables(), graph=other)


def test_outside_a_graph_it_says_so():
    if not tf.executing_eagerly():
        pytest.skip("under --tf1-behaviour there is always a default graph")
    with pytest.raises(ValueError, match="inspects a TF1 graph"):
        guard.find_unsaved_statistics([])


def test_tf1_mode_ref_variables_and_control_flow_v1():
    """Under disable_v2_behavior (RefVariables, VariableV2 savers, Switch/Merge conds) the same verdicts."""
    code = (
        "import tensorflow as tf\n"
        "tf.compat.v1.disable_v2_behavior()\n"
        "import tf1_bn.layers as layers\n"
        "from tf1_bn.guard import find_unsaved_statistics\n"
        "x = tf.compat.v1.placeholder(tf.float32, [None, 3]); t = tf.compat.v1.placeholder(tf.bool, [])\n"
        "loss = tf.reduce_mean(tf.square(layers.batch_normalization(x, training=t) - 1.0))\n"
        "with tf.control_dependencies(tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)):\n"
        "    tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(loss)\n"
        "bad = tf.compat.v1.train.Saver(var_list=tf.compat.v1.trainable_variables())\n"
        "good = tf.compat.v1.train.Saver()\n"
        "print(type(tf.compat.v1.global_variables()[0]).__name__, len(find_unsaved_statistics(good)),\n"
        "      [f.variable for f in find_unsaved_statistics(bad)])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "RefVariable 0 ['batch_normalization/moving_mean', 'batch_normalization/moving_variance']"
    )


# guard_sessions: the Savers built in the block.

def _saved_files(tmp_path):
    return sorted(p for p in os.listdir(tmp_path) if p.startswith("model.ckpt"))


def test_guard_sessions_checks_a_saver_before_it_writes(graph, request, tmp_path):
    x, is_training, train_op = _training_graph("layers", request)
    path = str(tmp_path / "model.ckpt")
    with guard.guard_sessions():
        saver = Saver(var_list=tf.compat.v1.trainable_variables())
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            sess.run(train_op, {x: DATA, is_training: True})
            with pytest.raises(guard.MissingStatisticsError, match="batch_normalization/moving_mean"):
                saver.save(sess, path)
    assert _saved_files(tmp_path) == []  # no checkpoint without its statistics was written
    with guard.guard_sessions(on_missing="warn"):
        saver = Saver(var_list=tf.compat.v1.trainable_variables())
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            with pytest.warns(RuntimeWarning, match="moving_variance"):
                saver.save(sess, path)
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                saver.save(sess, path)  # checked once only
    assert _saved_files(tmp_path)


def test_guard_sessions_checks_unused_savers_at_the_end_and_never_restoring_ones(graph, request, tmp_path):
    _training_graph("assign", request)
    path = str(tmp_path / "model.ckpt")
    with pytest.raises(guard.MissingStatisticsError, match="assign_batch_norm/pop_mean"):
        with guard.guard_sessions():
            Saver(var_list=tf.compat.v1.trainable_variables())  # built, never used: checked when the block ends
    with guard.guard_sessions():
        full, weights_only = Saver(), Saver(var_list=tf.compat.v1.trainable_variables())
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            full.save(sess, path)
            weights_only.restore(sess, path)  # restoring a subset is fine (fine-tuning from pretrained weights)
    with pytest.raises(KeyError):  # an error in the block propagates unchanged, no check at the end
        with guard.guard_sessions():
            Saver(var_list=tf.compat.v1.trainable_variables())
            raise KeyError("the block's own error")


def test_the_saver_class_is_restored(graph, request):
    original = {name: vars(Saver)[name] for name in ("__init__", "save", "restore")}
    with pytest.raises(RuntimeError):
        with guard.record_savers() as record:
            assert vars(Saver)["__init__"] is not original["__init__"]
            Saver(var_list=[tf.Variable(1.0)])
            assert len(record) == 1
            raise RuntimeError
    assert {name: vars(Saver)[name] for name in original} == original
    with guard.guard_sessions():
        pass
    assert {name: vars(Saver)[name] for name in original} == original
    with pytest.raises(ValueError, match="`on_missing` must be 'raise' or 'warn'; received 'ignore'"):
        guard.SaverRecord("ignore")


# The benchmark module, at a tiny size (no timing asserted).

def test_bench_runs_at_a_small_size(capsys):
    from tf1_bn.guard import bench

    assert bench.main(["--ops", "600", "--ops", "300", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines() if line.split()[0].replace(",", "").isdigit()]
    assert [row[1] for row in rows] == ["find_unattached_update_ops", "find_unsaved_statistics", "both"] * 2
    assert all(int(row[0].replace(",", "")) >= 300 and int(row[2]) >= 2 for row in rows)
    assert [int(row[0].replace(",", "")) >= 600 for row in rows] == [True] * 3 + [False] * 3
    assert out.count("(1.0 = linear)") == 3
    with pytest.raises(ValueError, match="`blocks` must be at least 1; received 0"):
        bench.build_graph(0)
