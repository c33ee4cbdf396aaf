"""Catch moving statistics that never reach the checkpoint: a Saver that does not write them.

`tf.train.Saver(var_list=tf.trainable_variables())` (tinghuiz/SfMLearner#17, zhengyang-wang/Unet_3D#5,
tensorflow/skflow#117, tensorflow/models#7722) writes γ and β but not moving_mean and moving_variance,
which are not trainable: training looks fine, and the restored model normalizes with the statistics'
initial values instead of the learned ones.

`find_unsaved_statistics(saver_or_var_list)` lists the *statistics* of the graph that a Saver (or a plain
var_list: a list of variables, or a dict name → variable) does not write. Found by structure, never by names:

- statistics: non-trainable global variables written by an update (`graph_state`: assign, assign_sub,
  scatter, or inside tf.cond, while-loop or function calls) — the moving mean/variance of
  tf1_bn.layers, of the tf-keras legacy layer and of contrib batch_norm, ExponentialMovingAverage
  shadows, population statistics kept with tf.assign;
- not statistics: the global step and metric/local variables, initializer and restore writes (all as in
  `graph_state`); optimizer state — every variable an Apply op reads, through reads and casts (slots,
  Adam's β powers); counters — a variable whose every write adds a constant or multiplies by one
  (`step ← step + 1`, `β^t ← β^t·β`: a global step kept in a plain variable, zero-debias step counts);
- what a Saver writes is read from its save op: the tensors its SaveV2 (or V1 Save/SaveSlices) ops write,
  each traced back through reads and identities to its variable. A Saver not built yet (defer_build=True,
  which TF allows only without a var_list) will write every global variable: nothing is missing.

Read-only (the graph gains no op) and linear in the graph's size (one `GraphIndex`).

    saver = tf.compat.v1.train.Saver(var_list=tf.compat.v1.trainable_variables())
    tf1_bn.guard.assert_statistics_saved(saver)   # raises MissingStatisticsError, naming the variables and the fix
"""

from __future__ import annotations

import dataclasses
from typing import Any, Iterable, Mapping

import tensorflow as tf

from tf1_bn.errors import MissingStatisticsError
from tf1_bn.guard import graph_state
from tf1_bn.guard.graph_index import READS, GraphIndex, index_of

SAVER_FIX = ("build the Saver with no var_list (`tf.train.Saver()` writes every global variable) or with "
       "`var_list=tf.global_variables()`, or add the variables named here to its var_list (they are not "
       "trainable; `tf.GraphKeys.MOVING_AVERAGE_VARIABLES` does not hold them either: it lists what an "
       "ExponentialMovingAverage averages, not its shadows nor the batch-norm moving statistics)")

# How a statistic is written, by the type of the op that writes it (the `reason` of a finding).
HOW_UPDATED = {
    **dict.fromkeys(("AssignSubVariableOp", "AssignSub"), "moving average (assign_sub)"),
    **dict.fromkeys(("AssignVariableOp", "Assign"), "assigned (tf.assign)"),
    **dict.fromkeys(("AssignAddVariableOp", "AssignAdd"), "accumulated (assign_add)"),
    **dict.fromkeys(("ResourceScatterUpdate", "ResourceScatterAdd", "ResourceScatterSub", "ScatterUpdate",
                     "ScatterAdd", "ScatterSub"), "scatter-updated"),
    **dict.fromkeys(("If", "StatelessIf"), "updated inside tf.cond"),
    **dict.fromkeys(("While", "StatelessWhile"), "updated inside tf.while_loop"),
    **dict.fromkeys(("PartitionedCall", "StatefulPartitionedCall"), "updated inside a function call"),
    **dict.fromkeys(("Case", "StatelessCase"), "updated inside tf.case/tf.switch_case"),
}
SAVE_OPS = {"SaveV2": 3, "SaveSlices": 3, "Save": 2}  # op type → index of its first saved tensor
INCREMENTS = frozenset({"AssignAdd", "AssignAddVariableOp", "AssignSub", "AssignSubVariableOp"})
ASSIGNS = frozenset({"Assign", "AssignVariableOp"})
COUNTER_ARITHMETIC = frozenset({"Add", "AddV2", "Sub", "Mul"})


