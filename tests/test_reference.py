"""The NumPy reference against TensorFlow's forward pass and tf.gradients, and against closed forms."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

import tf1_bn.layers as layers
from tf1_bn import reference

# (input shape, kept axis/axes): dense, NHWC, NCHW, multi-axis
LAYOUTS = [((10, 4), -1), ((6, 3, 3, 2), -1), ((6, 2, 3, 3), 1), ((4, 3, 2, 5), (1, 3))]


def _tf_layer(data, axis, training, epsilon, gamma, beta, moving_mean, moving_variance):
    """Run tf1_bn's layer (float64, plain path) once: y and (dx, dγ, dβ) of Σ y·w."""
    with tf.Graph().as_default():
        x = tf.constant(data)
        init = tf.compat.v1.constant_initializer
        y = layers.batch_normalization(
            x, axis=list(axis) if isinstance(axis, tuple) else axis, training=training, epsilon=epsilon, fused=False,
            gamma_initializer=init(gamma), beta_initializer=init(beta),
            moving_mean_initializer=init(moving_mean), moving_variance_initializer=init(moving_variance),
        )
        weights = tf.constant(_loss_weights(data))
        gamma_var, beta_var = tf.compat.v1.trainable_variables()
        grads = tf.gradients(tf.reduce_sum(y * weights), [x, gamma_var, beta_var])
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            y_value, *grad_values = sess.run([y, *grads])
    return y_value, grad_values


def _loss_weights(data):
    """dL/dy for L = Σ y·w: a fixed, non-constant upstream gradient."""
    return np.cos(np.arange(data.size)).reshape(data.shape)


def _kept_shape(shape, axis):
    kept = [axis] if isinstance(axis, int) else list(axis)
    kept = [a % len(shape) for a in kept]
    if len(kept) == 1:
        return (shape[kept[0]],)
    return tuple(n if i in kept else 1 for i, n in enumerate(shape))


@pytest.mark.parametrize("shift", [0.0, 100.0])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape, axis", LAYOUTS)
def test_reference_matches_tensorflow_forward_and_gradients(rng, shape, axis, training, shift):
    data = rng.standard_normal(shape) * 3 + shift
    kept = _kept_shape(shape, axis)
    gamma, beta = rng.uniform(0.5, 2, kept), rng.normal(0, 1, kept)
    moving_mean, moving_variance = rng.normal(shift, 1, kept), rng.uniform(0.5, 3, kept)
    y_tf, (dx_tf, dgamma_tf, dbeta_tf) = _tf_layer(data, axis, training, 1e-3, gamma, beta, moving_mean, moving_variance)

    y, cache = reference.forward(
        data, gamma, beta, training=training, axis=axis, epsilon=1e-3,
        moving_mean=moving_mean, moving_variance=moving_variance,
    )
    dx, dgamma, dbeta = reference.backward(_loss_weights(data), cache)
    np.testing.assert_allclose(y, y_tf, rtol=0, atol=1e-9)
    np.testing.assert_allclose(dx, dx_tf, rtol=0, atol=1e-9)
    np.testing.assert_allclose(dgamma.reshape(dgamma_tf.shape), dgamma_tf, rtol=0, atol=1e-9)
    np.testing.assert_allclose(dbeta.reshape(dbeta_tf.shape), dbeta_tf, rtol=0, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    m=st.integers(2, 12), features=st.integers(1, 5), scale=st.floats(0.01, 100), shift=st.floats(-1e3, 1e3),
    seed=st.integers(0, 2**32 - 1),
)
def test_backward_matches_the_compact_formula(m, features, scale, shift, seed):
    """Seed 003's step-by-step backward equals dx = (γ/σ)·(dy − mean(dy) − x̂·mean(dy·x̂))."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((m, features)) * scale + shift
    gamma = rng.uniform(0.5, 2, features)
    dy = rng.standard_normal((m, features))
    _, cache = reference.forward(x, gamma, 0.0, training=True, epsilon=1e-3)
    dx, _, _ = reference.backward(dy, cache)
    x_hat = cache.x_hat
    compact = gamma * cache.inv_std * (dy - dy.mean(0) - x_hat * (dy * x_hat).mean(0))
    np.testing.assert_allclose(dx, compact, rtol=1e-7, atol=1e-9 * np.abs(compact).max())


def test_training_output_has_zero_mean_and_unit_variance(rng):
    x = rng.standard_normal((500, 3)) * 7 + 100
    y, _ = reference.forward(x, training=True, epsilon=0.0)
    np.testing.assert_allclose(y.mean(0), 0, atol=1e-10)
    np.testing.assert_allclose(y.var(0), 1, atol=1e-10)


def test_moments_unbiased_and_population_statistics(rng):
    batches = [rng.standard_normal((60, 3)) * 2 + 1 for _ in range(50)]
    means, variances = zip(*(reference.moments(b) for b in batches))
    pop_mean, pop_variance = reference.population_statistics(means, variances, m=60)
    np.testing.assert_allclose(pop_mean, np.mean([b.mean(0) for b in batches], 0))
    np.testing.assert_allclose(pop_variance, np.mean([b.var(0, ddof=1) for b in batches], 0))
    with pytest.raises(ValueError, match="`m` must be at least 2"):
        reference.population_statistics(means, variances, m=1)


def test_moving_update_converges_to_the_batch_value():
    moving = np.zeros(2)
    for _ in range(2000):
        moving = reference.update_moving(moving, np.array([3.0, -1.0]), momentum=0.99)
    np.testing.assert_allclose(moving, [3.0, -1.0], rtol=1e-6)


def test_seed_004_normalization_and_standardization(rng):
    image = rng.standard_normal((10, 32, 32, 1)) * 17 + 26
    normalized, standardized = reference.min_max_normalize(image), reference.standardize(image)
    assert normalized.min() == 0 and normalized.max() == 1
    assert abs(standardized.mean()) < 1e-12 and abs(standardized.std() - 1) < 1e-12


def test_forward_rejects_a_non_bool_training():
    with pytest.raises(TypeError, match="`training` must be a bool"):
        reference.forward(np.zeros((2, 2)), training="yes")
