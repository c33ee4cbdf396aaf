"""The TF1 batch-norm variants Keras 3's BatchNormalization lacks, → the registered layers of `tf1_bn.keras`.

- Batch Renormalization (Ioffe 2017): tf.layers' renorm folds r and d into the scale and offset of
  tf.nn.batch_normalization, γ' = r·γ and β' = d·γ + β, r = clip(σ_B/σ_run) and d = clip((μ_B − μ_run)/σ_run)
  behind StopGradient → `tf1_bn.keras.BatchRenormalization` with the clipping constants (rmin, rmax,
  dmax) read from the Maximum/Minimum ops, `renorm_momentum` from the op that moves `renorm_mean`, and
  the state variables `moving_stddev`, `renorm_mean`, `renorm_stddev` of the layer's scope (the TF1
  layer's own names, which its checkpoints keep);
- ghost batches (virtual_batch_size V): a Reshape to (V, N/V, …), batch norm with statistics per ghost
  batch, a Reshape back → `tf1_bn.keras.GhostBatchNormalization(virtual_batch_size=V)`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from tf1_bn.migrate import graph_reading as gr
from tf1_bn.migrate import handlers_bn as bn
from tf1_bn.migrate.steps import Step

RENORM_STATE = ("moving_stddev", "renorm_mean", "renorm_stddev")


def _renorm_factor(tensor: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor] | None:
    """(the StopGradient'ed r or d, the other factor) when `tensor` is their product."""
    op = gr.op_of(tensor, "Mul")
    if op is None:
        return None
    for factor in op.inputs:
        if factor.op.type == "StopGradient":
            return factor, gr.other(op, factor)
    return None


def is_renorm(parts: dict) -> bool:
    return parts["gamma"] is not None and _renorm_factor(parts["gamma"]) is not None


def _clip_constants(tensor: tf.Tensor) -> dict[str, float]:
    """{"max": …, "min": …} of the Minimum/Maximum chain ending in the training branch of r or d."""
    found: dict[str, float] = {}
    merge = gr.source(tensor.op.inputs[0])
    candidates = list(merge.op.inputs) if merge.op.type in ("Merge", "RefMerge") else [merge]
    for branch in candidates:
        t = gr.source(branch)
        while t.op.type in ("Minimum", "Maximum"):
            const = next((gr.scalar(i) for i in t.op.inputs if gr.scalar(i) is not None), None)
            rest = next((i for i in t.op.inputs if gr.scalar(i) is None), None)
            if const is None or rest is None:
                break
            found["max" if t.op.type == "Minimum" else "min"] = const
            t = gr.source(rest)
    return found


def renorm(converter: Any, tensor: tf.Tensor, parts: dict) -> Step:
    from tf1_bn.keras import BatchRenormalization

    r, gamma_tensor = _renorm_factor(parts["gamma"])
    beta_op = gr.op_of(parts["beta"], "Add", "AddV2") if parts["beta"] is not None else None
    d = None
    beta_tensor = None
    if beta_op is not None:
        for term in beta_op.inputs:
            found = _renorm_factor(term)
            if found is not None:
                d = found[0]
            else:
                beta_tensor = term
    gamma, beta = bn._parameter(converter, gamma_tensor, 1.0), None
    if beta_tensor is not None:
        beta = bn._parameter(converter, beta_tensor, 0.0)
    scope = parts["mean_op"].name.rsplit("/", 1)[0]
    by_name = {op.name: op for op in converter.known}
    state = [by_name.get(f"{scope}/{name}") for name in RENORM_STATE]
    if any(op is None for op in state):
        raise ValueError(f"batch renormalization at {tensor.op.name!r}: the layer's {', '.join(RENORM_STATE)} "
                         f"variables were not found under {scope!r}")
    r_clip, d_clip = _clip_constants(r), (_clip_constants(d) if d is not None else {})
    clipping = {key: value for key, value in (("rmax", r_clip.get("max")), ("rmin", r_clip.get("min")),
                                              ("dmax", d_clip.get("max"))) if value is not None}
    momentum = bn.momentum_of(converter, parts["mean_op"])
    renorm_momentum = bn.momentum_of(converter, state[1])
    axis = bn._axis(parts["x"], parts["batch"], parts["mean"])
    arguments = dict(axis=axis, momentum=bn._float32(momentum), epsilon=bn._float32(parts["epsilon"]),
                     center=beta is not None, scale=True, renorm_clipping={k: bn._float32(v) for k, v in clipping.items()},
                     renorm_momentum=bn._float32(renorm_momentum))
    weights = [gamma] + ([beta] if beta is not None else []) + [converter.variable(parts["mean_op"]),
                                                                 converter.variable(parts["variance_op"])]
    weights += [converter.variable(op) for op in state]
    names = ["gamma"] + (["beta"] if beta is not None else []) + ["moving_mean", "moving_variance", *RENORM_STATE]
    return Step("BatchRenormalization", lambda name: BatchRenormalization(name=name, **arguments), [parts["x"]],
                weights, names, arguments, tensor.op.name, ["tf1_bn.keras.BatchRenormalization (Keras 3 has no TF1 renorm)"])


def ghost(converter: Any, tensor: tf.Tensor) -> Step | None:
    """Reshape(BN(Reshape(x, [V, -1, …])), shape of x): ghost batches of size V."""
    from tf1_bn.keras import GhostBatchNormalization

    if tensor.op.type != "Reshape":
        return None
    parts = bn.match_plain(converter, gr.source(tensor.op.inputs[0]))
    if parts is None or parts["x"].op.type != "Reshape":
        return None
    split = gr.source(parts["x"].op.inputs[1])
    head = gr.constant(split.op.inputs[0]) if split.op.type == "ConcatV2" else None
    if head is None or np.size(head) != 2 or int(np.ravel(head)[1]) != -1:
        return None
    x = gr.source(parts["x"].op.inputs[0])
    kept = bn._axis(parts["x"], parts["batch"], parts["mean"])
    kept = [kept] if isinstance(kept, int) else kept
    axis = [a - 1 for a in kept if a != 1]
    gamma = None if parts["gamma"] is None else bn._parameter(converter, parts["gamma"], 1.0)
    beta = None if parts["beta"] is None else bn._parameter(converter, parts["beta"], 0.0)
    momentum = bn.momentum_of(converter, parts["variance_op"], parts["mean_op"])
    arguments = dict(axis=axis[0] if len(axis) == 1 else axis, momentum=bn._float32(momentum),
                     epsilon=bn._float32(parts["epsilon"]), center=beta is not None, scale=gamma is not None,
                     virtual_batch_size=int(np.ravel(head)[0]))
    weights = [w for w in (gamma, beta) if w is not None] + [converter.variable(parts["mean_op"]),
                                                           converter.variable(parts["variance_op"])]
    names = [n for n, w in (("gamma", gamma), ("beta", beta)) if w is not None] + ["moving_mean", "moving_variance"]
    return Step("GhostBatchNormalization", lambda name: GhostBatchNormalization(name=name, **arguments), [x],
                weights, names, arguments, tensor.op.name,
                ["tf1_bn.keras.GhostBatchNormalization (Keras 3 has no virtual_batch_size)"])
