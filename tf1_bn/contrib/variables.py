"""contrib's model variables and graph collections, as `tf.contrib.layers` and slim used them.

- Every variable a contrib layer creates is a *model variable*: it joins GLOBAL_VARIABLES and
  MODEL_VARIABLES (and TRAINABLE_VARIABLES when trainable), so `slim.get_model_variables()` finds it.
- `variables_collections` adds them to more collections: a list for all of them, or a dict by role
  ({"beta": [...], "moving_mean": [...], "weights": [...], …}).
- `outputs_collections` adds a layer's output tensor to collections and records its scope name in
  `tensor.aliases` (`collect_named_outputs`, defined with the other alias helpers in
  `tf1_bn.contrib.utils` and re-exported here).
- contrib layers reuse the core `tf.layers` classes with a variable getter that renames `kernel` to
  `weights` and `bias` to `biases`: TF1 checkpoints say `fully_connected/weights`, `Conv/biases`.

Reference: TF 1.15 tensorflow/contrib/framework/python/ops/variables.py and
tensorflow/contrib/layers/python/layers/utils.py (read for behaviour).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import tensorflow as tf

from tf1_bn.contrib.utils import append_tensor_alias, collect_named_outputs  # noqa: F401 (re-exported)

GraphKeys = tf.compat.v1.GraphKeys
Collections = Sequence[str] | Mapping[str, Sequence[str]] | None


def variable_collections(collections: Collections, role: str) -> list[str]:
    """The extra collections for a variable of `role` ("beta", "weights", …) from `variables_collections`."""
    if collections is None:
        return []
    if isinstance(collections, Mapping):
        chosen = collections.get(role) or []
    else:
        chosen = collections
    if isinstance(chosen, str):
        return [chosen]
    if not isinstance(chosen, (list, tuple, set)):
        raise TypeError(f"`variables_collections` must be a list of collection names or a dict of such lists; "
                        f"received {collections!r}")
    return list(chosen)


def add_once(collection: str, variable: Any) -> None:
    """Add `variable` to `collection` unless that very object is already in it."""
    if not any(v is variable for v in tf.compat.v1.get_collection(collection)):
        tf.compat.v1.add_to_collection(collection, variable)


def add_to_collections(variable: tf.Variable | None, collections: Collections, role: str) -> None:
    """Add `variable` to the `variables_collections` for its role, each at most once."""
    if variable is None:
        return
    for name in variable_collections(collections, role):
        add_once(name, variable)


def mark_model_variable(variable: Any) -> None:
    """Add `variable` (each part of a partitioned one) to MODEL_VARIABLES, once."""
    # A partitioned variable (no public class in TF 2) lists its parts when iterated.
    parts = list(variable) if type(variable).__name__ == "PartitionedVariable" else [variable]
    for part in parts:
        add_once(GraphKeys.MODEL_VARIABLES, part)


def model_variable(name: str, shape: Any, dtype: tf.DType, initializer: Callable | None, *, trainable: bool = True,
                   regularizer: Callable | None = None, collections: Sequence[str] = ()) -> tf.Variable:
    """`get_variable(name)` in the current scope, made a model variable and added to `collections`."""
    variable = tf.compat.v1.get_variable(name, shape=shape, dtype=dtype, initializer=initializer,
                                         regularizer=regularizer, trainable=trainable)
    mark_model_variable(variable)
    for collection in collections:
        add_once(collection, variable)
    return variable


def layer_variable_getter(rename: Mapping[str, str] | None = None) -> Callable[..., Any]:
    """A variable-scope custom getter: rename the last name component (kernel → weights) and mark the
    variable as a model variable."""
    rename = dict(rename or {})

    def custom_getter(getter: Callable[..., Any], name: str, *args: Any, **kwargs: Any) -> Any:
        head, _, short = name.rpartition("/")
        if short in rename:
            name = f"{head}/{rename[short]}" if head else rename[short]
        variable = getter(name, *args, **kwargs)
        mark_model_variable(variable)
        return variable

    return custom_getter

