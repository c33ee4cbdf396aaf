"""The arguments of TF1's batch-normalization layer checked, and its small scale/offset algebra.

Kept apart from `normalization.py` so the layer reads as its equations: here are the checks whose
errors name the argument, what is accepted and what was received (TF 1.15 accepted the same values).
"""

from __future__ import annotations

from typing import Any, Sequence

import tensorflow as tf


def check_layer_arguments(axis: Any, center: Any, scale: Any, renorm: Any, fused: Any, epsilon: Any,
                          virtual_batch_size: Any, adjustment: Any) -> None:
    """The type and range checks of `BatchNormalization.__init__`, each error naming its argument."""
    if isinstance(axis, bool) or not (
        isinstance(axis, int) or (isinstance(axis, (list, tuple)) and axis
                                  and all(isinstance(a, int) and not isinstance(a, bool) for a in axis))
    ):
        raise TypeError(f"`axis` must be an int or a non-empty list/tuple of ints; received {axis!r}")
    for flag, value in (("center", center), ("scale", scale), ("renorm", renorm)):
        if not isinstance(value, bool):
            raise TypeError(f"`{flag}` must be a bool; received {value!r}")
    if fused not in (None, True, False):
        raise TypeError(f"`fused` must be None, True or False; received {fused!r}")
    if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float)) or not epsilon >= 0:
        # TF1 accepted 0 (the fused kernel then raises it to 1.001e-5 itself); a negative ε is never meant.
        raise ValueError(f"`epsilon` must be a non-negative number; received {epsilon!r}")
    if virtual_batch_size is not None:
        if isinstance(virtual_batch_size, bool) or not isinstance(virtual_batch_size, int):
            raise TypeError(f"`virtual_batch_size` must be a positive int or None; received {virtual_batch_size!r}")
        if virtual_batch_size <= 0:
            raise ValueError(f"`virtual_batch_size` must be a positive int; received {virtual_batch_size}")
        if adjustment is not None:
            raise ValueError("`adjustment` cannot be combined with `virtual_batch_size`; pass only one of them")


def fraction(value: Any, argument: str) -> Any:
    """A momentum: a Python number in [0, 1], or a tensor (checked when it runs, as TF1 did)."""
    if isinstance(value, (tf.Tensor, tf.Variable)):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise ValueError(f"`{argument}` must be a number in [0, 1]; received {value!r}")
    return float(value)


def check_virtual_batches(virtual_batch_size: int | None, axis: list[int], input_shape: tf.TensorShape) -> None:
    """Ghost batches split axis 0 into `virtual_batch_size` groups: axis 0 is not normalized, and a
    static batch size must be a multiple."""
    if virtual_batch_size is None:
        return
    if 0 in axis:
        raise ValueError(f"`virtual_batch_size` splits axis 0, so `axis` cannot include 0; received axis={axis}")
    batch = input_shape[0]
    if batch is not None and batch % virtual_batch_size:
        raise ValueError(f"`virtual_batch_size`={virtual_batch_size} must divide the batch size {batch}")


def validate_axis(axis: int | Sequence[int], rank: int) -> list[int]:
    """Normalize `axis` (int or list, negatives allowed) to sorted-as-given positive axes of a rank-`rank` input."""
    axes = [axis] if isinstance(axis, int) else list(axis)
    result = []
    for a in axes:
        if not -rank <= a < rank:
            raise ValueError(f"`axis` must be in [{-rank}, {rank}) for inputs of rank {rank}; received axis={axis!r}")
        result.append(a % rank)
    if len(set(result)) != len(result):
        raise ValueError(f"`axis` has duplicate entries; received axis={axis!r}")
    return result


def compose(scale: Any, offset: Any, then_scale: Any, then_offset: Any) -> tuple[Any, Any]:
    """(x·scale + offset)·then_scale + then_offset as one (scale, offset) pair; None means identity."""
    if then_scale is not None:
        scale = scale * then_scale
        offset = offset * then_scale
    if then_offset is not None:
        offset = offset + then_offset
    return scale, offset
