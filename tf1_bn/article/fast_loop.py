"""The fast training path: the article's network and math, with far fewer Python round trips.

The article's loop pays for one feed_dict copy and one Session.run per batch of 60. Here:

- the training and validation sets live in the graph (local variables filled once, kept out of
  GLOBAL_VARIABLES so Saver and initializers ignore them);
- each Session.run runs all the SGD steps between two validations in a `tf.while_loop`, fed only the
  (steps, 60) int32 array of batch indices, which `data.train` produces in exactly the order
  `next_batch(60)` would;
- each step gathers its batch, runs the forward pass with batch statistics (the hand-written-gradient
  kernel `bn_math.training_batch_norm`), and builds its train op under
  `tf.control_dependencies(update_ops)` with the update ops read from `tf.GraphKeys.UPDATE_OPS` —
  the TF1 recipe, inside the loop;
- the same Session.run then measures validation accuracy and loss with the moving statistics.

Every backend ("layers", "moments_ema", "assign") keeps its statistics with the same rule,
moving ← moving − (moving − batch)·(1 − momentum), so one loop serves them all. Validation happens
after the same steps as in the article's loop (batch 0, then every `batches_per_validate_data`).
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import tensorflow as tf

from tf1_bn import bn_math, bn_updates
from tf1_bn.article import backends as bn_backends
from tf1_bn.article.network import progress_bar
from tf1_bn.article.replay import replay

UPDATE_OPS = tf.compat.v1.GraphKeys.UPDATE_OPS


def forward(network: Any, x: tf.Tensor, training: bool) -> tf.Tensor:
    """The network's logits for `x`, replayed from its recorded layers: batch statistics when `training`
    (registering the moving-average updates in UPDATE_OPS), moving statistics otherwise."""

    def batch_statistics(bn: Any, x: tf.Tensor) -> tf.Tensor:
        x, mean, variance = bn_math.training_batch_norm(x, bn.gamma, bn.beta, bn_backends.EPSILON)
        for variable, value in ((bn.moving_mean, mean), (bn.moving_variance, variance)):
            tf.compat.v1.add_to_collection(UPDATE_OPS, bn_updates.assign_moving_average(variable, value, bn.momentum))
        return x

    def moving_statistics(bn: Any, x: tf.Tensor) -> tf.Tensor:
        return bn_math.normalize(x, bn.moving_mean, bn.moving_variance, bn.beta, bn.gamma, bn_backends.EPSILON)

    return replay(network, x, batch_statistics if training else moving_statistics)


def _loss_and_accuracy(logits: tf.Tensor, labels: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits))
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(labels, 1)), tf.float32))
    return loss, accuracy


class FastLoop:
    """The in-graph loop of one network for one learning rate and data set (built once, reused)."""

    def __init__(self, network: Any, learning_rate: float, train_shape: tuple, validation_shape: tuple) -> None:
        self.network = network
        with network.graph.as_default(), tf.compat.v1.name_scope("fast_training"):
            self.data = ResidentData(train_shape, validation_shape)
            self.batch_indices = tf.compat.v1.placeholder(tf.int32, [None, None], name="batch_indices")
            optimizer = tf.compat.v1.train.GradientDescentOptimizer(learning_rate)
            trainable = network.trainable_variables

            def body(step: tf.Tensor) -> tf.Operation:
                batch = self.batch_indices[step]
                before = len(tf.compat.v1.get_collection(UPDATE_OPS))
                logits = forward(network, tf.gather(self.data.images, batch), training=True)
                loss, _ = _loss_and_accuracy(logits, tf.gather(self.data.labels, batch))
                with tf.control_dependencies(tf.compat.v1.get_collection(UPDATE_OPS)[before:]):  # this step's
                    return optimizer.minimize(loss, var_list=trainable)

            trained = training_loop(tf.shape(self.batch_indices)[0], body)
            with tf.control_dependencies([trained]):
                logits = forward(network, self.data.val_images, training=False)
                self.val_loss, self.val_accuracy = _loss_and_accuracy(logits, self.data.val_labels)

    def load(self, sess: tf.compat.v1.Session, train: Any, validation: Any) -> None:
        self.data.load(sess, train, validation)

    def run(self, sess: tf.compat.v1.Session, indices: np.ndarray) -> tuple[float, float]:
        """Train on the (steps, batch) indices, then return (validation accuracy, validation loss)."""
        accuracy, loss = sess.run([self.val_accuracy, self.val_loss], {self.batch_indices: indices})
        return float(accuracy), float(loss)


def resident(shape: tuple, name: str) -> tuple[tf.compat.v1.Variable, tf.Tensor]:
    """A float32 array kept in the graph: a local variable (out of GLOBAL_VARIABLES, so Saver and the
    initializers ignore it) filled once from the returned placeholder by running its initializer."""
    feed = tf.compat.v1.placeholder(tf.float32, shape, name=f"{name}_feed")
    return tf.compat.v1.Variable(feed, trainable=False, collections=[], name=name), feed


class ResidentData:
    """The training set (`base_images`, `base_labels`: what batch indices index) and the validation set,
    kept in the graph as `resident` arrays; `load` fills them once per session."""

    def __init__(self, train_shape: tuple, validation_shape: tuple) -> None:
        self.images, self._images_feed = resident(train_shape[0], "train_images")
        self.labels, self._labels_feed = resident(train_shape[1], "train_labels")
        self.val_images, self._val_images_feed = resident(validation_shape[0], "validation_images")
        self.val_labels, self._val_labels_feed = resident(validation_shape[1], "validation_labels")

    def load(self, sess: tf.compat.v1.Session, train: Any, validation: Any) -> None:
        sess.run([self.images.initializer, self.labels.initializer, self.val_images.initializer,
                  self.val_labels.initializer], {
            self._images_feed: train.base_images, self._labels_feed: train.base_labels,
            self._val_images_feed: validation.images, self._val_labels_feed: validation.labels,
        })


def training_loop(steps: tf.Tensor, step_op: Callable[[tf.Tensor], tf.Operation]) -> tf.Tensor:
    """`tf.while_loop` running `step_op(step)` (one SGD step, built once) for step = 0 … steps − 1.

    The step's update ops join UPDATE_OPS while the body is built, so `step_op` can wait for them (the TF1
    recipe); they are ops of the loop body and are taken out of the graph's collection afterwards, where
    nothing outside the loop could run them.
    """
    collection = tf.compat.v1.get_collection_ref(UPDATE_OPS)
    before = len(collection)

    def body(step: tf.Tensor) -> tf.Tensor:
        with tf.control_dependencies([step_op(step)]):
            return step + 1

    try:
        return tf.compat.v1.while_loop(lambda step: step < steps, body, [tf.constant(0)], back_prop=False)
    finally:
        del collection[before:]


def validation_chunks(training_batches: int, every: int) -> list[tuple[int, bool]]:
    """(steps, validate-after) pieces: step 0, then up to `every` steps ending on a multiple of
    `every` (validated), then the rest; the article validates after steps i with i % every == 0."""
    pieces = [(1, True)]
    done = 1
    while done < training_batches:
        size = min(every, training_batches - done)
        done += size
        pieces.append((size, (done - 1) % every == 0))
    return pieces


def train_fast(
    network: Any, sess: tf.compat.v1.Session, learning_rate: float, training_batches: int,
    batches_per_validate_data: int, *, data: Any, batch_size: int, progress: bool = True, bar: Any = None,
) -> float:
    """NeuralNetwork.train(fast=True): same batches, same updates, same validation points."""
    key = (float(learning_rate), data.train.base_images.shape, data.validation.images.shape)
    loops = network.__dict__.setdefault("_fast_loops", {})
    if key not in loops:
        loops[key] = FastLoop(
            network, learning_rate,
            (data.train.base_images.shape, data.train.base_labels.shape),
            (data.validation.images.shape, data.validation.labels.shape),
        )
    loop = loops[key]
    loop.load(sess, data.train, data.validation)
    accuracy = loss = float("nan")
    with progress_bar(bar, training_batches, f"{network.name} (fast)", progress) as bar:
        for steps, validate in validation_chunks(training_batches, batches_per_validate_data):
            indices = np.stack([data.train.next_batch_indices(batch_size) for _ in range(steps)]).astype(np.int32)
            accuracy, loss = loop.run(sess, indices)
            if validate:
                network.record_validation(accuracy, loss)
            bar.update(steps)
    network.diverged |= not math.isfinite(loss)
    return accuracy
