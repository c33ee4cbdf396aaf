"""`tf.contrib.layers.utils` (`slim.utils`): end-point aliases, static shape checks and small argument converters.

    end_points_collection = sc.original_name_scope + "_end_points"
    net = slim.conv2d(images, 64, [3, 3], outputs_collections=end_points_collection, scope="conv1")
    end_points = slim.utils.convert_collection_to_dict(end_points_collection)
    # OrderedDict({"vgg_16/conv1": net, …}): alias → tensor, in collection order
    depth_in = slim.utils.last_dimension(inputs.get_shape(), min_rank=4)   # resnet's bottleneck

- Aliases: `collect_named_outputs` appends the alias (one trailing "/" removed) to `tensor.aliases` and adds
  the tensor to the collections; a tensor without aliases is known by its op name when its name ends in ":0"
  and by its full name otherwise.
- `last_dimension` / `channel_dimension` keep TF1's three error messages: unknown rank, rank below
  `min_rank`, unknown dimension. They accept TF1 shapes (`shape[i]` a Dimension) and TF2 shapes (int/None)
  and always return an int.
- `smart_cond` picks a branch in Python when `pred` is a bool or a constant tensor, else builds `tf.cond`.

Reference: TF 1.15 tensorflow/contrib/layers/python/layers/utils.py, kept as tf-slim's
tf_slim/layers/utils.py (read for behaviour). Any other name raises MissingAPIError listing these.
"""

from __future__ import annotations

import collections
import numbers
from typing import Any, Callable, Mapping, Sequence

import tensorflow as tf

from tf1_bn.compat.namespace import namespace_getattr

__all__ = [
    "append_tensor_alias", "channel_dimension", "collect_named_outputs", "constant_value",
    "convert_collection_to_dict", "gather_tensors_aliases", "get_tensor_aliases", "get_variable_collections",
    "last_dimension", "n_positive_integers", "smart_cond", "static_cond", "two_element_tuple",
]
__getattr__ = namespace_getattr("tf.contrib.slim.utils", lambda: __all__)

DATA_FORMATS = ("channels_first", "channels_last")


# --- aliases and end points ---------------------------------------------------------------------------------------

def append_tensor_alias(tensor: tf.Tensor, alias: str) -> tf.Tensor:
    """Append `alias` (without one trailing "/") to `tensor.aliases`, creating the list; returns `tensor`."""
    if not isinstance(alias, str) or not alias:
        raise ValueError(f"`alias` must be a non-empty string; received {alias!r}")
    if alias.endswith("/"):
        alias = alias[:-1]
    if hasattr(tensor, "aliases"):
        tensor.aliases.append(alias)  # TF1 appends even an alias the tensor already has
    else:
        tensor.aliases = [alias]
    return tensor


def collect_named_outputs(collections: Sequence[str] | str | None, alias: str, outputs: tf.Tensor) -> tf.Tensor:
    """Add `outputs` to `collections` (none when empty or None), recording `alias` in `outputs.aliases`."""
    if collections:
        append_tensor_alias(outputs, alias)
        tf.compat.v1.add_to_collections(collections, outputs)
    return outputs


def get_tensor_aliases(tensor: tf.Tensor) -> list[str]:
    """`tensor.aliases`, or else [op name] for a tensor named "…:0" and [tensor name] for any other output."""
    if hasattr(tensor, "aliases"):
        return tensor.aliases
    return [tensor.op.name] if tensor.name.endswith(":0") else [tensor.name]


def gather_tensors_aliases(tensors: Sequence[tf.Tensor]) -> list[str]:
    """The aliases of all `tensors`, concatenated in order."""
    return [alias for tensor in tensors for alias in get_tensor_aliases(tensor)]


def convert_collection_to_dict(collection: str, clear_collection: bool = False) -> collections.OrderedDict:
    """OrderedDict alias → tensor over the collection (a tensor with two aliases appears under both; a repeated
    alias keeps its first position and its last tensor); `clear_collection` empties the collection after."""
    output = collections.OrderedDict(
        (alias, tensor) for tensor in tf.compat.v1.get_collection(collection) for alias in get_tensor_aliases(tensor))
    if clear_collection:
        tf.compat.v1.get_default_graph().clear_collection(collection)
    return output


# --- constants and conditionals -----------------------------------------------------------------------------------

def constant_value(value_or_tensor_or_var: Any, dtype: Any = None) -> Any:
    """A plain value as is; a tensor's value when TensorFlow can fold it to a constant, else None; a variable → None.

    With `dtype`, a tensor or variable of another (base) dtype is a ValueError.
    """
    if value_or_tensor_or_var is None:
        raise ValueError("`value_or_tensor_or_var` cannot be None")
    if not isinstance(value_or_tensor_or_var, (tf.Tensor, tf.Variable)):
        return value_or_tensor_or_var
    actual = value_or_tensor_or_var.dtype.base_dtype
    if dtype is not None and actual != tf.as_dtype(dtype).base_dtype:
        raise ValueError(f"`value_or_tensor_or_var` has the wrong type {actual.name} instead of "
                         f"{tf.as_dtype(dtype).name}")
    if isinstance(value_or_tensor_or_var, tf.Variable):
        return None  # a variable's value can change between runs
    return tf.get_static_value(value_or_tensor_or_var)


