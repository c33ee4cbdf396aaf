"""The TF1 wiring of tf1_bn.layers: names, collections, update ops, closed-form updates and errors."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import tf1_bn.layers as layers
from tf1_bn import reference
from tf1_bn.errors import GraphModeRequiredError

pytestmark = pytest.mark.usefixtures("behaviour")  # each test under TF2 and TF1 behaviour

UPDATE_OPS = tf.compat.v1.GraphKeys.UPDATE_OPS


def _names(variables):
    return [v.name for v in variables]


def test_default_names_are_tf1s(graph):
    x = tf.compat.v1.placeholder(tf.float32, [None, 4])
    layers.batch_normalization(x)
    layers.batch_normalization(x)
    with tf.compat.v1.variable_scope("net"):
        layers.batch_normalization(x, name="bn")
    assert _names(tf.compat.v1.global_variables()) == [
        f"{scope}/{weight}:0"
        for scope in ("batch_normalization", "batch_normalization_1", "net/bn")
        for weight in ("gamma", "beta", "moving_mean", "moving_variance")
    ]


def test_statistics_are_not_trainable_and_trainable_false_keeps_gamma_beta_out(graph):
    x = tf.compat.v1.placeholder(tf.float32, [None, 4])
    layers.batch_normalization(x)
    frozen = layers.BatchNormalization(trainable=False)
    frozen(x)
    assert _names(tf.compat.v1.trainable_variables()) == ["batch_normalization/gamma:0", "batch_normalization/beta:0"]
    assert frozen.trainable_variables == []
    assert _names(frozen.non_trainable_variables) == [
        f"batch_normalization_1/{w}:0" for w in ("gamma", "beta", "moving_mean", "moving_variance")
    ]


def test_reuse_shares_variables_and_a_repeated_name_without_reuse_fails(graph):
    x = tf.compat.v1.placeholder(tf.float32, [None, 4])
    layers.batch_normalization(x, name="bn")
    layers.batch_normalization(x, name="bn", reuse=True)
    assert len(tf.compat.v1.global_variables()) == 4
    with pytest.raises(ValueError, match="already exists"):
        layers.batch_normalization(x, name="bn")


def test_layer_attributes_and_update_collection(graph):
    x = tf.compat.v1.placeholder(tf.float32, [None, 4])
    is_training = tf.compat.v1.placeholder(tf.bool, [])
    layer = layers.BatchNorm(name="bn")
    layer(x, training=is_training)
    assert layers.batch_norm is layers.batch_normalization
    assert [layer.gamma, layer.beta] == layer.trainable_variables
    assert [layer.moving_mean, layer.moving_variance] == layer.non_trainable_variables
    assert layer.variables == layer.trainable_variables + layer.non_trainable_variables
    assert len(layer.updates) == 2
    assert tf.compat.v1.get_collection(UPDATE_OPS) == layer.updates
    assert layer.scope_name == "bn" and "bn" in repr(layer)


def test_update_ops_read_before_the_layers_exist_are_empty(graph):
    """TF1's ordering warning: collect UPDATE_OPS after building the layers."""
    x = tf.compat.v1.placeholder(tf.float32, [None, 4])
    too_early = tf.compat.v1.get_collection(UPDATE_OPS)  # noqa: BN003 (deliberately too early)
    layers.batch_normalization(x, training=True)
    assert too_early == [] and len(tf.compat.v1.get_collection(UPDATE_OPS)) == 2


def test_regularization_losses(graph):
    x = tf.compat.v1.placeholder(tf.float32, [None, 4])
    l2 = lambda v: 0.5 * tf.reduce_sum(tf.square(v))  # noqa: E731
    layer = layers.BatchNormalization(gamma_regularizer=l2, beta_regularizer=l2)
    layer(x, training=True)
    collected = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.REGULARIZATION_LOSSES)
    assert collected == layer.losses and len(collected) == 2
    with tf.compat.v1.Session() as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        assert sess.run(collected) == pytest.approx([2.0, 0.0])  # γ = 1 (4 features), β = 0


