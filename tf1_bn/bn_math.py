"""The batch-normalization math, written once and shared by every backend.

Ioffe & Szegedy 2015, "Batch Normalization", Sec. 3 and Algorithm 1:

    μ_B  = (1/m) Σ x_i                       (batch mean)
    σ²_B = (1/m) Σ (x_i − μ_B)²               (batch variance, biased: divides by m)
    y    = γ · (x − μ_B) / √(σ²_B + ε) + β    (training: batch statistics)
    y    = γ · (x − μ) / √(σ² + ε) + β        (inference: moving statistics μ, σ²)

and the delta of the moving-average update TF1 applies after every training step (seed 000's UPDATE_OPS):

    moving ← moving − (moving − batch) · (1 − momentum)

The update ops themselves, and how they are made to run, are `tf1_bn.bn_updates`. Users: the
`tf1_bn.layers` layer (plain, fused and renorm paths), contrib's batch_norm, and the NeuralNetwork
backends (`layers`, `moments_ema`, `assign`). The NumPy twin of these equations is `tf1_bn.reference`.
"""

from __future__ import annotations

from typing import Any, Sequence

import tensorflow as tf


def moments(x: tf.Tensor, axes: Sequence[int], keepdims: bool = False) -> tuple[tf.Tensor, tf.Tensor]:
    """Batch mean μ_B and biased variance σ²_B of `x` over `axes` (tf.nn.moments).

    - The variance divides by m, not m − 1 (Algorithm 1); the m/(m−1) correction belongs to the
      population estimate only (`tf1_bn.article.population`).
    - tf.nn.moments subtracts a stop-gradient mean before squaring, so a large common offset (x + 100)
      does not cancel catastrophically, and it computes float16 inputs in float32.
    """
    return tf.nn.moments(x, axes=list(axes), keepdims=keepdims)


def normalize(
    x: tf.Tensor,
    mean: tf.Tensor,
    variance: tf.Tensor,
    offset: tf.Tensor | None,
    scale: tf.Tensor | None,
    epsilon: float,
) -> tf.Tensor:
    """y = γ·(x − μ)/√(σ² + ε) + β, with γ = 1 when `scale` is None and β = 0 when `offset` is None.

    Uses tf.nn.batch_normalization, which folds γ·rsqrt(σ² + ε) into one multiplier before touching x,
    the same op sequence as TF1's layer, so results agree with TF1 to rounding.
    """
    return tf.nn.batch_normalization(x, mean, variance, offset, scale, epsilon)


def moving_average_delta(moving: Any, batch: tf.Tensor, momentum: float | tf.Tensor) -> tf.Tensor:
    """(moving − batch)·(1 − momentum): what one update subtracts from a moving statistic."""
    dtype = moving.dtype.base_dtype
    decay = tf.convert_to_tensor(1.0 - momentum, name="decay")
    if decay.dtype != dtype:
        decay = tf.cast(decay, dtype)
    return (moving - tf.cast(batch, dtype)) * decay


def fused_batch_norm(
    x: tf.Tensor,
    scale: tf.Tensor,
    offset: tf.Tensor,
    mean: tf.Tensor,
    variance: tf.Tensor,
    epsilon: float,
    data_format: str,
    is_training: bool,
) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """The fused kernel (one op for the whole normalization): returns (y, mean, variance).

    - Training: normalizes with the biased batch variance, but the variance it RETURNS is
      Bessel-corrected, σ²·m/(m−1). TF1's layer feeds that returned value to the moving variance, so on
      the fused path the moving variance tracks the unbiased estimate while the plain path tracks the
      biased one. We keep that difference: it is what TF1 checkpoints contain.
    - Inference: normalizes with `mean`/`variance` and returns them unchanged.
    """
    return tf.compat.v1.nn.fused_batch_norm(
        x,
        scale,
        offset,
        mean=mean,
        variance=variance,
        epsilon=epsilon,
        data_format=data_format,
        is_training=is_training,
    )


def training_batch_norm(
    x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: float
) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """Training-mode BN over axis 0 of a (batch, features) tensor with a hand-written gradient.

    Returns (y, μ_B, σ²_B); μ_B and biased σ²_B are for the moving averages and carry no gradient.
    The forward pass is Algorithm 1; the backward pass is its closed form (the same equations as
    `tf1_bn.reference.backward`, regrouped):

        dβ = Σ dy,   dγ = Σ dy·x̂,   dx = γ/√(σ²_B + ε) · (dy − dβ/m − x̂·dγ/m)

    Equal to `normalize` + autodiff up to rounding, with about a third of the ops: on this network
    that is the difference between ~25 % and a few % of BN overhead in the fast training loop.
    """

    @tf.custom_gradient
    def kernel(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) -> Any:
        m = tf.cast(tf.shape(x)[0], x.dtype)
        mean = tf.reduce_mean(x, axis=0)
        centered = x - mean
        variance = tf.reduce_mean(tf.square(centered), axis=0)
        inv_std = tf.math.rsqrt(variance + epsilon)
        x_hat = centered * inv_std

        def gradient(dy: tf.Tensor, _dmean: tf.Tensor, _dvariance: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
            dbeta = tf.reduce_sum(dy, axis=0)
            dgamma = tf.reduce_sum(dy * x_hat, axis=0)
            dx = (gamma * inv_std) * (dy - dbeta / m - x_hat * (dgamma / m))
            return dx, dgamma, dbeta

        return (x_hat * gamma + beta, mean, variance), gradient

    y, mean, variance = kernel(x, gamma, beta)
    return y, tf.stop_gradient(mean), tf.stop_gradient(variance)
