"""What every contrib layer with weights does after its linear part: collections, normalizer, activation.

    outputs = activation_fn(normalizer_fn(linear(x), **normalizer_params))   (the normalizer replaces the bias)

and the variable renaming TF1 checkpoints of contrib layers show (`kernel` → `weights`, `bias` → `biases`).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import tensorflow as tf

from tf1_bn.contrib import variables as contrib_variables
from tf1_bn.layers import core

RENAME = {"kernel": "weights", "bias": "biases"}


def finish_layer(layer: Any, outputs: tf.Tensor, sc: Any, normalizer_fn: Callable | None,
                 normalizer_params: Mapping | None, activation_fn: Callable | None, variables_collections: Any,
                 outputs_collections: Any) -> tf.Tensor:
    """The layer's weights into `variables_collections`, then normalizer, activation and `outputs_collections`."""
    for kernel in ("kernel", "depthwise_kernel", "pointwise_kernel"):
        contrib_variables.add_to_collections(getattr(layer, kernel, None), variables_collections, "weights")
    contrib_variables.add_to_collections(getattr(layer, "bias", None), variables_collections, "biases")
    if normalizer_fn is not None:
        outputs = normalizer_fn(outputs, **dict(normalizer_params or {}))
    if activation_fn is not None:
        outputs = activation_fn(outputs)
    return contrib_variables.collect_named_outputs(outputs_collections, sc.name, outputs)


def check_callables(**values: Any) -> None:
    """Each keyword's value must be callable or None (TypeError naming the keyword)."""
    for name, value in values.items():
        core.optional_callable(value, name)