@pytest.mark.parametrize("fused", [False, True])
@pytest.mark.parametrize("momentum", [0.99, 0.5])
def test_one_step_moves_statistics_by_the_closed_form(graph, rng, fused, momentum):
    """After one step from (0, 1): μ ← (1−m)·μ_B, σ² ← m + (1−m)·σ²_B; biased σ²_B plain, unbiased fused."""
    data = (rng.standard_normal((6, 3, 2, 4)) * 3 + 100).astype(np.float32)  # +100: cancellation-prone
    x = tf.compat.v1.placeholder(tf.float32, data.shape)
    layer = layers.BatchNormalization(momentum=momentum, fused=fused)
    layer(x, training=True)
    assert layer.fused is fused
    with tf.compat.v1.Session() as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        sess.run(layer.updates, {x: data})
        moving_mean, moving_variance = sess.run([layer.moving_mean, layer.moving_variance])
    batch_mean, batch_variance = reference.moments(data.astype(np.float64), axis=-1, unbiased=fused)
    np.testing.assert_allclose(moving_mean, reference.update_moving(np.zeros(4), batch_mean, momentum), rtol=1e-5)
    np.testing.assert_allclose(moving_variance, reference.update_moving(np.ones(4), batch_variance, momentum), rtol=1e-4)


@pytest.mark.parametrize("fused", [False, True])
def test_updates_only_when_training_is_true(graph, rng, fused):
    data = rng.standard_normal((8, 2, 2, 3)).astype(np.float32) + 5
    x = tf.compat.v1.placeholder(tf.float32, data.shape)
    is_training = tf.compat.v1.placeholder(tf.bool, [])
    layers.batch_normalization(x, training=is_training, fused=fused)
    layers.batch_normalization(x, training=False, fused=fused)  # a Python False builds no update at all
    update_ops = tf.compat.v1.get_collection(UPDATE_OPS)
    assert len(update_ops) == 2
    statistics = [v for v in tf.compat.v1.global_variables() if "moving" in v.name]
    with tf.compat.v1.Session() as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        before = sess.run(statistics)
        sess.run(update_ops, {x: data, is_training: False})
        assert all(np.array_equal(a, b) for a, b in zip(before, sess.run(statistics)))
        sess.run(update_ops, {x: data, is_training: True})
        assert not np.array_equal(before[0], sess.run(statistics[0]))


def test_momentum_zero_makes_inference_equal_training(graph, rng):
    data = rng.standard_normal((16, 5)).astype(np.float32) * 4 - 2
    x = tf.compat.v1.placeholder(tf.float32, data.shape)
    is_training = tf.compat.v1.placeholder(tf.bool, [])
    y = layers.batch_normalization(x, training=is_training, momentum=0.0)
    with tf.compat.v1.Session() as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        trained, _ = sess.run([y, tf.compat.v1.get_collection(UPDATE_OPS)], {x: data, is_training: True})
        inferred = sess.run(y, {x: data, is_training: False})
    np.testing.assert_allclose(inferred, trained, atol=1e-6)


def test_fused_kernel_is_chosen_as_tf1_chose_it(graph):
    def kernel_used(shape, **kwargs):
        with tf.Graph().as_default() as g:
            layers.batch_normalization(tf.zeros(shape), training=True, **kwargs)
            return any(op.type.startswith("FusedBatchNorm") for op in g.get_operations())

    assert kernel_used([2, 3, 3, 4]) and kernel_used([2, 3, 3, 4], axis=1) and kernel_used([2, 3, 3, 3, 4])
    assert not kernel_used([2, 4])  # rank 2: fused=None falls back
    assert not kernel_used([2, 4], fused=True)  # TF1 also fell back silently for fused=True
    assert not kernel_used([2, 3, 3, 4], axis=2)
    assert not kernel_used([2, 3, 3, 4], renorm=True)
    assert not kernel_used([2, 3, 3, 4], fused=False)


