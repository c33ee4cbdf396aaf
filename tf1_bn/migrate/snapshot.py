"""Read and write a TF1 session's variables without adding ops; keep graph collections as found.

The tools that inspect or recompute (the parity checks of `tf1_bn.migrate`, `tf1_bn.article.population`) must
leave the graph and the variables as they found them, except what they are meant to write:

- `write(sess, variables, values)` runs each variable's own initializer with its initial value fed
  (`initializer.inputs[1]`), which is what TF1's `Variable.load` did. No assign op is added to the
  graph, so `tf1_bn.guard` (which ignores initializers) never mistakes a restore or a recomputed
  statistic for a forgotten batch-norm update op.
- `preserved(sess, variables)` reads the values on entry and writes them back in `finally`.
- `preserved_collections(graph)` puts every graph collection back as it was in `finally` (e.g. the
  TRAIN_OP collection that `Optimizer.minimize` appends to).
"""

from __future__ import annotations

import contextlib
from typing import Iterator, Sequence

import numpy as np
import tensorflow as tf


def read(sess: tf.compat.v1.Session, variables: Sequence[tf.Variable]) -> list[np.ndarray]:
    """The current values of `variables` (one Session.run), as NumPy arrays."""
    if not variables:
        return []
    with sess.graph.as_default():
        return [np.array(value) for value in sess.run(list(variables))]


def write(sess: tf.compat.v1.Session, variables: Sequence[tf.Variable], values: Sequence[np.ndarray]) -> None:
    """Set each variable to its value with one Session.run of the initializers, adding no op.

    Sequences, not a dict: outside a graph block (eager mode) TF variables and tensors are unhashable.
    Raises ValueError naming the variable when a value's shape differs from the variable's.
    """
    variables, values = list(variables), list(values)
    if len(variables) != len(values):
        raise ValueError(f"`values` must hold one value per variable ({len(variables)}); received {len(values)}")
    if not variables:
        return
    with sess.graph.as_default():  # feed_dict keys are hashed: graph mode
        feed = {}
        for variable, value in zip(variables, values):
            value = np.asarray(value, dtype=variable.dtype.base_dtype.as_numpy_dtype)
            if not variable.shape.is_compatible_with(value.shape):
                raise ValueError(
                    f"a value for `{variable.op.name}` must have shape {variable.shape.as_list()}; received shape {value.shape}"
                )
            feed[variable.initializer.inputs[1]] = value
        sess.run([variable.initializer for variable in variables], feed)


@contextlib.contextmanager
def preserved(sess: tf.compat.v1.Session, variables: Sequence[tf.Variable], restore: bool = True) -> Iterator[list[np.ndarray]]:
    """Yield the values of `variables` on entry; write them back on exit (also after an error) when `restore`."""
    variables = list(variables)
    saved = read(sess, variables)
    try:
        yield saved
    finally:
        if restore:
            write(sess, variables, saved)


@contextlib.contextmanager
def preserved_collections(graph: tf.Graph) -> Iterator[None]:
    """Restore every collection of `graph` (contents and keys) on exit, also after an error."""
    saved = {key: list(graph.get_collection(key)) for key in graph.get_all_collection_keys()}
    try:
        yield
    finally:
        for key in graph.get_all_collection_keys():
            collection = graph.get_collection_ref(key)
            collection[:] = saved.get(key, [])
        for key in set(graph.get_all_collection_keys()) - set(saved):
            graph.clear_collection(key)
