"""Graph-mode checks and the small static-value helpers every TF1-style builder shares."""

from __future__ import annotations

import contextlib
import dataclasses
from typing import Any, Callable, Iterator

import tensorflow as tf

from tf1_bn.errors import GraphModeRequiredError


def require_graph_mode(api: str) -> None:
    """Raise GraphModeRequiredError, saying how to enter graph mode, when eager execution is on."""
    if tf.executing_eagerly():
        raise GraphModeRequiredError(
            f"{api} builds TF1 graph ops and cannot run eagerly. Build it inside "
            "`with tf.Graph().as_default():`, or call tf.compat.v1.disable_eager_execution() "
            "at program start (tf1_bn.install() does this for legacy scripts)."
        )


def tf1_shapes_active() -> bool:
    """Whether TensorFlow indexes shapes the TF1 way (`shape[i]` a Dimension with `.value`), as after
    `tf.compat.v1.disable_v2_tensorshape()`, which install() and the facade do for legacy scripts."""
    return not isinstance(tf.TensorShape([1])[0], int)


@contextlib.contextmanager
def tf2_shapes() -> Iterator[None]:
    """tf1_bn's own code reads shapes as TF2 does (`shape[i]` an int or None) inside the block, also when
    a legacy script runs with TF1 shapes; the script's setting is back on exit. Shapes are a Python-side
    view only: the graph built is the same either way."""
    if not tf1_shapes_active():
        yield
        return
    tf.compat.v1.enable_v2_tensorshape()
    try:
        yield
    finally:
        tf.compat.v1.disable_v2_tensorshape()


def static_bool(value: Any, argument: str = "training") -> bool | None:
    """The Python bool behind `value`, or None when it is only known when the graph runs.

    Accepts Python bools (and the ints 0/1, as TF1 did) and scalar bool tensors such as an
    `is_training` placeholder; a constant tensor gives its value.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, tf.Variable):
        if value.dtype.base_dtype != tf.bool:
            raise TypeError(f"`{argument}` must be a bool tensor; received a {value.dtype.name} variable")
        return None
    if isinstance(value, tf.Tensor):
        if value.dtype.base_dtype != tf.bool:
            raise TypeError(f"`{argument}` must be a Python bool or a bool tensor; received dtype {value.dtype.name}")
        if value.shape.rank not in (None, 0):
            raise ValueError(f"`{argument}` must be a scalar; received shape {value.shape}")
        constant = tf.get_static_value(value)
        return None if constant is None else bool(constant)
    raise TypeError(
        f"`{argument}` must be a Python bool or a scalar bool tensor (e.g. a placeholder); "
        f"received {type(value).__name__}: {value!r}"
    )


@dataclasses.dataclass(frozen=True)
class Training:
    """A `training`/`is_training` argument decided once per call.

    `value` is True or False when the mode is known while building, None when only the running graph
    knows it (`tensor`, e.g. an `is_training` placeholder); `cond` then builds a tf.cond, otherwise it
    builds just the one branch, as TF1's smart_cond did.
    """

    tensor: Any
    value: bool | None

    @classmethod
    def of(cls, training: Any, argument: str = "training") -> "Training":
        """Validate `training` (see `static_bool`) and decide what can be decided now."""
        if isinstance(training, Training):
            return training
        return cls(training, static_bool(training, argument))

    @property
    def may_train(self) -> bool:
        """Whether a training branch exists: True, or decided at run time."""
        return self.value is not False

    def cond(self, true_fn: Callable[[], Any], false_fn: Callable[[], Any]) -> Any:
        """`true_fn()` when training, `false_fn()` otherwise; a tf.cond when decided at run time."""
        if self.value is None:  # strict: a 1-tuple stays a tuple under TF1 control flow too
            return tf.compat.v1.cond(self.tensor, true_fn, false_fn, strict=True)
        return true_fn() if self.value else false_fn()


def smart_cond(pred: Any, true_fn: Callable[[], Any], false_fn: Callable[[], Any]) -> Any:
    """`tf.compat.v1.cond` when `pred` is only known at run time; otherwise call the one branch."""
    return Training.of(pred).cond(true_fn, false_fn)
