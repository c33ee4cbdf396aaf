"""`tf1-bn inspect CHECKPOINT`: a TF1 checkpoint's variables, which are BN moving statistics, and which are missing.

    found = inspect_checkpoint("model.ckpt")
    print("\\n".join(format_inspection(found)))
    found.missing_statistics      # ["dense/BatchNorm/moving_mean", …]: what Saver(var_list=trainables) left out

A Saver writes each variable under its graph name; `Saver(var_list=tf.compat.v1.trainable_variables())`,
a common TF1 mistake, leaves out the moving mean and variance, which are not trainable, so the
restored model normalizes with their initial values (0 and 1) at inference. How the statistics are
found:
- with `CHECKPOINT.meta`: the meta graph is imported into a new graph under TF1 behaviour
  (`tf1_bn.compat.behaviour`, switched back in `finally`) and every op is handed to the converter's
  batch-norm handlers (`handlers_bn*`, as listed in `op_table.OP_HANDLERS`). Each BN layer they
  recognise (fused kernels and their tf.cond pair, tf.nn.batch_normalization with moving or EMA
  statistics, renorm, ghost batches) names its statistics variables: every weight but γ and β.
  Those the checkpoint lacks are reported; nothing is restored or run;
- without it: by the last component of the name (`BY_NAME`), and whether any layer lacks its
  statistics cannot be told.
Bad input (no `.index`, not a checkpoint, an unreadable `.meta`) is one ValueError naming it.
"""

from __future__ import annotations

import dataclasses
import glob
import os
from typing import Any

import tensorflow as tf

from tf1_bn._graph import tf2_shapes
from tf1_bn.migrate import graph_reading as gr
from tf1_bn.migrate.checkpoint_files import checked_prefix, first_line, import_meta
from tf1_bn.migrate import handlers_bn as bn

# The last name component of a BN statistic → its role (seed 003's EMA shadows do not say which).
BY_NAME = {
    "moving_mean": "moving_mean", "moving_variance": "moving_variance",      # tf.layers, contrib, slim, Keras
    "pop_mean": "moving_mean", "pop_variance": "moving_variance", "pop_var": "moving_variance",  # tf.assign
    "moving_stddev": "moving_stddev", "renorm_mean": "renorm_mean", "renorm_stddev": "renorm_stddev",  # renorm
    "ExponentialMovingAverage": "moving statistic",                          # seed 003's EMA shadows
}
_OBJECT_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE"  # TF2 object-based checkpoints
@dataclasses.dataclass(frozen=True)
class CheckpointVariable:
    """One saved tensor; `statistic` and `layer` are set for a BN moving statistic."""

    name: str
    shape: tuple[int, ...]
    dtype: str
    statistic: str | None = None   # "moving_mean", "moving_variance", … (see BY_NAME)
    layer: str | None = None       # the BN layer's scope, e.g. "conv1/BatchNorm"


@dataclasses.dataclass(frozen=True)
class BatchNormLayer:
    """A BN layer of the meta graph: its statistics variables and those the checkpoint lacks."""

    name: str
    statistics: tuple[tuple[str, str], ...]   # (role, variable name), e.g. ("moving_mean", "bn/moving_mean")
    missing: tuple[str, ...]                   # variable names not in the checkpoint


@dataclasses.dataclass(frozen=True)
class CheckpointInspection:
    """What `inspect_checkpoint` found. `layers` is None when the graph (`.meta`) was not available."""

    prefix: str
    variables: tuple[CheckpointVariable, ...]
    layers: tuple[BatchNormLayer, ...] | None
    notes: tuple[str, ...] = ()

    @property
    def graph_available(self) -> bool:
        return self.layers is not None

    @property
    def missing_statistics(self) -> list[str]:
        return [name for layer in self.layers or () for name in layer.missing]


