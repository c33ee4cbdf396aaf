"""BN004 (is_training/training written as literal True) and BN005 (contrib is_training omitted)."""

from __future__ import annotations

import pytest
from lint_snippets import HEAD, check


MODE = {
    "layers_literal_true": HEAD + """
        h = tf.layers.batch_normalization(x, training=True)  # expect: BN004
        """,
    "layer_object_literal_true": HEAD + """
        h = tf.layers.BatchNormalization(axis=1)(x, training=True)  # expect: BN004
        """,
    "layer_object_positional_true": HEAD + """
        bn = tf.layers.BatchNormalization()
        h = bn(x, True)  # expect: BN004
        """,
    "contrib_literal_true": HEAD + """
        h = tf.contrib.layers.batch_norm(x, is_training=True, updates_collections=None)  # expect: BN004
        """,
    "normalizer_params_literal_true": HEAD + """
        slim = tf.contrib.slim
        h = slim.conv2d(x, 32, 3, normalizer_fn=slim.batch_norm,
                        normalizer_params={"is_training": True, "updates_collections": None})  # expect: BN004
        """,
    "separate_graphs_with_literal_false": HEAD + """
        train_h = tf.layers.batch_normalization(x, training=True, name="bn")
        eval_h = tf.layers.batch_normalization(x, training=False, name="bn", reuse=True)
        """,
    "placeholder_is_fine": HEAD + """
        h = tf.layers.batch_normalization(x, training=is_training)
        h = tf.contrib.layers.batch_norm(h, is_training=is_training, updates_collections=None)
        """,
    "contrib_omitted": HEAD + """
        h = tf.contrib.layers.batch_norm(x, updates_collections=None)  # expect: BN005
        """,
    "normalizer_fn_without_params": HEAD + """
        import tensorflow.contrib.slim as slim
        h = slim.fully_connected(x, 10, normalizer_fn=slim.batch_norm)  # expect: BN005
        train_op = tf.train.AdamOptimizer().minimize(loss)  # expect: BN001
        """,
    "omitted_under_arg_scope": HEAD + """
        import tensorflow.contrib.slim as slim
        with slim.arg_scope([slim.batch_norm], is_training=is_training, updates_collections=None):
            h = slim.batch_norm(x)
        """,
    "omitted_but_kwargs": HEAD + """
        def bn(x, **kwargs):
            return tf.contrib.layers.batch_norm(x, updates_collections=None, **kwargs)
        """,
    "layers_training_omitted_is_not_reported": HEAD + """
        h = tf.layers.batch_normalization(x)
        """,
}


@pytest.mark.parametrize("source", MODE.values(), ids=MODE.keys())
def test_bn004_literal_true_and_bn005_omitted_is_training(source):
    check(source)


def test_bn004_points_at_the_literal():
    (finding,) = check(HEAD + "h = tf.layers.batch_normalization(\n    x,\n    training=True)  # expect: BN004\n")
    assert finding.col == 14 and "training=True written literally" in finding.message
