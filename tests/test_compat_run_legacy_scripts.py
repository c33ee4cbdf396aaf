"""`tf1-bn run` on TF1 scripts written the way well-known TF1 code was: a BN tutorial, a DCGAN, a slim net.

Each script is unmodified TF1 (`import tensorflow as tf`, `x.get_shape()[1].value`, `tf.contrib.*`), checks
its own TF1 expectations with `assert`, and prints a marker line when it reaches the end. It runs in-process
through the CLI's `main`; afterwards TensorFlow must be back to TF2 (eager, int shapes).
"""

from __future__ import annotations

import re
import textwrap

import pytest
import tensorflow as tf

from tf1_bn.cli.main import main

BN_TUTORIAL = """
    import numpy as np
    import tensorflow as tf

    def dense_bn_relu(x, size, is_training, name):
        # Sized from the incoming tensor, as TF1 tutorials did: x.get_shape()[1].value
        with tf.variable_scope(name):
            w = tf.get_variable("w", [x.get_shape()[1].value, size],
                                initializer=tf.truncated_normal_initializer(stddev=0.1))
            z = tf.matmul(x, w)  # no bias: batch norm's beta replaces it
            return tf.nn.relu(tf.layers.batch_normalization(z, momentum=0.9, training=is_training))

    x = tf.placeholder(tf.float32, [None, 20])
    y_ = tf.placeholder(tf.float32, [None, 3])
    is_training = tf.placeholder(tf.bool, name="is_training")
    h1 = dense_bn_relu(x, 16, is_training, "layer1")
    h2 = dense_bn_relu(h1, 8, is_training, "layer2")
    w_out = tf.Variable(tf.truncated_normal([h2.get_shape().as_list()[1], 3], stddev=0.1), name="w_out")
    logits = tf.matmul(h2, w_out) + tf.Variable(tf.zeros([3]), name="b_out")
    assert h2.get_shape()[1].value == 8 and h2.get_shape()[0].value is None
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=logits))

    # The recipe: the moving averages only update when the train op depends on UPDATE_OPS.
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert len(update_ops) == 4, update_ops
    with tf.control_dependencies(update_ops):
        train_step = tf.train.AdamOptimizer(0.01).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y_, 1)), tf.float32))

    moving_mean = [v for v in tf.global_variables() if v.op.name == "layer1/batch_normalization/moving_mean"][0]
    np.random.seed(0)
    data = np.random.randn(64, 20).astype(np.float32) + 2.0
    labels = np.eye(3, dtype=np.float32)[np.random.randint(0, 3, 64)]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(10):
            sess.run(train_step, {x: data, y_: labels, is_training: True})
        trained = sess.run(moving_mean)
        assert np.abs(trained).max() > 0, "the moving mean never moved"
        acc = sess.run(accuracy, {x: data, y_: labels, is_training: False})
        assert np.array_equal(sess.run(moving_mean), trained), "evaluation changed the moving mean"
    print("BN-TUTORIAL OK accuracy=%.2f" % acc)
"""

