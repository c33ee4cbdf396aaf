"""tf1_bn.layers.batch_normalization against TF1's own layer (tf_keras legacy, the oracle).

Each case builds the same graph twice, once per implementation, with the same non-trivial initial
values, feeds the same batches and compares: outputs and gradients (input, gamma, beta) at every
training step, the moving statistics after the steps, the inference output afterwards, the variable
names and the number of update ops.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import tensorflow as tf

import tf1_bn.layers as layers

STEPS = 3


@dataclasses.dataclass(frozen=True)
class Case:
    shape: tuple
    kwargs: dict = dataclasses.field(default_factory=dict)
    training: str = "placeholder"  # or "true": a Python bool
    dtype: str = "float32"

    @property
    def id(self) -> str:
        args = ",".join(f"{k}={v}" for k, v in self.kwargs.items())
        return f"r{len(self.shape)}-{args or 'default'}-{self.training}-{self.dtype}"

    @property
    def atol(self) -> float:
        return 2e-4 if self.kwargs.get("renorm") else 1e-5


CLIP = {"rmax": 1.5, "rmin": 0.7, "dmax": 0.3}
CASES = [
    # rank 2: the dense-layer case of the articles
    *[Case((12, 5), dict(axis=a, fused=f), t) for a in (-1, 1) for f in (None, True, False) for t in ("placeholder", "true")],
    Case((12, 5), dict(momentum=0.5, epsilon=1e-5)),
    Case((12, 5), dict(momentum=0.0)),
    Case((12, 5), dict(center=False)),
    Case((12, 5), dict(scale=False)),
    Case((12, 5), dict(center=False, scale=False), "true"),
    Case((12, 5), dict(axis=0)),
    Case((12, 5), {}, "placeholder", "float16"),
    # rank 3
    Case((6, 4, 5), dict(axis=-1)),
    Case((6, 4, 5), dict(axis=1), "true"),
    Case((6, 4, 5), dict(axis=[1, 2])),
    # rank 4: fused NHWC / NCHW, and the plain path for the same axes
    *[Case((6, 5, 4, 3), dict(axis=a, fused=f), t) for a in (-1, 3, 1, -3) for f in (None, False) for t in ("placeholder", "true")],
    Case((6, 5, 4, 3), dict(axis=2)),
    Case((6, 5, 4, 3), dict(axis=[1, 3])),
    Case((6, 5, 4, 3), dict(fused=True, center=False, scale=False)),
    Case((6, 5, 4, 3), dict(fused=True, momentum=0.9, epsilon=0.1), "true"),
    Case((6, 5, 4, 3), dict(fused=True), "placeholder", "float16"),
    Case((6, 5, 4, 3), dict(fused=False), "true", "float16"),
    # rank 5: fused NDHWC / NCDHW, multi-axis
    Case((4, 3, 4, 2, 3), dict(axis=-1)),
    Case((4, 3, 4, 2, 3), dict(axis=1), "true"),
    Case((4, 3, 4, 2, 3), dict(axis=3)),
    Case((4, 3, 4, 2, 3), dict(axis=[1, 4])),
    Case((4, 3, 4, 2, 3), dict(axis=[2, 3], fused=False), "true"),
    # Batch Renormalization
    Case((12, 5), dict(renorm=True)),
    Case((12, 5), dict(renorm=True), "true"),
    Case((12, 5), dict(renorm=True, renorm_clipping=CLIP, renorm_momentum=0.9)),
    Case((6, 5, 4, 3), dict(renorm=True, renorm_clipping=CLIP), "true"),
    Case((6, 5, 4, 3), dict(renorm=True, axis=1)),
    # ghost batches (with a Python bool: see test_layers_bn_wiring for the placeholder case)
    Case((12, 5), dict(virtual_batch_size=3), "true"),
    Case((12, 5), dict(virtual_batch_size=4, momentum=0.9), "true"),
    Case((8, 4, 3, 2), dict(virtual_batch_size=2), "true"),
    Case((8, 4, 3, 2), dict(virtual_batch_size=4, axis=1), "true"),
]


def _initial_values(rng, param_shape):
    return {
        "gamma_initializer": tf.compat.v1.constant_initializer(rng.uniform(0.5, 1.5, param_shape)),
        "beta_initializer": tf.compat.v1.constant_initializer(rng.normal(0, 0.5, param_shape)),
        "moving_mean_initializer": tf.compat.v1.constant_initializer(rng.normal(0, 0.2, param_shape)),
        "moving_variance_initializer": tf.compat.v1.constant_initializer(rng.uniform(0.5, 2.0, param_shape)),
    }


def _param_shape(case: Case) -> list[int]:
    rank = len(case.shape)
    axes = case.kwargs.get("axis", -1)
    axes = [a % rank for a in ([axes] if isinstance(axes, int) else axes)]
    if len(axes) == 1 and "virtual_batch_size" not in case.kwargs:
        return [case.shape[axes[0]]]
    shape = [case.shape[i] if i in axes else 1 for i in range(rank)]
    if "virtual_batch_size" in case.kwargs:
        shape.insert(1, 1)
    return shape


def _run(batch_normalization, case: Case, batches, loss_weights, seed: int):
    graph = tf.Graph()
    with graph.as_default():
        dtype = tf.as_dtype(case.dtype)
        x = tf.compat.v1.placeholder(dtype, case.shape)
        training = tf.compat.v1.placeholder(tf.bool, []) if case.training == "placeholder" else True
        init = _initial_values(np.random.default_rng(seed), _param_shape(case))
        y = batch_normalization(x, training=training, **init, **case.kwargs)
        update_ops = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)
        loss = tf.reduce_sum(tf.cast(y, tf.float32) * loss_weights)
        trainable = tf.compat.v1.trainable_variables()
        gradients = tf.gradients(loss, [x] + trainable)
        variables = tf.compat.v1.global_variables()
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            feed = lambda batch, value: {x: batch, **({training: value} if case.training == "placeholder" else {})}  # noqa: E731
            steps = [sess.run([y, *gradients, *update_ops], feed(batch, True)) for batch in batches]
            inference = sess.run(y, feed(batches[0], False)) if case.training == "placeholder" else None
            return {
                "steps": [s[: 1 + len(gradients)] for s in steps],
                "variables": sess.run(variables),
                "names": [v.name for v in variables],
                "trainable": [v.name for v in trainable],
                "update_count": len(update_ops),
                "inference": inference,
            }


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_matches_tf1_layer(case, legacy_tf_layers, rng):
    batches = [(rng.standard_normal(case.shape) * 2.0 + 0.5).astype(case.dtype) for _ in range(STEPS)]
    loss_weights = rng.standard_normal(case.shape).astype(np.float32)
    ours = _run(layers.batch_normalization, case, batches, loss_weights, seed=7)
    theirs = _run(legacy_tf_layers.batch_normalization, case, batches, loss_weights, seed=7)

    assert ours["names"] == theirs["names"]
    assert ours["trainable"] == theirs["trainable"]
    assert ours["update_count"] == theirs["update_count"] == 2
    for step, (a, b) in enumerate(zip(ours["steps"], theirs["steps"])):
        for what, p, q in zip(["output", "d_input", *ours["trainable"]], a, b):
            np.testing.assert_allclose(
                np.asarray(p, np.float64), np.asarray(q, np.float64), rtol=0, atol=case.atol, err_msg=f"{what} at step {step}"
            )
    for name, p, q in zip(ours["names"], ours["variables"], theirs["variables"]):
        np.testing.assert_allclose(p, q, rtol=0, atol=case.atol, err_msg=f"{name} after {STEPS} steps")
    if case.training == "placeholder":
        np.testing.assert_allclose(
            np.asarray(ours["inference"], np.float64), np.asarray(theirs["inference"], np.float64), rtol=0, atol=case.atol
        )


def test_matrix_covers_the_issue():
    """The matrix the issue asks for: >= 40 cases over ranks 2-5, fused modes, renorm, ghost batches, fp16."""
    assert len(CASES) >= 40
    assert {len(c.shape) for c in CASES} == {2, 3, 4, 5}
    assert {c.kwargs.get("fused") for c in CASES} == {None, True, False}
    assert {c.dtype for c in CASES} == {"float32", "float16"}
    assert any("renorm_clipping" in c.kwargs for c in CASES) and any("virtual_batch_size" in c.kwargs for c in CASES)