@dataclasses.dataclass(frozen=True)
class UnsavedStatistic:
    """A statistic the Saver would not write: the variable, the op that updates it, and why it counts."""

    variable: str  # the variable's op name, e.g. "batch_normalization/moving_mean"
    update_op: tf.Operation
    reason: str  # e.g. "non-trainable, updated inside tf.cond, in UPDATE_OPS"

    def __str__(self) -> str:
        return f"{self.variable} ({self.reason}: {self.update_op.name})"


def find_unsaved_statistics(saver_or_var_list: Any, graph: tf.Graph | None = None) -> list[UnsavedStatistic]:
    """The statistics (see the module docstring) that `saver_or_var_list` would not write, by variable name.

    `saver_or_var_list`: a tf.compat.v1.train.Saver, or a list/tuple/set of variables, or a dict
    name → variable (what Saver's var_list accepts). `graph` defaults to the variables' graph, else the
    default graph (where a Saver's save op is looked up). Nothing in the graph is added or changed.
    """
    graph = _graph_of(saver_or_var_list, graph)
    index = index_of(graph)
    saved = saved_variables(saver_or_var_list, index)
    if saved is None:
        return []  # a Saver not built yet, with no var_list: it will write every global variable
    return [finding for variable, finding in sorted(statistics(index).items()) if variable not in saved]


def assert_statistics_saved(saver_or_var_list: Any, graph: tf.Graph | None = None) -> None:
    """Raise MissingStatisticsError naming the statistics `saver_or_var_list` would not write, and the fix."""
    missing = find_unsaved_statistics(saver_or_var_list, graph)
    if not missing:
        return
    if isinstance(saver_or_var_list, tf.compat.v1.train.Saver) and saver_or_var_list.saver_def is not None:
        what = f"the Saver whose save op is {saver_or_var_list.saver_def.save_tensor_name.partition(':')[0]!r}"
    else:
        what = "the Saver" if isinstance(saver_or_var_list, tf.compat.v1.train.Saver) else "the var_list"
    names = ", ".join(finding.variable for finding in missing)
    raise MissingStatisticsError(
        f"{what} does not write {names}: {len(missing)} batch-norm/moving-average statistic(s) that training "
        f"updates, so a model restored from its checkpoint normalizes with their initial values instead of the "
        f"learned ones. Fix: {SAVER_FIX}. Found: {'; '.join(str(finding) for finding in missing)}."
    )


def statistics(index: GraphIndex) -> dict[str, UnsavedStatistic]:
    """{variable: finding} for every statistic of the graph (saved or not), in one pass over the index."""
    writes = graph_state.state_writes(index)
    writers: dict[str, list[str]] = {}
    for op, variables in writes.items():
        for variable in variables:
            writers.setdefault(variable, []).append(op)
    optimizer_state = _read_by_optimizers(index)
    in_update_ops = _run_by_update_ops(index, writes)
    found = {}
    for variable, ops in writers.items():
        updates = [op for op in ops if not _is_counter_write(index, op, variable)]
        if variable in optimizer_state or not updates:
            continue
        op = min(updates, key=lambda name: (name not in in_update_ops, name))  # prefer the UPDATE_OPS one
        reason = f"non-trainable, {HOW_UPDATED.get(index.types[op], 'written by ' + index.types[op])}"
        if op in in_update_ops:
            reason += ", in UPDATE_OPS"
        found[variable] = UnsavedStatistic(variable, index.op(op), reason)
    return found


def _run_by_update_ops(index: GraphIndex, writes: dict[str, frozenset[str]]) -> set[str]:
    """The writes UPDATE_OPS runs itself: reached from its entries through data and control inputs without
    passing another write (an Identity of a tf.cond: the cond; a TF1 cond's Merge: the assign inside).
    One traversal for all entries."""
    stack = []
    for item in index.graph.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS):
        op = getattr(item, "op", item)
        if isinstance(op, tf.Operation) and op.name in index:
            stack.append(op.name)
    seen, found = set(), set()
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in writes:
            found.add(name)
        else:
            stack += index.inputs(name) + index.control_inputs(name)
    return found


