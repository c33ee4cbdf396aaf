"""`GhostBatchNormalization`: TF1's `BatchNormalization(virtual_batch_size=V)` as a registered Keras 3 layer.

Hoffer, Hubara & Soudry 2017, "Train longer, generalize better: closing the generalization gap in large
batch training of neural networks" (NeurIPS 2017), its "Ghost Batch Normalization" section, in the
form TF1's layer (and tf1_bn's, `tf1_bn.layers.normalization`) computes it. Training, for a batch of N = V·G samples:

    (N, …) → (V, G, …)               sample i goes to ghost batch g = i mod G (TF1's reshape [V, −1, …])
    μ_g, σ²_g = mean and biased variance of the V samples of ghost batch g
    y_i = γ · (x_i − μ_g) / √(σ²_g + ε) + β
    moving_mean     ← moving_mean − (moving_mean − mean_g μ_g)·(1 − momentum)
    moving_variance ← moving_variance − (moving_variance − mean_g σ²_g)·(1 − momentum)

One update per step from the average of the G ghost batches' moments (TF1's simplification: the mean
of the ghost variances, not the variance of the whole batch). Inference is plain batch normalization
with the moving statistics, for any batch size.

- N must be a multiple of V (checked when N is known); axis 0 cannot be normalized.
- Weights have the shapes of every tf1_bn Keras layer, (C,) for one axis; TF1's ghost-batch layer keeps
  them as (1, 1, …, C), with the ghost dimension: reshape when copying (`np.reshape(v, w.shape)`).

    import keras, tf1_bn.keras
    layer = tf1_bn.keras.GhostBatchNormalization(virtual_batch_size=4)
    y = layer(keras.random.normal((12, 3)), training=True)   # 3 ghost batches of 4; updates assigned
"""

from __future__ import annotations

from typing import Any, Sequence

import keras
import tensorflow as tf

from tf1_bn import bn_math
from tf1_bn.keras import _base


@keras.saving.register_keras_serializable(package="tf1_bn")
class GhostBatchNormalization(_base.BatchStatisticsLayer):
    """Ghost batch normalization (Hoffer et al. 2017), as TF1's `BatchNormalization(virtual_batch_size=V)`.

    Arguments as keras.layers.BatchNormalization's, with TF1's defaults (momentum 0.99, ε 1e-3), plus
    the required `virtual_batch_size` V (samples per ghost batch). Weights: gamma, beta, moving_mean,
    moving_variance. `training` defaults to None = inference, as in every Keras layer.
    """

    def __init__(self, *args: Any, virtual_batch_size: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(virtual_batch_size, bool) or not isinstance(virtual_batch_size, int):
            raise TypeError(f"`virtual_batch_size` must be a positive int; received {virtual_batch_size!r}")
        if virtual_batch_size <= 0:
            raise ValueError(f"`virtual_batch_size` must be a positive int; received {virtual_batch_size}")
        self.virtual_batch_size = virtual_batch_size

    def build(self, input_shape: Sequence[int | None]) -> None:
        super().build(input_shape)
        if 0 in self._axes:
            raise ValueError(f"`virtual_batch_size` splits axis 0, so `axis` cannot include 0; "
                             f"received axis={self.axis!r}")
        self._check_batch(input_shape[0])
        # The ghost tensor (V, G, …) has one more axis, at 1.
        self._ghost_shape = [1, 1, *self._broadcast_shape[1:]]
        self._ghost_reduction = [0, *(a + 1 for a in self._reduction if a != 0)]

    def _check_batch(self, batch: int | None) -> None:
        if batch is not None and batch % self.virtual_batch_size:
            raise ValueError(f"`virtual_batch_size`={self.virtual_batch_size} must divide the batch size; "
                             f"received a batch of {batch}")

    def _training_call(self, x: tf.Tensor, gamma: tf.Tensor | None, beta: tf.Tensor | None) -> tf.Tensor:
        self._check_batch(x.shape[0])
        shape = tf.shape(x)
        ghosts = tf.reshape(x, tf.concat([[self.virtual_batch_size, -1], shape[1:]], axis=0))  # (V, G, …)
        mean, variance = self.batch_moments(ghosts, self._ghost_reduction)  # (1, G, …): one per ghost batch

        def ghost(v: tf.Tensor | None) -> tf.Tensor | None:
            return None if v is None else tf.reshape(v, self._ghost_shape)

        outputs = bn_math.normalize(ghosts, mean, variance, ghost(beta), ghost(gamma), self.epsilon)
        # The average over the G ghost batches feeds one update.
        _base.assign_moving_average(self.moving_mean, self.to_param_shape(tf.reduce_mean(mean, axis=1)), self.momentum)
        _base.assign_moving_average(self.moving_variance, self.to_param_shape(tf.reduce_mean(variance, axis=1)),
                                    self.momentum)
        return tf.reshape(outputs, shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "virtual_batch_size": self.virtual_batch_size}
