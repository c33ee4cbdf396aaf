"""Catch the classic TF1 batch-norm bug: update ops that never run.

TF1's `tf.layers.batch_normalization` only *creates* the ops that move `moving_mean` and
`moving_variance`; they run when something the session runs depends on them. Forget
`with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):` around the optimizer
(tensorflow/tensorflow#11965 and many more) and training looks fine while inference, which uses the
moving statistics, is ruined.

`find_unattached_update_ops(train_op)` lists the ops that maintain batch-norm or moving-average state
but do not run when `train_op` runs. Candidates are everything in UPDATE_OPS plus every op that writes a
non-trainable variable (EMA shadows, population statistics kept with tf.assign, also inside tf.cond
branches and while-loop bodies), variable initializers and Saver restores excepted. A candidate is
attached when it is in the train op's closure (its data and control inputs, transitively), or when the
variables it writes are written by ops in that closure anyway (e.g. an in-graph training loop that
updates the same statistics). A candidate that shares no computation with the train op (only
placeholders, constants or variable handles in common) belongs to another model in the same graph and
is not reported. Found by graph structure only, never by names, and read-only.

A subtle case, proven in the tests by running it: `with tf.control_dependencies(update_ops): loss =
tf.identity(loss)` then `minimize(loss)` does NOT attach them — the gradients never read the identity,
so the update ops run only when the loss itself is fetched.

    train_op = optimizer.minimize(loss)
    tf1_bn.guard.assert_update_ops_attached(train_op)   # raises MissingUpdateOpsError, naming the fix
"""

from __future__ import annotations

import dataclasses
from typing import Any

import tensorflow as tf

from tf1_bn.errors import MissingUpdateOpsError
from tf1_bn.guard import graph_state

FIX = ("build the train op under `with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):` "
       "after the batch-norm layers exist, or run `tf.group(train_op, *update_ops)` instead of the bare train op")


@dataclasses.dataclass(frozen=True)
class UnattachedUpdate:
    """An update op the train op does not run, the state variables it writes, and why it is a candidate."""

    op: tf.Operation
    variables: tuple[str, ...]
    source: str  # "UPDATE_OPS" or "writes non-trainable state"
    attached_to: tuple[str, ...] = ()  # ops that depend on it (e.g. an identity of the loss) but don't run

    def __str__(self) -> str:
        target = ", ".join(self.variables) or "(no variable found)"
        hint = f" [only {', '.join(self.attached_to)} depends on it]" if self.attached_to else ""
        return f"{self.op.name} ({self.source}) → {target}{hint}"


def _candidates(graph: tf.Graph, writes: dict[tf.Operation, frozenset[str]]) -> dict[tf.Operation, str]:
    candidates = {op: "writes non-trainable state" for op in writes}
    for item in graph.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS):
        op = getattr(item, "op", item)
        if isinstance(op, tf.Operation) and op.graph is graph:  # update ops from loop bodies are not ours
            candidates[op] = "UPDATE_OPS"
    return candidates


# Ops any two computations may share without being related: inputs, constants, variable handles.
SOURCE_OPS = frozenset({"Placeholder", "PlaceholderWithDefault", "Const", "VarHandleOp", "VariableV2", "Variable", "NoOp"})


def find_unattached_update_ops(train_op: Any, graph: tf.Graph | None = None) -> list[UnattachedUpdate]:
    """The update ops (see the module docstring) that do not run when `train_op` runs.

    `train_op` may be an op, a tensor or a list of them (what you pass to Session.run). Nothing in the
    graph is added or changed.
    """
    fetches = graph_state.as_ops(train_op)
    if not fetches:
        raise ValueError("`train_op` must name at least one op or tensor; received an empty list")
    graph = graph or fetches[0].graph
    if any(op.graph is not graph for op in fetches):
        raise ValueError("`train_op` and `graph` must belong to the same graph; received ops of another graph")
    writes = graph_state.state_writes(graph)
    needed = graph_state.closure(fetches)
    written_by_training = frozenset().union(*(writes.get(op, frozenset()) for op in needed))
    missing = []
    for op, source in _candidates(graph, writes).items():
        if op in needed:
            continue
        inputs = graph_state.closure([op])
        if not any(o.type not in SOURCE_OPS for o in inputs & needed):
            continue  # computed from nothing the train op computes: another model's update
        variables = frozenset().union(*(writes.get(o, frozenset()) for o in inputs))
        if variables and variables <= written_by_training:
            continue  # the same statistics are maintained by what the train op runs
        dependents = [c.name for c in graph.get_operations() if op in c.control_inputs]
        shown = tuple(dependents[:3]) + ((f"{len(dependents) - 3} more",) if len(dependents) > 3 else ())
        missing.append(UnattachedUpdate(op, tuple(sorted(variables)), source, shown))
    # Report each update once: drop candidates that another reported candidate already runs
    # (e.g. the tf.cond op behind the Identity that UPDATE_OPS holds).
    inner = set().union(*(graph_state.closure([u.op]) - {u.op} for u in missing)) if missing else set()
    return sorted((u for u in missing if u.op not in inner), key=lambda u: u.op.name)


def assert_update_ops_attached(train_op: Any, graph: tf.Graph | None = None) -> None:
    """Raise MissingUpdateOpsError naming the unattached update ops, their variables and the fix."""
    missing = find_unattached_update_ops(train_op, graph)
    if missing:
        names = ", ".join(sorted({v for u in missing for v in u.variables})) or ", ".join(u.op.name for u in missing)
        details = "\n  ".join(str(u) for u in missing)
        fetch = ", ".join(op.name for op in graph_state.as_ops(train_op))
        raise MissingUpdateOpsError(
            f"running {fetch!r} does not update {names}: {len(missing)} update op(s) never run, so inference "
            f"will use stale moving statistics. Fix: {FIX}.\n  {details}"
        )
