"""`tf1_bn.install()` / `uninstall()`: the real `tensorflow` patched for TF1 scripts, idempotently, and undone;
and the reason it exists: TensorFlow's own `tf_upgrade_v2` output runs after install()."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
import tensorflow as tf

import tf1_bn
from tf1_bn.compat import install as installation

PATCHED_MODULES = ["tensorflow.layers", "tensorflow.contrib", "tensorflow.contrib.layers",
                   "tensorflow.examples.tutorials.mnist.input_data"]


@pytest.fixture
def installed():
    assert not installation.installed()
    tf1_bn.install()
    try:
        yield
    finally:
        tf1_bn.uninstall()


def test_before_install_keras3_refuses_the_tf1_layers():
    with pytest.raises(AttributeError, match="Keras 3"):
        tf.compat.v1.layers.batch_normalization  # noqa: B018  (the failure tf1_bn exists for)


def test_install_is_idempotent_and_uninstall_undoes_it():
    original_layers = tf.compat.v1.layers
    before = {key: sys.modules.get(key) for key in PATCHED_MODULES}
    tf1_bn.install()
    try:
        state = (tf.compat.v1.layers, tf.layers, tf.contrib, list(installation._changes))
        assert not tf.executing_eagerly()
        tf1_bn.install()  # the second call changes nothing
        assert (tf.compat.v1.layers, tf.layers, tf.contrib, list(installation._changes)) == state
        import tf1_bn.v1.layers as restored

        assert tf.compat.v1.layers is restored and tf.layers is restored
        from tensorflow.examples.tutorials.mnist import input_data

        assert input_data.read_data_sets.__module__ == "tf1_bn.mnist.input_data"
    finally:
        tf1_bn.uninstall()
    assert tf.compat.v1.layers is original_layers
    assert not hasattr(tf, "layers") and not hasattr(tf, "contrib") and not hasattr(tf, "examples")
    assert {key: sys.modules.get(key) for key in PATCHED_MODULES} == before
    assert tf.executing_eagerly()
    tf1_bn.uninstall()  # a second uninstall is a no-op
    assert tf.executing_eagerly() and not installation.installed()


def test_after_install_tf_compat_v1_layers_are_tf1s(installed):
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 3])
        training = tf.compat.v1.placeholder(tf.bool)
        tf.compat.v1.layers.batch_normalization(tf.compat.v1.layers.dense(x, 4), training=training)
        h = tf.contrib.layers.batch_norm(x, is_training=training, updates_collections=None)
    names = sorted(v.op.name for v in graph.get_collection(tf.compat.v1.GraphKeys.GLOBAL_VARIABLES))
    assert names == ["BatchNorm/beta", "BatchNorm/moving_mean", "BatchNorm/moving_variance",
                     "batch_normalization/beta", "batch_normalization/gamma", "batch_normalization/moving_mean",
                     "batch_normalization/moving_variance", "dense/bias", "dense/kernel"]
    assert len(graph.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)) == 2  # contrib's updates are in place
    assert h.shape.as_list() == [None, 3]


LEGACY_SCRIPT = """
import numpy as np
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 4])
y = tf.placeholder(tf.float32, [None, 2])
is_training = tf.placeholder(tf.bool)
h = tf.layers.dense(x, 8, use_bias=False)
h = tf.nn.relu(tf.layers.batch_normalization(h, training=is_training))
logits = tf.layers.dense(h, 2)
loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
mean = [v for v in tf.global_variables() if v.op.name == "batch_normalization/moving_mean"][0]
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    rng = np.random.RandomState(0)
    for _ in range(5):
        sess.run(train_op, {x: rng.rand(6, 4), y: np.eye(2)[rng.randint(0, 2, 6)], is_training: True})
    print("moving mean moved:", bool(np.abs(sess.run(mean)).max() > 0))
"""


def test_tf_upgrade_v2_output_runs_after_install(tmp_path):
    """TensorFlow's converter rewrites tf.layers.batch_normalization to tf.compat.v1.layers.batch_normalization
    (dead on Keras 3) and leaves tf.layers.dense as it was (absent in TF 2): after install() both work."""
    (tmp_path / "legacy.py").write_text(LEGACY_SCRIPT)
    converter = [sys.executable, "-m", "tensorflow.tools.compatibility.tf_upgrade_v2_main"]  # = tf_upgrade_v2
    subprocess.run([*converter, "--infile", "legacy.py", "--outfile", "converted.py"], cwd=tmp_path,
                   capture_output=True, check=True, timeout=120)
    converted = (tmp_path / "converted.py").read_text()
    assert "tf.compat.v1.layers.batch_normalization(" in converted and "tf.layers.dense(" in converted
    runner = textwrap.dedent("""
        import runpy
        import tf1_bn
        tf1_bn.install()
        runpy.run_path("converted.py", run_name="__main__")
    """)
    done = subprocess.run([sys.executable, "-c", runner], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "moving mean moved: True" in done.stdout
