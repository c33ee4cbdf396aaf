"""Seed 000's minimal recipe: tf.layers.batch_normalization + an is_training placeholder + UPDATE_OPS.

"Batch Normalization: theory and how to use it with TensorFlow" boils BN in TF 1.x down to three lines:

    h = tf.layers.batch_normalization(h, training=is_training)   # 1. BN, told which mode it is in
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)       # 2. its moving-average updates
    with tf.control_dependencies(update_ops):                     # 3. run them with every train step
        train_op = optimizer.minimize(loss)

This script builds a small MNIST classifier that way, lists the update ops the layer created, and
shows the moving mean following the batch means while training, so inference (is_training=False)
works as well as training mode.

Run:
    tf1-bn run demos/update_ops_recipe.py
    tf1-bn run demos/update_ops_recipe.py --steps 2000 --learning-rate 0.5
"""

import argparse

import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

parser = argparse.ArgumentParser(description="Seed 000's batch_normalization + UPDATE_OPS recipe on MNIST.")
parser.add_argument("--steps", type=int, default=500, help="training batches of 100 (default 500)")
parser.add_argument("--learning-rate", type=float, default=0.5)
args = parser.parse_args()

mnist = input_data.read_data_sets("MNIST_data/", one_hot=True)

x = tf.placeholder(tf.float32, [None, 784])
y = tf.placeholder(tf.float32, [None, 10])
is_training = tf.placeholder(tf.bool, name="is_training")  # True while training, False for inference

linear = tf.layers.dense(x, 100, use_bias=False)  # no bias: BN's beta plays that role
h = tf.layers.batch_normalization(linear, training=is_training)
h = tf.nn.relu(h)
logits = tf.layers.dense(h, 10)
loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1)), tf.float32))

# Read the collection AFTER building the layers: before, it is still empty.
update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
with tf.control_dependencies(update_ops):
    train_op = tf.train.GradientDescentOptimizer(args.learning_rate).minimize(loss)

print("update ops the BN layer put in tf.GraphKeys.UPDATE_OPS:")
for op in update_ops:
    print("   ", op.name)

moving_mean = [v for v in tf.global_variables() if v.name == "batch_normalization/moving_mean:0"][0]
batch_mean = tf.reduce_mean(linear, axis=0)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(f"\n{'step':>6}{'loss':>9}   moving mean of 3 units (their batch mean)")
    for step in range(1, args.steps + 1):
        batch_x, batch_y = mnist.train.next_batch(100)
        _, batch_loss = sess.run([train_op, loss], {x: batch_x, y: batch_y, is_training: True})
        if step in (1, 10, 100) or step == args.steps:
            current, batch = sess.run([moving_mean, batch_mean], {x: batch_x, is_training: True})
            pairs = "  ".join(f"{m:+.3f} ({b:+.3f})" for m, b in zip(current[:3], batch[:3]))
            print(f"{step:>6}{batch_loss:>9.4f}   {pairs}")
    feed = {x: mnist.test.images, y: mnist.test.labels}
    training_mode = sess.run(accuracy, {**feed, is_training: True})
    inference = sess.run(accuracy, {**feed, is_training: False})

print(f"\ntest accuracy: training mode (batch statistics) {training_mode:.3f}, "
      f"inference (moving statistics) {inference:.3f}")
print("The moving mean trails the batch means (momentum 0.99: about 100 steps of memory); with the")
print("update ops wired in, inference matches training mode.")
