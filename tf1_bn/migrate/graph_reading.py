"""Reading a TF1 graph the way the converter needs it: through pass-through ops, to variables and constants.

TF1 graphs wrap the tensors that matter: `Identity`, the `Switch`/`Merge` of v1 control flow
(`tf.cond`), `ReadVariableOp` of resource variables, `Cast`. These helpers look through them, by op
type only (never by names), so the op handlers can match TF1's op patterns as they are built by
tf.layers, contrib, tf-keras's legacy layers or hand-written code, and as `import_meta_graph` gives
them back.

TF2 control flow (a graph built with TF 2's `tf.cond`) puts each branch in a function: an `If` op
whose `then_branch`/`else_branch` graphs read the If's inputs through placeholders. `branches(op)`
returns those graphs and remembers which outer tensor each placeholder stands for, so `source`,
`variable_op` and `constant` follow a branch's placeholder back out of the function.
"""

from __future__ import annotations

from typing import Any, Iterable

import weakref

import numpy as np
import tensorflow as tf

PASS_THROUGH = frozenset({"Identity", "RefIdentity", "Snapshot", "Switch", "RefSwitch", "Enter", "RefEnter",
                          "StopGradient"})
READS = frozenset({"ReadVariableOp", "Identity", "RefIdentity", "Switch", "RefSwitch", "Enter", "RefEnter"})
VARIABLES = frozenset({"VarHandleOp", "VariableV2", "Variable"})


FUNCTIONAL_IFS = frozenset({"If", "StatelessIf"})

# A branch graph's placeholders → the outer tensors they stand for (facts about graphs, kept with them).
_OUTER: "weakref.WeakKeyDictionary[tf.Graph, dict[str, tf.Tensor]]" = weakref.WeakKeyDictionary()


def branches(op: tf.Operation) -> list[tf.Graph]:
    """The then/else graphs of a TF2 `If` op, with their placeholders mapped to the op's inputs."""
    found = []
    for attribute in ("then_branch", "else_branch"):
        branch = op.graph._get_function(op.get_attr(attribute).name).graph
        _OUTER.setdefault(branch, {p.name: outer for p, outer in zip(branch.inputs, op.inputs[1:])})
        found.append(branch)
    return found


def outer(tensor: tf.Tensor) -> tf.Tensor:
    """The outer tensor a branch graph's placeholder stands for, or `tensor` itself."""
    while tensor.op.type == "Placeholder" and tensor.name in _OUTER.get(tensor.graph, {}):
        tensor = _OUTER[tensor.graph][tensor.name]
    return tensor


def source(tensor: tf.Tensor) -> tf.Tensor:
    """`tensor` with Identity/Switch/Enter/StopGradient wrappers (and branch placeholders) removed."""
    tensor = outer(tensor)
    while tensor.op.type in PASS_THROUGH and tensor.op.inputs:
        tensor = outer(tensor.op.inputs[0])
    return tensor


def variable_op(tensor: tf.Tensor) -> tf.Operation | None:
    """The variable op (VarHandleOp, VariableV2) whose value `tensor` is, through reads, or None."""
    while True:
        tensor = outer(tensor)
        op = tensor.op
        if op.type in VARIABLES:
            return op
        if op.type not in READS or not op.inputs:
            return None
        tensor = op.inputs[0]


def constant(tensor: tf.Tensor) -> np.ndarray | None:
    """The value of `tensor` when it is a constant (through pass-through ops and Cast), else None."""
    tensor = source(tensor)
    if tensor.op.type == "Cast":
        value = constant(tensor.op.inputs[0])
        return None if value is None else value.astype(tensor.dtype.as_numpy_dtype)
    if tensor.op.type != "Const":
        return None
    return tf.get_static_value(tensor)


def scalar(tensor: tf.Tensor) -> float | None:
    """A constant scalar's value as a float, else None."""
    value = constant(tensor)
    if value is None or np.size(value) != 1:
        return None
    return float(np.asarray(value).reshape(()))


def decimal(value: float) -> float:
    """A float32 attribute or constant as the decimal it was written as (0.2, not 0.20000000298023224)."""
    return float(str(np.float32(value)))


def op_of(tensor: tf.Tensor, *types: str) -> tf.Operation | None:
    """The op behind `tensor` (through pass-through ops) when its type is one of `types`."""
    op = source(tensor).op
    return op if op.type in types else None


def other(op: tf.Operation, tensor: tf.Tensor) -> tf.Tensor:
    """The input of a two-input op that is not `tensor`."""
    first, second = op.inputs[0], op.inputs[1]
    return second if first is tensor else first


def all_ops(graph: tf.Graph) -> list[tf.Operation]:
    """The graph's ops and, recursively, those inside the branches of its TF2 `If` ops."""
    found, pending = [], list(graph.get_operations())
    while pending:
        op = pending.pop()
        found.append(op)
        if op.type in FUNCTIONAL_IFS:
            for branch in branches(op):
                pending.extend(branch.get_operations())
    return found


def writers_by_variable(graph: tf.Graph, initializers: frozenset = frozenset()) -> dict[tf.Operation, list]:
    """Variable op → the ops that assign to it (AssignSub/Assign/…, resource or ref; also inside TF2
    branches), `initializers` excluded, in graph order: one pass over the graph for all variables."""
    found: dict[tf.Operation, list] = {}
    for op in all_ops(graph):
        if op.type in _WRITE_OPS and op not in initializers and op.inputs:
            variable = variable_op(op.inputs[0])
            if variable is not None:
                found.setdefault(variable, []).append(op)
    return found


_WRITE_OPS = frozenset({"AssignSubVariableOp", "AssignVariableOp", "AssignAddVariableOp", "AssignSub", "Assign",
                        "AssignAdd"})


def variables_by_op(graph: tf.Graph) -> dict[tf.Operation, Any]:
    """Every tf.Variable the graph's collections know, by its variable op (as `import_meta_graph` restores them)."""
    keys = (tf.compat.v1.GraphKeys.GLOBAL_VARIABLES, tf.compat.v1.GraphKeys.LOCAL_VARIABLES,
            tf.compat.v1.GraphKeys.MODEL_VARIABLES, tf.compat.v1.GraphKeys.TRAINABLE_VARIABLES,
            tf.compat.v1.GraphKeys.MOVING_AVERAGE_VARIABLES)
    found: dict[tf.Operation, Any] = {}
    for key in keys:
        for variable in graph.get_collection(key):
            found.setdefault(variable.op, variable)
    return found


def depends_on(tensor: tf.Tensor, targets: Iterable[tf.Operation], limit: int = 10_000) -> bool:
    """Whether `tensor` is computed from any op of `targets` (data inputs, breadth first, bounded)."""
    targets = set(targets)
    seen: set[tf.Operation] = set()
    stack = [outer(tensor).op]
    while stack and len(seen) < limit:
        op = stack.pop()
        if op in targets:
            return True
        if op in seen:
            continue
        seen.add(op)
        stack.extend(outer(t).op for t in op.inputs)
    return False
