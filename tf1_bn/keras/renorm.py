"""`BatchRenormalization`: TF1's `BatchNormalization(renorm=True)` as a registered Keras 3 layer.

Ioffe 2017, "Batch Renormalization: Towards Reducing Minibatch Dependence in Batch-Normalized Models",
Algorithm 1, in the form TF1's layer (and tf1_bn's, `tf1_bn.layers.renorm`) computes it. Training:

    μ_B, σ²_B = batch mean and biased variance,       σ_B = √(σ²_B + ε)
    σ_run     = max(renorm_stddev, √ε)                 (floored early in training)
    r = stop_grad(clip[rmin, rmax](σ_B / σ_run))
    d = stop_grad(clip[−dmax, dmax]((μ_B − renorm_mean) / σ_run))
    y = (x − μ_B)/σ_B · (r·γ) + (d·γ + β)

r and d use renorm_mean and renorm_stddev from BEFORE this step's update. Then (m ← m − (m − v)·(1 − k)):

    renorm_mean   ← EMA(μ_B, renorm_momentum)       renorm_stddev ← EMA(σ_B, renorm_momentum)
    moving_mean   ← EMA(μ_B, momentum)              moving_stddev ← EMA(σ_B, momentum)
    moving_variance ← max(moving_stddev² − ε, 0)     (so √(moving_variance + ε) = moving_stddev)

Inference is plain batch normalization with moving_mean and moving_variance, r = 1, d = 0.
Missing clipping keys mean no clip (rmin 0, rmax and dmax ∞). TF1 allowed tensors as clipping values
(the paper ramps rmax from 1 to 3 and dmax from 0 to 5); here they are numbers, so a schedule is
carried over at its current value and can be changed through `layer.renorm_clipping`.

    import keras, tf1_bn.keras
    layer = tf1_bn.keras.BatchRenormalization(renorm_clipping={"rmax": 3.0, "rmin": 1 / 3, "dmax": 5.0})
    y = layer(keras.random.normal((8, 4)), training=True)   # batch statistics, r and d; updates assigned
"""

from __future__ import annotations

from typing import Any, Mapping

import keras
import tensorflow as tf

from tf1_bn import bn_math
from tf1_bn.keras import _base
from tf1_bn.layers import bn_arguments
from tf1_bn.layers import renorm as tf1_renorm


def check_clipping(renorm_clipping: Mapping[str, Any] | None) -> dict[str, float]:
    """The clipping dict as floats: keys rmax, rmin, dmax (a missing key or None: no clip),
    rmin ≤ rmax and dmax ≥ 0."""
    if renorm_clipping is not None and not isinstance(renorm_clipping, Mapping):
        raise TypeError(f"`renorm_clipping` must be a dict or None; received {renorm_clipping!r}")
    clipping = {key: _base.check_number(value, f"renorm_clipping['{key}']")
                for key, value in tf1_renorm.validate_clipping(renorm_clipping).items() if value is not None}
    if clipping.get("rmin", 0.0) > clipping.get("rmax", float("inf")):
        raise ValueError(f"`renorm_clipping` needs rmin ≤ rmax; "
                         f"received rmin={clipping['rmin']}, rmax={clipping['rmax']}")
    return clipping


@keras.saving.register_keras_serializable(package="tf1_bn")
class BatchRenormalization(_base.BatchStatisticsLayer):
    """Batch Renormalization (Ioffe 2017), as TF1's `tf.layers.BatchNormalization(renorm=True)`.

    Arguments as keras.layers.BatchNormalization's, with TF1's defaults (momentum 0.99, ε 1e-3), plus
    `renorm_clipping` ({"rmax", "rmin", "dmax"}) and `renorm_momentum` (0.99). Weights, in TF1's order:
    gamma, beta, moving_mean, moving_variance, moving_stddev, renorm_mean, renorm_stddev (the last five
    non-trainable; moving_stddev and renorm_stddev start at √moving_variance_initializer).
    `training` defaults to None = inference, as in every Keras layer; see the module docstring.
    """

    def __init__(self, *args: Any, renorm_clipping: Mapping[str, Any] | None = None,
                 renorm_momentum: float = 0.99, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.renorm_clipping = check_clipping(renorm_clipping)
        self.renorm_momentum = _base.check_number(renorm_momentum, "renorm_momentum", 0.0, 1.0)

    def _add_extra_weights(self) -> None:
        variance_initializer = self.moving_variance_initializer

        def stddev_initializer(shape: Any, dtype: Any = None) -> Any:
            return keras.ops.sqrt(variance_initializer(shape, dtype=dtype))

        self.moving_stddev = self.statistic("moving_stddev", stddev_initializer)
        self.renorm_mean = self.statistic("renorm_mean", self.moving_mean_initializer)
        self.renorm_stddev = self.statistic("renorm_stddev", stddev_initializer)

    def _training_call(self, x: tf.Tensor, gamma: tf.Tensor | None, beta: tf.Tensor | None) -> tf.Tensor:
        mean, variance = self.batch_moments(x, self._reduction)  # broadcastable, e.g. (1, 1, 1, C)
        batch_mean, batch_variance = self.to_param_shape(mean), self.to_param_shape(variance)  # (C,)
        r, d = self.correction(batch_mean, batch_variance)
        scale, offset = bn_arguments.compose(self.broadcast(r), self.broadcast(d), self.broadcast(gamma),
                                             self.broadcast(beta))
        outputs = bn_math.normalize(x, mean, variance, offset, scale, self.epsilon)
        self.update_statistics(batch_mean, batch_variance)
        return outputs

    def correction(self, mean: tf.Tensor, variance: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """(r, d) of this batch against renorm_mean/renorm_stddev as they are now, clipped, no gradient."""
        dtype = mean.dtype
        stddev = tf.sqrt(variance + self.epsilon)
        running_stddev = tf.maximum(tf.cast(self.renorm_stddev.value, dtype), tf.sqrt(self.epsilon))
        r = stddev / running_stddev
        d = (mean - tf.cast(self.renorm_mean.value, dtype)) / running_stddev
        clip = self.renorm_clipping
        if "rmin" in clip:
            r = tf.maximum(r, clip["rmin"])
        if "rmax" in clip:
            r = tf.minimum(r, clip["rmax"])
        if "dmax" in clip:
            d = tf.minimum(tf.maximum(d, -clip["dmax"]), clip["dmax"])
        return tf.stop_gradient(r), tf.stop_gradient(d)

    def update_statistics(self, mean: tf.Tensor, variance: tf.Tensor) -> None:
        """The five assignments of the module docstring, with the batch's μ_B and σ²_B (weight shape)."""
        stddev = tf.sqrt(variance + self.epsilon)
        _base.assign_moving_average(self.renorm_mean, mean, self.renorm_momentum)
        _base.assign_moving_average(self.renorm_stddev, stddev, self.renorm_momentum)
        _base.assign_moving_average(self.moving_mean, mean, self.momentum)
        moving_stddev = _base.assign_moving_average(self.moving_stddev, stddev, self.momentum)
        self.moving_variance.assign(tf.nn.relu(moving_stddev * moving_stddev - self.epsilon))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "renorm_clipping": dict(self.renorm_clipping),
                "renorm_momentum": self.renorm_momentum}

