"""BN001: a train op built without a dependency on UPDATE_OPS, and the layers that need none."""

from __future__ import annotations

import pytest
from lint_snippets import HEAD, check


BN001 = {
    "omitted": HEAD + """
        h = tf.layers.batch_normalization(x, training=is_training)
        train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)  # expect: BN001
        """,
    "apply_gradients": HEAD + """
        h = tf.layers.batch_normalization(x, training=is_training)
        optimizer = tf.train.AdamOptimizer(1e-3)
        grads = optimizer.compute_gradients(loss)
        train_op = optimizer.apply_gradients(grads)  # expect: BN001
        """,
    "unrelated_dependency": HEAD + """
        h = tf.layers.batch_normalization(x, training=is_training)
        with tf.control_dependencies([ema_apply_op]):
            train_op = tf.train.AdamOptimizer().minimize(loss)  # expect: BN001
        """,
    "helper_called_outside_block": HEAD + """
        def make_train_op(loss):
            return tf.train.AdamOptimizer().minimize(loss)  # expect: BN001

        h = tf.layers.batch_normalization(x, training=is_training)
        train_op = make_train_op(loss)
        """,
    "train_method_never_called_here": HEAD + """
        class Model:
            def build(self, x):
                self.h = tf.layers.batch_normalization(x, training=self.is_training)

            def train(self, loss):
                self.train_op = self.optimizer.minimize(loss)  # expect: BN001
        """,
    "if_without_protected_branch": HEAD + """
        h = tf.layers.batch_normalization(x, training=is_training)
        if use_adam:
            train_op = tf.train.AdamOptimizer().minimize(loss)  # expect: BN001
        else:
            train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)  # expect: BN001
        """,
    "two_optimizers_one_forgotten": HEAD + """
        h = tf.layers.batch_normalization(x, training=is_training)
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            d_optim = tf.train.AdamOptimizer().minimize(d_loss)
        g_optim = tf.train.AdamOptimizer().minimize(g_loss)  # expect: BN001
        """,
    "gradients_outside_block": HEAD + """
        h = tf.layers.batch_normalization(x, training=is_training)
        grads = tf.gradients(loss, params)
        with tf.control_dependencies([global_step]):
            train_op = optimizer.apply_gradients(zip(grads, params))  # expect: BN001
        """,
    "library_module_inference_and_training": HEAD + """
        def inference(images, is_training):
            return tf.layers.dense(tf.layers.batch_normalization(images, training=is_training), 10)

        def training(loss, learning_rate):
            return tf.train.GradientDescentOptimizer(learning_rate).minimize(loss)  # expect: BN001
        """,
    "partial": HEAD + """
        import functools
        bn = functools.partial(tf.layers.batch_normalization, training=is_training, momentum=0.9)
        h = bn(x)
        train_op = optimizer.minimize(loss)  # expect: BN001
        """,
}


@pytest.mark.parametrize("source", BN001.values(), ids=BN001.keys())
def test_bn001_train_op_without_update_ops(source):
    check(source)


def test_bn001_names_the_batch_norm_line():
    (finding,) = check(HEAD + "\nh = tf.layers.batch_normalization(x, training=t)\n"
                       "h = tf.layers.batch_normalization(h, training=t)\n"
                       "train_op = optimizer.minimize(loss)  # expect: BN001\n")
    assert finding.col == 12
    assert "tf.layers.batch_normalization at line 3 and 1 more" in finding.message
    assert "optimizer.minimize()" in finding.message and "tf.control_dependencies" in finding.message


UPDATES_IN_PLACE = {
    "contrib_none": HEAD + """
        h = tf.contrib.layers.batch_norm(x, is_training=is_training, updates_collections=None)
        train_op = tf.train.AdamOptimizer().minimize(loss)
        """,
    "slim_positional_none": HEAD + """
        slim = tf.contrib.slim
        h = slim.batch_norm(x, 0.9, True, True, 1e-5, None, None, None, None, is_training)
        train_op = tf.train.AdamOptimizer().minimize(loss)
        """,
    "normalizer_params_none": HEAD + """
        slim = tf.contrib.slim
        bn_params = {"is_training": is_training, "decay": 0.9, "updates_collections": None}
        h = slim.fully_connected(x, 64, normalizer_fn=slim.batch_norm, normalizer_params=bn_params)
        train_op = tf.train.AdamOptimizer().minimize(loss)
        """,
    "arg_scope_none": HEAD + """
        import tensorflow.contrib.slim as slim
        with slim.arg_scope([slim.batch_norm], is_training=is_training, updates_collections=None):
            h = slim.batch_norm(slim.conv2d(x, 32, 3, activation_fn=None))
        train_op = tf.train.AdamOptimizer().minimize(loss)
        """,
    # DCGAN-style wrapper class (the common carpedm20 pattern): updates in place.
    "dcgan_wrapper": HEAD + """
        class batch_norm(object):
            def __init__(self, epsilon=1e-5, momentum=0.9, name="batch_norm"):
                self.epsilon, self.momentum, self.name = epsilon, momentum, name

            def __call__(self, x, train=True):
                return tf.contrib.layers.batch_norm(x, decay=self.momentum, updates_collections=None,
                                                    epsilon=self.epsilon, scale=True, is_training=train,
                                                    scope=self.name)

        d_optim = tf.train.AdamOptimizer(2e-4, beta1=0.5).minimize(d_loss, var_list=d_vars)
        """,
    "slim_create_train_op": HEAD + """
        slim = tf.contrib.slim
        net = slim.batch_norm(x, is_training=is_training)
        train_op = slim.learning.create_train_op(total_loss, tf.train.AdamOptimizer())
        """,
    "contrib_training_create_train_op": HEAD + """
        net = tf.contrib.layers.batch_norm(x, is_training=is_training)
        train_op = tf.contrib.training.create_train_op(total_loss, tf.train.AdamOptimizer())
        """,
}


@pytest.mark.parametrize("source", UPDATES_IN_PLACE.values(), ids=UPDATES_IN_PLACE.keys())
def test_no_bn001_when_nothing_goes_to_update_ops_or_the_helper_adds_them(source):
    check(source)
