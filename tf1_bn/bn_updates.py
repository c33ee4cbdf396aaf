"""How batch normalization's moving statistics are updated, and how those updates are made to run.

The update rule (Ioffe & Szegedy 2015, Sec. 3.1 keeps "moving averages" of μ_B and σ²_B; TF1's form):

    moving ← moving − (moving − batch) · (1 − momentum)

and contrib's zero-debiased variant (Kingma & Ba 2015, "Adam", Sec. 3; TF's `assign_moving_average(…,
zero_debias=True)`):

    biased ← biased − (biased − batch)·(1 − decay);   t ← t + 1;   moving ← biased / (1 − decayᵗ)

An update op only runs when something the session runs depends on it. The helpers below are the one
place each TF1 wiring is written:
- `gated_updates`: updates that must happen only when training, where training may be a placeholder
  (a tf.cond whose false branch keeps the statistics), used by every BN layer of tf1_bn;
- `wire_updates`: contrib's `updates_collections` — a collection name collects the gated updates for the
  train op to depend on (seed 000's UPDATE_OPS recipe); None updates in place, the outputs waiting for
  the updates.
Users: `tf1_bn.layers` (plain, fused, renorm), `tf1_bn.contrib.batch_norm`, the article's fast loop.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import tensorflow as tf

from tf1_bn import bn_math
from tf1_bn._graph import Training

Tensors = Sequence[tf.Tensor]


def assign_moving_average(
    variable: tf.Variable, value: tf.Tensor, momentum: float | tf.Tensor, name: str = "AssignMovingAvg"
) -> tf.Tensor:
    """The TF1 update `moving ← moving − (moving − value)·(1 − momentum)`, as one assign_sub op.

    - Written as a subtraction of a delta rather than `momentum·moving + (1 − momentum)·value`: the
      two are equal in exact arithmetic, and this form is the one TF1's layer used, so moving
      statistics match TF1 to the last bit.
    - `momentum` may be a tensor; then 1 − momentum is computed in the graph (float32), as TF1's
      fused path did — a Python float would round differently in the last bit.
    - Returns the updated value; it runs only when fetched or made a control dependency, which is why
      TF1 collected it in `tf.GraphKeys.UPDATE_OPS`.
    """
    with tf.compat.v1.name_scope(None, name, [variable, value, momentum]) as scope:
        with tf.compat.v1.get_default_graph().colocate_with(variable):
            return tf.compat.v1.assign_sub(variable, bn_math.moving_average_delta(variable, value, momentum), name=scope)


def assign_value(variable: tf.Variable, value: tf.Tensor, name: str = "AssignNewValue") -> tf.Tensor:
    """`variable ← value` as one assign op colocated with the variable (renorm's moving variance)."""
    with tf.compat.v1.name_scope(None, name, [variable, value]) as scope:
        with tf.compat.v1.get_default_graph().colocate_with(variable):
            return tf.compat.v1.assign(variable, value, name=scope)


def zero_debias_variables(moving_mean: tf.Variable) -> tuple[tf.Variable, tf.Variable]:
    """TF's two zero-debias variables beside `moving_mean`: `<moving_mean>/biased` and `…/local_step`.

    Created in the variable scope named after the moving mean, as TF's own assign_moving_average names
    them (so the layer's scope appears twice, `BatchNorm/BatchNorm/moving_mean/biased`), outside any cond.
    """
    with tf.compat.v1.variable_scope(moving_mean.op.name, reuse=tf.compat.v1.AUTO_REUSE):
        zeros = tf.compat.v1.zeros_initializer()
        dtype = moving_mean.dtype.base_dtype
        biased = tf.compat.v1.get_variable("biased", moving_mean.shape, dtype, zeros, trainable=False)
        step = tf.compat.v1.get_variable("local_step", [], dtype, zeros, trainable=False)
    return biased, step


def zero_debiased_moving_average(variable: tf.Variable, value: tf.Tensor, decay: Any,
                                 debias: tuple[tf.Variable, tf.Variable]) -> tf.Tensor:
    """biased ← biased − (biased − value)·(1 − decay); t ← t + 1; variable ← biased/(1 − decayᵗ)."""
    biased, local_step = debias
    with tf.compat.v1.name_scope(None, "AssignMovingAvg", [variable, value]):
        one_minus_decay = tf.cast(tf.convert_to_tensor(1.0 - decay), variable.dtype.base_dtype)
        new_biased = tf.compat.v1.assign_sub(biased, bn_math.moving_average_delta(biased, value, decay))
        step = tf.compat.v1.assign_add(local_step, 1.0)
        bias_factor = 1.0 - tf.pow(1.0 - one_minus_decay, step)
        return assign_value(variable, new_biased / bias_factor)


def fused_batch_norm(training: Training, x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, mean: tf.Tensor,
                     variance: tf.Tensor, epsilon: float, data_format: str) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """The fused kernel in the mode `training` says: (y, batch mean, Bessel-corrected batch variance)
    when training, (y, `mean`, `variance`) otherwise; a tf.cond over both kernels when decided at run time."""

    def run(is_training: bool) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
        return bn_math.fused_batch_norm(x, scale, offset, mean, variance, epsilon, data_format, is_training)

    return training.cond(lambda: run(True), lambda: run(False))


def gated_updates(training: Training, make_updates: Callable[[], Tensors],
                  keep: Callable[[], Tensors]) -> tuple[tf.Tensor, ...]:
    """The update ops `make_updates()` when training; `keep()` (the statistics as they are) otherwise.

    With a run-time `training` both exist in one tf.cond, so fetching the result (or depending on it
    through UPDATE_OPS) moves the statistics exactly when training is fed True. Only call it when
    `training.may_train`: with training=False a BN layer makes no update op at all, as in TF1.
    """
    return tuple(training.cond(lambda: tuple(make_updates()), lambda: tuple(keep())))


def wire_updates(training: Training, make_updates: Callable[[], Tensors], keep: Callable[[], Tensors],
                 updates_collections: Any, values: Tensors,
                 otherwise: Callable[[], Tensors] | None = None) -> tuple[tf.Tensor, ...]:
    """contrib's `updates_collections`: make the updates run, and return what downstream should use.

    `values` are the tensors downstream uses when training (the output, or the batch moments);
    `otherwise()` what it uses when not (None: the same `values`).
    - `updates_collections` None: in place. When training, the returned tensors are identities of
      `values` that wait for `make_updates()`; so no UPDATE_OPS dependency is needed.
    - a collection name or list of names: the gated updates (see `gated_updates`) join those
      collections; the returned tensors are `values` (or `otherwise()` when not training).
    """
    values = tuple(values)
    same = otherwise is None
    inference = (lambda: values) if same else (lambda: tuple(otherwise()))  # type: ignore[misc]
    if updates_collections is None:
        def forced() -> tuple[tf.Tensor, ...]:
            with tf.control_dependencies(list(make_updates())):
                return tuple(tf.identity(v) for v in values)

        return tuple(training.cond(forced, inference))
    for update in gated_updates(training, make_updates, keep):
        tf.compat.v1.add_to_collections(updates_collections, update)
    if same or training.value is True:
        return values
    return tuple(training.cond(lambda: values, inference))
