"""The classic TF1 batch-normalization bug, as a script you can run: forgetting UPDATE_OPS.

`tf.layers.batch_normalization` creates two update ops (moving mean, moving variance) and puts them in
tf.GraphKeys.UPDATE_OPS. Nothing runs them unless the train op depends on them (seed 000):

    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = optimizer.minimize(loss)

Forget that block and training still looks fine — in training mode BN uses the batch statistics —
but the moving statistics never leave their initial values (mean 0, variance 1), so at inference
(is_training=False) every layer normalizes with the wrong numbers and accuracy collapses to chance.

This script trains the same network twice, from the same weights on the same batches, once with and
once without the dependency, and prints both accuracies and the first BN layer's moving mean.
Large weights N(0, 10²) with sigmoid make the real statistics far from 0/1, so the bug shows quickly.

Run (a few seconds, TF1 code unchanged):
    tf1-bn run demos/update_ops_pitfall.py
    tf1-bn run demos/update_ops_pitfall.py --steps 1000 --momentum 0.99
"""

import argparse

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--steps", type=int, default=300, help="training batches of 60 (default 300)")
parser.add_argument("--momentum", type=float, default=0.9, help="BN moving-average momentum (default 0.9)")
parser.add_argument("--learning-rate", type=float, default=2.0, help="default 2, as the article's models 3/4/7/8")
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

mnist = input_data.read_data_sets("MNIST_data/", one_hot=True)
rng = np.random.RandomState(args.seed)
sizes = [784, 128, 128, 128, 10]
initial_weights = [rng.normal(scale=10.0, size=shape).astype(np.float32) for shape in zip(sizes[:-1], sizes[1:])]
batches = [mnist.train.next_batch(60) for _ in range(args.steps)]  # the same batches for both runs


def build_network(x, is_training):
    """784-128-128-128-10: sigmoid(BN(x·W)) in each hidden layer (no bias: BN's beta replaces it)."""
    h = x
    for weights in initial_weights[:-1]:
        h = tf.matmul(h, tf.Variable(weights))
        h = tf.layers.batch_normalization(h, momentum=args.momentum, training=is_training)
        h = tf.nn.sigmoid(h)
    return tf.matmul(h, tf.Variable(initial_weights[-1])) + tf.Variable(tf.zeros([10]))


def train_and_measure(use_update_ops):
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 784])
    labels = tf.placeholder(tf.float32, [None, 10])
    is_training = tf.placeholder(tf.bool, name="is_training")
    logits = build_network(x, is_training)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits))
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(labels, 1)), tf.float32))

    optimizer = tf.train.GradientDescentOptimizer(args.learning_rate)
    if use_update_ops:
        # The recipe: the train op waits for the moving-average updates.
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            train_op = optimizer.minimize(loss)
    else:
        # The bug: the update ops exist, but nothing ever runs them.
        train_op = optimizer.minimize(loss)

    moving_mean = [v for v in tf.global_variables() if v.name == "batch_normalization/moving_mean:0"][0]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for batch_x, batch_y in batches:
            sess.run(train_op, {x: batch_x, labels: batch_y, is_training: True})
        validation = {x: mnist.validation.images, labels: mnist.validation.labels}
        training_mode = sess.run(accuracy, {**validation, is_training: True})
        inference = sess.run(accuracy, {**validation, is_training: False})
        return training_mode, inference, sess.run(moving_mean)


print(f"{args.steps} steps of 60, weights N(0, 10^2), sigmoid, learning rate {args.learning_rate}, "
      f"BN momentum {args.momentum}\n")
print(f"{'':24}{'training mode':>15}{'inference':>12}   first BN layer's moving mean")
for use_update_ops in (True, False):
    training_mode, inference, moving_mean = train_and_measure(use_update_ops)
    label = "with UPDATE_OPS" if use_update_ops else "without UPDATE_OPS"
    head = ", ".join(f"{m:+.2f}" for m in moving_mean[:3])
    print(f"{label:24}{training_mode:>15.3f}{inference:>12.3f}   [{head}, ...]  mean |m| = {np.abs(moving_mean).mean():.3f}")

print("\nWithout the dependency the moving mean never moves from 0, so inference normalizes with the wrong")
print("statistics: training-mode accuracy looks fine while inference accuracy collapses toward chance (0.1).")
