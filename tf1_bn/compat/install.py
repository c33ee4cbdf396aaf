"""`tf1_bn.install()` / `tf1_bn.uninstall()`: make the real `tensorflow` module run TF1 scripts, and undo it.

    import tf1_bn; tf1_bn.install()
    import tensorflow as tf                       # the real TF 2.21, patched:
    tf.compat.v1.layers.batch_normalization(...)  # tf_upgrade_v2's spelling: restored layers
    tf.layers.dense(...)                          # tf_upgrade_v2 leaves tf.layers.dense as it was
    tf.contrib.layers.batch_norm(...)
    from tensorflow.examples.tutorials.mnist import input_data

What install() changes (each change is recorded, and uninstall() reverts exactly those, in reverse):
1. graph mode: `tf.compat.v1.disable_eager_execution()` if TensorFlow was eager;
2. every INSTALL row of the name table (`tf1_bn.compat.names`): its `sys.modules` entry
   (`tensorflow.contrib`, `tensorflow.layers`, `tensorflow.examples.tutorials.mnist.input_data`, …) and,
   when its parent is a real TensorFlow module, the attribute there: `tf.layers` (absent in TF 2),
   `tf.compat.v1.layers` (Keras 3's lazy loader, whose every name raises "not available with Keras 3"),
   `tf.contrib`, `tf.examples`.
Calling install() twice changes nothing the second time; uninstall() without install() does nothing.

Returning to eager mode: TensorFlow's public API cannot (`enable_eager_execution` raises "must be
called at program startup" once a graph was used), so uninstall() undoes the two assignments
`disable_eager_execution` makes (the default execution mode and this thread's eager flag) through
`tensorflow.python.eager.context`. Graphs built meanwhile stay valid; they are just not the default.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

from tf1_bn.compat import names

_MISSING = object()

# What the active installation changed: ("attr", object, name, old) or ("module", key, old) or ("eager",).
_changes: list[tuple] | None = None


def installed() -> bool:
    """Whether install() is in effect."""
    return _changes is not None


def _eager_by_default() -> bool:
    from tensorflow.python.eager import context

    return context.default_execution_mode == context.EAGER_MODE


def _restore_eager_execution() -> None:
    """Undo `tf.compat.v1.disable_eager_execution()` (see the module docstring for why it is done this way)."""
    from tensorflow.python.eager import context

    context.default_execution_mode = context.EAGER_MODE
    current = context.context_safe()
    if current is not None:
        current._thread_local_data.is_eager = True  # the flag disable_eager_execution cleared


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
    import tensorflow as tf

    changes: list[tuple] = []
    try:
        if _eager_by_default():
            tf.compat.v1.disable_eager_execution()
            changes.append(("eager",))
        ours = {alias.tf1 for alias in names.installed_aliases()}
        for alias in names.installed_aliases():
            module = importlib.import_module(alias.module)
            parent, _, attribute = alias.tf1.rpartition(".")
            if parent not in ours:  # a real TensorFlow module (tensorflow, tensorflow.compat.v1)
                _set_attribute(changes, importlib.import_module(parent), attribute, module)
            _set_module(changes, alias.tf1, module)
    except BaseException:
        _revert(changes)
        raise
    _changes = changes


def _revert(changes: list[tuple]) -> None:
    for change in reversed(changes):
        if change[0] == "eager":
            _restore_eager_execution()
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
