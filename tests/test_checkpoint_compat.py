"""Checkpoints move both ways between TF1's layer (tf_keras legacy, the oracle) and tf1_bn's."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import tf1_bn.layers as layers

CONFIGS = [
    ((None, 5), {}),
    ((None, 4, 4, 3), {}),  # fused NHWC
    ((None, 3, 4, 4), dict(axis=1, fused=False)),
    ((None, 5), dict(renorm=True)),
    ((8, 5), dict(virtual_batch_size=2)),
]


def _model(batch_normalization, shape, kwargs):
    """Two stacked BN layers with a dense layer between them, trained for a few steps."""
    x = tf.compat.v1.placeholder(tf.float32, shape)
    is_training = tf.compat.v1.placeholder(tf.bool, [])
    h = batch_normalization(x, training=is_training, **kwargs)
    kernel = tf.compat.v1.get_variable("kernel", [shape[-1], shape[-1]], initializer=tf.compat.v1.glorot_uniform_initializer(seed=1))
    h = tf.tensordot(h, kernel, axes=[[len(shape) - 1], [0]])
    y = batch_normalization(h, training=is_training, **kwargs)
    loss = tf.reduce_mean(tf.square(y - 1.0))
    with tf.control_dependencies(tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)):
        train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(loss)
    return x, is_training, y, train_op


@pytest.mark.parametrize("writer", ["tf_keras", "tf1_bn"])
@pytest.mark.parametrize("shape, kwargs", CONFIGS, ids=[str(c[1] or "default") for c in CONFIGS])
def test_checkpoint_round_trip(tmp_path, rng, legacy_tf_layers, writer, shape, kwargs):
    implementations = {"tf_keras": legacy_tf_layers.batch_normalization, "tf1_bn": layers.batch_normalization}
    reader = "tf1_bn" if writer == "tf_keras" else "tf_keras"
    data = rng.standard_normal([8 if d is None else d for d in shape]).astype(np.float32) * 2 + 3
    outputs, names = {}, {}
    for role, name in (("writer", writer), ("reader", reader)):
        with tf.Graph().as_default():
            x, is_training, y, train_op = _model(implementations[name], shape, kwargs)
            saver = tf.compat.v1.train.Saver()
            with tf.compat.v1.Session() as sess:
                if role == "writer":
                    sess.run(tf.compat.v1.global_variables_initializer())
                    for _ in range(5):
                        sess.run(train_op, {x: data, is_training: True})
                    saver.save(sess, str(tmp_path / "model.ckpt"))
                else:
                    saver.restore(sess, str(tmp_path / "model.ckpt"))
                outputs[role] = sess.run(y, {x: data, is_training: False})
            names[role] = sorted(v.name for v in tf.compat.v1.global_variables())
    assert names["writer"] == names["reader"]
    np.testing.assert_allclose(outputs["reader"], outputs["writer"], rtol=0, atol=1e-5)
