"""A read-only index of a TF1 graph's structure, so that every check of `tf1_bn.guard` is linear in its size.

Built from one `graph.as_graph_def()`: for each node its op type, its data inputs and its control inputs
(as node names), the attributes of function-calling nodes, and the graph's function library. Why a
GraphDef and not `tf.Operation`s: TensorFlow creates an op's Python input tensors lazily, and the first
`op.inputs` costs about 16 µs per op, so one walk of a 100,000-op graph through the Python API takes
seconds; serializing the graph once costs about 6 µs per op, and every traversal after that is plain
dict and set work (`python -m tf1_bn.guard.bench` measures it).

Node names serve only as identifiers (they are unique in a graph); nothing here, or in the checks that use
it, reads meaning into a name. The index is a snapshot: the graph is neither changed nor watched.
`index_of(graph)` reuses the last index while no op has been added to its graph (`graph.version`), so
the two checks, or the checks of several train ops and Savers of one graph, read the graph once.
Existing ops do not change: TF1's APIs give an op its inputs and control inputs when they create it.
"""

from __future__ import annotations

import weakref
from typing import Any, Iterable

import numpy as np
import tensorflow as tf

# Op types through which a tensor is the same value (or the same variable handle/ref) as its input 0.
PASS_THROUGH = frozenset({"Identity", "RefIdentity", "Enter", "RefEnter", "Switch", "RefSwitch"})
# ... and, for what a Saver writes or an optimizer reads, the reads of a resource variable too.
READS = PASS_THROUGH | {"ReadVariableOp"}
VARIABLE_OPS = frozenset({"VarHandleOp", "VariableV2", "Variable"})

_cache: list[tuple[weakref.ref, int, "GraphIndex"]] = []  # the last index built: (graph, graph.version, index)


def index_of(graph: tf.Graph) -> "GraphIndex":
    """The index of `graph`: the last one built if no op has been added to the graph since, else a new one.
    One graph is cached, held weakly."""
    if _cache:
        cached_graph, version, index = _cache[0]
        if cached_graph() is graph and version == graph.version:
            return index
    version = graph.version  # read first: ops added while the index is built make it stale, not wrong
    index = GraphIndex(graph)
    _cache[:] = [(weakref.ref(graph), version, index)]
    return index


def clear_cache() -> None:
    """Forget the cached index (the benchmark times cold calls with it)."""
    _cache.clear()


class GraphIndex:
    """Types, data inputs and control inputs of every node of `graph`, by node name (a snapshot).

    Adjacency is stored flat (all input names in one list, with each node's start offset): a container
    per node would be a few hundred thousand long-lived objects for a large graph, enough to set off the
    garbage collector's full passes over everything TensorFlow holds, which cost more than the checks.
    """

    def __init__(self, graph: tf.Graph) -> None:
        self._graph = weakref.ref(graph)  # the cache must not keep the graph alive
        self._graph_def = graph.as_graph_def()
        self.types: dict[str, str] = {}
        self.ids: dict[str, int] = {}  # node name -> position in the GraphDef
        data: list[str] = []  # every node's data inputs, in order (output indices dropped), node after node
        control: list[str] = []
        data_start, control_start = [0], [0]
        for position, node in enumerate(self._graph_def.node):
            name = node.name
            self.types[name] = node.op
            self.ids[name] = position
            for reference in node.input:
                if reference[0] == "^":
                    control.append(reference[1:])
                else:
                    data.append(reference.partition(":")[0])
            data_start.append(len(data))
            control_start.append(len(control))
        self._data, self._data_start = data, data_start
        self._control, self._control_start = control, control_start
        self.functions = {f.signature.name: f for f in self._graph_def.library.function}
        self._consumers: tuple[list[str], list[int]] | None = None
        self._control_consumers: tuple[list[str], list[int]] | None = None

    @property
    def graph(self) -> tf.Graph:
        graph = self._graph()
        if graph is None:
            raise ReferenceError("the graph of this GraphIndex no longer exists")
        return graph

    def __len__(self) -> int:
        return len(self.types)

    def __contains__(self, name: object) -> bool:
        return name in self.types

    def op(self, name: str) -> tf.Operation:
        return self.graph.get_operation_by_name(name)

    def node_def(self, name: str) -> Any:
        """The NodeDef (for the attributes of function-calling nodes)."""
        return self._graph_def.node[self.ids[name]]

    def inputs(self, name: str) -> list[str]:
        """The data inputs of `name`, in order, as node names."""
        i = self.ids[name]
        return self._data[self._data_start[i]:self._data_start[i + 1]]

    def control_inputs(self, name: str) -> list[str]:
        i = self.ids[name]
        return self._control[self._control_start[i]:self._control_start[i + 1]]

    def closure(self, starts: Iterable[str], stop: frozenset[str] | set[str] = frozenset()) -> set[str]:
        """Every node the starts need (data and control inputs, transitively), the starts included;
        nodes in `stop` are neither entered nor returned."""
        ids, data, data_start, control, control_start = (
            self.ids, self._data, self._data_start, self._control, self._control_start)
        seen: set[str] = set()
        stack = list(starts)
        while stack:
            name = stack.pop()
            if name in seen or name in stop:
                continue
            seen.add(name)
            i = ids[name]
            stack += data[data_start[i]:data_start[i + 1]]
            stack += control[control_start[i]:control_start[i + 1]]
        return seen

    def downstream(self, starts: Iterable[str], within: set[str] | None = None) -> set[str]:
        """Every node that needs one of the starts (the starts included), optionally only inside `within`."""
        if self._consumers is None:
            self._consumers = self._invert(self._data + self._control, self._data_start, self._control_start)
        ids, (consumers, start) = self.ids, self._consumers
        seen: set[str] = set()
        stack = list(starts)
        while stack:
            name = stack.pop()
            if name in seen or (within is not None and name not in within):
                continue
            seen.add(name)
            i = ids[name]
            stack += consumers[start[i]:start[i + 1]]
        return seen

    def control_consumers(self, name: str) -> list[str]:
        """The nodes that take `name` as a control input, in graph order."""
        if self._control_consumers is None:
            self._control_consumers = self._invert(self._control, self._control_start)
        consumers, start = self._control_consumers
        i = self.ids[name]
        return consumers[start[i]:start[i + 1]]

    def _invert(self, sources: list[str], *starts: list[int]) -> tuple[list[str], list[int]]:
        """The consumers in the same flat layout: `sources` are input lists concatenated, `starts` the
        offsets of each concatenated part (a counting sort, in NumPy)."""
        names, ids, count = list(self.types), self.ids, len(self.types)
        owners = np.concatenate([np.repeat(np.arange(count), np.diff(offsets)) for offsets in starts])
        source_ids = np.fromiter((ids[source] for source in sources), dtype=np.int64, count=len(sources))
        order = np.argsort(source_ids, kind="stable")  # stable: consumers stay in graph order
        begin = np.concatenate([[0], np.cumsum(np.bincount(source_ids, minlength=count))])
        return [names[i] for i in owners[order].tolist()], begin.tolist()

    def through(self, name: str, types: frozenset[str] = PASS_THROUGH) -> str:
        """The node reached from `name` by following input 0 while the node's type is in `types`."""
        seen = set()
        while self.types.get(name) in types and name not in seen:
            inputs = self.inputs(name)
            if not inputs:
                break
            seen.add(name)
            name = inputs[0]
        return name

    def variable_of(self, name: str, types: frozenset[str] = PASS_THROUGH) -> str | None:
        """The variable node behind a handle or ref (through `types`), or None."""
        source = self.through(name, types)
        return source if self.types.get(source) in VARIABLE_OPS else None