DCGAN = """
    import numpy as np
    import tensorflow as tf

    BATCH_SIZE, Z_DIM = 8, 16

    def lrelu(x, leak=0.2):
        return tf.maximum(x, leak * x)

    def bn(x, is_training, scope):
        return tf.contrib.layers.batch_norm(x, decay=0.9, epsilon=1e-5, scale=True, updates_collections=None,
                                            is_training=is_training, scope=scope)

    def generator(z, is_training):
        with tf.variable_scope("generator"):
            h0 = tf.layers.dense(z, 4 * 4 * 32, name="g_h0_lin")
            h0 = tf.nn.relu(bn(tf.reshape(h0, [BATCH_SIZE, 4, 4, 32]), is_training, "g_bn0"))
            h1 = tf.layers.conv2d_transpose(h0, 16, 5, strides=2, padding="same", name="g_h1")
            h1 = tf.nn.relu(bn(h1, is_training, "g_bn1"))
            h2 = tf.layers.conv2d_transpose(h1, 1, 5, strides=2, padding="same", name="g_h2")
            return tf.nn.tanh(h2)

    def discriminator(image, is_training, reuse=False):
        with tf.variable_scope("discriminator", reuse=reuse):
            h0 = lrelu(tf.layers.conv2d(image, 16, 5, strides=2, padding="same", name="d_h0_conv"))
            h1 = tf.layers.conv2d(h0, 32, 5, strides=2, padding="same", name="d_h1_conv")
            h1 = lrelu(bn(h1, is_training, "d_bn1"))
            h2 = tf.layers.dense(tf.reshape(h1, [BATCH_SIZE, -1]), 1, name="d_h2_lin")
            return tf.nn.sigmoid(h2), h2

    z = tf.placeholder(tf.float32, [BATCH_SIZE, Z_DIM], name="z")
    images = tf.placeholder(tf.float32, [BATCH_SIZE, 16, 16, 1], name="real_images")
    is_training = tf.placeholder(tf.bool, name="is_training")
    G = generator(z, is_training)
    assert G.get_shape().as_list() == [BATCH_SIZE, 16, 16, 1], G.get_shape()
    assert G.get_shape().is_fully_defined() and G.get_shape()[1].value == 16
    D, D_logits = discriminator(images, is_training)
    D_, D_logits_ = discriminator(G, is_training, reuse=True)

    def sigmoid_loss(logits, target):
        return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(logits=logits, labels=target))

    d_loss = sigmoid_loss(D_logits, tf.ones_like(D)) + sigmoid_loss(D_logits_, tf.zeros_like(D_))
    g_loss = sigmoid_loss(D_logits_, tf.ones_like(D_))
    t_vars = tf.trainable_variables()
    d_vars = [v for v in t_vars if v.name.startswith("discriminator/")]
    g_vars = [v for v in t_vars if v.name.startswith("generator/")]
    assert len(d_vars) == 8 and len(g_vars) == 10, ([v.name for v in d_vars], [v.name for v in g_vars])
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []  # updates_collections=None: in place

    total, _ = tf.contrib.slim.model_analyzer.analyze_vars(tf.trainable_variables(), print_info=True)
    g_size = (Z_DIM * 512 + 512) + 2 * 32 + (5 * 5 * 16 * 32 + 16) + 2 * 16 + (5 * 5 * 1 * 16 + 1)
    d_size = (5 * 5 * 1 * 16 + 16) + (5 * 5 * 16 * 32 + 32) + 2 * 32 + (4 * 4 * 32 * 1 + 1)
    assert total == g_size + d_size, (total, g_size + d_size)

    d_optim = tf.train.AdamOptimizer(2e-4, beta1=0.5).minimize(d_loss, var_list=d_vars)
    g_optim = tf.train.AdamOptimizer(2e-4, beta1=0.5).minimize(g_loss, var_list=g_vars)
    g_moving = [v for v in tf.global_variables() if v.op.name == "generator/g_bn0/moving_mean"][0]
    d_moving = [v for v in tf.global_variables() if v.op.name == "discriminator/d_bn1/moving_variance"][0]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        feed = {z: np.random.uniform(-1, 1, [BATCH_SIZE, Z_DIM]).astype(np.float32),
                images: np.random.uniform(-1, 1, [BATCH_SIZE, 16, 16, 1]).astype(np.float32), is_training: True}
        d_before = sess.run(d_vars[0])
        sess.run(d_optim, feed)
        sess.run(g_optim, feed)
        assert not np.allclose(sess.run(d_vars[0]), d_before)
        assert np.abs(sess.run(g_moving)).max() > 0 and not np.allclose(sess.run(d_moving), 1.0)
        samples = sess.run(G, {z: feed[z], is_training: False})
        assert samples.shape == (BATCH_SIZE, 16, 16, 1) and np.abs(samples).max() <= 1.0
    print("DCGAN OK total=%d" % total)
"""