def test_ghost_batches_apply_when_training_comes_from_a_placeholder(graph, rng):
    """TF1 normalizes each virtual batch (samples i, i+N/v, ...) alone also with an is_training placeholder."""
    data = (rng.standard_normal((8, 3)) * 2 + 1).astype(np.float32)
    x = tf.compat.v1.placeholder(tf.float32, data.shape)
    is_training = tf.compat.v1.placeholder(tf.bool, [])
    y = layers.batch_normalization(x, training=is_training, virtual_batch_size=2, epsilon=1e-3)
    with tf.compat.v1.Session() as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        got = sess.run(y, {x: data, is_training: True})
    ghost = data.reshape(2, 4, 3)  # ghost batch j = samples {j, j+4}
    expected, _ = reference.forward(ghost.transpose(1, 0, 2), training=True, axis=(0, 2), epsilon=1e-3)
    np.testing.assert_allclose(got, expected.transpose(1, 0, 2).reshape(8, 3), atol=1e-5)


@pytest.mark.parametrize(
    "kwargs, shape, message",
    [
        (dict(axis=2), [None, 4], r"`axis` must be in \[-2, 2\)"),
        (dict(axis=[1, -1]), [None, 4], "duplicate"),
        (dict(axis="channels"), [None, 4], "`axis` must be an int"),
        (dict(virtual_batch_size=0), [8, 4], "`virtual_batch_size` must be a positive int"),
        (dict(virtual_batch_size=3), [8, 4], "must divide the batch size 8"),
        (dict(virtual_batch_size=2, axis=0), [8, 4], "`axis` cannot include 0"),
        (dict(virtual_batch_size=2, adjustment=lambda s: (1.0, 0.0)), [8, 4], "`adjustment` cannot be combined"),
        (dict(momentum=1.5), [None, 4], r"`momentum` must be a number in \[0, 1\]"),
        (dict(epsilon=-1.0), [None, 4], "`epsilon` must be a non-negative number"),
        (dict(renorm=True, renorm_clipping={"r_max": 3}), [None, 4], "`renorm_clipping` accepts"),
        (dict(fused="yes"), [None, 4], "`fused` must be None, True or False"),
        (dict(training=1.0), [None, 4], "`training` must be a Python bool"),
        ({}, None, "`inputs` must have a known rank"),
        ({}, [None, None], "known size on the normalized axis"),
    ],
)
def test_bad_arguments_name_the_argument(graph, kwargs, shape, message):
    x = tf.compat.v1.placeholder(tf.float32, shape)
    with pytest.raises((ValueError, TypeError), match=message):
        layers.batch_normalization(x, **kwargs)


def test_bad_training_tensor_and_integer_inputs(graph):
    x = tf.compat.v1.placeholder(tf.float32, [None, 4])
    with pytest.raises(TypeError, match="`training` must be a Python bool or a bool tensor; received dtype float32"):
        layers.batch_normalization(x, training=tf.constant(1.0))
    with pytest.raises(TypeError, match="`inputs` must be a floating-point tensor"):
        layers.batch_normalization(tf.zeros([2, 4], tf.int32))


def test_a_second_call_with_another_feature_size_is_refused(graph):
    layer = layers.BatchNormalization()
    layer(tf.compat.v1.placeholder(tf.float32, [None, 4]))
    with pytest.raises(ValueError, match="as on its first call"):
        layer(tf.compat.v1.placeholder(tf.float32, [None, 5]))


@pytest.mark.parametrize("behaviour", ["tf2-behaviour"], indirect=True)  # TF1 behaviour is graph mode
def test_eager_call_says_how_to_enter_graph_mode():
    with pytest.raises(GraphModeRequiredError, match=r"tf.Graph\(\).as_default\(\)"):
        layers.batch_normalization(tf.zeros([2, 3]), training=True)


def test_works_after_disable_eager_execution():
    code = (
        "import tensorflow as tf, tf1_bn.layers as layers\n"
        "tf.compat.v1.disable_eager_execution()\n"
        "x = tf.compat.v1.placeholder(tf.float32, [None, 3]); t = tf.compat.v1.placeholder(tf.bool, [])\n"
        "y = layers.batch_normalization(x, training=t)\n"
        "s = tf.compat.v1.Session(); s.run(tf.compat.v1.global_variables_initializer())\n"
        "print(s.run(y, {x: [[1., 2., 3.], [3., 2., 1.]], t: True}).round(3).tolist())\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[[-1.0, 0.0, 1.0], [1.0, 0.0, -1.0]]"  # ±1/√(1+ε)
