"""The article's `NeuralNetwork` (seed 002, "Batch Normalization原理与实战", 实战板块 1.1-1.4), on TF 2.16+.

A fully connected 784-128-128-128-10 network for MNIST, built from given initial weights, with or
without batch normalization after each hidden layer's Wx (and before the activation):

    hidden, with BN:     a = f(BN(x·W))          (no bias: BN's β replaces it, BN(Wu + b) = BN(Wu))
    hidden, without BN:  a = f(x·W + b)
    output:              logits = a·W + b        (no activation, no BN)

and the TF1 training recipe of the article:

    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_step = tf.train.GradientDescentOptimizer(learning_rate).minimize(cross_entropy)

Batches of 60 (the BN paper's size), `is_training` True while training and False for validation and
test. Deliberate differences from the article's text, all noted where they are made:
- it loops over `initial_weights[:-1]` (the authors' notebook), not the text's typo `[1:-1]`;
- `train`/`test` take the data as an argument (`data=`), defaulting to the article's global
  `mnist = input_data.read_data_sets("MNIST_data/", one_hot=True)`;
- train() waits only for THIS network's update ops, so several networks can share one graph;
- train() returns the final validation accuracy, records divergence (a non-finite loss) in
  `self.diverged`, and shows a tqdm bar with it/s.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from typing import Any, Callable, Iterator, Sequence

import numpy as np
import tensorflow as tf
import tqdm

from tf1_bn.article import backends as bn_backends
from tf1_bn._graph import require_graph_mode

UPDATE_OPS = tf.compat.v1.GraphKeys.UPDATE_OPS
BATCH_SIZE = 60  # "We trained the network for 50000 steps, with 60 examples per mini-batch." (Ioffe & Szegedy)

_default_data: Any = None


def default_mnist() -> Any:
    """The article's global `mnist`: read_data_sets("MNIST_data/", one_hot=True), loaded once."""
    global _default_data
    if _default_data is None:
        from tf1_bn.mnist import input_data

        _default_data = input_data.read_data_sets("MNIST_data/", one_hot=True)
    return _default_data


@dataclasses.dataclass(frozen=True)
class LayerRecord:
    """One fully connected layer as built: a = activation(BN(x·W)) or activation(x·W + b)."""

    weights: tf.Variable
    bias: tf.Variable | None
    batch_norm: bn_backends.BatchNormVariables | None
    activation_fn: Callable[[tf.Tensor], tf.Tensor] | None


def _check_weights(initial_weights: Sequence[np.ndarray]) -> list[np.ndarray]:
    weights = [np.asarray(w, dtype=np.float32) for w in initial_weights]
    if len(weights) < 2 or any(w.ndim != 2 for w in weights):
        raise ValueError(
            "`initial_weights` must be a list of at least two 2-D weight matrices (784x128, ..., 128x10); "
            f"received shapes {[w.shape for w in weights]}"
        )
    for a, b in zip(weights, weights[1:]):
        if a.shape[1] != b.shape[0]:
            raise ValueError(f"`initial_weights` do not chain: a {a.shape} matrix is followed by a {b.shape} one")
    return weights


