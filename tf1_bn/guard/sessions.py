"""Guard the sessions a test or a legacy script creates: check each training fetch once, before it runs.

`GuardedSession(sess)` wraps one Session; `guard_sessions()` patches every tf.compat.v1.Session for a
block, and checks the Savers the block builds too (`tf1_bn.guard.savers`: when one first saves, or at the
end of the block if it never saved nor restored); `record_train_ops()` collects the train ops the
optimizers build, which `check_recorded` then checks (the pytest plugin's two halves). The checks
themselves are `tf1_bn.guard.update_ops` and `tf1_bn.guard.statistics`.
"""

from __future__ import annotations

import contextlib
import warnings
from typing import Any, Iterator

import tensorflow as tf

from tf1_bn.errors import MissingUpdateOpsError
from tf1_bn.guard import graph_state
from tf1_bn.guard.graph_index import index_of
from tf1_bn.guard.savers import check_on_missing, record_savers
from tf1_bn.guard.update_ops import assert_update_ops_attached


def _is_training_step(fetches: list[tf.Operation]) -> bool:
    """True when running `fetches` applies gradients (writes a trainable variable; initializers aside).
    Read from the graph's index, which the update-ops check that follows reuses."""
    graph = fetches[0].graph
    index = index_of(graph)
    variables = graph.get_collection(tf.compat.v1.GraphKeys.TRAINABLE_VARIABLES)
    trainable = {v.op.name for v in variables}
    initializers = {v.initializer.name for v in variables}
    for name in index.closure(op.name for op in fetches):
        op_type = index.types[name]
        if op_type.startswith(graph_state.APPLY_PREFIXES):
            return True
        if op_type in graph_state.WRITE_OPS and name not in initializers and index.inputs(name) \
                and index.variable_of(index.inputs(name)[0]) in trainable:
            return True
    return False


class GuardedSession:
    """Wraps a tf.compat.v1.Session: the first run of each distinct training fetch is checked with
    `assert_update_ops_attached` (or warned about, `on_missing="warn"`); later runs cost nothing."""

    def __init__(self, session: tf.compat.v1.Session, on_missing: str = "raise") -> None:
        self.session, self.on_missing = session, check_on_missing(on_missing)
        self._checked: set[tuple[str, ...]] = set()

    def check(self, fetches: Any) -> None:
        try:
            ops = graph_state.as_ops(fetches)
        except TypeError:
            return  # fetches Session.run accepts but we cannot analyse (strings, dict values): not ours to judge
        key = tuple(sorted(op.name for op in ops))
        if not ops or key in self._checked:
            return
        self._checked.add(key)
        if not _is_training_step(ops):
            return
        try:
            assert_update_ops_attached(ops)
        except MissingUpdateOpsError as error:
            if self.on_missing == "raise":
                raise
            warnings.warn(str(error), RuntimeWarning, stacklevel=3)

    def run(self, fetches: Any, *args: Any, **kwargs: Any) -> Any:
        self.check(fetches)
        return self.session.run(fetches, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.session, name)

    def __enter__(self) -> "GuardedSession":
        self.session.__enter__()
        return self

    def __exit__(self, *exc: Any) -> Any:
        return self.session.__exit__(*exc)


@contextlib.contextmanager
def guard_sessions(on_missing: str = "raise") -> Iterator[None]:
    """Within the block, every tf.compat.v1.Session checks its first run of each training fetch, as
    GuardedSession does — for legacy scripts that create their own sessions — and every
    tf.compat.v1.train.Saver built in the block is checked with `assert_statistics_saved` before its
    first save, or when the block ends if it never saved nor restored (`tf1_bn.guard.savers`; a Saver
    that only restores is not checked). Both classes are restored on exit; a block that raises is not
    checked at its end."""
    check_on_missing(on_missing)
    session_class = tf.compat.v1.Session
    original_run = session_class.run
    guards: dict[int, GuardedSession] = {}

    def run(self: Any, fetches: Any, *args: Any, **kwargs: Any) -> Any:
        guard = guards.setdefault(id(self), GuardedSession(self, on_missing))
        guard.check(fetches)
        return original_run(self, fetches, *args, **kwargs)

    session_class.run = run
    try:
        with record_savers(on_missing) as savers:
            yield
            savers.check_unused()
    finally:
        session_class.run = original_run


@contextlib.contextmanager
def record_train_ops() -> Iterator[list[tf.Operation]]:
    """Collect every train op built in the block by a tf.compat.v1.train optimizer (minimize and
    apply_gradients both end in `Optimizer.apply_gradients`). The optimizer is restored on exit."""
    optimizer_class = tf.compat.v1.train.Optimizer
    original = optimizer_class.apply_gradients
    recorded: list[tf.Operation] = []

    def apply_gradients(self: Any, *args: Any, **kwargs: Any) -> Any:
        train_op = original(self, *args, **kwargs)
        if isinstance(getattr(train_op, "op", train_op), tf.Operation):
            recorded.append(getattr(train_op, "op", train_op))
        return train_op

    optimizer_class.apply_gradients = apply_gradients
    try:
        yield recorded
    finally:
        optimizer_class.apply_gradients = original


def check_recorded(train_ops: list[tf.Operation]) -> None:
    """assert_update_ops_attached for each recorded train op (each in its own graph)."""
    for train_op in train_ops:
        assert_update_ops_attached(train_op)
