"""Which ops of a TF1 graph write which variables, and which ops a fetch makes run.

The building blocks of `tf1_bn.guard`. Nothing here looks at names: variables are found through their
handle ops, writes through op types, and writes hidden inside control flow (the branches of
`tf.cond`, the body of `tf.while_loop` — functions under TF 2's control flow v2) through the graph's
function library, recursively. Nothing here adds to or changes the graph.

- A *state variable* is a global variable that is not trainable: moving means and variances, EMA
  shadows, hand-kept population statistics. Metric and other local variables and the global step are
  counted out (their updates are not training state).
- A *write* is an op that assigns to a state variable (assign, assign_add/sub, scatter), or a
  function-calling op (If, While, PartitionedCall, …) whose function writes one of its arguments.
  Variable initializers and Saver restores are not writes for this purpose.
- The *closure* of a fetch is every op it needs: data inputs and control inputs, transitively. An op
  outside the closure of a train op does not run when only the train op is run.
"""

from __future__ import annotations

import functools
from typing import Any, Iterable

import tensorflow as tf

# Ops whose input 0 is the variable (a resource handle, or a ref for TF1 RefVariables) they modify.
WRITE_OPS = frozenset({
    "AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp",
    "ResourceScatterUpdate", "ResourceScatterAdd", "ResourceScatterSub",
    "Assign", "AssignAdd", "AssignSub", "ScatterUpdate", "ScatterAdd", "ScatterSub",
})
# Function-calling ops: attribute names holding functions, and how many leading inputs are not arguments.
CALL_OPS = {
    "If": (("then_branch", "else_branch"), 1), "StatelessIf": (("then_branch", "else_branch"), 1),
    "While": (("body", "cond"), 0), "StatelessWhile": (("body", "cond"), 0),
    "PartitionedCall": (("f",), 0), "StatefulPartitionedCall": (("f",), 0),
    "Case": (("branches",), 1), "StatelessCase": (("branches",), 1),
}
VARIABLE_OPS = frozenset({"VarHandleOp", "VariableV2", "Variable"})
PASS_THROUGH = frozenset({"Identity", "RefIdentity", "Enter", "RefEnter", "Switch", "RefSwitch"})
RESTORE_OPS = frozenset({"RestoreV2", "Restore", "RestoreSlice"})


def as_ops(fetches: Any) -> list[tf.Operation]:
    """Ops from an op, tensor, variable, or a (nested) list of them."""
    ops = []
    for item in tf.nest.flatten(fetches):
        op = getattr(item, "op", item)
        if not isinstance(op, tf.Operation):
            raise TypeError(f"expected ops or tensors of a TF1 graph; received {type(item).__name__}: {item!r}")
        ops.append(op)
    return ops


def closure(fetches: Iterable[tf.Operation]) -> set[tf.Operation]:
    """Every op the fetches need (data and control inputs, transitively), the fetches included."""
    seen: set[tf.Operation] = set()
    stack = list(fetches)
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen.add(op)
        stack.extend(t.op for t in op.inputs)
        stack.extend(op.control_inputs)
    return seen


def variable_op(tensor: tf.Tensor) -> tf.Operation | None:
    """The variable op behind a handle or ref tensor (through identities), or None."""
    op = tensor.op
    while op.type in PASS_THROUGH and op.inputs:
        op = op.inputs[0].op
    return op if op.type in VARIABLE_OPS else None


def state_variables(graph: tf.Graph) -> dict[tf.Operation, str]:
    """{variable handle op: variable name} for the non-trainable global variables (see module docstring)."""
    keys = tf.compat.v1.GraphKeys
    trainable = {v.op for v in graph.get_collection(keys.TRAINABLE_VARIABLES)}
    excluded = {v.op for key in (keys.LOCAL_VARIABLES, keys.METRIC_VARIABLES, keys.GLOBAL_STEP) for v in graph.get_collection(key)}
    return {
        v.op: v.op.name
        for v in graph.get_collection(keys.GLOBAL_VARIABLES) + graph.get_collection(keys.MOVING_AVERAGE_VARIABLES)
        if v.op not in trainable and v.op not in excluded
    }


