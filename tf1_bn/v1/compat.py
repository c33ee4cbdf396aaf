"""`tf.compat` inside the facade: `v1` is the facade itself, `v2` is TensorFlow 2, the rest is `tf.compat`.

So `import tensorflow as tf; tf.compat.v1.layers.dense(...)` (tf_upgrade_v2's spelling) reaches the
restored layers when the facade stands in for `tensorflow`.
"""

from __future__ import annotations

import sys
from typing import Any

import tensorflow as _tf

v1 = sys.modules["tf1_bn.v1"]
v2 = _tf.compat.v2


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(f"module 'tf1_bn.v1.compat' has no attribute {name!r}")
    return getattr(_tf.compat, name)
