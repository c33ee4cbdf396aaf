"""The guard: fail when a train op does not run the ops that keep batch-norm statistics moving.

    import tf1_bn.guard
    train_op = optimizer.minimize(loss)
    tf1_bn.guard.assert_update_ops_attached(train_op)   # raises MissingUpdateOpsError, naming the fix

Modules: `update_ops` (the check, by graph structure only), `graph_state` (which ops write which
state variables), `sessions` (GuardedSession, guard_sessions, record_train_ops) and `pytest_plugin`
(the `update_ops_guard` fixture and marker, `--update-ops-guard`, and the `tf1_migration` fixture).

Importing this package does not import TensorFlow (pytest loads the plugin at start-up); the names
below load their module on first use.
"""

from __future__ import annotations

from tf1_bn._lazy import lazy_names
from tf1_bn.errors import MissingUpdateOpsError

# Public name -> the module of this package that defines it.
_LAZY = {
    "FIX": "update_ops",
    "UnattachedUpdate": "update_ops",
    "find_unattached_update_ops": "update_ops",
    "assert_update_ops_attached": "update_ops",
    "GuardedSession": "sessions",
    "guard_sessions": "sessions",
    "record_train_ops": "sessions",
    "check_recorded": "sessions",
}

__all__ = ["MissingUpdateOpsError", *_LAZY]


__getattr__, __dir__ = lazy_names(__name__, _LAZY)
