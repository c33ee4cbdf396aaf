"""tf1_bn: TensorFlow 1.x batch normalization, restored on TensorFlow 2.16+.

Importing this package does not import TensorFlow and does not touch its global state (eager or graph
mode). Submodules load on first use:

    import tf1_bn.layers as layers          # tf.layers.batch_normalization, rebuilt on tf.compat.v1
    from tf1_bn.reference import forward, backward     # the NumPy oracle
    import tf1_bn; tf1_bn.install()         # opt-in: graph mode, tf.compat.v1.layers/tf.contrib restored
    import tf1_bn.v1 as tf                  # opt-in: the whole TF1 API in graph mode

`install()` and `import tf1_bn.v1` are the only things that switch TensorFlow to graph mode.
"""

from __future__ import annotations

import importlib
from typing import Any

from tf1_bn._version import __version__

# Public names served lazily: attribute -> (module, attribute or None for the module itself).
_LAZY = {
    "layers": ("tf1_bn.layers", None),
    "reference": ("tf1_bn.reference", None),
    "errors": ("tf1_bn.errors", None),
    "install": ("tf1_bn.compat.install", "install"),  # TF1 scripts on the real `tensorflow` (tf1_bn/compat/)
    "uninstall": ("tf1_bn.compat.install", "uninstall"),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'tf1_bn' has no attribute {name!r}")
    module_name, attribute = _LAZY[name]
    module = importlib.import_module(module_name)
    return module if attribute is None else getattr(module, attribute)
