"""tf1_bn.lint on TF1 snippets: each snippet marks the lines it expects a finding on with `# expect: CODE`;
unmarked snippets must lint clean. The seeds' code is here too: seed 002's `train` method (correct) and
seed 003's hand-written `batch_norm_layer` (moments + EMA, no UPDATE_OPS at all)."""

from __future__ import annotations

import re
import textwrap

import pytest

from tf1_bn.lint import CODES, Finding, lint_source

HEAD = "import tensorflow as tf\n"


def expected(source: str) -> list[tuple[str, int]]:
    """(code, line) pairs marked in `source` by `# expect: BN001[, BN004]` comments."""
    found = []
    for number, line in enumerate(source.splitlines(), start=1):
        if "# expect:" in line:
            found.extend((code, number) for code in re.findall(r"BN\d{3}", line.split("# expect:", 1)[1]))
    return sorted(found)


def check(source: str) -> list[Finding]:
    """Assert the findings are exactly the marked ones; return them."""
    if source.startswith(HEAD):  # snippets are written `HEAD + """<indented body>"""`
        source = HEAD + textwrap.dedent(source[len(HEAD):])
    findings = lint_source(source, "<case>")
    assert sorted((f.code, f.line) for f in findings) == expected(source), "\n".join(map(str, findings))
    return findings


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


def test_the_pitfall_lab_snippets_get_their_codes():
    """tf1_bn.article.pitfalls shows the lint's verdict on each pitfall's TF1 pattern: one code per bug."""
    pitfalls = pytest.importorskip("tf1_bn.article.pitfalls")
    verdicts = {"correct": set(), "omitted": {"BN001"}, "through_loss": {"BN002"}, "collected_early": {"BN003"},
                "batch_of_one": {"BN004"}, "few_steps": set(), "ema_decay_half": set()}
    rows = [p for p in pitfalls.PITFALLS if p.key in verdicts]
    assert rows
    assert {p.key: {f.code for f in lint_source(p.snippet)} for p in rows} == {p.key: verdicts[p.key] for p in rows}


def test_bn004_points_at_the_literal():
    (finding,) = check(HEAD + "h = tf.layers.batch_normalization(\n    x,\n    training=True)  # expect: BN004\n")
    assert finding.col == 14 and "training=True written literally" in finding.message


@pytest.mark.parametrize("comment, silenced", [
    ("# noqa", True), ("# noqa: BN001", True), ("# NOQA:BN004,BN001", True), ("# noqa: BN004", False),
    ("# no qa", False),
])
def test_noqa(comment, silenced):
    source = HEAD + f"h = tf.layers.batch_normalization(x, training=t)\nop = opt.minimize(loss)  {comment}\n"
    assert [f.code for f in lint_source(source)] == ([] if silenced else ["BN001"])


def test_findings_sorted_and_formatted():
    source = HEAD + ("ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)\n"
                     "h = tf.layers.batch_normalization(x, training=True)\n"
                     "op = opt.minimize(loss)\n")
    findings = lint_source(source, "model.py")
    assert [(f.line, f.code) for f in findings] == [(2, "BN003"), (3, "BN004"), (4, "BN001")]
    assert str(findings[0]).startswith("model.py:2:7: BN003 UPDATE_OPS read before")
    assert {f.code for f in findings} <= set(CODES)


@pytest.mark.parametrize("source, where", [
    ("def f(:\n    pass\n", "net.py:1:"),
    ("x = 1\nprint 'python 2'\n", "net.py:2:"),
])
def test_syntax_error_names_file_and_line(source, where):
    with pytest.raises(ValueError, match=re.escape(where) + " syntax error"):
        lint_source(source, "net.py")
