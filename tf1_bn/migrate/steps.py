"""One converted layer: what the converter's op handlers return, and what the report prints about it.

A handler looks at one TF1 tensor and, when it recognises the op pattern that made it, returns a
`Step`: the Keras layer to build, the TF1 tensors it reads (converted before it), and its weights
in the Keras layer's order, as TF1 variables (read from the session) or constant arrays.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Sequence

import numpy as np


@dataclasses.dataclass
class Step:
    """A Keras layer standing for the TF1 op pattern that produced one tensor."""

    layer: str                                   # the Keras class, e.g. "BatchNormalization"
    make: Callable[[str], Any]                   # name -> the Keras layer
    inputs: Sequence[Any]                        # the TF1 tensors it reads, in call order
    weights: Sequence[Any] = ()                  # tf.Variable or np.ndarray, in the Keras layer's weight order
    weight_names: Sequence[str] = ()             # the Keras names of those weights ("gamma", "kernel", …)
    arguments: dict = dataclasses.field(default_factory=dict)  # the converted arguments, for the report
    tf1: str = ""                                # the TF1 op (or scope) it stands for
    notes: list[str] = dataclasses.field(default_factory=list)  # what needed a decision or a tf1_bn layer
    as_list: bool = False                        # the Keras layer takes its inputs as one list (Add, Concatenate)
    keras_name: str = ""                         # filled by the engine

    def describe(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.arguments.items())
        return f"{self.keras_name}: {self.layer}({args})  <- {self.tf1}"


def weight_source(value: Any) -> str:
    """How the report names a weight's origin: the TF1 variable, or a constant."""
    if isinstance(value, np.ndarray):
        return f"constant {list(value.shape)}"
    return f"{value.op.name} {value.shape.as_list()}"
