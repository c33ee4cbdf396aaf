"""The tf1_bn pytest plugin (entry point pytest11) fails tests whose train ops skip their update ops."""

from __future__ import annotations

import pytest

TRAINING = '''
import tensorflow as tf
import tf1_bn.layers as layers

def build(wired):
    with tf.Graph().as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 3])
        is_training = tf.compat.v1.placeholder(tf.bool, [])
        loss = tf.reduce_mean(tf.square(layers.batch_normalization(x, training=is_training)))
        optimizer = tf.compat.v1.train.GradientDescentOptimizer(0.1)
        if wired:
            with tf.control_dependencies(tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)):
                return optimizer.minimize(loss)
        return optimizer.minimize(loss)
'''


TESTS = """
import pytest

def test_fixture_ok(update_ops_guard):
    build(True)

def test_fixture_missing(update_ops_guard):
    build(False)

@pytest.mark.update_ops_guard
def test_marker_missing():
    build(False)

def test_unguarded():
    build(False)
"""


@pytest.mark.parametrize(
    "options, outcomes",
    [
        ([], {"test_fixture_ok": "PASSED", "test_fixture_missing": "FAILED", "test_marker_missing": "FAILED",
              "test_unguarded": "PASSED"}),
        (["--update-ops-guard"], {"test_fixture_ok": "PASSED", "test_unguarded": "FAILED"}),
    ],
    ids=["fixture-and-marker", "option-guards-every-test"],
)
def test_plugin(pytester, options, outcomes):
    pytester.makepyfile(test_training=TRAINING + TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-v", *options)
    for name, outcome in outcomes.items():
        result.stdout.fnmatch_lines([f"*::{name} {outcome}*"])
    result.stdout.fnmatch_lines(["*MissingUpdateOpsError*batch_normalization/moving_mean*"])


def test_the_optimizer_is_restored_after_a_guarded_test():
    import tensorflow as tf

    from tf1_bn.guard import record_train_ops

    original = tf.compat.v1.train.Optimizer.apply_gradients
    with record_train_ops():
        assert tf.compat.v1.train.Optimizer.apply_gradients is not original
    assert tf.compat.v1.train.Optimizer.apply_gradients is original


SAVING = '''
import tensorflow as tf
import tf1_bn.layers as layers

def build_saver(var_list):
    """A BN training graph (update ops attached) and a Saver of `var_list()` (None: Saver())."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 3])
        loss = tf.reduce_mean(tf.square(layers.batch_normalization(x, training=True)))
        with tf.control_dependencies(tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)):
            tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(loss)
        saver = tf.compat.v1.train.Saver(var_list=var_list() if var_list else None)
        return graph, saver, tf.compat.v1.global_variables_initializer()

def save(graph, saver, init, path):
    with tf.compat.v1.Session(graph=graph) as sess:
        sess.run(init)
        return saver.save(sess, path)
'''


SAVER_TESTS = """
import os
import pytest

def test_saver_trainable_only(update_ops_guard):
    build_saver(tf.compat.v1.trainable_variables)

def test_saver_default(update_ops_guard):
    build_saver(None)

@pytest.mark.update_ops_guard
def test_saver_global_saves(tmp_path):
    save(*build_saver(tf.compat.v1.global_variables), str(tmp_path / "model.ckpt"))

@pytest.mark.update_ops_guard
def test_saver_trainable_saves(tmp_path):
    try:
        save(*build_saver(tf.compat.v1.trainable_variables), str(tmp_path / "model.ckpt"))
    finally:
        assert os.listdir(tmp_path) == []  # it failed before writing

def test_saver_restore_only(update_ops_guard, tmp_path):
    graph, full, init = build_saver(None)
    path = save(graph, full, init, str(tmp_path / "model.ckpt"))
    with graph.as_default():
        weights = tf.compat.v1.train.Saver(var_list=tf.compat.v1.trainable_variables())
    with tf.compat.v1.Session(graph=graph) as sess:
        weights.restore(sess, path)  # restoring a subset (pretrained weights) is fine

def test_saver_unguarded():
    build_saver(tf.compat.v1.trainable_variables)
"""


@pytest.mark.parametrize(
    "options, outcomes",
    [
        ([], {"test_saver_trainable_only": "FAILED", "test_saver_default": "PASSED",
              "test_saver_global_saves": "PASSED", "test_saver_trainable_saves": "FAILED",
              "test_saver_restore_only": "PASSED", "test_saver_unguarded": "PASSED"}),
        (["--update-ops-guard"], {"test_saver_default": "PASSED", "test_saver_unguarded": "FAILED"}),
    ],
    ids=["fixture-and-marker", "option-guards-every-test"],
)
def test_plugin_fails_a_test_whose_saver_leaves_out_the_statistics(pytester, options, outcomes):
    pytester.makepyfile(test_saving=SAVING + SAVER_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-v", *options)
    for name, outcome in outcomes.items():
        result.stdout.fnmatch_lines([f"*::{name} {outcome}*"])
    result.stdout.fnmatch_lines(["*MissingStatisticsError: the Saver whose save op is*does not write "
                                 "batch_normalization/moving_mean, batch_normalization/moving_variance*"])
    if not options:  # the save is the failing line, and nothing was written (else `finally` would fail instead)
        result.stdout.fnmatch_lines(["*return saver.save(sess, path)*"])
        result.stdout.fnmatch_lines(["FAILED *::test_saver_trainable_saves - tf1_bn.errors.MissingStat*"])


def test_the_saver_is_restored_after_a_guarded_test():
    import tensorflow as tf

    from tf1_bn.guard import record_savers

    original = tf.compat.v1.train.Saver.__init__
    with record_savers():
        assert tf.compat.v1.train.Saver.__init__ is not original
    assert tf.compat.v1.train.Saver.__init__ is original
