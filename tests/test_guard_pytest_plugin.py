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
