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
- The *closure* of a fetch is every op it needs: data inputs and control inputs, transitively
  (`GraphIndex.closure`). An op outside the closure of a train op does not run when only the train op
  is run.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from tf1_bn.guard.graph_index import PASS_THROUGH, GraphIndex

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
RESTORE_OPS = frozenset({"RestoreV2", "Restore", "RestoreSlice"})
# Op types that apply gradients (the optimizers' kernels): their variable inputs are trained or slots.
APPLY_PREFIXES = ("ResourceApply", "Apply", "ResourceSparseApply", "SparseApply")


def as_ops(fetches: Any) -> list[tf.Operation]:
    """Ops from an op, tensor, variable, or a (nested) list of them."""
    ops = []
    for item in tf.nest.flatten(fetches):
        op = getattr(item, "op", item)
        if not isinstance(op, tf.Operation):
            raise TypeError(f"expected ops or tensors of a TF1 graph; received {type(item).__name__}: {item!r}")
        ops.append(op)
    return ops


def state_variables(graph: tf.Graph) -> frozenset[str]:
    """Names of the variable nodes of the non-trainable global variables (see the module docstring)."""
    keys = tf.compat.v1.GraphKeys
    trainable = {v.op.name for v in graph.get_collection(keys.TRAINABLE_VARIABLES)}
    excluded = {v.op.name for key in (keys.LOCAL_VARIABLES, keys.METRIC_VARIABLES, keys.GLOBAL_STEP)
                for v in graph.get_collection(key)}
    candidates = graph.get_collection(keys.GLOBAL_VARIABLES) + graph.get_collection(keys.MOVING_AVERAGE_VARIABLES)
    return frozenset(v.op.name for v in candidates if v.op.name not in trainable and v.op.name not in excluded)


class _FunctionLibrary:
    """For each function of the graph, which of its arguments it writes (looking into nested calls)."""

    def __init__(self, functions: dict[str, Any]) -> None:
        self._defs = functions
        self._written: dict[str, frozenset[int]] = {}  # memo; a function being read counts as writing nothing

    def written_arguments(self, name: str) -> frozenset[int]:
        if name not in self._written:
            self._written[name] = frozenset()  # (a recursive function stops here)
            self._written[name] = self._read(name)
        return self._written[name]

    def _read(self, name: str) -> frozenset[int]:
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
                data_inputs = [i for i in node.input if not i.startswith("^")]
                written.update(argument_of(data_inputs[i]) for i in self.written_inputs(node) if i < len(data_inputs))
        written.discard(None)
        return frozenset(written)

    def written_inputs(self, node: Any) -> list[int]:
        """Indices of the data inputs of a function-calling NodeDef that its functions write."""
        attrs, skip = CALL_OPS[node.op]
        indices: set[int] = set()
        for attr in attrs:
            if attr not in node.attr:
                continue
            value = node.attr[attr]
            names = [f.name for f in value.list.func] if value.list.func else [value.func.name]
            for name in names:
                indices |= self.written_arguments(name)
        return sorted(skip + i for i in indices)


def _is_restore(index: GraphIndex, name: str) -> bool:
    """A Saver restore: the assigned value comes (through identities) from a Restore op."""
    inputs = index.inputs(name)
    return len(inputs) >= 2 and index.types.get(index.through(inputs[1])) in RESTORE_OPS


def state_writes(index: GraphIndex) -> dict[str, frozenset[str]]:
    """{node: names of the state variables it writes} over the whole graph (initializers and restores
    excluded), in one pass over the index."""
    graph = index.graph
    variables = state_variables(graph)
    keys = tf.compat.v1.GraphKeys
    initializers = {v.initializer.name for key in (keys.GLOBAL_VARIABLES, keys.LOCAL_VARIABLES)
                    for v in graph.get_collection(key)}
    library = _FunctionLibrary(index.functions)
    writes: dict[str, frozenset[str]] = {}
    for name, op_type in index.types.items():
        if op_type in WRITE_OPS:
            inputs = index.inputs(name)
            if not inputs or name in initializers or _is_restore(index, name):
                continue
            targets = inputs[:1]
        elif op_type in CALL_OPS and name not in initializers:
            inputs = index.inputs(name)
            targets = [inputs[i] for i in library.written_inputs(index.node_def(name)) if i < len(inputs)]
        else:
            continue
        names = {v for v in map(index.variable_of, targets) if v in variables}
        if names:
            writes[name] = frozenset(names)
    return writes
