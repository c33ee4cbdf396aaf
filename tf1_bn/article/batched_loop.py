"""The batched training path: every network of a table trained together, in one graph and one loop.

`tf1-bn table` trains 16 small networks (8 configurations × without/with BN). One at a time (the fast
loop, `tf1_bn.article.fast_loop`), each step is ~100 tiny ops and the per-op overhead, not arithmetic,
takes most of the time. Here the networks are one `StackedNetworks` (`tf1_bn.article.stacked`: a leading
network axis, batched matmuls, per-network BN statistics, learning rates and activations), so each op of a
step works on all of them, and the loop is the fast loop's:

- the training and validation sets live in the graph (`fast_loop.ResidentData`);
- each Session.run runs all the SGD steps between two validations in one `tf.while_loop`
  (`fast_loop.training_loop`), fed the batch
  indices, then measures every network's validation accuracy and loss with its moving statistics —
  after batch 0 and every `batches_per_validate_data` batches, as the article's loop;
- the step is `StackedNetworks.train_step`: the moving-average updates come from
  `tf.GraphKeys.UPDATE_OPS` and the SGD step runs under `tf.control_dependencies(update_ops)`.

Batch order: networks given the same `data` object see the same batches (one stream, drawn once per step
with `next_batch_indices`, exactly as `next_batch(60)` would); networks given different objects draw
their own. `tf1-bn table` gives every network the same fresh `data_factory()` stream, which is what each
solo network sees. A network that diverges (NaN loss) is marked `diverged` and stays NaN in its own slice.

    run = train_batched(specs, [data] * len(specs), 50000, 500)       # specs: stacked.NetworkSpec
    run.networks[3].training_accuracies, run.networks[3].test_acc
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any, Sequence

import numpy as np
import tensorflow as tf

from tf1_bn.article.fast_loop import ResidentData, training_loop, validation_chunks
from tf1_bn.article.network import BATCH_SIZE, _check_positive, progress_bar
from tf1_bn.article.stacked import NetworkSpec, StackedNetworks


class BatchedLoop:
    """The in-graph loop of a `StackedNetworks` for one data set and `streams` batch orders (built once)."""

    def __init__(self, stacked: StackedNetworks, stream_of: Sequence[int], train_shape: tuple, validation_shape: tuple) -> None:
        self.stacked = stacked
        streams = max(stream_of) + 1
        with stacked.graph.as_default(), tf.compat.v1.name_scope("batched_training"):
            self.data = ResidentData(train_shape, validation_shape)
            self.batch_indices = tf.compat.v1.placeholder(tf.int32, [streams, None, None], name="batch_indices")  # (streams, steps, batch)
            per_network = tf.constant(list(stream_of), tf.int32)

            def step_op(step: tf.Tensor) -> tf.Operation:
                batch = self.batch_indices[:, step]  # (streams, batch)
                if streams > 1:
                    batch = tf.gather(batch, per_network)  # (K, batch): row k for network k
                else:
                    batch = batch[0]  # (batch,): one batch for all networks
                return stacked.train_step(tf.gather(self.data.images, batch), tf.gather(self.data.labels, batch))

            self.trained = training_loop(tf.shape(self.batch_indices)[1], step_op)
            with tf.control_dependencies([self.trained]):
                self.val_loss, self.val_accuracy = stacked.evaluate(self.data.val_images, self.data.val_labels)
            self.eval_images = tf.compat.v1.placeholder(tf.float32, [None, train_shape[0][1]], name="eval_images")
            self.eval_labels = tf.compat.v1.placeholder(tf.float32, [None, train_shape[1][1]], name="eval_labels")
            self.eval_loss, self.eval_accuracy = stacked.evaluate(self.eval_images, self.eval_labels)

    def load(self, sess: tf.compat.v1.Session, train: Any, validation: Any) -> None:
        self.data.load(sess, train, validation)

    def run(self, sess: tf.compat.v1.Session, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Train on the (streams, steps, batch) indices; return the validation (accuracies, losses), each (K,)."""
        return tuple(sess.run([self.val_accuracy, self.val_loss], {self.batch_indices: indices}))  # type: ignore[return-value]

    def evaluate(self, sess: tf.compat.v1.Session, images: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """Every network's accuracy (K,) on (images, one-hot labels), with the moving statistics."""
        return sess.run(self.eval_accuracy, {self.eval_images: images, self.eval_labels: labels})


@dataclasses.dataclass
class TrainedNetwork:
    """One network of a batched run, as the table reports it (`name` and `training_accuracies` for the plots)."""

    spec: NetworkSpec
    training_accuracies: list[float]
    diverged: bool
    val_acc: float
    test_acc: float
    values: list[np.ndarray]  # its variables after training, in NeuralNetwork.variables order

    @property
    def name(self) -> str:
        return self.spec.name


@dataclasses.dataclass
class BatchedRun:
    networks: list[TrainedNetwork]
    seconds: float  # graph, session, data loading and training; the final test is not included
    steps: int


def _streams(data: Sequence[Any]) -> list[int]:
    """Stream number of each network: equal for networks given the same `data` object."""
    first: dict[int, int] = {}
    stream_of = [first.setdefault(id(d), len(first)) for d in data]
    reference = data[0]
    for other in {id(d): d for d in data}.values():
        for part in ("train", "validation", "test"):
            a, b = getattr(reference, part), getattr(other, part)
            same = (np.array_equal(a.base_images, b.base_images) and np.array_equal(a.base_labels, b.base_labels)
                    if part == "train" else np.array_equal(a.images, b.images) and np.array_equal(a.labels, b.labels))
            if not same:
                raise ValueError(f"`data` must hold the same data set for every network (batch orders may differ); "
                                 f"received different {part} sets")
    return stream_of


def train_batched(
    specs: Sequence[NetworkSpec], data: Sequence[Any], training_batches: int, batches_per_validate_data: int, *,
    batch_size: int = BATCH_SIZE, progress: bool = True, bar: Any = None, jit: bool = True,
) -> BatchedRun:
    """Train every network of `specs` together (see the module docstring); `data[k]` is network k's
    `Datasets`. A `bar` (tqdm) is advanced by the steps done instead of showing a new one."""
    _check_positive(training_batches=training_batches, batches_per_validate_data=batches_per_validate_data, batch_size=batch_size)
    if len(data) != len(specs):
        raise ValueError(f"`data` must give one Datasets per network: {len(specs)} specs, received {len(data)}")
    stream_of = _streams(data)
    streams = [data[stream_of.index(s)] for s in range(max(stream_of) + 1)]
    train, validation = data[0].train, data[0].validation
    curves: list[list[float]] = [[] for _ in specs]
    diverged = np.zeros(len(specs), bool)
    start = time.perf_counter()
    with progress_bar(bar, training_batches, f"{len(specs)} networks (batched)", progress) as bar:
        with tf.Graph().as_default():
            stacked = StackedNetworks(specs, jit=jit)
            loop = BatchedLoop(stacked, stream_of, (train.base_images.shape, train.base_labels.shape),
                               (validation.images.shape, validation.labels.shape))
            with tf.compat.v1.Session() as sess:
                sess.run(tf.compat.v1.global_variables_initializer())
                loop.load(sess, train, validation)
                accuracies = losses = np.full(len(specs), np.nan)
                for steps, validate in validation_chunks(training_batches, batches_per_validate_data):
                    indices = np.stack([np.stack([d.train.next_batch_indices(batch_size) for _ in range(steps)])
                                        for d in streams]).astype(np.int32)  # (streams, steps, batch)
                    accuracies, losses = loop.run(sess, indices)
                    if validate:
                        for curve, accuracy in zip(curves, accuracies):
                            curve.append(float(accuracy))
                        diverged |= ~np.isfinite(losses)
                    bar.update(steps)
                diverged |= ~np.isfinite(losses)
                seconds = time.perf_counter() - start
                test = data[0].test
                test_accuracies = loop.evaluate(sess, test.images, test.labels)
                values = stacked.network_values(sess)
    networks = [TrainedNetwork(spec, curve, bool(d), float(a), float(t), v)
                for spec, curve, d, a, t, v in zip(specs, curves, diverged, accuracies, test_accuracies, values)]
    return BatchedRun(networks, seconds, training_batches)

