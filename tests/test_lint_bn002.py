"""BN002: UPDATE_OPS attached to the loss (or another tensor) instead of the train op."""

from __future__ import annotations

import pytest
from lint_snippets import HEAD, check


BN002 = {
    "identity_loss": HEAD + """
        h = tf.layers.batch_normalization(x, training=is_training)
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        with tf.control_dependencies(update_ops):  # expect: BN002
            loss = tf.identity(loss)
        train_op = tf.train.AdamOptimizer().minimize(loss)
        """,
    "method_attribute": HEAD + """
        class Model:
            def add_loss(self):
                with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):  # expect: BN002
                    self.loss = tf.reduce_mean(tf.square(self.h - self.y))

            def add_train_op(self):
                self.train_op = tf.train.AdamOptimizer().minimize(self.loss)
        """,
    "train_op_method_written_first": HEAD + """
        class Model:
            def add_train_op(self):
                self.train_op = tf.train.AdamOptimizer().minimize(self.loss)

            def add_loss(self):
                with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):  # expect: BN002
                    self.loss = tf.losses.get_total_loss()
        """,
    "with_dependencies_on_loss": HEAD + """
        from tensorflow.python.ops import control_flow_ops
        h = tf.contrib.layers.batch_norm(x, is_training=is_training)
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        total_loss = control_flow_ops.with_dependencies(update_ops, total_loss)  # expect: BN002
        train_op = tf.train.AdamOptimizer().minimize(total_loss)
        """,
    "output_tensor_and_unrelated_train_op": HEAD + """
        h = tf.layers.batch_normalization(x, training=is_training)
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):  # expect: BN002
            logits = tf.identity(h)
        train_op = tf.train.AdamOptimizer().minimize(loss)  # expect: BN001
        """,
}


@pytest.mark.parametrize("source", BN002.values(), ids=BN002.keys())
def test_bn002_update_ops_attached_to_the_loss(source):
    check(source)


NOT_BN002 = {
    "no_train_op_in_this_file": HEAD + """
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            loss = tf.identity(loss)
        """,
    "barrier_like_slim": HEAD + """
        from tensorflow.python.ops import control_flow_ops
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        with tf.control_dependencies(update_ops):
            barrier = tf.no_op(name="update_barrier")
        total_loss = control_flow_ops.with_dependencies([barrier], total_loss)
        grads = optimizer.compute_gradients(total_loss)
        grad_updates = optimizer.apply_gradients(grads)
        train_op = control_flow_ops.with_dependencies([grad_updates], total_loss)
        """,
    "unknown_helper_in_block": HEAD + """
        h = tf.layers.batch_normalization(x, training=is_training)
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            train_op = build_train_op(loss)
        """,
}


@pytest.mark.parametrize("source", NOT_BN002.values(), ids=NOT_BN002.keys())
def test_no_bn002_when_the_block_may_build_the_train_op(source):
    check(source)
