"""Batch normalization in plain NumPy: the oracle the tests compare TensorFlow against, and a lesson.

Ioffe & Szegedy 2015, Algorithm 1 (training) and Algorithm 2 (inference); the backward pass follows
seed 003's `batchnorm_backward` step by step (../shared/seeds/003), generalised to any reduction axes.
For an input x and the set B of entries that share one (γ, β), with m = |B|:

    μ_B  = (1/m) Σ x                         σ²_B = (1/m) Σ (x − μ_B)²     (biased)
    x̂    = (x − μ_B) / √(σ²_B + ε)            y    = γ·x̂ + β
    moving ← moving − (moving − batch)·(1 − momentum)                     (TF1's running statistics)
    population (Algorithm 2): μ = E[μ_B],  σ² = m/(m−1) · E[σ²_B]          (unbiased)

Backward (training), with dx̂ = γ·dy:
    dβ = Σ dy      dγ = Σ dy·x̂
    dσ² = −½ Σ dx̂·(x − μ_B)·(σ²_B + ε)^(−3/2)
    dμ  = −Σ dx̂/√(σ²_B + ε)              (the dσ² term of dμ sums to zero)
    dx  = dx̂/√(σ²_B + ε) + dσ²·2(x − μ_B)/m + dμ/m
Backward (inference): the statistics are constants, so dx = γ·dy/√(σ² + ε).

`axis` names the axes that KEEP their own parameters (TF's convention: -1 for dense layers, the
channel axis for images); every other axis is reduced. Parameters have the shape of the kept axes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np


def reduction_axes(ndim: int, axis: int | Sequence[int] = -1) -> tuple[int, ...]:
    """The axes statistics are computed over: all but `axis` (negative values count from the end)."""
    kept = [axis] if isinstance(axis, (int, np.integer)) else list(axis)
    kept = {int(a) % ndim for a in kept}
    return tuple(i for i in range(ndim) if i not in kept)


def _param_view(param: np.ndarray | float, x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """Reshape a parameter with the kept axes' shape so it broadcasts against x."""
    param = np.asarray(param, dtype=x.dtype)
    shape = [1 if i in axes else n for i, n in enumerate(x.shape)]
    return param.reshape(shape) if param.size == np.prod(shape) else param


def moments(x: np.ndarray, axis: int | Sequence[int] = -1, unbiased: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(μ_B, σ²_B) over the reduced axes, shaped like the kept axes. `unbiased` multiplies σ² by m/(m−1)."""
    axes = reduction_axes(x.ndim, axis)
    mean = x.mean(axis=axes)
    variance = x.var(axis=axes, ddof=1 if unbiased else 0)
    return mean, variance


@dataclass
class Cache:
    """What the backward pass needs from the forward pass."""

    x_hat: np.ndarray        # normalized input, shape of x
    centered: np.ndarray     # x − μ, shape of x
    inv_std: np.ndarray      # 1/√(σ² + ε), broadcastable to x
    gamma: np.ndarray        # broadcastable to x
    axes: tuple[int, ...]    # reduced axes
    training: bool


def forward(
    x: np.ndarray,
    gamma: np.ndarray | float = 1.0,
    beta: np.ndarray | float = 0.0,
    *,
    training: bool,
    axis: int | Sequence[int] = -1,
    epsilon: float = 1e-3,
    moving_mean: np.ndarray | float = 0.0,
    moving_variance: np.ndarray | float = 1.0,
) -> tuple[np.ndarray, Cache]:
    """y = γ·(x − μ)/√(σ² + ε) + β with batch statistics (`training=True`) or the moving ones."""
    if not isinstance(training, bool):
        raise TypeError(f"`training` must be a bool; received {training!r}")
    x = np.asarray(x)
    axes = reduction_axes(x.ndim, axis)
    if training:
        mean = x.mean(axis=axes, keepdims=True)
        variance = x.var(axis=axes, keepdims=True)
    else:
        mean = _param_view(moving_mean, x, axes)
        variance = _param_view(moving_variance, x, axes)
    centered = x - mean
    inv_std = 1.0 / np.sqrt(variance + epsilon)
    x_hat = centered * inv_std
    gamma_b = _param_view(gamma, x, axes)
    y = gamma_b * x_hat + _param_view(beta, x, axes)
    return y, Cache(x_hat, centered, inv_std, gamma_b, axes, training)


def backward(dy: np.ndarray, cache: Cache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dx, dγ, dβ) for the forward pass that produced `cache`; dγ, dβ have the kept axes' shape."""
    axes = cache.axes
    dbeta = dy.sum(axis=axes)
    dgamma = (dy * cache.x_hat).sum(axis=axes)
    dx_hat = dy * cache.gamma
    if not cache.training:
        return dx_hat * cache.inv_std, dgamma, dbeta
    m = int(np.prod([dy.shape[a] for a in axes]))
    dvariance = -0.5 * (dx_hat * cache.centered).sum(axis=axes, keepdims=True) * cache.inv_std**3
    dmean = -(dx_hat * cache.inv_std).sum(axis=axes, keepdims=True)
    dx = dx_hat * cache.inv_std + dvariance * 2.0 * cache.centered / m + dmean / m
    return dx, dgamma, dbeta


def update_moving(moving: np.ndarray, batch: np.ndarray, momentum: float = 0.99) -> np.ndarray:
    """moving − (moving − batch)·(1 − momentum): one TF1 update of a moving statistic."""
    return moving - (moving - batch) * (1.0 - momentum)


def population_statistics(
    batch_means: Sequence[np.ndarray], batch_variances: Sequence[np.ndarray], m: int, unbiased: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Algorithm 2's inference statistics: E[μ_B] and m/(m−1)·E[σ²_B] over training batches of size m."""
    if m < 2 and unbiased:
        raise ValueError(f"`m` must be at least 2 for the m/(m-1) correction; received m={m}")
    mean = np.mean(np.stack(batch_means), axis=0)
    variance = np.mean(np.stack(batch_variances), axis=0)
    return mean, variance * (m / (m - 1) if unbiased else 1.0)


def min_max_normalize(x: np.ndarray) -> np.ndarray:
    """(x − min)/(max − min) over the whole array: values in [0, 1] (seed 004's "normalization")."""
    x = np.asarray(x, dtype=np.float64)
    span = x.max() - x.min()
    return (x - x.min()) / span if span else np.zeros_like(x)


def standardize(x: np.ndarray) -> np.ndarray:
    """(x − mean)/std over the whole array: mean 0, variance 1 (seed 004's "standardization")."""
    x = np.asarray(x, dtype=np.float64)
    std = x.std()
    return (x - x.mean()) / std if std else np.zeros_like(x)
