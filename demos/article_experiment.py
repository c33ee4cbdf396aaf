"""The article's experiment (seed 002, "Batch Normalization原理与实战"), as the article wrote it in TF 1.x.

A 784-128-128-128-10 network on MNIST, trained twice from the same initial weights — once without and
once with batch normalization after each hidden layer's x·W — for one configuration of the article's
table (initial weight scale, learning rate, activation), then tested; the validation curves of both
networks go to a PNG, as in the article's figures.

Run (TF1 code, unchanged, on TensorFlow 2):
    tf1-bn run demos/article_experiment.py                                   # model 8: N(0,10²), lr 2, sigmoid
    tf1-bn run demos/article_experiment.py --weights 0.05 --learning-rate 0.01 --activation relu --steps 3000
    tf1-bn run demos/article_experiment.py --png curves.png

The article trained 50,000 batches; 2,000 (the default here) already show its point on the
embedded MNIST subset in well under a minute.
"""

import argparse

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
import tqdm
from tensorflow.examples.tutorials.mnist import input_data

parser = argparse.ArgumentParser(description="The article's NeuralNetwork experiment, one configuration.")
parser.add_argument("--weights", type=float, default=10.0, help="std of the initial weights: 0.05 or 10 (default 10)")
parser.add_argument("--learning-rate", type=float, default=2.0, help="0.01 or 2 (default 2)")
parser.add_argument("--activation", choices=["relu", "sigmoid"], default="sigmoid")
parser.add_argument("--steps", type=int, default=2000, help="training batches of 60 (the article: 50000)")
parser.add_argument("--validate-every", type=int, default=100, help="validate every K batches (the article: 500)")
parser.add_argument("--png", default="article_experiment.png", help="where to save the validation curves")
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

mnist = input_data.read_data_sets("MNIST_data/", one_hot=True)


class NeuralNetwork:
    def __init__(self, initial_weights, activation_fn, use_batch_norm):
        """
        :param initial_weights: list of weight matrices, one per layer (784x128, ..., 128x10)
        :param activation_fn: hidden-layer activation, e.g. tf.nn.relu
        :param use_batch_norm: whether to normalize each hidden layer
        """
        self.use_batch_norm = use_batch_norm
        self.name = "With Batch Norm" if use_batch_norm else "Without Batch Norm"
        # The switch every TF1 BN model needs: batch statistics when True, moving ones when False.
        self.is_training = tf.placeholder(tf.bool, name="is_training")
        self.training_accuracies = []
        self.build_network(initial_weights, activation_fn)

    def build_network(self, initial_weights, activation_fn):
        self.input_layer = tf.placeholder(tf.float32, [None, initial_weights[0].shape[0]])
        layer_in = self.input_layer
        # The article's text loops over initial_weights[1:-1], a typo: its notebook uses [:-1].
        for layer_weights in initial_weights[:-1]:
            layer_in = self.fully_connected(layer_in, layer_weights, activation_fn)
        self.output_layer = self.fully_connected(layer_in, initial_weights[-1])

    def fully_connected(self, layer_in, layer_weights, activation_fn=None):
        if self.use_batch_norm and activation_fn:
            # No bias before BN: BN subtracts the mean, so BN(Wu + b) = BN(Wu); its beta is the bias.
            weights = tf.Variable(layer_weights)
            linear_output = tf.matmul(layer_in, weights)
            batch_normalized_output = tf.layers.batch_normalization(linear_output, training=self.is_training)
            return activation_fn(batch_normalized_output)
        weights = tf.Variable(layer_weights)
        bias = tf.Variable(tf.zeros([layer_weights.shape[-1]]))
        linear_output = tf.add(tf.matmul(layer_in, weights), bias)
        return activation_fn(linear_output) if activation_fn else linear_output

    def train(self, sess, learning_rate, training_batches, batches_per_validate_data):
        labels = tf.placeholder(tf.float32, [None, 10])
        cross_entropy = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=self.output_layer))
        correct_prediction = tf.equal(tf.argmax(self.output_layer, 1), tf.argmax(labels, 1))
        accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))
        if self.use_batch_norm:
            # The moving mean/variance are updated by ops in UPDATE_OPS: the train step must wait for them.
            with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
                train_step = tf.train.GradientDescentOptimizer(learning_rate).minimize(cross_entropy)
        else:
            train_step = tf.train.GradientDescentOptimizer(learning_rate).minimize(cross_entropy)
        # A new optimizer has no variables of its own here (plain SGD), so nothing new to initialize.
        for i in tqdm.tqdm(range(training_batches), desc=self.name, disable=None):
            batch_x, batch_y = mnist.train.next_batch(60)  # 60: the BN paper's batch size
            sess.run(train_step, feed_dict={self.input_layer: batch_x, labels: batch_y, self.is_training: True})
            if i % batches_per_validate_data == 0:
                val_accuracy = sess.run(accuracy, feed_dict={self.input_layer: mnist.validation.images,
                                                             labels: mnist.validation.labels,
                                                             self.is_training: False})
                self.training_accuracies.append(val_accuracy)
        val_accuracy = sess.run(accuracy, feed_dict={self.input_layer: mnist.validation.images,
                                                     labels: mnist.validation.labels, self.is_training: False})
        print(f"{self.name}: The final accuracy on validation data is {val_accuracy}")

    def test(self, sess):
        labels = tf.placeholder(tf.float32, [None, 10])
        correct_prediction = tf.equal(tf.argmax(self.output_layer, 1), tf.argmax(labels, 1))
        accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))
        test_accuracy = sess.run(accuracy, feed_dict={self.input_layer: mnist.test.images,
                                                      labels: mnist.test.labels, self.is_training: False})
        print(f"{self.name}: The final accuracy on test data is {test_accuracy}")


def plot_training_accuracies(*networks, batches_per_validate_data):
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for network in networks:
        steps = np.arange(len(network.training_accuracies)) * batches_per_validate_data
        ax.plot(steps, network.training_accuracies, label=network.name)
    ax.set_xlabel("Training steps")
    ax.set_ylabel("Accuracy")
    ax.set_title(f"weights N(0, {args.weights}^2), learning rate {args.learning_rate}, {args.activation}")
    ax.set_ylim(0, 1)
    ax.grid(True)
    ax.legend(loc="lower right")
    fig.savefig(args.png)
    print(f"validation curves: {args.png}")


def train_and_test(weight_scale, learning_rate, activation_fn, training_batches, batches_per_validate_data):
    rng = np.random.RandomState(args.seed)
    sizes = [784, 128, 128, 128, 10]
    weights = [rng.normal(size=shape, scale=weight_scale).astype(np.float32) for shape in zip(sizes[:-1], sizes[1:])]
    tf.reset_default_graph()
    # Both networks start from the same weights.
    nn = NeuralNetwork(weights, activation_fn, use_batch_norm=False)
    bn = NeuralNetwork(weights, activation_fn, use_batch_norm=True)
    with tf.Session() as sess:
        tf.global_variables_initializer().run()
        print("【Training Result:】")
        nn.train(sess, learning_rate, training_batches, batches_per_validate_data)
        bn.train(sess, learning_rate, training_batches, batches_per_validate_data)
        print("【Testing Result:】")
        nn.test(sess)
        bn.test(sess)
    plot_training_accuracies(nn, bn, batches_per_validate_data=batches_per_validate_data)


activation = {"relu": tf.nn.relu, "sigmoid": tf.nn.sigmoid}[args.activation]
train_and_test(args.weights, args.learning_rate, activation, args.steps, args.validate_every)
