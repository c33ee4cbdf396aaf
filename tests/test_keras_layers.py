"""tf1_bn.keras against the TF1 layer it replaces: tf1_bn.layers.BatchNormalization(renorm=True) and
(virtual_batch_size=V), run in a tf.compat.v1 Session with an is_training placeholder, are the oracle for
BatchRenormalization and GhostBatchNormalization run eagerly in Keras 3. From the same random weights and
inputs (also +100): inference and training outputs, gradients, and every statistic after one update."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

import tf1_bn.keras as tk
from tf1_bn.layers import BatchNormalization as TF1BatchNormalization

ATOL = 1e-5  # float32 outputs and statistics
eager = tf.__internal__.eager_context.eager_mode  # Keras 3 runs eagerly, also under --tf1-behaviour
KWARGS = dict(momentum=0.9, epsilon=0.01)  # not the defaults, so a swapped constant shows
RENORM = dict(KWARGS, renorm_momentum=0.8)
CLIP = {"rmax": 1.5, "rmin": 0.7, "dmax": 0.5}


def random_case(shape, axis, shift, seed=0):
    """Inputs (per-channel std ≈ 3 around `shift`), upstream gradient, and weights by Keras name/shape.

    Moving statistics sit near the data (inference outputs of order 1 also when shifted); renorm_stddev
    spans 0.03…10 (also below the floor √ε = 0.1), so that r = σ_B/σ_run falls on both sides of [rmin, rmax]."""
    rng = np.random.default_rng(seed)
    axes = [axis % len(shape)] if isinstance(axis, int) else [a % len(shape) for a in axis]
    broadcast = tuple(shape[i] if i in axes else 1 for i in range(len(shape)))
    param = (shape[axes[0]],) if len(axes) == 1 else broadcast  # the Keras layer's weight shape
    x = (shift + 3.0 * rng.standard_normal(shape)).astype(np.float32)
    weights = {
        "gamma": rng.uniform(0.5, 2.0, param), "beta": rng.standard_normal(param),
        "moving_mean": shift + rng.normal(0, 0.5, param), "moving_variance": rng.uniform(4.0, 12.0, param),
        "moving_stddev": rng.uniform(2.0, 3.5, param), "renorm_mean": shift + rng.standard_normal(param),
        "renorm_stddev": np.exp(rng.uniform(np.log(0.03), np.log(10.0), param)),
    }
    upstream = rng.standard_normal(shape).astype(np.float32)
    return x, upstream, {k: v.astype(np.float32) for k, v in weights.items()}


def run_tf1(kwargs, x, upstream, weights):
    """TF1 graph: (inference y, training y, d Σ(y·u)/d(x, γ, β), {name: value after one update run})."""
    with tf.Graph().as_default():
        inputs = tf.compat.v1.placeholder(tf.float32, x.shape)
        is_training = tf.compat.v1.placeholder(tf.bool, [])
        layer = TF1BatchNormalization(**kwargs)
        y = layer(inputs, training=is_training)
        trainable = [v for v in (layer.gamma, layer.beta) if v is not None]
        grads = tf.gradients(tf.reduce_sum(y * upstream), [inputs, *trainable])
        updates = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)
        name = lambda v: v.op.name.rsplit("/", 1)[1]  # noqa: E731
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            for v in layer.variables:
                v.load(weights[name(v)].reshape(v.shape), sess)
            inference = sess.run(y, {inputs: x, is_training: False})
            training, gradients, _ = sess.run([y, grads, updates], {inputs: x, is_training: True})
            after = {name(v): value for v, value in zip(layer.variables, sess.run(layer.variables))}
    return inference, training, gradients, after, [name(v) for v in layer.variables]


def run_keras(layer, x, upstream, weights):
    """The same for the Keras layer, eagerly: the inference call, then one training call under a tape."""
    with eager():
        layer.build(x.shape)
        for w in layer.weights:
            w.assign(weights[w.name].reshape(w.shape))
        inference = layer(x, training=False).numpy()
        inputs = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            y = layer(inputs, training=True)
            loss = tf.reduce_sum(y * upstream)
        gradients = tape.gradient(loss, [inputs, *(w.value for w in layer.trainable_weights)])
        return inference, y.numpy(), [g.numpy() for g in gradients], {w.name: w.numpy() for w in layer.weights}


def assert_parity(tf1, ours):
    (inf1, train1, grads1, after1, names), (inf2, train2, grads2, after2) = tf1, ours
    np.testing.assert_allclose(inf2, inf1, rtol=0, atol=ATOL, err_msg="inference output")
    np.testing.assert_allclose(train2, train1, rtol=0, atol=ATOL, err_msg="training output")
    for i, (g2, g1) in enumerate(zip(grads2, grads1, strict=True)):
        np.testing.assert_allclose(g2, g1.reshape(g2.shape), rtol=1e-5, atol=ATOL,
                                   err_msg=f"gradient {i} of (x, gamma, beta)")
    assert list(after2) == names  # same weights, in TF1's order
    for key in names:
        np.testing.assert_allclose(after2[key], after1[key].reshape(after2[key].shape), rtol=0, atol=ATOL, err_msg=key)


# ------------------------------------------------------------------------ Batch Renormalization
SHAPES = [((16, 5), -1), ((6, 4, 4, 3), 3), ((6, 3, 4, 4), 1), ((8, 3, 4), [1, 2])]


@pytest.mark.parametrize("shift", [0.0, 100.0])
@pytest.mark.parametrize("shape, axis", SHAPES)
def test_renorm_matches_tf1(shape, axis, shift):
    x, u, w = random_case(shape, axis, shift)
    kwargs = dict(RENORM, axis=axis, renorm_clipping=CLIP)
    assert_parity(run_tf1(dict(kwargs, renorm=True), x, u, w), run_keras(tk.BatchRenormalization(**kwargs), x, u, w))


@pytest.mark.parametrize("clipping", [{}, {"rmax": 1.5}, {"rmin": 0.7}, {"dmax": 0.5}, CLIP,
                                      {"rmax": 1.0, "rmin": 1.0, "dmax": 0.0}])  # the last: plain BN
def test_renorm_clipping_cases_match_tf1(clipping):
    x, u, w = random_case((32, 8), -1, 100.0, seed=1)
    w["renorm_stddev"][0] = 0.02  # below the floor √ε = 0.1
    # The unclipped correction crosses every bound here, so each clip is in force.
    stddev_run = np.maximum(w["renorm_stddev"], np.sqrt(0.01))
    r = np.sqrt(x.var(0) + 0.01) / stddev_run
    d = (x.mean(0) - w["renorm_mean"]) / stddev_run
    assert r.max() > 1.5 and r.min() < 0.7 and np.abs(d).max() > 0.5
    kwargs = dict(RENORM, renorm_clipping=clipping)
    assert_parity(run_tf1(dict(kwargs, renorm=True), x, u, w), run_keras(tk.BatchRenormalization(**kwargs), x, u, w))


@pytest.mark.parametrize("center, scale", [(True, False), (False, True), (False, False)])
def test_renorm_without_center_or_scale_matches_tf1(center, scale):
    x, u, w = random_case((16, 5), -1, 100.0, seed=2)
    kwargs = dict(RENORM, center=center, scale=scale, renorm_clipping=CLIP)
    assert_parity(run_tf1(dict(kwargs, renorm=True), x, u, w), run_keras(tk.BatchRenormalization(**kwargs), x, u, w))


# ------------------------------------------------------------------------------- ghost batches
@pytest.mark.parametrize("shift", [0.0, 100.0])
@pytest.mark.parametrize("virtual_batch_size", [3, 4])
@pytest.mark.parametrize("shape, axis", [((12, 5), -1), ((12, 4, 4, 3), -1), ((12, 3, 2, 2), 1)])
def test_ghost_batches_match_tf1(shape, axis, virtual_batch_size, shift):
    x, u, w = random_case(shape, axis, shift)
    kwargs = dict(KWARGS, axis=axis, virtual_batch_size=virtual_batch_size)
    assert_parity(run_tf1(kwargs, x, u, w), run_keras(tk.GhostBatchNormalization(**kwargs), x, u, w))


@pytest.mark.parametrize("center, scale", [(True, False), (False, False)])
def test_ghost_batches_without_center_or_scale_match_tf1(center, scale):
    x, u, w = random_case((12, 5), -1, 100.0, seed=3)
    kwargs = dict(KWARGS, virtual_batch_size=4, center=center, scale=scale)
    assert_parity(run_tf1(kwargs, x, u, w), run_keras(tk.GhostBatchNormalization(**kwargs), x, u, w))


def test_ghost_batch_i_is_sample_i_mod_n_over_v():
    """N = 12, V = 3: ghost batch g holds samples g, g+4, g+8, normalized with their own moments."""
    x = np.random.default_rng(4).standard_normal((12, 2)).astype(np.float32) + 100
    with eager():
        y = tk.GhostBatchNormalization(virtual_batch_size=3, epsilon=0.0)(x, training=True).numpy()
    for g in range(4):
        group = x[g::4]
        np.testing.assert_allclose(y[g::4], (group - group.mean(0)) / group.std(0), atol=1e-4)


# ---------------------------------------------------------------------------------- the wiring
@pytest.mark.parametrize("make", [tk.BatchRenormalization, lambda: tk.GhostBatchNormalization(virtual_batch_size=2)])
def test_frozen_layer_runs_in_inference_mode_and_keeps_its_statistics(make):
    """As keras.layers.BatchNormalization: `trainable = False` means inference mode, no update."""
    x = np.random.default_rng(5).standard_normal((4, 3)).astype(np.float32) + 100
    with eager():
        layer = make()
        layer.build(x.shape)
        before = [w.numpy() for w in layer.weights]
        layer.trainable = False
        np.testing.assert_array_equal(layer(x, training=True).numpy(), layer(x, training=False).numpy())
        assert all(np.array_equal(a, w.numpy()) for a, w in zip(before, layer.weights))
        assert not layer.trainable_weights and len(layer.non_trainable_weights) == len(before)


def test_only_gamma_and_beta_are_trainable():
    with eager():
        layer = tk.BatchRenormalization()
        layer.build((None, 3))
        assert [w.name for w in layer.trainable_weights] == ["gamma", "beta"]
        assert [w.name for w in layer.non_trainable_weights] == [
            "moving_mean", "moving_variance", "moving_stddev", "renorm_mean", "renorm_stddev"]
        np.testing.assert_array_equal(layer.moving_stddev.numpy(), np.ones(3))  # √(moving_variance_initializer)


@pytest.mark.parametrize("make, args, error, match", [
    (tk.BatchRenormalization, dict(renorm_clipping={"rmaxx": 2.0}), ValueError, "unknown keys"),
    (tk.BatchRenormalization, dict(renorm_clipping={"rmin": 2.0, "rmax": 1.0}), ValueError, "rmin=2.0, rmax=1.0"),
    (tk.BatchRenormalization, dict(renorm_clipping={"dmax": -1.0}), ValueError, r"renorm_clipping\['dmax'\]"),
    (tk.BatchRenormalization, dict(renorm_clipping=[1.0]), TypeError, "renorm_clipping"),
    (tk.BatchRenormalization, dict(renorm_momentum="0.9"), TypeError, "renorm_momentum"),
    (tk.BatchRenormalization, dict(momentum=1.5), ValueError, "momentum=1.5"),
    (tk.BatchRenormalization, dict(axis=True), TypeError, "axis"),
    (tk.GhostBatchNormalization, dict(virtual_batch_size=0), ValueError, "virtual_batch_size"),
    (tk.GhostBatchNormalization, dict(virtual_batch_size=True), TypeError, "virtual_batch_size"),
    (tk.GhostBatchNormalization, dict(virtual_batch_size=2, epsilon=-1.0), ValueError, "epsilon"),
])
def test_bad_arguments_are_named(make, args, error, match):
    with pytest.raises(error, match=match):
        make(**args)


def test_bad_inputs_are_named():
    x = np.zeros((10, 3), np.float32)
    with eager():
        with pytest.raises(ValueError, match="must divide the batch size; received a batch of 10"):
            tk.GhostBatchNormalization(virtual_batch_size=4)(x, training=True)
        with pytest.raises(ValueError, match="cannot include 0"):
            tk.GhostBatchNormalization(virtual_batch_size=2, axis=[0, 1])(x)
        with pytest.raises(TypeError, match="`training` must be a Python bool"):
            tk.BatchRenormalization()(x, training="yes")


@pytest.mark.parametrize("make", [
    lambda: tk.BatchRenormalization(axis=[1, 2], momentum=0.9, epsilon=0.01, center=False, renorm_clipping=CLIP,
                                    renorm_momentum=0.5, gamma_regularizer="l2", name="renorm"),
    lambda: tk.GhostBatchNormalization(axis=1, virtual_batch_size=4, scale=False, beta_initializer="ones",
                                       name="ghost"),
])
def test_config_round_trip(make):
    layer = make()
    config = layer.get_config()
    assert type(layer).from_config(config).get_config() == config
    assert keras.saving.get_registered_name(type(layer)) == f"tf1_bn>{type(layer).__name__}"
    again = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(again) is type(layer) and again.get_config() == config


def test_keras_file_loads_in_a_fresh_process(tmp_path):
    x = np.random.default_rng(6).standard_normal((12, 4, 4, 3)).astype(np.float32) + 100
    with eager():
        inputs = keras.Input((4, 4, 3))
        h = tk.BatchRenormalization(momentum=0.9, renorm_clipping={"rmax": 2.0, "dmax": 1.0}, name="renorm")(inputs)
        h = keras.layers.Conv2D(5, 1, name="conv")(h)
        model = keras.Model(inputs, tk.GhostBatchNormalization(virtual_batch_size=4, momentum=0.8, name="ghost")(h))
        model(x, training=True)  # the statistics leave their initial values
        model.save(tmp_path / "model.keras")
        np.savez(tmp_path / "expected.npz", x=x, inference=model(x, training=False).numpy(),
                 training=model(x, training=True).numpy())
    code = textwrap.dedent(f"""
        import sys
        import tf1_bn
        assert "tensorflow" not in sys.modules and "keras" not in sys.modules and "tf1_bn.keras" not in sys.modules
        import keras, numpy as np
        import tf1_bn.keras
        model = keras.saving.load_model({str(tmp_path / "model.keras")!r})
        renorm, ghost = model.get_layer("renorm"), model.get_layer("ghost")
        assert type(renorm) is tf1_bn.keras.BatchRenormalization and type(ghost) is tf1_bn.keras.GhostBatchNormalization
        assert renorm.renorm_clipping == {{"rmax": 2.0, "dmax": 1.0}} and ghost.virtual_batch_size == 4
        expected = np.load({str(tmp_path / "expected.npz")!r})
        np.testing.assert_allclose(model(expected["x"], training=False), expected["inference"], rtol=0, atol=1e-5)
        np.testing.assert_allclose(model(expected["x"], training=True), expected["training"], rtol=0, atol=1e-5)
        print("loaded")
    """)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180, env=env,
                          cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("loaded")
