"""Regression tests for a TF1 → Keras 3 migration in a few lines (a pytest fixture and plain functions).

    def test_the_port_computes_what_tf1_computed(tf1_migration):
        old = tf1_migration.restore("model.ckpt", tf.nn.relu)   # the TF1 network, from its checkpoint
        new = build_my_keras_model()                             # your port (or tf1_migration.to_keras(old))
        x, y = tf1_migration.sample_batch()
        tf1_migration.check(old, new, x, y, learning_rate=0.01)

`check` asserts, with `tf1_bn.migrate`: the same parameters and inference logits (moving statistics),
the same batch-statistics logits (nothing updated), and — given `y` and `learning_rate` — the same
weights and moving statistics after one SGD step, both sides put back afterwards. A mismatch fails
with the layer and the quantity, e.g. "layer 2 (batch_normalization_1) moving_variance differs by
3.1e-03 (atol 1e-05, rtol 1e-05)".

The fixture `tf1_migration` (served by tf1_bn's pytest plugin, `tf1_bn.guard.pytest_plugin`) is a
`Migration`: a fresh TF1 graph and Session (closed afterwards) that is not made the default graph,
so the test body stays eager and Keras 3 models are built and called as usual. Without pytest:
`with Migration() as migration: ...`, or `check_migration(network, sess, model, x)`.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, Sequence

import numpy as np
import tensorflow as tf

from tf1_bn.migrate import checkpoint


def check_migration(network: Any, sess: tf.compat.v1.Session, keras_model: Any, x: Any, y: Any = None,
                    learning_rate: float | None = None, *, atol: float = 1e-5, rtol: float = 1e-5) -> dict[str, Any]:
    """Inference, batch-statistics and (with `y` and `learning_rate`) training-step parity; returns
    {"inference", "training", "training_step"} → ParityReport. Raises AssertionError on a mismatch."""
    from tf1_bn.migrate import parity

    if (y is None) != (learning_rate is None):
        raise ValueError("`y` and `learning_rate` must be given together (for the training-step check); "
                         f"received y={'an array' if y is not None else None} and learning_rate={learning_rate!r}")
    reports = {
        "inference": parity.assert_parity(network, sess, keras_model, x, training=False, atol=atol, rtol=rtol),
        "training": parity.assert_parity(network, sess, keras_model, x, training=True, atol=atol, rtol=rtol),
    }
    if y is not None:
        reports["training_step"] = parity.assert_training_step_parity(
            network, sess, keras_model, x, y, learning_rate, atol=atol, rtol=rtol)
    return reports


def sample_batch(batch_size: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`batch_size` embedded-MNIST training images (batch, 784) and one-hot labels (batch, 10)."""
    from tf1_bn import mnist

    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or not 1 <= batch_size <= 1000:
        raise ValueError(f"`batch_size` must be an int from 1 to 1000; received {batch_size!r}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the embedded subset says it is a subset
        data = mnist.read_data_sets("MNIST_data/", one_hot=True, seed=seed, source="embedded")
    images, labels = data.train.next_batch(batch_size)
    return np.asarray(images, np.float32), np.asarray(labels, np.float32)


class Migration:
    """A fresh TF1 graph and Session for the old model, and the checks for the new one."""

    def __init__(self) -> None:
        self.graph = tf.Graph()
        self.session = tf.compat.v1.Session(graph=self.graph)

    def __enter__(self) -> "Migration":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    def network(self, initial_weights: Sequence[np.ndarray], activation_fn: Callable | None, use_batch_norm: bool = True,
                *, bn: str = "layers", momentum: float = 0.99) -> Any:
        """A NeuralNetwork built in this graph, its variables initialized."""
        from tf1_bn.article.network import NeuralNetwork

        with self.graph.as_default():
            network = NeuralNetwork(initial_weights, activation_fn, use_batch_norm, bn=bn, momentum=momentum)
            self.session.run(tf.compat.v1.variables_initializer(network.variables))
        return network

    def restore(self, path: str, activation_fn: Callable | str | None, *, bn: str | None = None,
                index: int | None = None, momentum: float = 0.99) -> Any:
        """The network of a `save_model` checkpoint (the one with BN unless `bn`/`index` say otherwise)."""
        return checkpoint.restore(self.session, path, activation_fn, bn=bn, index=index, momentum=momentum)

    def to_keras(self, network: Any) -> Any:
        """`tf1_bn.migrate.to_keras(network, self.session)`."""
        from tf1_bn.migrate.keras_model import to_keras

        return to_keras(network, self.session)

    def convert(self, inputs: Any, outputs: Any, training: Any = None, **options: Any) -> Any:
        """`tf1_bn.migrate.convert` of this session's graph (any supported TF1 model, see converter.py)."""
        from tf1_bn.migrate.converter import convert

        return convert(self.session, inputs, outputs, training, **options)

    def check_converted(self, model: Any, feed: dict, *, loss: Any = None, learning_rate: float | None = None,
                        atol: float = 1e-5, rtol: float = 1e-5) -> dict[str, Any]:
        """For a model from `convert`: outputs in inference and (with a training placeholder) training mode,
        and, given `loss` and `learning_rate`, one SGD step; → {"inference", "training", "training_step"}."""
        from tf1_bn.migrate import graph_parity

        if (loss is None) != (learning_rate is None):
            raise ValueError("`loss` and `learning_rate` must be given together (for the training-step check)")
        reports = {"inference": graph_parity.outputs_parity(self.session, model, feed, False, atol, rtol)}
        if graph_parity.record_of(model).training is not None:
            reports["training"] = graph_parity.outputs_parity(self.session, model, feed, True, atol, rtol)
        if loss is not None:
            reports["training_step"] = graph_parity.training_step_parity(self.session, model, feed, loss,
                                                                         learning_rate, atol, rtol)
        return reports

    def sample_batch(self, batch_size: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
        return sample_batch(batch_size, seed)

    def check(self, network: Any, keras_model: Any = None, x: Any = None, y: Any = None, learning_rate: float | None = None,
              *, atol: float = 1e-5, rtol: float = 1e-5) -> dict[str, Any]:
        """`check_migration` in this session; `keras_model=None` checks `to_keras(network)`, `x=None`
        a sample batch (with its labels when `learning_rate` is given)."""
        if keras_model is None:
            keras_model = self.to_keras(network)
        if x is None:
            x, labels = self.sample_batch()
            y = labels if learning_rate is not None and y is None else y
        return check_migration(network, self.session, keras_model, x, y, learning_rate, atol=atol, rtol=rtol)