class NeuralNetwork:
    """The article's network. `bn` picks how BN is written (see `tf1_bn.article.backends`); `momentum`
    is the moving-average momentum (the EMA's decay for "moments_ema")."""

    def __init__(
        self,
        initial_weights: Sequence[np.ndarray],
        activation_fn: Callable[[tf.Tensor], tf.Tensor] | None,
        use_batch_norm: bool,
        bn: str = "layers",
        *,
        momentum: float = 0.99,
    ) -> None:
        require_graph_mode("NeuralNetwork")
        if not isinstance(use_batch_norm, bool):
            raise TypeError(f"`use_batch_norm` must be a bool; received {use_batch_norm!r}")
        if activation_fn is not None and not callable(activation_fn):
            raise TypeError(f"`activation_fn` must be callable (e.g. tf.nn.relu); received {activation_fn!r}")
        bn_backends.check_backend(bn)
        self.use_batch_norm = use_batch_norm and bn != "none"
        self.bn = bn if self.use_batch_norm else "none"
        self.momentum = momentum
        self.name = "With Batch Norm" if self.use_batch_norm else "Without Batch Norm"
        self.is_training = tf.compat.v1.placeholder(tf.bool, name="is_training")
        self.training_accuracies: list[float] = []
        self.layers: list[LayerRecord] = []  # what build_network made, for the fast loop and tools
        self.variables: list[tf.Variable] = []
        self.diverged = False
        self.graph = tf.compat.v1.get_default_graph()
        updates_before = len(tf.compat.v1.get_collection(UPDATE_OPS))
        globals_before = len(tf.compat.v1.global_variables())
        self.build_network(_check_weights(initial_weights), activation_fn)
        self.update_ops = tf.compat.v1.get_collection(UPDATE_OPS)[updates_before:]
        self.variables = tf.compat.v1.global_variables()[globals_before:]
        self._evaluation: tuple[tf.Tensor, tf.Tensor, tf.Tensor] | None = None

    def __repr__(self) -> str:
        return f"<NeuralNetwork {self.name!r} bn={self.bn!r} layers={len(self.layers)}>"

    @property
    def batch_norms(self) -> list[bn_backends.BatchNormVariables]:
        """The BN layers' variables (γ, β, moving mean and variance), input side first."""
        return [layer.batch_norm for layer in self.layers if layer.batch_norm is not None]

    # ------------------------------------------------------------------------------ the graph
    def build_network(self, initial_weights: list[np.ndarray], activation_fn: Callable | None) -> None:
        self.input_layer = tf.compat.v1.placeholder(tf.float32, [None, initial_weights[0].shape[0]])  # (batch, 784)
        layer_in = self.input_layer
        for layer_weights in initial_weights[:-1]:  # the text's [1:-1] is a typo (see the module docstring)
            layer_in = self.fully_connected(layer_in, layer_weights, activation_fn)  # (batch, 128)
        self.output_layer = self.fully_connected(layer_in, initial_weights[-1])  # (batch, 10) logits

    def fully_connected(self, layer_in: tf.Tensor, layer_weights: np.ndarray, activation_fn: Callable | None = None) -> tf.Tensor:
        """One layer. With BN and an activation: f(BN(x·W)), no bias. Otherwise: f(x·W + b)."""
        weights = tf.Variable(layer_weights)
        if self.use_batch_norm and activation_fn:
            linear_output = tf.matmul(layer_in, weights)
            normalized, variables = bn_backends.batch_norm(self.bn, linear_output, self.is_training, self.momentum)
            self.layers.append(LayerRecord(weights, None, variables, activation_fn))
            return activation_fn(normalized)
        bias = tf.Variable(tf.zeros([layer_weights.shape[-1]]))
        self.layers.append(LayerRecord(weights, bias, None, activation_fn))
        linear_output = tf.add(tf.matmul(layer_in, weights), bias)
        return activation_fn(linear_output) if activation_fn else linear_output

    def evaluation_ops(self) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
        """(labels placeholder, cross-entropy, accuracy), built once per network."""
        if self._evaluation is None:
            with self.graph.as_default():
                labels = tf.compat.v1.placeholder(tf.float32, [None, 10])
                cross_entropy = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=self.output_layer))
                correct_prediction = tf.equal(tf.argmax(self.output_layer, 1), tf.argmax(labels, 1))
                accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))
            self._evaluation = (labels, cross_entropy, accuracy)
        return self._evaluation

    def train_step(self, learning_rate: float, loss: tf.Tensor | None = None) -> tf.Operation:
        """GradientDescentOptimizer(learning_rate).minimize(loss), waiting for the BN update ops."""
        loss = self.evaluation_ops()[1] if loss is None else loss
        with self.graph.as_default():
            if self.use_batch_norm:
                # The article's line. A graph may hold several networks: keep only this one's updates.
                own = {id(op) for op in self.update_ops}
                update_ops = [op for op in tf.compat.v1.get_collection(UPDATE_OPS) if id(op) in own]
                with tf.control_dependencies(update_ops):
                    return tf.compat.v1.train.GradientDescentOptimizer(learning_rate).minimize(loss, var_list=self.trainable_variables)
            return tf.compat.v1.train.GradientDescentOptimizer(learning_rate).minimize(loss, var_list=self.trainable_variables)

    @property
    def trainable_variables(self) -> list[tf.Variable]:
        trainable = {id(v) for v in self.graph.get_collection(tf.compat.v1.GraphKeys.TRAINABLE_VARIABLES)}
        return [v for v in self.variables if id(v) in trainable]

    # ------------------------------------------------------------------------ train and test
    def train(
        self,
        sess: tf.compat.v1.Session,
        learning_rate: float,
        training_batches: int,
        batches_per_validate_data: int,
        save_model: str | None = None,
        *,
        data: Any = None,
        batch_size: int = BATCH_SIZE,
        fast: bool = False,
        progress: bool = True,
        verbose: bool = True,
        bar: Any = None,
    ) -> float:
        """Train, validating after batch 0 and every `batches_per_validate_data` batches (into
        `training_accuracies`); returns the final validation accuracy.

        Default: the article's loop, feed_dict and one Session.run per batch. `fast=True`: the same
        math with the data resident in the graph and the batches between validations run inside one
        Session.run (`tf1_bn.article.fast_loop`); batches come from `data.train` in the same order.
        A `bar` (a tqdm shared by several trainings, e.g. a whole table) is advanced instead of showing a
        bar of this network's own.
        """
        _check_positive(training_batches=training_batches, batches_per_validate_data=batches_per_validate_data, batch_size=batch_size)
        data = default_mnist() if data is None else data
        if fast:
            from tf1_bn.article.fast_loop import train_fast

            final_accuracy = train_fast(self, sess, learning_rate, training_batches, batches_per_validate_data,
                                        data=data, batch_size=batch_size, progress=progress, bar=bar)
        else:
            final_accuracy = self._train_feed_dict(sess, learning_rate, training_batches, batches_per_validate_data,
                                                   data, batch_size, progress, bar)
        if verbose:
            print(f"{self.name}: The final accuracy on validation data is {final_accuracy}")
        if save_model:
            tf.compat.v1.train.Saver().save(sess, save_model)
        return final_accuracy

    def _train_feed_dict(self, sess: tf.compat.v1.Session, learning_rate: float, training_batches: int,
                         batches_per_validate_data: int, data: Any, batch_size: int, progress: bool, bar: Any) -> float:
        """The article's loop: one feed_dict Session.run per batch."""
        labels, cross_entropy, accuracy = self.evaluation_ops()
        train_step = self.train_step(learning_rate)
        validation = {self.input_layer: data.validation.images, labels: _one_hot(data.validation.labels), self.is_training: False}
        with progress_bar(bar, training_batches, self.name, progress) as bar:
            for i in range(training_batches):
                batch_x, batch_y = data.train.next_batch(batch_size)
                sess.run(train_step, feed_dict={self.input_layer: batch_x, labels: _one_hot(batch_y), self.is_training: True})
                if i % batches_per_validate_data == 0:
                    self.record_validation(*sess.run([accuracy, cross_entropy], feed_dict=validation))
                bar.update(1)
        final_accuracy, final_loss = sess.run([accuracy, cross_entropy], feed_dict=validation)
        self.diverged |= not math.isfinite(final_loss)
        return float(final_accuracy)

    def record_validation(self, accuracy: float, loss: float) -> None:
        """Append a validation accuracy; a non-finite loss marks the network as diverged."""
        self.training_accuracies.append(float(accuracy))
        self.diverged |= not math.isfinite(loss)

    def evaluate(self, sess: tf.compat.v1.Session, images: np.ndarray, labels: np.ndarray, training: bool = False) -> float:
        """Accuracy on (images, one-hot labels) in one Session.run; is_training=`training`."""
        labels_ph, _, accuracy = self.evaluation_ops()
        feed = {self.input_layer: images, labels_ph: _one_hot(labels), self.is_training: training}
        return float(sess.run(accuracy, feed_dict=feed))

    def test(self, sess: tf.compat.v1.Session, test_training_accuracy: bool = False, restore: str | None = None,
             *, data: Any = None, verbose: bool = True) -> float:
        """Accuracy on the test set with is_training=False (True with `test_training_accuracy`: batch
        statistics of the whole test set; with "moments_ema"/"assign" that also updates them, as in TF1)."""
        data = default_mnist() if data is None else data
        if restore:
            tf.compat.v1.train.Saver().restore(sess, restore)
        test_accuracy = self.evaluate(sess, data.test.images, data.test.labels, test_training_accuracy)
        if verbose:
            print(f"{self.name}: The final accuracy on test data is {test_accuracy}")
        return test_accuracy


@contextlib.contextmanager
def progress_bar(shared: Any, total: int, desc: str, enabled: bool) -> Iterator[Any]:
    """`shared` (a tqdm advanced by several trainings) as it is, or a bar of `total` steps of our own."""
    if shared is not None:
        yield shared
        return
    with tqdm.tqdm(total=total, desc=desc, disable=not enabled, mininterval=0.5) as bar:
        yield bar


def _one_hot(labels: np.ndarray) -> np.ndarray:
    if labels.ndim != 2 or labels.shape[1] != 10:
        raise ValueError(f"labels must be one-hot with 10 columns (read_data_sets(..., one_hot=True)); received shape {labels.shape}")
    return labels


def _check_positive(**values: int) -> None:
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"`{name}` must be a positive int; received {value!r}")
