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
def test_checkpoint_round_trip(checkpoint_round_trip, rng, legacy_tf_layers, writer, shape, kwargs):
    implementations = {"tf_keras": legacy_tf_layers.batch_normalization, "tf1_bn": layers.batch_normalization}
    reader = "tf1_bn" if writer == "tf_keras" else "tf_keras"

    def build(batch_normalization):
        x, is_training, y, train_op = _model(batch_normalization, shape, kwargs)
        return [x, is_training], y, train_op

    data = rng.standard_normal([8 if d is None else d for d in shape]).astype(np.float32) * 2 + 3
    written, read = checkpoint_round_trip(build, implementations[writer], implementations[reader],
                                          [data, False], train_feed=[data, True], train_steps=5)
    assert read.names == written.names
    np.testing.assert_allclose(read.output, written.output, rtol=0, atol=1e-5)