SLIM_NET = """
    import os
    import sys
    import numpy as np
    import tensorflow as tf

    slim = tf.contrib.slim
    CHECKPOINT = os.path.join(sys.argv[1], "tiny_net.ckpt")

    def tiny_net(images, num_classes, is_training, scope="tiny_net"):
        with tf.variable_scope(scope, "tiny_net", [images]) as sc:
            end_points_collection = sc.original_name_scope + "_end_points"
            with slim.arg_scope([slim.conv2d, slim.fully_connected, slim.max_pool2d],
                                outputs_collections=end_points_collection):
                with slim.arg_scope([slim.conv2d, slim.fully_connected], normalizer_fn=slim.batch_norm,
                                    normalizer_params={"is_training": is_training, "decay": 0.9},
                                    weights_regularizer=slim.l2_regularizer(1e-4)):
                    net = slim.repeat(images, 2, slim.conv2d, 8, [3, 3], scope="conv1")
                    net = slim.max_pool2d(net, [2, 2], scope="pool1")
                    net = slim.stack(net, slim.conv2d, [(16, [3, 3]), (16, [1, 1])], scope="conv2")
                    net = slim.max_pool2d(net, [2, 2], scope="pool2")
                    net = slim.stack(slim.flatten(net), slim.fully_connected, [32, 16], scope="fc")
                    logits = slim.fully_connected(net, num_classes, activation_fn=None, normalizer_fn=None,
                                                  scope="logits")
            end_points = slim.utils.convert_collection_to_dict(end_points_collection)
            end_points["predictions"] = slim.softmax(logits, scope="predictions")
            return logits, end_points

    images = tf.placeholder(tf.float32, [None, 8, 8, 1])
    labels = tf.placeholder(tf.float32, [None, 4])
    is_training = tf.placeholder(tf.bool, [])
    logits, end_points = tiny_net(images, 4, is_training)
    expected = ["tiny_net/conv1/conv1_1", "tiny_net/conv1/conv1_2", "tiny_net/pool1", "tiny_net/conv2/conv2_1",
                "tiny_net/conv2/conv2_2", "tiny_net/pool2", "tiny_net/fc/fc_1", "tiny_net/fc/fc_2", "tiny_net/logits",
                "predictions"]
    assert list(end_points) == expected, list(end_points)
    assert end_points["tiny_net/pool2"].get_shape().as_list() == [None, 2, 2, 16]
    assert end_points["predictions"].get_shape()[1].value == 4
    assert len(slim.get_variables_by_name("moving_mean")) == 6

    slim.losses.softmax_cross_entropy(logits, labels)
    total_loss = slim.losses.get_total_loss()
    assert len(slim.losses.get_losses()) == 1
    assert len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == 7
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = tf.train.MomentumOptimizer(0.05, 0.9).minimize(
            total_loss, global_step=tf.train.get_or_create_global_step())

    np.random.seed(1)
    feed = {images: np.random.rand(16, 8, 8, 1).astype(np.float32),
            labels: np.eye(4, dtype=np.float32)[np.random.randint(0, 4, 16)], is_training: True}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(train_op, feed)
        trained = {v.op.name: sess.run(v) for v in slim.get_model_variables()}
        tf.train.Saver().save(sess, CHECKPOINT)

    # Fine-tuning: a new graph with 6 classes restores everything but the logits.
    with tf.Graph().as_default():
        logits, _ = tiny_net(tf.placeholder(tf.float32, [None, 8, 8, 1]), 6, False)
        variables_to_restore = slim.get_variables_to_restore(exclude=["tiny_net/logits"])
        names = [v.op.name for v in variables_to_restore]
        assert len(names) == len(slim.get_model_variables()) - 2 and not any("logits" in n for n in names), names
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            tf.train.Saver(variables_to_restore).restore(sess, CHECKPOINT)
            for v in variables_to_restore:
                assert np.array_equal(sess.run(v), trained[v.op.name]), v.op.name
            assert sess.run(slim.get_variables_by_name("moving_mean")[0]).any()  # restored, not re-initialized
            assert logits.get_shape().as_list() == [None, 6]
    print("SLIM OK restored=%d" % len(names))
"""

SCRIPTS = {
    "bn_tutorial": (BN_TUTORIAL, [r"^BN-TUTORIAL OK accuracy=\d\.\d\d$"]),
    "dcgan": (DCGAN, [
        r"^generator/g_h1/kernel:0 \(float32(_ref)? 5x5x16x32\) \[12800, bytes: 51200\]$",
        r"^discriminator/d_bn1/gamma:0 \(float32(_ref)? 32\) \[32, bytes: 128\]$",
        r"^Total size of variables: 35842$",
        r"^DCGAN OK total=35842$",
    ]),
    "slim_net": (SLIM_NET, [r"^SLIM OK restored=24$"]),  # 6 BN layers × (weights, beta, moving mean/variance)
}


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_legacy_script_runs_and_tensorflow_is_tf2_after(tmp_path, capsys, name):
    source, expected_lines = SCRIPTS[name]
    script = tmp_path / f"{name}.py"
    script.write_text(textwrap.dedent(source))
    code = main(["run", str(script), str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    for pattern in expected_lines:
        assert re.search(pattern, out, re.MULTILINE), f"{pattern!r} not in:\n{out}"
    assert tf.executing_eagerly()
    assert isinstance(tf.TensorShape([1])[0], int)  # TF2 shapes again: the runner undid disable_v2_tensorshape
