"""bn_math.training_batch_norm's hand-written gradient against reference.forward/backward and TF autodiff."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tf1_bn import bn_math, reference

# Tolerances are relative to the size of the terms each result is computed from (`_scales`), so one
# number serves every shape, ε and shift. Measured on these cases, the worst errors are ~6e-16 of those
# terms in float64 and ~1e-7 in float32 (float32 runs only at x + 100), so both bounds leave a margin
# of more than 80×.
TOL64 = 1e-13
TOL32 = 1e-5


def _inputs(rng, shape, shift):
    """x (spread 3, shifted), γ, β and an upstream gradient dy, all float64."""
    features = shape[1]
    x = rng.standard_normal(shape) * 3 + shift
    gamma, beta = rng.uniform(0.5, 2, features), rng.normal(0, 1, features)
    return x, gamma, beta, rng.standard_normal(shape)


def _scales(x, gamma, beta, dy, inv_std, x_hat):
    """Magnitudes of the terms behind y, dx, dγ, dβ, mean and variance.

    x enters through x − μ_B, whose rounding error is an ulp of |x|, not of |x − μ_B|: at x + 100 that
    is the input's own conditioning (its representation error), so |x| appears wherever x − μ_B does.
    The m = 2 dx is a near-total cancellation (dy − mean(dy) − x̂·mean(dy·x̂) ≈ ε/(σ² + ε) of its terms),
    so dx is measured against |γ/σ|·|dy|·(1 + x̂²), never against |dx|.
    """
    gain = np.abs(gamma) * inv_std
    centering = np.abs(x).max(axis=0) * inv_std  # the error of x̂ is ~ulp(|x|)·1/σ
    return {
        "y": (gain * np.abs(x) + np.abs(beta)).max(),
        "dx": (gain * np.abs(dy) * (1 + x_hat**2) * (1 + centering)).max(),
        "dgamma": (np.abs(dy).sum(axis=0) * (np.abs(x_hat).max(axis=0) + centering)).max(),
        "dbeta": np.abs(dy).sum(axis=0).max(),
        "mean": np.abs(x).max(),
        "variance": (np.abs(x).max(axis=0) * x.std(axis=0)).max(),
    }


def _close(actual, expected, scale, tol, what):
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol * scale, err_msg=what)


def _run(session, x, gamma, beta, dy, epsilon, dtype):
    """The kernel and the autodiff formula on the same graph: values, gradients and statistics' gradients."""
    xt, gammat, betat, dyt = (tf.constant(a.astype(dtype)) for a in (x, gamma, beta, dy))
    y, mean, variance = bn_math.training_batch_norm(xt, gammat, betat, epsilon)
    grads = tf.gradients(tf.reduce_sum(y * dyt), [xt, gammat, betat])

    # the plain formula, differentiated by TensorFlow
    auto_mean, auto_variance = tf.nn.moments(xt, axes=[0])
    auto_y = tf.nn.batch_normalization(xt, auto_mean, auto_variance, betat, gammat, epsilon)
    auto_grads = tf.gradients(tf.reduce_sum(auto_y * dyt), [xt, gammat, betat])

    # the statistics carry no gradient (None, counted as zero), alone or added to a loss that uses y
    stat_grads = [tf.zeros_like(xt) if g is None else g for g in tf.gradients(mean, xt) + tf.gradients(variance, xt)]
    mixed = tf.reduce_sum(y * dyt) + tf.reduce_sum(mean * 3.0) + tf.reduce_sum(variance * -5.0)
    mixed_grads = tf.gradients(mixed, [xt, gammat, betat])

    return session.run({
        "y": y, "mean": mean, "variance": variance, "grads": grads,
        "auto_y": auto_y, "auto_mean": auto_mean, "auto_variance": auto_variance, "auto_grads": auto_grads,
        "stat_grads": stat_grads, "mixed_grads": mixed_grads,
    })