def _read_by_optimizers(index: GraphIndex) -> set[str]:
    """Variables an Apply op (an optimizer's kernel) reads: the trained variables, slots, β powers."""
    through = READS | {"Cast"}
    read = set()
    for name, op_type in index.types.items():
        if op_type.startswith(graph_state.APPLY_PREFIXES):
            read.update(filter(None, (index.variable_of(source, through) for source in index.inputs(name))))
    return read


def _is_counter_write(index: GraphIndex, op: str, variable: str) -> bool:
    """`variable ← variable + c` (assign_add of a constant, or assign of self ± c / self · c), c a Const."""
    inputs = index.inputs(op)
    if len(inputs) < 2:
        return False  # a function call, or an op we do not know the value of
    value = index.through(inputs[1])
    if index.types[op] in INCREMENTS:
        return index.types.get(value) == "Const"
    if index.types[op] not in ASSIGNS or index.types.get(value) not in COUNTER_ARITHMETIC:
        return False
    operands = [index.through(source, READS) for source in index.inputs(value)]
    return sorted("self" if o == variable else index.types.get(o, "") for o in operands) == ["Const", "self"]


def saved_variables(saver_or_var_list: Any, index: GraphIndex) -> frozenset[str] | None:
    """Names of the variables a Saver's save op writes (None: all, a Saver not built yet) or a var_list holds."""
    if not isinstance(saver_or_var_list, tf.compat.v1.train.Saver):
        return _listed(saver_or_var_list, index)
    saver_def = saver_or_var_list.saver_def
    if saver_def is None:  # no save op: built empty (allow_empty=True), or not built yet (defer_build=True,
        # which TF allows only without a var_list: it will write every global variable)
        return frozenset() if getattr(saver_or_var_list, "_is_built", False) else None
    save = saver_def.save_tensor_name.partition(":")[0]
    if save not in index:
        raise ValueError(f"the Saver's save op {save!r} is not in `graph`; pass the graph the Saver was built in")
    saved = set()
    for name in index.closure([save]):
        first = SAVE_OPS.get(index.types[name])
        if first is not None:
            saved.update(filter(None, (index.variable_of(tensor, READS) for tensor in index.inputs(name)[first:])))
    return frozenset(saved)


def _items(var_list: Any) -> list[Any]:
    """The variables of a var_list (list/tuple/set, or dict name → variable; partitioned variables and
    lists of slices expanded)."""
    if isinstance(var_list, Mapping):
        var_list = list(var_list.values())
    if not isinstance(var_list, (list, tuple, set, frozenset)):
        raise TypeError("`saver_or_var_list` must be a tf.compat.v1.train.Saver, a list of variables or a dict "
                        f"name → variable; received {type(var_list).__name__}: {var_list!r}")
    items = []
    for item in var_list:
        if isinstance(item, (list, tuple)) or (not hasattr(item, "op") and isinstance(item, Iterable)
                                                and not isinstance(item, (str, bytes))):  # slices, PartitionedVariable
            items.extend(_items(list(item)))
        else:
            items.append(item)
    return items


def _listed(var_list: Any, index: GraphIndex) -> frozenset[str]:
    names = set()
    for item in _items(var_list):
        op = getattr(item, "op", item)
        if not isinstance(op, tf.Operation):
            raise TypeError("`saver_or_var_list` must hold variables of a TF1 graph; "
                            f"received {type(item).__name__}: {item!r}")
        if op.graph is not index.graph:
            raise ValueError(f"`saver_or_var_list` and `graph` must belong to the same graph; {op.name!r} does not")
        names.add(index.variable_of(op.name, READS) or op.name)
    return frozenset(names)


def _graph_of(saver_or_var_list: Any, graph: tf.Graph | None) -> tf.Graph:
    if graph is not None:
        return graph
    if not isinstance(saver_or_var_list, tf.compat.v1.train.Saver):
        for item in _items(saver_or_var_list):
            found = getattr(item, "graph", None)
            if isinstance(found, tf.Graph):
                return found
    if tf.executing_eagerly():
        raise ValueError("find_unsaved_statistics inspects a TF1 graph; call it under `with graph.as_default():` "
                         "or pass `graph=`")
    return tf.compat.v1.get_default_graph()