def _saved(prefix: str) -> list[tuple[str, tuple[int, ...], str]]:
    try:
        reader = tf.train.load_checkpoint(prefix)
        shapes, dtypes = reader.get_variable_to_shape_map(), reader.get_variable_to_dtype_map()
    except (tf.errors.OpError, ValueError) as error:
        raise ValueError(f"CHECKPOINT {prefix!r} is not a readable TF checkpoint ({first_line(error)})") from None
    return [(name, tuple(shapes[name]), dtypes[name].name) for name in sorted(shapes)]


def _marked_by_name(name: str) -> tuple[str | None, str | None]:
    """(role, layer scope) from the name's last component (BY_NAME), or (None, None)."""
    scope, _, last = name.removesuffix(_OBJECT_SUFFIX).rpartition("/")
    role = BY_NAME.get(last)
    return (role, scope or None) if role else (None, None)


def _data_notes(prefix: str) -> list[str]:
    if glob.glob(glob.escape(prefix) + ".data-*-of-*"):
        return []
    return [f"no {prefix}.data-*-of-* beside the index: the variables are listed, their values are not there"]


def _layer_name(variable_names: list[str], fallback: str) -> str:
    """The scope the layer's variables share ("conv1/BatchNorm"), else that of the op standing for the layer."""
    parts = [name.split("/")[:-1] for name in variable_names]
    common = []
    for components in zip(*parts):
        if len(set(components)) != 1:
            break
        common.append(components[0])
    return "/".join(common) or fallback.rsplit("/", 1)[0]


def _recognizer(sess: tf.compat.v1.Session) -> Any:
    """A Converter that only recognises: any tf.cond predicate is accepted, and nothing is run."""
    from tf1_bn.migrate.converter import Converter

    class Recognizer(Converter):
        def check_training(self, tensor: tf.Tensor, where: str) -> None:
            return None

        def check_pred(self, pred: tf.Tensor, where: str) -> None:
            return None

        def evaluate(self, tensor: tf.Tensor) -> None:  # the variables are not restored: no decay is needed
            return None

    return Recognizer(sess, [], None)


def _bn_handlers() -> dict[str, list]:
    """The converter's table restricted to its batch-norm handlers (modules handlers_bn, handlers_bn_variants)."""
    from tf1_bn.migrate.op_table import OP_HANDLERS

    table = {op: [h for h in handlers if h.__module__.startswith("tf1_bn.migrate.handlers_bn")]
             for op, handlers in OP_HANDLERS.items()}
    return {op: handlers for op, handlers in table.items() if handlers}


def _outer_patterns_first(graph: tf.Graph) -> list[tf.Operation]:
    """The graph's ops, fused kernels last (after the Merge/If that may pair two of them)."""
    ops = graph.get_operations()
    return [op for op in ops if op.type not in bn.FUSED] + [op for op in ops if op.type in bn.FUSED]


def _kernel_statistics(op: tf.Operation) -> set[str]:
    """The names of the moving variables a fused kernel reads (inputs 3 and 4); {""} when it reads none."""
    found = {gr.variable_op(t) for t in op.inputs[3:5]}
    return {"" if variable is None else variable.name for variable in found} or {""}


@tf2_shapes()
def _graph_statistics(meta: str) -> tuple[list[tuple[str, list[tuple[str, str]]]], list[str]]:
    """[(layer name, [(role, variable name)])] of the BN layers in the meta graph, and notes."""
    from tf1_bn.compat import behaviour

    handlers, found, notes, seen = _bn_handlers(), [], [], set()
    switched = behaviour.switch_to_tf1()
    try:
        graph = tf.Graph()
        with graph.as_default():
            import_meta(meta.removesuffix(".meta"))
            with tf.compat.v1.Session(graph=graph) as sess:
                recognizer, named_statistics = _recognizer(sess), set()
                for op in _outer_patterns_first(graph):
                    if op.type in bn.FUSED and _kernel_statistics(op) <= named_statistics:
                        continue  # the kernel of a tf.cond pair already found: recognising it again costs a scan
                    for handler in handlers.get(op.type, ()):
                        try:
                            step = handler(recognizer, op.outputs[0])
                        except ValueError as error:  # a BN pattern the converter would refuse
                            notes.append(f"{op.name}: {error}")
                            break
                        if step is None:
                            continue
                        named = [(role, weight.op.name) for role, weight in zip(step.weight_names, step.weights)
                                 if hasattr(weight, "op")]  # variables, not constants
                        statistics = [(role, name) for role, name in named if role not in ("gamma", "beta")]
                        key = tuple(name for _, name in statistics)
                        if key and key not in seen:  # a tf.cond pair and its two kernels are one layer
                            seen.add(key)
                            named_statistics.update(key)
                            found.append((_layer_name([name for _, name in named], step.tf1 or op.name), statistics))
                        break
    finally:
        behaviour.switch_back(switched)
    return found, notes


