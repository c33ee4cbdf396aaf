"""One SGD step in TF1 and in the converted Keras model gives the same weights and moving statistics, for every
model family (fused kernels with fused_variance="tf1"), renorm and ghost batches; and the gap is named otherwise."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import tf1_bn.layers as layers
from tf1_bn import migrate
from tf1_bn.migrate.converter import convert
from test_migrate_convert import FAMILIES, SHIFT, Built, placeholders, sess, tf1, train  # noqa: F401  (fixtures)

STEP_FAMILIES = [name for name in FAMILIES if name != "mlp"]  # the MLP has dropout: masks differ by framework
LEARNING_RATE = 0.05


def _loss(built: Built) -> tf.Tensor:
    return tf.reduce_mean(tf.square(built.output - 1.0))


def _batch(rng, built: Built) -> dict:
    return {built.x: (rng.normal(size=built.shape) + SHIFT).astype(np.float32)}


@pytest.mark.parametrize("family", STEP_FAMILIES)
def test_one_training_step_matches_for_each_family(sess, rng, family):
    built = FAMILIES[family]()
    loss = _loss(built)
    train(sess, built, rng)
    model = convert(sess, built.x, built.output, built.is_training, fused_variance="tf1")
    feed = _batch(rng, built)
    report = migrate.assert_training_step_parity(sess, model, feed, loss, LEARNING_RATE)
    quantities = {d.quantity for d in report.differences}
    assert {"moving_mean", "moving_variance"} <= quantities and all(d.agrees for d in report.differences)
    migrate.assert_parity(sess, model, feed, training=False)  # both sides were put back


def test_keras_default_for_a_fused_kernel_names_the_moving_variance_gap(sess, rng):
    built = FAMILIES["conv-layers-NHWC"]()
    loss = _loss(built)
    train(sess, built, rng)
    model = convert(sess, built.x, built.output, built.is_training)
    with pytest.raises(AssertionError, match=r"moving_variance \(TF1's fused kernel keeps σ²·m/\(m−1\), Keras σ²\)"):
        migrate.assert_training_step_parity(sess, model, _batch(rng, built), loss, LEARNING_RATE)


@pytest.mark.parametrize("options, layer", [
    (dict(renorm=True, renorm_clipping={"rmax": 2.0, "rmin": 0.5, "dmax": 1.0}, renorm_momentum=0.9),
     "BatchRenormalization"),
    (dict(virtual_batch_size=4), "GhostBatchNormalization"),
])
def test_renorm_and_ghost_batches_become_tf1_bn_keras_layers_that_train_alike(sess, rng, options, layer):
    x, is_training = placeholders((12, 6))
    h = layers.batch_normalization(layers.dense(x, 5, use_bias=False), training=is_training, momentum=0.8, **options)
    built = Built(x, is_training, layers.dense(tf.nn.relu(h), 2), (12, 6), {})
    loss = _loss(built)
    train(sess, built, rng)
    steps: list = []
    model = convert(sess, built.x, built.output, built.is_training, steps=steps)
    assert [s.layer for _, s in steps].count(layer) == 1
    feed = _batch(rng, built)
    for training in (False, True):
        assert migrate.assert_parity(sess, model, feed, training=training).max_abs() <= 1e-5
    migrate.assert_training_step_parity(sess, model, feed, loss, LEARNING_RATE)


def test_the_migration_fixture_checks_a_converted_model(tf1_migration, rng):
    graph = tf1_migration.graph
    with graph.as_default():
        built = FAMILIES["dcgan-discriminator-moments"]()
        loss = _loss(built)
        train(tf1_migration.session, built, rng)
    model = tf1_migration.convert(built.x, built.output, built.is_training)
    reports = tf1_migration.check_converted(model, _batch(rng, built), loss=loss, learning_rate=LEARNING_RATE)
    assert set(reports) == {"inference", "training", "training_step"}
