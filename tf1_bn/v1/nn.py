"""`tf.nn` in the TF1 facade: `tf.compat.v1.nn`, except that `moments` accepts any sequence of axes.

Seed 003 (and the StackOverflow answer it copies) computes `tf.nn.moments(x, np.arange(rank - 1))`.
Early TF 1.x accepted a NumPy array there; since the generated op wrappers check types, the squeeze
inside `moments` raises "Expected list for 'axis' argument to 'squeeze' Op, not array([0])". The
facade passes `axes` on as a list of ints; everything else is TensorFlow's own.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as _tf

from tf1_bn.compat.keras_gate import gated

_nn = _tf.compat.v1.nn


def moments(x: Any, axes: Any, shift: Any = None, name: str | None = None, keep_dims: bool | None = None,
            keepdims: bool | None = None) -> tuple[Any, Any]:
    """`tf.compat.v1.nn.moments` (mean and biased variance over `axes`), with `axes` any int sequence."""
    if isinstance(axes, (np.ndarray, range, tuple)):
        axes = [int(a) for a in np.asarray(axes).reshape(-1)]
    return _nn.moments(x, axes, shift=shift, name=name, keep_dims=keep_dims, keepdims=keepdims)


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(f"module 'tf1_bn.v1.nn' has no attribute {name!r}")
    return gated(getattr(_nn, name), f"tf.nn.{name}")


def __dir__() -> list[str]:
    return sorted(set(dir(_nn)) | {"moments"})
