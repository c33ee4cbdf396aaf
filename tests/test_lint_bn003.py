"""BN003: UPDATE_OPS read before the batch-norm layers that fill it."""

from __future__ import annotations

import pytest
from lint_snippets import HEAD, check


BN003 = {
    "module_level": HEAD + """
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)  # expect: BN003
        h = tf.layers.batch_normalization(x, training=is_training)
        with tf.control_dependencies(update_ops):
            train_op = tf.train.AdamOptimizer().minimize(loss)
        """,
    "between_layers": HEAD + """
        h = tf.layers.batch_normalization(x, training=is_training)
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)  # expect: BN003
        h = tf.layers.batch_normalization(h, training=is_training)
        """,
    "before_calling_the_builder": HEAD + """
        def build_network(x, training):
            return tf.layers.batch_normalization(tf.layers.dense(x, 64), training=training)

        def main():
            update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)  # expect: BN003
            logits = build_network(x, is_training)
            with tf.control_dependencies(update_ops):
                train_op = tf.train.AdamOptimizer().minimize(loss)
        """,
    "other_builder_after": HEAD + """
        def encoder(x, training):
            return tf.layers.batch_normalization(x, training=training)

        def decoder(x, training):
            return tf.contrib.layers.batch_norm(x, is_training=training)

        code = encoder(x, is_training)
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)  # expect: BN003
        image = decoder(code, is_training)
        """,
    "in_with_header": HEAD + """
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):  # expect: BN003
            h = tf.contrib.layers.batch_norm(x, is_training=is_training)
            train_op = tf.train.AdamOptimizer().minimize(loss)
        """,
}


@pytest.mark.parametrize("source", BN003.values(), ids=BN003.keys())
def test_bn003_update_ops_read_before_the_layers(source):
    check(source)


def test_bn003_names_the_later_layer():
    (finding,) = check(HEAD + "ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)  # expect: BN003\n\n"
                       "h = tf.layers.batch_normalization(x, training=t)\n")
    assert finding.col == 7 and "before the batch norm at line 4 (tf.layers.batch_normalization)" in finding.message


NOT_BN003 = {
    "other_function": HEAD + """
        def train_op_fn(loss):
            update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
            with tf.control_dependencies(update_ops):
                return tf.train.AdamOptimizer().minimize(loss)

        def model(x, training):
            return tf.layers.batch_normalization(x, training=training)
        """,
    "other_branch": HEAD + """
        if mode == "train":
            update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        else:
            h = tf.layers.batch_normalization(x, training=False)
            h = tf.layers.batch_normalization(x, training=is_training)
        """,
    "evaluation_copy_after": HEAD + """
        def network(x, training, reuse=None):
            return tf.layers.batch_normalization(x, training=training, reuse=reuse, name="bn")

        logits = network(x, is_training)
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        eval_logits = network(x_eval, is_training, reuse=True)
        reused = tf.layers.batch_normalization(x_eval, training=is_training, reuse=True, name="bn")
        with tf.variable_scope("model", reuse=True):
            reused = tf.layers.batch_normalization(x_eval, training=is_training, name="bn")
        """,
    "inference_only_layer_after": HEAD + """
        h = tf.layers.batch_normalization(x, training=is_training)
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            train_op = tf.train.AdamOptimizer().minimize(loss)
        h_eval = tf.layers.batch_normalization(x_eval, training=False, reuse=True, name="batch_normalization")
        """,
}


@pytest.mark.parametrize("source", NOT_BN003.values(), ids=NOT_BN003.keys())
def test_no_bn003_across_scopes_branches_or_for_layers_without_updates(source):
    check(source)
