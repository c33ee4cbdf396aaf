"""tf1_bn: TensorFlow 1.x batch normalization, restored on TensorFlow 2.16+.

Importing this package does not import TensorFlow and does not touch its global state (eager or graph
mode). Submodules load on first use:

    import tf1_bn.layers as layers          # tf.layers.batch_normalization, rebuilt on tf.compat.v1
    from tf1_bn.reference import batch_norm_forward   # the NumPy oracle
"""

from __future__ import annotations

import importlib
from typing import Any

from tf1_bn._version import __version__

# Public names served lazily: attribute -> (module, attribute or None for the module itself).
_LAZY = {
    "layers": ("tf1_bn.layers", None),
    "reference": ("tf1_bn.reference", None),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'tf1_bn' has no attribute {name!r}")
    module_name, attribute = _LAZY[name]
    module = importlib.import_module(module_name)
    return module if attribute is None else getattr(module, attribute)
