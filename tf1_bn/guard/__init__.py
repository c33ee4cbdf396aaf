"""The guard: fail when a train op does not run the ops that keep batch-norm statistics moving, or a
Saver does not write them.

    import tf1_bn.guard
    train_op = optimizer.minimize(loss)
    tf1_bn.guard.assert_update_ops_attached(train_op)   # raises MissingUpdateOpsError, naming the fix
    saver = tf.compat.v1.train.Saver(var_list=tf.compat.v1.trainable_variables())
    tf1_bn.guard.assert_statistics_saved(saver)         # raises MissingStatisticsError, naming the fix

Modules: `update_ops` and `statistics` (the two checks, by graph structure only), `graph_state` (which
ops write which state variables), `graph_index` (the graph snapshot that keeps them linear), `sessions`
(GuardedSession, guard_sessions, record_train_ops), `savers` (record_savers), `pytest_plugin` (the
`update_ops_guard` fixture and marker, `--update-ops-guard`, and the `tf1_migration` fixture) and
`bench` (`python -m tf1_bn.guard.bench`: both checks timed on generated graphs of 100,000 ops).

Importing this package does not import TensorFlow (pytest loads the plugin at start-up); the names
below load their module on first use.
"""

from __future__ import annotations

from tf1_bn._lazy import lazy_names
from tf1_bn.errors import MissingStatisticsError, MissingUpdateOpsError

# Public name -> the module of this package that defines it.
_LAZY = {
    "FIX": "update_ops",
    "UnattachedUpdate": "update_ops",
    "find_unattached_update_ops": "update_ops",
    "assert_update_ops_attached": "update_ops",
    "SAVER_FIX": "statistics",
    "UnsavedStatistic": "statistics",
    "find_unsaved_statistics": "statistics",
    "assert_statistics_saved": "statistics",
    "GuardedSession": "sessions",
    "guard_sessions": "sessions",
    "record_train_ops": "sessions",
    "check_recorded": "sessions",
    "record_savers": "savers",
    "SaverRecord": "savers",
}

__all__ = ["MissingStatisticsError", "MissingUpdateOpsError", *_LAZY]


__getattr__, __dir__ = lazy_names(__name__, _LAZY)
