"""Batch normalization after a convolution: one (γ, β) per channel, statistics over [N, H, W] (seeds 001/003).

For a conv layer with C feature maps, BN treats each whole map as one "neuron": with m = N·H·W,

    μ_c = (1/m) Σ_{n,h,w} x[n,h,w,c],   σ²_c = (1/m) Σ (x − μ_c)²,   y = γ_c·(x − μ_c)/√(σ²_c + ε) + β_c

so a layer has 2·C parameters, not 2·C·H·W. The channel axis is the LAST one in NHWC and axis 1 in
NCHW, and `tf.layers.batch_normalization` must be told so: `axis=-1` (default) or `axis=1`.

The script builds the same small conv net twice — NHWC and NCHW — from the same initial weights,
trains both on the same MNIST batches, checks the per-channel statistics against NumPy, and plots
both loss curves (they coincide: the layout changes nothing but the axis).

    conv 3x3, 8 maps (no bias) → BN per channel → relu → max-pool 2x2 → flatten → dense 10

Run:
    tf1-bn run demos/conv_bn.py
    tf1-bn run demos/conv_bn.py --steps 300 --png conv_bn.png
"""

import argparse

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

from tf1_bn import reference

parser = argparse.ArgumentParser(description="BN per channel after a convolution, in NHWC and NCHW.")
parser.add_argument("--steps", type=int, default=100, help="training batches of 60 (default 100)")
parser.add_argument("--learning-rate", type=float, default=0.1)
parser.add_argument("--png", default="conv_bn.png", help="where to save the two loss curves")
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

mnist = input_data.read_data_sets("MNIST_data/", one_hot=True, reshape=False)  # images (N, 28, 28, 1)
rng = np.random.RandomState(args.seed)
conv_kernel = rng.normal(scale=0.5, size=(3, 3, 1, 8)).astype(np.float32)
dense_kernel = rng.normal(scale=0.05, size=(13 * 13 * 8, 10)).astype(np.float32)
batches = [mnist.train.next_batch(60) for _ in range(args.steps)]


def build(data_format):
    """The same net for 'channels_last' (NHWC) or 'channels_first' (NCHW) inputs."""
    channels_first = data_format == "channels_first"
    images = tf.placeholder(tf.float32, [None, 1, 28, 28] if channels_first else [None, 28, 28, 1])
    labels = tf.placeholder(tf.float32, [None, 10])
    is_training = tf.placeholder(tf.bool)
    # TF's CPU kernels implement conv2d only for NHWC (TF 2.21's default oneDNN build happens to take
    # NCHW; TF_ENABLE_ONEDNN_OPTS=0 does not). tf.layers.conv2d(data_format='channels_first') therefore
    # convolves in NHWC between two transposes, and hands back an NCHW tensor. BN below really runs on NCHW.
    conv = tf.layers.conv2d(images, 8, 3, data_format=data_format, use_bias=False,
                            kernel_initializer=tf.constant_initializer(conv_kernel))  # (N, 26, 26, 8) or (N, 8, 26, 26)
    # The channel axis: 1 for NCHW, -1 (the default) for NHWC. Statistics over the other three axes.
    normalized = tf.layers.batch_normalization(conv, axis=1 if channels_first else -1, training=is_training)
    h = tf.layers.max_pooling2d(tf.nn.relu(normalized), 2, 2, data_format=data_format)  # 13x13 maps
    # flatten(channels_first) moves channels last first, so both layouts feed the dense layer the same order.
    logits = tf.layers.dense(tf.layers.flatten(h, data_format=data_format), 10,
                             kernel_initializer=tf.constant_initializer(dense_kernel))
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = tf.train.GradientDescentOptimizer(args.learning_rate).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(labels, 1)), tf.float32))
    moving_mean = [v for v in tf.global_variables() if v.name.endswith("moving_mean:0")][0]
    return images, labels, is_training, conv, train_op, loss, accuracy, moving_mean


def layout(batch_images, data_format):
    return batch_images.transpose(0, 3, 1, 2) if data_format == "channels_first" else batch_images


curves = {}
for data_format, name in (("channels_last", "NHWC"), ("channels_first", "NCHW")):
    tf.reset_default_graph()
    images, labels, is_training, conv, train_op, loss, accuracy, moving_mean = build(data_format)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        # The per-channel batch statistics BN uses, against NumPy over (N, H, W): axes (0,1,2) or (0,2,3).
        batch_mean, batch_var = tf.nn.moments(conv, [0, 2, 3] if data_format == "channels_first" else [0, 1, 2])
        conv_out, tf_mean, tf_var = sess.run([conv, batch_mean, batch_var], {images: layout(batches[0][0], data_format)})
        mean, variance = reference.moments(conv_out.astype(np.float64), axis=1 if data_format == "channels_first" else -1)
        difference = max(np.abs(tf_mean - mean).max() / np.abs(mean).max(), np.abs(tf_var - variance).max() / variance.max())
        print(f"{name}: conv output {conv_out.shape}: {mean.size} channel means and variances over "
              f"{conv_out.size // mean.size:,} values each; TF vs NumPy (float64) within {difference:.0e} (float32 sums)")
        curves[name] = []
        for batch_x, batch_y in batches:
            _, value = sess.run([train_op, loss], {images: layout(batch_x, data_format), labels: batch_y, is_training: True})
            curves[name].append(value)
        test = {images: layout(mnist.test.images, data_format), labels: mnist.test.labels, is_training: False}
        print(f"{name}: after {args.steps} steps, loss {curves[name][-1]:.4f}, test accuracy (inference) "
              f"{sess.run(accuracy, test):.3f}, moving mean {np.round(sess.run(moving_mean)[:4], 3)} ...")

# Not bit-identical: the two layouts sum in different orders (float rounding, ~1e-5 at step 1), and
# SGD carries such differences along, so they grow slowly; the curves still coincide on the plot.
print(f"loss at step 1: NHWC {curves['NHWC'][0]:.6f}, NCHW {curves['NCHW'][0]:.6f}; largest difference over "
      f"{args.steps} steps {np.max(np.abs(np.subtract(curves['NHWC'], curves['NCHW']))):.1e}")
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(curves["NHWC"], label="NHWC, BN axis=-1", linewidth=3, alpha=0.5)
ax.plot(curves["NCHW"], label="NCHW, BN axis=1", linestyle="--")
ax.set_xlabel("training step")
ax.set_ylabel("cross-entropy")
ax.set_title("conv → BN per channel: the same training in both layouts")
ax.legend()
fig.savefig(args.png)
print(f"loss curves: {args.png}")
