"""`slim.model_analyzer` (`tf.contrib.slim.model_analyzer`): sizes of a graph's variables and op outputs.

    total_size, total_bytes = slim.model_analyzer.analyze_vars(slim.get_model_variables(), print_info=True)
    slim.model_analyzer.analyze_ops(tf.compat.v1.get_default_graph(), print_info=True)

- size = number of elements of the static shape (0 when it is not fully known), bytes = size × dtype size.
- `analyze_ops` sums, over every op of the graph, the sizes of its outputs.
- With `print_info`, TF1's report goes to stdout, e.g. for a 3×3 conv from 1 to 4 channels

      ---------
      Variables: name (type shape) [size]
      ---------
      Conv/weights:0 (float32 3x3x1x4) [36, bytes: 144]
      Conv/biases:0 (float32 4) [4, bytes: 16]
      Total size of variables: 40
      Total bytes of variables: 160

  and `Conv/Relu \\t-> (float32 ?x8x8x4) [0]` per op. A shape is written TF1's way, "?" for an unknown
  dimension, under TF1 and TF2 shape behaviour alike; the dtype is the variable's own (`float32` for the
  resource variables TF 2 creates, `float32_ref` for reference variables as in TF1).

Reference: TF 1.15 tensorflow/contrib/slim/python/slim/model_analyzer.py, kept as tf-slim's
tf_slim/model_analyzer.py (read for behaviour). Any other name raises MissingAPIError listing these.
"""

from __future__ import annotations

from typing import Any, Iterable

import tensorflow as tf

from tf1_bn.compat.namespace import namespace_getattr

__all__ = ["analyze_ops", "analyze_vars", "tensor_description"]
__getattr__ = namespace_getattr("tf.contrib.slim.model_analyzer", lambda: __all__)


def tensor_description(var: Any) -> str:
    """`(dtype d0xd1x…)` for a tensor or variable, e.g. "(float32 ?x8x8x1024)"; a scalar is "(float32 )"."""
    shape = var.get_shape()
    if shape.rank is None:
        raise ValueError(f"`var` must have a known rank to be described; received {var.name} of unknown shape")
    sizes = ["?" if d is None else str(d) for d in (tf.compat.v1.dimension_value(d) for d in shape)]
    return f"({var.dtype.name} {'x'.join(sizes)})"


def _size(shape: tf.TensorShape) -> int:
    return shape.num_elements() or 0  # unknown shapes count as 0


def analyze_ops(graph: tf.Graph, print_info: bool = False) -> int:
    """The total number of elements of all op outputs in `graph` (outputs of unknown shape count 0)."""
    if print_info:
        print("---------")
        print("Operations: name -> (type shapes) [size]")
        print("---------")
    total_size = 0
    for op in graph.get_operations():
        op_size = sum(_size(output.get_shape()) for output in op.outputs)
        if print_info:
            shapes = [tensor_description(output) for output in op.outputs if output.get_shape().rank is not None]
            print(op.name, "\t->", ", ".join(shapes), f"[{op_size}]")
        total_size += op_size
    return total_size


def analyze_vars(variables: Iterable[Any], print_info: bool = False) -> tuple[int, int]:
    """(total number of elements, total bytes) of `variables`, e.g. `tf.compat.v1.global_variables()`."""
    if print_info:
        print("---------")
        print("Variables: name (type shape) [size]")
        print("---------")
    total_size = total_bytes = 0
    for var in variables:
        var_size = _size(var.get_shape())
        var_bytes = var_size * var.dtype.base_dtype.size
        total_size += var_size
        total_bytes += var_bytes
        if print_info:
            print(var.name, tensor_description(var), f"[{var_size}, bytes: {var_bytes}]")
    if print_info:
        print(f"Total size of variables: {total_size}")
        print(f"Total bytes of variables: {total_bytes}")
    return total_size, total_bytes