class _FunctionLibrary:
    """For each function of the graph, which of its arguments it writes (looking into nested calls)."""

    def __init__(self, graph: tf.Graph) -> None:
        self._defs = {f.signature.name: f for f in graph.as_graph_def().library.function}

    @functools.lru_cache(maxsize=None)
    def written_arguments(self, name: str) -> frozenset[int]:
        fdef = self._defs.get(name)
        if fdef is None:
            return frozenset()
        arguments = {arg.name: i for i, arg in enumerate(fdef.signature.input_arg)}
        nodes = {node.name: node for node in fdef.node_def}

        def argument_of(reference: str) -> int | None:
            name = reference.lstrip("^").split(":")[0]
            while name not in arguments:
                node = nodes.get(name)
                if node is None or node.op not in PASS_THROUGH or not node.input:
                    return None
                name = node.input[0].split(":")[0]
            return arguments[name]

        written = set()
        for node in fdef.node_def:
            if node.op in WRITE_OPS and node.input:
                written.add(argument_of(node.input[0]))
            elif node.op in CALL_OPS:
                attrs, skip = CALL_OPS[node.op]
                data_inputs = [i for i in node.input if not i.startswith("^")]
                for index in self._called_writes(node, attrs):
                    if skip + index < len(data_inputs):
                        written.add(argument_of(data_inputs[skip + index]))
        written.discard(None)
        return frozenset(written)

    def _called_writes(self, node: Any, attrs: tuple[str, ...]) -> set[int]:
        indices: set[int] = set()
        for attr in attrs:
            if attr not in node.attr:
                continue
            value = node.attr[attr]
            names = [f.name for f in value.list.func] if value.list.func else [value.func.name]
            for name in names:
                indices |= self.written_arguments(name)
        return indices

    def writes_of_call(self, op: tf.Operation) -> list[tf.Tensor]:
        """The inputs of a function-calling op that its functions write."""
        attrs, skip = CALL_OPS[op.type]
        indices: set[int] = set()
        for attr in attrs:
            try:
                value = op.get_attr(attr)
            except ValueError:
                continue
            for func in value if isinstance(value, list) else [value]:
                indices |= self.written_arguments(func.name)
        return [op.inputs[skip + i] for i in sorted(indices) if skip + i < len(op.inputs)]


def _is_restore(op: tf.Operation) -> bool:
    """A Saver restore: the assigned value comes (through identities) from a Restore op."""
    if len(op.inputs) < 2:
        return False
    source = op.inputs[1].op
    while source.type in PASS_THROUGH and source.inputs:
        source = source.inputs[0].op
    return source.type in RESTORE_OPS


def state_writes(graph: tf.Graph) -> dict[tf.Operation, frozenset[str]]:
    """{op: names of the state variables it writes} over the whole graph (initializers and restores excluded)."""
    variables = state_variables(graph)
    initializers = {v.initializer for key in (tf.compat.v1.GraphKeys.GLOBAL_VARIABLES, tf.compat.v1.GraphKeys.LOCAL_VARIABLES)
                    for v in graph.get_collection(key)}
    library = _FunctionLibrary(graph)
    writes: dict[tf.Operation, frozenset[str]] = {}
    for op in graph.get_operations():
        if op in initializers:
            continue
        if op.type in WRITE_OPS and op.inputs and not _is_restore(op):
            targets = [op.inputs[0]]
        elif op.type in CALL_OPS:
            targets = library.writes_of_call(op)
        else:
            continue
        names = {variables[v] for v in map(variable_op, targets) if v is not None and v in variables}
        if names:
            writes[op] = frozenset(names)
    return writes