def static_cond(pred: Any, fn1: Callable[[], Any], fn2: Callable[[], Any]) -> Any:
    """`fn1()` if the Python value `pred` is true, else `fn2()` (tf.cond's signature, decided in Python)."""
    for name, fn in (("fn1", fn1), ("fn2", fn2)):
        if not callable(fn):
            raise TypeError(f"`{name}` must be callable; received {fn!r}")
    return fn1() if pred else fn2()


def smart_cond(pred: Any, fn1: Callable[[], Any], fn2: Callable[[], Any], name: str | None = None) -> Any:
    """`static_cond` when `pred` is a bool or a constant tensor; otherwise `tf.cond(pred, fn1, fn2, name=name)`."""
    value = constant_value(pred)
    if value is not None:
        return static_cond(value, fn1, fn2)
    return tf.compat.v1.cond(pred, fn1, fn2, name=name)


def get_variable_collections(variables_collections: Any, name: str) -> Any:
    """`variables_collections[name]` (None when absent) for a dict, otherwise `variables_collections` itself."""
    if isinstance(variables_collections, Mapping):
        return variables_collections.get(name, None)
    return variables_collections


# --- shapes and integer arguments ---------------------------------------------------------------------------------

def _as_shape(shape: Any) -> tf.TensorShape:
    if isinstance(shape, tf.TensorShape):
        return shape
    try:
        return tf.TensorShape(shape)
    except (TypeError, ValueError) as error:
        raise TypeError(f"`shape` must be a TensorShape or a list of dimensions; received {shape!r}") from error


def _get_dimension(shape: Any, dim: int, min_rank: int) -> int:
    """The value of `shape[dim]`, with TF1's messages when the rank is unknown or too low or the value is None."""
    if isinstance(min_rank, bool) or not isinstance(min_rank, numbers.Integral) or min_rank < 0:
        raise ValueError(f"`min_rank` must be a non-negative int; received {min_rank!r}")
    shape = _as_shape(shape)
    if shape.rank is None:
        raise ValueError("dims of shape must be known but is None")
    # TF1 indexed past the end (IndexError) when min_rank did not cover `dim`; here that is the rank error.
    needed = max(int(min_rank), dim + 1 if dim >= 0 else -dim)
    if shape.rank < needed:
        raise ValueError("rank of shape must be at least %d not: %d" % (needed, shape.rank))
    value = tf.compat.v1.dimension_value(shape[dim])  # Dimension (TF1 shapes) or int/None (TF2 shapes)
    if value is None:
        raise ValueError("dimension %d of shape must be known but is None: %s" % (dim, shape))
    return int(value)


def last_dimension(shape: Any, min_rank: int = 1) -> int:
    """The static size of the last dimension of `shape`, which must have at least `min_rank` dimensions."""
    return _get_dimension(shape, -1, min_rank)


def channel_dimension(shape: Any, data_format: str, min_rank: int = 1) -> int:
    """The static channel count: dimension 1 for 'channels_first', the last one for 'channels_last'."""
    if data_format not in DATA_FORMATS:
        raise ValueError(f"`data_format` must be one of {list(DATA_FORMATS)}; received {data_format!r}")
    return _get_dimension(shape, 1 if data_format == "channels_first" else -1, min_rank)


def two_element_tuple(int_or_tuple: Any) -> tuple[Any, Any]:
    """(height, width) from an int (used twice), a 2-element list/tuple, or a TensorShape of rank 2.

    A TensorShape gives its dimension values (int or None) under both TF1 and TF2 shape behaviour.
    """
    if isinstance(int_or_tuple, (list, tuple)):
        if len(int_or_tuple) != 2:
            raise ValueError(f"`int_or_tuple` must be a list with 2 elements; received {int_or_tuple!r}")
        return int(int_or_tuple[0]), int(int_or_tuple[1])
    if isinstance(int_or_tuple, numbers.Integral):
        return int(int_or_tuple), int(int_or_tuple)
    if isinstance(int_or_tuple, tf.TensorShape) and int_or_tuple.rank == 2:
        return tuple(tf.compat.v1.dimension_value(d) for d in int_or_tuple)  # type: ignore[return-value]
    raise ValueError("`int_or_tuple` must be an int, a list with 2 elements or a TensorShape of length 2; "
                     f"received {int_or_tuple!r}")


def n_positive_integers(n: int, value: Any) -> tuple[int, ...]:
    """`value` as a tuple of `n` positive ints: one int repeated n times, or a sequence (or TensorShape) of n."""
    try:
        count = int(n)
    except (TypeError, ValueError) as error:
        raise TypeError(f"`n` must be a positive integer; received {n!r}") from error
    if count < 1 or count != n:
        raise ValueError(f"`n` must be a positive integer; received {n!r}")
    expected = f"`value` must be a positive integer or a sequence of {count} positive integers; received {value!r}"
    try:
        single = int(value)
    except (TypeError, ValueError):
        single = None
    if single is not None:
        values: tuple[int, ...] = (single,) * count
    else:
        try:
            length = len(value)
        except (TypeError, ValueError) as error:
            raise TypeError(expected) from error
        if length != count:
            raise ValueError(expected)
        try:
            values = tuple(int(x) for x in value)
        except (TypeError, ValueError) as error:
            raise ValueError(expected) from error
    for x in values:
        if x < 1:
            raise ValueError(f"{expected} (expected positive integer, but received {x})")
    return values
