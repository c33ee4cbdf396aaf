"""Op handlers for batch normalization, in every TF1 form, → keras.layers.BatchNormalization.

Ioffe & Szegedy 2015, Alg. 1: y = γ·(x − μ)/√(σ² + ε) + β, batch moments when training, moving ones
otherwise. TF1 built it two ways, and both are recognised by op structure:

- fused: a FusedBatchNorm{,V2,V3} op, or the Merge of the training and inference kernels of a
  `tf.cond` (tf.layers fused, contrib's fused path, tf-keras's legacy layer), possibly behind the
  Identity that contrib's `updates_collections=None` adds;
- plain (tf.nn.batch_normalization): add_1 = x·k + (β − μ·k) with k = γ·rsqrt(σ² + ε), where μ and
  σ² are moving variables, or the Merge of batch moments and moving variables (tf.layers non-fused,
  contrib's moments path, seed 003's moments + ExponentialMovingAverage + tf.cond, tf.assign).

Carried over: axis, ε (the fused op's attribute, which TF already raised to 1.001e-5 at least), center
and scale (a constant 0/1 offset/scale means off), and momentum: from the op that updates the moving
variance, `moving ← moving − (moving − batch)·(1 − momentum)`, whose decay is evaluated with the
training placeholder fed True (contrib's `decay` is Keras's momentum; Keras's rule is the same).
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tf1_bn.migrate import graph_reading as gr
from tf1_bn.migrate.steps import Step

FUSED = ("FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3")
FUSED_NOTE = "TF1 fused kernel: its moving variance tracked σ²·m/(m−1); Keras's tracks σ²"


def _fused_ops(converter: Any, tensor: tf.Tensor) -> list[tf.Operation] | None:
    """The fused kernels whose output 0 reaches `tensor` through Merge/Switch/Identity (or the branches
    of a TF2 If) only, or None."""
    found, stack, seen = [], [tensor], set()
    while stack:
        t = gr.outer(stack.pop())
        if t.op in seen:
            continue
        seen.add(t.op)
        if t.op.type in FUSED and t.value_index == 0:
            found.append(t.op)
        elif t.op.type in gr.FUNCTIONAL_IFS:
            converter.check_pred(t.op.inputs[0], t.op.name)
            stack.extend(branch.outputs[t.value_index] for branch in gr.branches(t.op))
        elif t.op.type in ("Merge", "RefMerge") or t.op.type in gr.PASS_THROUGH:
            stack.extend(t.op.inputs if t.op.type in ("Merge", "RefMerge") else t.op.inputs[:1])
        else:
            return None
    return found or None


def _momentum(converter: Any, variable_op: tf.Operation) -> float | None:
    """1 − decay of the op that moves `variable_op` by moving − (moving − batch)·decay, or None."""
    for writer in converter.writers(variable_op):
        delta = gr.source(writer.inputs[1])
        if writer.type in ("AssignVariableOp", "Assign") and delta.op.type == "Sub":
            delta = gr.source(delta.op.inputs[1])  # tf.assign(pop, pop − delta), the Udacity lesson's form
        elif writer.type not in ("AssignSubVariableOp", "AssignSub"):
            continue
        if delta.op.type != "Mul":
            continue
        for factor in delta.op.inputs:
            if not gr.depends_on(factor, [variable_op], limit=200):  # the decay, not (moving − batch)
                value = _folded(converter, factor)
                if value is not None:
                    return 1.0 - value
    return None


def _folded(converter: Any, tensor: tf.Tensor) -> float | None:
    """A scalar decay: folded from constants (1 − momentum written in the graph), else run in the session
    with training fed True when it is an outer-graph tensor (TF1's momentum = cond(training, m, 1))."""
    value = gr.scalar(tensor)
    if value is not None:
        return value
    tensor = gr.source(tensor)
    op = tensor.op
    if op.type == "Sub" and len(op.inputs) == 2:
        a, b = _folded(converter, op.inputs[0]), _folded(converter, op.inputs[1])
        return None if a is None or b is None else a - b
    if tensor.graph is converter.graph:
        found = converter.evaluate(tensor)
        if found is not None and np.size(found) == 1:
            return float(np.asarray(found).reshape(()))
    return None


def _float32(value: float) -> float:
    """A float32 attribute or constant as the decimal it was written as (0.001, not 0.0010000000474974513)."""
    return gr.decimal(value)


def _parameter(converter: Any, tensor: tf.Tensor, neutral: float) -> Any | None:
    """The variable behind γ or β, or None when it is the constant `neutral` (scale/center off)."""
    op = gr.variable_op(tensor)
    if op is not None:
        return converter.variable(op)
    value = gr.constant(tensor)
    if value is not None and np.all(value == neutral):
        return None
    raise ValueError(f"batch norm parameter {tensor.name!r} is neither a variable nor the constant {neutral}")


def momentum_of(converter: Any, *variable_ops: tf.Operation, notes: list[str] | None = None) -> float:
    """The momentum of the first of `variable_ops` an update op moves (0 included), else 0.99 with a note."""
    for variable_op in variable_ops:
        momentum = _momentum(converter, variable_op)
        if momentum is not None:
            return momentum
    if notes is not None:
        notes.append("no update op moves the moving statistics (built with training=False?): momentum 0.99 assumed")
    return 0.99


def _layer(converter: Any, x: tf.Tensor, axis: int, epsilon: float, gamma: Any, beta: Any, mean_op: tf.Operation,
           variance_op: tf.Operation, tf1: str, notes: list[str]) -> Step:
    momentum = momentum_of(converter, variance_op, mean_op, notes=notes)
    arguments = dict(axis=axis, momentum=_float32(momentum), epsilon=_float32(epsilon), center=beta is not None,
                     scale=gamma is not None)
    weights = [w for w in (gamma, beta) if w is not None] + [converter.variable(mean_op), converter.variable(variance_op)]
    names = [n for n, w in (("gamma", gamma), ("beta", beta)) if w is not None] + ["moving_mean", "moving_variance"]
    if FUSED_NOTE in notes and converter.fused_variance == "tf1":
        from tf1_bn.keras import FusedBatchNormalization

        notes[notes.index(FUSED_NOTE)] = "tf1_bn.keras.FusedBatchNormalization keeps TF1's fused moving variance"
        return Step("FusedBatchNormalization", lambda name: FusedBatchNormalization(name=name, **arguments), [x],
                    weights, names, arguments, tf1, notes)
    return Step("BatchNormalization", lambda name: keras.layers.BatchNormalization(name=name, **arguments), [x],
                weights, names, arguments, tf1, notes)


def fused(converter: Any, tensor: tf.Tensor) -> Step | None:
    """A fused kernel, or the training/inference pair of one (see the module docstring)."""
    ops = _fused_ops(converter, tensor)
    if ops is None:
        return None
    sources = {gr.source(op.inputs[0]).name for op in ops}
    if len(sources) != 1:
        return None
    modes = {op.get_attr("is_training"): op for op in ops}
    op = modes.get(False, ops[0])
    if len(modes) == 2:
        converter.check_training(ops[0].inputs[0], op.name)
    data_format = op.get_attr("data_format").decode()
    x = gr.source(op.inputs[0])
    axis = 1 if data_format.startswith("NC") else x.shape.rank - 1
    mean_op, variance_op = gr.variable_op(op.inputs[3]), gr.variable_op(op.inputs[4])
    if mean_op is None or variance_op is None:
        return None
    notes = [FUSED_NOTE]
    if False not in modes:
        notes.append("the TF1 graph always normalized with batch statistics (training=True); "
                     "Keras follows the call's `training` argument")
    return _layer(converter, x, axis, float(op.get_attr("epsilon")), _parameter(converter, op.inputs[1], 1.0),
                  _parameter(converter, op.inputs[2], 0.0), mean_op, variance_op, tensor.op.name, notes)


def _unreshaped(tensor: tf.Tensor) -> tf.Tensor:
    tensor = gr.source(tensor)
    while tensor.op.type in ("Reshape", "Cast"):
        tensor = gr.source(tensor.op.inputs[0])
    return tensor


def _switch_of(tensor: tf.Tensor, limit: int = 8) -> tf.Operation | None:
    """The Switch op (of a tf.cond) that `tensor`'s value passes through, looking a few ops up."""
    for _ in range(limit):
        if tensor.op.type in ("Switch", "RefSwitch"):
            return tensor.op
        if not tensor.op.inputs:
            return None
        tensor = tensor.op.inputs[0]
    return None


def _statistic(converter: Any, tensor: tf.Tensor) -> tuple[tf.Operation, tf.Tensor | None] | None:
    """(moving variable, batch statistic or None) behind a μ or σ² input of tf.nn.batch_normalization."""
    tensor = _unreshaped(tensor)
    variable = gr.variable_op(tensor)
    if variable is not None:
        return variable, None
    if tensor.op.type in gr.FUNCTIONAL_IFS:
        converter.check_pred(tensor.op.inputs[0], tensor.op.name)
        candidates = [branch.outputs[tensor.value_index] for branch in gr.branches(tensor.op)]
    elif tensor.op.type in ("Merge", "RefMerge"):
        candidates = list(tensor.op.inputs)
    else:
        return None
    variable = batch = None
    for branch in candidates:
        found = gr.variable_op(branch)
        if found is not None:
            variable = found
            switch = _switch_of(branch)
            if switch is not None:
                converter.check_training(switch.outputs[0], tensor.op.name)
        else:
            batch = gr.source(branch)
    return (variable, batch) if variable is not None and batch is not None else None


def _axis(x: tf.Tensor, batch: tf.Tensor | None, raw_mean: tf.Tensor) -> int | list[int]:
    """The normalized axis: the complement of the batch moments' reduction axes, else from μ's broadcast."""
    rank = x.shape.rank
    if batch is not None:
        mean_op = gr.op_of(batch.op.inputs[0] if batch.op.type == "Squeeze" else batch, "Mean")
        axes = None if mean_op is None else gr.constant(mean_op.inputs[1])
        if axes is not None:
            kept = [a for a in range(rank) if a not in {int(v) % rank for v in np.ravel(axes)}]
            return kept[0] if len(kept) == 1 else kept
    shape = raw_mean.shape.as_list()
    if len(shape) == rank and shape.count(1) == rank - 1:
        return [d != 1 for d in shape].index(True)
    return rank - 1


def _inverse_std(tensor: tf.Tensor) -> tuple[tf.Tensor, float, tf.Tensor | None] | None:
    """(σ², ε, γ or None) when `tensor` is rsqrt(σ² + ε) [· γ]."""
    tensor = gr.source(tensor)
    gamma = None
    if tensor.op.type == "Mul":
        rsqrt = [t for t in tensor.op.inputs if gr.op_of(t, "Rsqrt") is not None]
        if len(rsqrt) != 1:
            return None
        gamma = gr.other(tensor.op, rsqrt[0])
        tensor = gr.source(rsqrt[0])
    if tensor.op.type != "Rsqrt":
        return None
    plus = gr.op_of(tensor.op.inputs[0], "Add", "AddV2")
    if plus is None:
        return None
    for variance, eps in (plus.inputs, list(reversed(plus.inputs))):
        epsilon = gr.scalar(eps)
        if epsilon is not None:
            return variance, epsilon, gamma
    return None


def match_plain(converter: Any, tensor: tf.Tensor) -> dict | None:
    """The parts of tf.nn.batch_normalization's add_1 = x·k + (β − μ·k): x, μ, σ², ε, γ, β tensors and the
    moving variables behind μ and σ² (with the batch statistics when there is a training branch)."""
    if tensor.op.type not in ("Add", "AddV2"):
        return None
    for scaled, shift in (tensor.op.inputs, list(reversed(tensor.op.inputs))):
        scaled_op, shift_op = gr.source(scaled).op, gr.source(shift).op
        if scaled_op.type != "Mul" or shift_op.type not in ("Sub", "Neg"):
            continue
        for x, k in (scaled_op.inputs, list(reversed(scaled_op.inputs))):
            parts = _inverse_std(k)
            product = gr.op_of(shift_op.inputs[-1], "Mul")
            if parts is None or product is None or gr.source(k) not in [gr.source(t) for t in product.inputs]:
                continue
            variance, epsilon, gamma = parts
            mean = gr.other(product, next(t for t in product.inputs if gr.source(t) is gr.source(k)))
            found_mean, found_variance = _statistic(converter, mean), _statistic(converter, variance)
            if found_mean is None or found_variance is None:
                return None
            return dict(x=gr.source(x), mean=mean, epsilon=epsilon, gamma=gamma,
                        beta=shift_op.inputs[0] if shift_op.type == "Sub" else None,
                        mean_op=found_mean[0], variance_op=found_variance[0], batch=found_mean[1])
    return None


def plain(converter: Any, tensor: tf.Tensor) -> Step | None:
    """tf.nn.batch_normalization's add_1 = x·k + (β − μ·k) (see the module docstring); with Batch
    Renormalization's r and d folded into γ and β it is `tf1_bn.migrate.handlers_bn_variants.renorm`."""
    parts = match_plain(converter, tensor)
    if parts is None:
        return None
    from tf1_bn.migrate import handlers_bn_variants

    if handlers_bn_variants.is_renorm(parts):
        return handlers_bn_variants.renorm(converter, tensor, parts)
    notes = []
    if parts["batch"] is None:
        notes.append("the TF1 graph always normalized with the moving statistics (training=False); "
                     "Keras follows the call's `training` argument")
    gamma, beta = parts["gamma"], parts["beta"]
    return _layer(converter, parts["x"], _axis(parts["x"], parts["batch"], parts["mean"]), parts["epsilon"],
                  None if gamma is None else _parameter(converter, _unreshaped(gamma), 1.0),
                  None if beta is None else _parameter(converter, _unreshaped(beta), 0.0),
                  parts["mean_op"], parts["variance_op"], tensor.op.name, notes)