def _check(out, x, gamma, beta, dy, epsilon, tol):
    y_ref, cache = reference.forward(x, gamma, beta, training=True, axis=-1, epsilon=epsilon)
    dx_ref, dgamma_ref, dbeta_ref = reference.backward(dy, cache)
    scale = _scales(x, gamma, beta, dy, cache.inv_std, cache.x_hat)
    dx, dgamma, dbeta = out["grads"]

    # against the NumPy oracle
    _close(out["y"], y_ref, scale["y"], tol, "y vs reference.forward")
    _close(dx, dx_ref, scale["dx"], tol, "dx vs reference.backward")
    _close(dgamma, dgamma_ref, scale["dgamma"], tol, "dgamma vs reference.backward")
    _close(dbeta, dbeta_ref, scale["dbeta"], tol, "dbeta vs reference.backward")

    # returned statistics: the biased batch moments (ddof=0), as the moving averages expect
    _close(out["mean"], np.mean(x, axis=0), scale["mean"], tol, "batch mean vs np.mean")
    _close(out["variance"], np.var(x, axis=0, ddof=0), scale["variance"], tol, "batch variance vs np.var(ddof=0)")

    # against TensorFlow's autodiff of tf.nn.moments + tf.nn.batch_normalization
    auto_dx, auto_dgamma, auto_dbeta = out["auto_grads"]
    _close(out["y"], out["auto_y"], scale["y"], tol, "y vs autodiff formula")
    _close(dx, auto_dx, scale["dx"], tol, "dx vs autodiff")
    _close(dgamma, auto_dgamma, scale["dgamma"], tol, "dgamma vs autodiff")
    _close(dbeta, auto_dbeta, scale["dbeta"], tol, "dbeta vs autodiff")
    _close(out["mean"], out["auto_mean"], scale["mean"], tol, "batch mean vs tf.nn.moments")
    _close(out["variance"], out["auto_variance"], scale["variance"], tol, "batch variance vs tf.nn.moments")

    # no gradient through the statistics, and adding them to the loss changes nothing
    assert len(out["stat_grads"]) == 2
    for grad in out["stat_grads"]:
        np.testing.assert_array_equal(grad, 0, err_msg="batch statistics must carry no gradient")
    for mixed, alone in zip(out["mixed_grads"], out["grads"]):
        np.testing.assert_array_equal(mixed, alone, err_msg="statistics leaked into the gradient")


@pytest.mark.parametrize("shift", [0.0, 100.0])
@pytest.mark.parametrize("epsilon", [1e-3, 1e-5])
@pytest.mark.parametrize("shape", [(60, 128), (8, 3), (2, 5)], ids=["m60", "m8", "m2"])
def test_training_batch_norm_float64(session, rng, shape, epsilon, shift):
    x, gamma, beta, dy = _inputs(rng, shape, shift)
    out = _run(session, x, gamma, beta, dy, epsilon, np.float64)
    for key in ("y", "mean", "variance"):
        assert out[key].dtype == np.float64
    _check(out, x, gamma, beta, dy, epsilon, TOL64)


@pytest.mark.parametrize("shape", [(60, 128), (8, 3), (2, 5)], ids=["m60", "m8", "m2"])
def test_training_batch_norm_float32_shifted(session, rng, shape):
    """The training loop's dtype and ε (float32, 1e-3) at x + 100, where float32 cancellation shows.

    The oracle runs in float64 on the float32-rounded inputs, so only the kernel's own rounding is
    measured. The one-pass variance E[x²] − E[x]² is off by 5e-4 to 1e-3 relative here (checked
    below); the kernel's two-pass variance stays within ~2e-7, well inside TOL32. (In float64, x + 100
    with spread 3 costs the one-pass formula only ~1e-13, too little to tell the two apart.)
    """
    x, gamma, beta, dy = (a.astype(np.float32).astype(np.float64) for a in _inputs(rng, shape, 100.0))
    out = _run(session, x, gamma, beta, dy, 1e-3, np.float32)
    _check(out, x, gamma, beta, dy, 1e-3, TOL32)

    x32 = x.astype(np.float32)
    one_pass = np.mean(x32**2, axis=0) - np.mean(x32, axis=0) ** 2
    exact = np.var(x, axis=0)
    assert np.abs(one_pass / exact - 1).max() > 10 * TOL32  # the tolerance would catch the one-pass formula
    np.testing.assert_allclose(out["variance"], exact, rtol=TOL32, atol=0)
