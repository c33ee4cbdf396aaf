"""Correct TF1 code lints clean, including seed 002's `train` method and seed 003's `batch_norm_layer`."""

from __future__ import annotations

import pytest
from lint_snippets import HEAD, check


# The seeds' code is here too: seed 002's `train` method (correct) and seed 003's hand-written
# `batch_norm_layer` (moments + EMA, no UPDATE_OPS at all).
CORRECT = {
    "seed_000_recipe": HEAD + """
        h = tf.layers.batch_normalization(x, training=is_training)
        loss = tf.reduce_mean(tf.square(h - 1.0))
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            train_op = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
        """,
    # Seed 002 (NeuralNetwork.fully_connected / train): BN in one method, the train op in another, and a
    # plain minimize in the else branch for the network without batch norm.
    "seed_002_train_method": HEAD + """
        class NeuralNetwork:
            def fully_connected(self, layer_in, layer_weights, activation_fn=None):
                if self.use_batch_norm and activation_fn:
                    linear = tf.matmul(layer_in, tf.Variable(layer_weights))
                    normalized = tf.layers.batch_normalization(linear, training=self.is_training)
                    return activation_fn(normalized)
                return tf.matmul(layer_in, tf.Variable(layer_weights))

            def train(self, sess, learning_rate, steps):
                labels = tf.placeholder(tf.float32, [None, 10])
                cross_entropy = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(
                    labels=labels, logits=self.output_layer))
                if self.use_batch_norm:
                    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
                        train_step = tf.train.GradientDescentOptimizer(learning_rate).minimize(cross_entropy)
                else:
                    train_step = tf.train.GradientDescentOptimizer(learning_rate).minimize(cross_entropy)
                for _ in range(steps):
                    sess.run(train_step, feed_dict={self.is_training: True})
        """,
    # Seed 003's batch_norm_layer: the EMA update hangs on the forward pass through tf.cond, so a plain
    # minimize is right; no batch-norm layer, no UPDATE_OPS.
    "seed_003_batch_norm_layer": HEAD + """
        import numpy as np

        def batch_norm_layer(x, train_phase, scope_bn):
            with tf.variable_scope(scope_bn):
                beta = tf.Variable(tf.constant(0.0, shape=[x.shape[-1]]), name="beta")
                gamma = tf.Variable(tf.constant(1.0, shape=[x.shape[-1]]), name="gamma")
                batch_mean, batch_var = tf.nn.moments(x, np.arange(len(x.shape) - 1), name="moments")
                ema = tf.train.ExponentialMovingAverage(decay=0.5)

                def mean_var_with_update():
                    ema_apply_op = ema.apply([batch_mean, batch_var])
                    with tf.control_dependencies([ema_apply_op]):
                        return tf.identity(batch_mean), tf.identity(batch_var)

                mean, var = tf.cond(train_phase, mean_var_with_update,
                                    lambda: (ema.average(batch_mean), ema.average(batch_var)))
                return tf.nn.batch_normalization(x, mean, var, beta, gamma, 1e-3)

        h = batch_norm_layer(x, is_training, "bn1")
        train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        """,
    "no_batch_norm": HEAD + """
        h = tf.layers.dense(x, 128, activation=tf.nn.relu)
        train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
        """,
    "group_two_arguments": HEAD + """
        h = tf.layers.batch_normalization(x, training=is_training)
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        train_op = tf.train.AdamOptimizer().minimize(loss)
        train_op = tf.group(train_op, update_ops)
        """,
    "group_list": HEAD + """
        h = tf.layers.batch_normalization(x, training=is_training)
        train_op = tf.train.AdamOptimizer().minimize(loss)
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        train_op = tf.group([train_op, update_ops])
        """,
    "group_starred": HEAD + """
        h = tf.layers.batch_normalization(x, training=is_training)
        step = tf.train.AdamOptimizer().minimize(loss)
        self.train_op = tf.group(*tf.get_collection(tf.GraphKeys.UPDATE_OPS), step)
        """,
    "group_inline": HEAD + """
        h = tf.layers.batch_normalization(x, training=is_training)
        train_op = tf.group(tf.train.AdamOptimizer().minimize(loss), *tf.get_collection(tf.GraphKeys.UPDATE_OPS))
        """,
    "run_both": HEAD + """
        h = tf.layers.batch_normalization(x, training=is_training)
        extra_update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        train_op = tf.train.AdamOptimizer().minimize(loss)
        sess.run([train_op, extra_update_ops], feed_dict={is_training: True})
        """,
    "session_runs_updates_separately": HEAD + """
        h = tf.layers.batch_normalization(x, training=is_training)
        train_op = tf.train.AdamOptimizer().minimize(loss)
        bn_updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        for step in range(1000):
            sess.run(train_op, feed_dict={is_training: True})
            sess.run(bn_updates, feed_dict={is_training: True})
        """,
    # The slim training script's way: the gradient update joins the update-op list, grouped, and the
    # returned tensor waits for the group.
    "slim_train_script": HEAD + """
        slim = tf.contrib.slim
        logits = slim.conv2d(images, 32, 3, normalizer_fn=slim.batch_norm, normalizer_params={"is_training": training})
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS, first_clone_scope)
        grad_updates = optimizer.apply_gradients(clones_gradients, global_step=global_step)
        update_ops.append(grad_updates)
        update_op = tf.group(*update_ops)
        with tf.control_dependencies([update_op]):
            train_tensor = tf.identity(total_loss, name="train_op")
        """,
    "with_dependencies_after": HEAD + """
        from tensorflow.python.ops import control_flow_ops
        h = tf.layers.batch_normalization(x, training=is_training)
        train_op = tf.train.AdamOptimizer().minimize(loss)
        updates = tf.group(*tf.get_collection(tf.GraphKeys.UPDATE_OPS))
        train_op = control_flow_ops.with_dependencies([updates], train_op)
        """,
    "compute_gradients_inside": HEAD + """
        h = tf.layers.batch_normalization(x, training=is_training)
        optimizer = tf.train.MomentumOptimizer(0.1, 0.9)
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            grads_and_vars = optimizer.compute_gradients(loss)
        clipped = [(tf.clip_by_norm(g, 5.0), v) for g, v in grads_and_vars]
        train_op = optimizer.apply_gradients(clipped, global_step=global_step)
        """,
    "helper_called_inside_block": HEAD + """
        def make_train_op(loss, learning_rate):
            return tf.train.AdamOptimizer(learning_rate).minimize(loss)

        h = tf.layers.batch_normalization(x, training=is_training)
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            train_op = make_train_op(loss, 1e-3)
        """,
    "update_ops_as_parameter": HEAD + """
        def make_train_op(loss, update_ops):
            with tf.control_dependencies(update_ops):
                return tf.train.AdamOptimizer().minimize(loss)

        h = tf.layers.batch_normalization(x, training=is_training)
        train_op = make_train_op(loss, tf.get_collection(tf.GraphKeys.UPDATE_OPS))
        """,
    "estimator_model_fn": HEAD + """
        def model_fn(features, labels, mode):
            training = mode == tf.estimator.ModeKeys.TRAIN
            h = tf.layers.batch_normalization(features["x"], training=training)
            loss = tf.losses.mean_squared_error(labels, h)
            update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
            with tf.control_dependencies(update_ops):
                train_op = tf.train.AdamOptimizer().minimize(loss, tf.train.get_global_step())
            return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
        """,
    "collection_by_string_and_graph_method": HEAD + """
        h = tf.layers.batch_normalization(x, training=is_training)
        ops = tf.get_default_graph().get_collection("update_ops") + [ema_op]
        with tf.control_dependencies(ops):
            train_op = tf.train.AdamOptimizer().minimize(loss)
        """,
    "collection_ref_and_scope": HEAD + """
        h = tf.layers.batch_normalization(x, training=is_training, name="bn")
        with tf.control_dependencies(tf.get_collection_ref(tf.GraphKeys.UPDATE_OPS, scope="tower_0")):
            train_op = tf.train.AdamOptimizer().minimize(loss)
        """,
    "layer_object_updates": HEAD + """
        bn = tf.layers.BatchNormalization(momentum=0.9)
        h = bn(x, training=is_training)
        with tf.control_dependencies(bn.updates):
            train_op = tf.train.AdamOptimizer().minimize(loss)
        """,
    "inference_graph_only": HEAD + """
        h = tf.layers.batch_normalization(x, training=False)
        fine_tune = tf.train.AdamOptimizer().minimize(head_loss, var_list=head_vars)
        """,
    "scipy_minimize_is_not_a_train_op": HEAD + """
        import scipy.optimize
        h = tf.layers.batch_normalization(x, training=is_training)
        result = scipy.optimize.minimize(objective, x0)
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            train_op = tf.train.AdamOptimizer().minimize(loss)
        """,
    "multi_tower": HEAD + """
        def tower_loss(images, labels):
            h = tf.layers.batch_normalization(images, training=is_training)
            return tf.losses.softmax_cross_entropy(labels, tf.layers.dense(h, 10))

        def train_op_for(optimizer, images, labels):
            tower_grads = []
            for i in range(2):
                with tf.name_scope("tower_%d" % i) as scope:
                    loss = tower_loss(images[i], labels[i])
                    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS, scope)
                    with tf.control_dependencies(update_ops):
                        tower_grads.append(optimizer.compute_gradients(loss))
            return optimizer.apply_gradients(average_gradients(tower_grads))
        """,
    # A file of independent examples: the one with batch norm trains itself correctly; the others have none.
    "independent_examples": HEAD + """
        def plain_example(optimizer, x):
            def loss_fn():
                return tf.reduce_sum(tf.layers.dense(x, 1))
            return optimizer.minimize(loss_fn())

        def batch_norm_example(optimizer, x, is_training):
            def loss_fn():  # same name as above: calls resolve to the visible one
                return tf.reduce_sum(tf.layers.batch_normalization(x, training=is_training))
            loss = loss_fn()
            with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
                return optimizer.minimize(loss)
        """,
    "keras_batch_norm_is_not_a_tf1_layer": HEAD + """
        h = tf.keras.layers.BatchNormalization()(x, training=is_training)
        train_op = tf.train.AdamOptimizer().minimize(loss)
        """,
}


@pytest.mark.parametrize("source", CORRECT.values(), ids=CORRECT.keys())
def test_correct_code_is_clean(source):
    check(source)
