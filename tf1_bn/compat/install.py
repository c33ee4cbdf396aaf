"""`tf1_bn.install()` / `tf1_bn.uninstall()`: make the real `tensorflow` module run TF1 scripts, and undo it.

    import tf1_bn; tf1_bn.install()
    import tensorflow as tf                       # the real TF 2.21, patched:
    tf.compat.v1.layers.batch_normalization(...)  # tf_upgrade_v2's spelling: restored layers
    tf.layers.dense(...)                          # tf_upgrade_v2 leaves tf.layers.dense as it was
    tf.contrib.layers.batch_norm(...)
    from tensorflow.examples.tutorials.mnist import input_data

What install() changes (each change is recorded, and uninstall() reverts exactly those, in reverse):
1. TF1 behaviour (`tf1_bn.compat.behaviour`): graph mode (`tf.compat.v1.disable_eager_execution()`),
   TF1 tensor shapes (`x.get_shape()[1].value`) and TF1 control flow, each only if TensorFlow had the
   TF2 one;
2. every INSTALL row of the name table (`tf1_bn.compat.names`): its `sys.modules` entry
   (`tensorflow.contrib`, `tensorflow.layers`, `tensorflow.examples.tutorials.mnist.input_data`, …) and,
   when its parent is a real TensorFlow module, the attribute there: `tf.layers` (absent in TF 2),
   `tf.compat.v1.layers` (Keras 3's lazy loader, whose every name raises "not available with Keras 3"),
   `tf.contrib`, `tf.examples`.
Calling install() twice changes nothing the second time; uninstall() without install() does nothing.
Returning to eager mode is done as `tf1_bn.compat.behaviour` explains.
"""

from __future__ import annotations

import sys
from typing import Any

from tf1_bn.compat import names

_MISSING = object()

# What the active installation changed: ("attr", object, name, old), ("module", key, old) or
# ("behaviour", [switches turned to TF1]).
_changes: list[tuple] | None = None


def installed() -> bool:
    """Whether install() is in effect."""
    return _changes is not None


def _set_attribute(changes: list[tuple], owner: Any, name: str, value: Any) -> None:
    changes.append(("attr", owner, name, getattr(owner, name, _MISSING)))
    setattr(owner, name, value)


def _set_module(changes: list[tuple], key: str, module: Any) -> None:
    changes.append(("module", key, sys.modules.get(key, _MISSING)))
    sys.modules[key] = module


def install() -> None:
    """Patch the real `tensorflow` for TF1 scripts and tf_upgrade_v2 output (see the module docstring)."""
    global _changes
    if _changes is not None:
        return
    from tf1_bn.compat import behaviour

    changes: list[tuple] = []
    try:
        changes.append(("behaviour", behaviour.switch_to_tf1()))
        ours = {alias.tf1 for alias in names.installed_aliases()}
        for alias in names.installed_aliases():
            module = names.load(alias.module)
            parent, _, attribute = alias.tf1.rpartition(".")
            if parent not in ours:  # a real TensorFlow module (tensorflow, tensorflow.compat.v1)
                _set_attribute(changes, names.load(parent), attribute, module)
            _set_module(changes, alias.tf1, module)
    except BaseException:
        _revert(changes)
        raise
    _changes = changes


def _revert(changes: list[tuple]) -> None:
    for change in reversed(changes):
        if change[0] == "behaviour":
            from tf1_bn.compat import behaviour

            behaviour.switch_back(change[1])
        elif change[0] == "attr":
            _, owner, name, old = change
            if old is _MISSING:
                delattr(owner, name)
            else:
                setattr(owner, name, old)
        else:
            _, key, old = change
            if old is _MISSING:
                sys.modules.pop(key, None)
            else:
                sys.modules[key] = old


def uninstall() -> None:
    """Revert everything install() changed, in reverse order; a no-op when not installed."""
    global _changes
    if _changes is None:
        return
    changes, _changes = _changes, None
    _revert(changes)