def inspect_checkpoint(prefix: str) -> CheckpointInspection:
    """The variables of the checkpoint at `prefix`, its BN moving statistics and which are missing (see the
    module docstring)."""
    saved = _saved(checked_prefix(prefix))
    meta = prefix + ".meta"
    if not os.path.isfile(meta):
        variables = [CheckpointVariable(name, shape, dtype, *_marked_by_name(name)) for name, shape, dtype in saved]
        return CheckpointInspection(prefix, tuple(variables), None, tuple(_data_notes(prefix)))
    layers, notes = _graph_statistics(meta)
    names = {name for name, _, _ in saved}
    roles = {variable: (role, layer) for layer, statistics in layers for role, variable in statistics}
    variables = [CheckpointVariable(name, shape, dtype, *roles.get(name, (None, None))) for name, shape, dtype in saved]
    found = [BatchNormLayer(layer, tuple(statistics), tuple(v for _, v in statistics if v not in names))
             for layer, statistics in layers]
    return CheckpointInspection(prefix, tuple(variables), tuple(found), tuple(_data_notes(prefix) + notes))


def format_inspection(found: CheckpointInspection) -> list[str]:
    """The report `tf1-bn inspect` prints: a header, one line per variable, then the verdict."""
    source = (f"BN layers from the graph in {found.prefix}.meta" if found.graph_available
              else f"no {found.prefix}.meta: the graph is not available, BN statistics marked by name only")
    lines = [f"checkpoint {found.prefix}: {len(found.variables)} variables; {source}"]
    width = max([len(v.name) for v in found.variables] + [4])
    shapes = [str(list(v.shape)) for v in found.variables]
    shape_width = max([len(s) for s in shapes] + [5])
    for variable, shape in zip(found.variables, shapes):
        mark = f"  {variable.statistic} of {variable.layer}" if variable.statistic else ""
        lines.append(f"  {variable.name:<{width}}  {shape:<{shape_width}}  {variable.dtype}{mark}".rstrip())
    lines += [f"note: {note}" for note in found.notes]
    marked = sum(v.statistic is not None for v in found.variables)
    if not found.graph_available:
        lines.append(f"{marked} variable(s) named like BN moving statistics; whether a BN layer lacks its "
                     f"statistics cannot be told without the graph ({found.prefix}.meta)")
        return lines
    incomplete = [layer for layer in found.layers if layer.missing]
    if not found.layers:
        lines.append("no BN layer in the graph")
    elif not incomplete:
        lines.append(f"{len(found.layers)} BN layer(s): every moving statistic is in the checkpoint")
    else:
        lines.append(f"{len(found.layers)} BN layer(s): moving statistics missing from the checkpoint for "
                     f"{len(incomplete)}")
        lines += [f"  {layer.name}: {', '.join(layer.missing)}" for layer in incomplete]
        lines.append("(a Saver(var_list=tf.trainable_variables()) leaves them out; restored, those layers normalize "
                     "with their initial mean 0 and variance 1 at inference; tf1-bn migrate needs "
                     "--allow-missing-statistics)")
    return lines
