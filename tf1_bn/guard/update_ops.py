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
is not reported. Found by graph structure only, never by names, and read-only; linear in the size of
the graph (one GraphDef snapshot, `graph_index`; `python -m tf1_bn.guard.bench` times it).

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
from tf1_bn.guard.graph_index import VARIABLE_OPS, GraphIndex, index_of

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


def _candidates(graph: tf.Graph, writes: dict[str, frozenset[str]]) -> dict[str, str]:
    candidates = {name: "writes non-trainable state" for name in writes}
    for item in graph.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS):
        op = getattr(item, "op", item)
        if isinstance(op, tf.Operation) and op.graph is graph:  # update ops from loop bodies are not ours
            candidates[op.name] = "UPDATE_OPS"
    return candidates


# Ops any two computations may share without being related: inputs, constants, variable handles.
SOURCE_OPS = VARIABLE_OPS | {"Placeholder", "PlaceholderWithDefault", "Const", "NoOp"}


def find_unattached_update_ops(train_op: Any, graph: tf.Graph | None = None) -> list[UnattachedUpdate]:
    """The update ops (see the module docstring) that do not run when `train_op` runs.

    `train_op` may be an op, a tensor or a list of them (what you pass to Session.run). Nothing in the
    graph is added or changed. Linear in the graph's size (see `unattached`).
    """
    fetches = graph_state.as_ops(train_op)
    if not fetches:
        raise ValueError("`train_op` must name at least one op or tensor; received an empty list")
    graph = graph or fetches[0].graph
    if any(op.graph is not graph for op in fetches):
        raise ValueError("`train_op` and `graph` must belong to the same graph; received ops of another graph")
    return unattached(index_of(graph), [op.name for op in fetches])


def unattached(index: GraphIndex, fetches: list[str]) -> list[UnattachedUpdate]:
    """`find_unattached_update_ops` on an index, in a bounded number of passes over the graph:

    - `needed`, the train op's closure, is one traversal; `shared`, every op that needs a (non-source) op
      of it, is one traversal downstream (made only if some candidate is outside `needed`) — a candidate
      outside `shared` belongs to another model;
    - each candidate is walked upstream only until it meets `needed` (whatever lies inside is run by the
      train op, so its writes are maintained), which visits the update's own small computation;
    - only for a candidate that writes nothing itself: whether it waits for a write the train op runs
      (one traversal downstream of the writes in `needed`, made once).
    """
    writes = graph_state.state_writes(index)
    needed = index.closure(fetches)
    written_by_training = frozenset().union(*(writes[name] for name in needed if name in writes))
    shared: set[str] | None = None  # made on first use: a train op that runs every update never needs it
    after_writes: set[str] | None = None
    missing: dict[str, tuple[UnattachedUpdate, set[str]]] = {}
    for name, source in _candidates(index.graph, writes).items():
        if name in needed:
            continue  # run by the train op
        if shared is None:
            shared = index.downstream(n for n in needed if index.types[n] not in SOURCE_OPS)
        if name not in shared:
            continue  # computed from nothing the train op computes: another model's update
        own = index.closure([name], stop=needed)  # what running the candidate would run that training does not
        variables = frozenset().union(*(writes[o] for o in own if o in writes))
        if variables and variables <= written_by_training:
            continue  # the same statistics are maintained by what the train op runs
        if not variables:
            if after_writes is None:
                after_writes = index.downstream((n for n in needed if n in writes), within=needed)
            if any(i in after_writes for o in own for i in index.inputs(o) + index.control_inputs(o)):
                continue  # it only waits for writes the train op runs
        update = UnattachedUpdate(index.op(name), tuple(sorted(variables)), source, _dependents(index, name))
        missing[name] = (update, own)
    # Report each update once: drop candidates that another reported candidate already runs
    # (e.g. the tf.cond op behind the Identity that UPDATE_OPS holds).
    inner = set().union(*(own - {name} for name, (_, own) in missing.items()))
    return [missing[name][0] for name in sorted(missing) if name not in inner]


def _dependents(index: GraphIndex, name: str) -> tuple[str, ...]:
    """Up to three of the ops that take `name` as a control input (the hint of UnattachedUpdate)."""
    dependents = index.control_consumers(name)
    return tuple(dependents[:3]) + ((f"{len(dependents) - 3} more",) if len(dependents) > 3 else ())


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
