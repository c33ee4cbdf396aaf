"""`tf.compat` inside the facade: the name table's `tensorflow.compat.*` rows (`v1` is the facade itself,
`v2` is TensorFlow 2), the rest is the real `tf.compat`.

So `import tensorflow as tf; tf.compat.v1.layers.dense(...)` (tf_upgrade_v2's spelling) reaches the
restored layers when the facade stands in for `tensorflow`.
"""

from __future__ import annotations

from typing import Any

import tensorflow as _tf

from tf1_bn.compat import names as _names

_OWN = _names.children("tensorflow.compat")


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(f"module 'tf1_bn.v1.compat' has no attribute {name!r}")
    if name in _OWN:
        return _names.load(_OWN[name])  # v1 is imported while it imports this module: lazily
    return getattr(_tf.compat, name)


def __dir__() -> list[str]:
    return sorted(set(dir(_tf.compat)) | set(_OWN))
