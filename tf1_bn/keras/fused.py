"""`FusedBatchNormalization`: batch norm whose moving variance follows TF1's fused kernel, as a Keras 3 layer.

Ioffe & Szegedy 2015, Alg. 1 for the output; TF1's fused kernel (`tf.nn.fused_batch_norm`, the default
path of tf.layers and contrib for 4-D inputs) returns the Bessel-corrected batch variance, and TF1
moves the moving variance towards it (`tf1_bn.bn_math.fused_batch_norm`):

    training:   y = γ·(x − μ_B)/√(σ²_B + ε) + β          σ²_B biased (divides by m)
    update:     moving_mean     ← moving_mean − (moving_mean − μ_B)·(1 − momentum)
                moving_variance ← moving_variance − (moving_variance − σ²_B·m/(m−1))·(1 − momentum)

keras.layers.BatchNormalization moves it towards σ²_B: the same inference, the same training output,
a different moving variance after each step. `tf1_bn.migrate.convert(…, fused_variance="tf1")` uses this
layer so that a converted model trains exactly as the TF1 graph did; the default keeps Keras's own layer.
"""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from tf1_bn import bn_math
from tf1_bn.keras import _base


@keras.saving.register_keras_serializable(package="tf1_bn")
class FusedBatchNormalization(_base.BatchStatisticsLayer):
    """Batch normalization with TF1's fused-kernel moving variance; see the module docstring."""

    def _training_call(self, x: tf.Tensor, gamma: tf.Tensor | None, beta: tf.Tensor | None) -> tf.Tensor:
        reduction = [a for a in range(self._rank) if a not in self._axes]
        mean, variance = self.batch_moments(x, reduction)
        outputs = bn_math.normalize(x, mean, variance, self.broadcast(beta), self.broadcast(gamma), self.epsilon)
        m = tf.cast(tf.size(x) // tf.size(variance), variance.dtype)
        _base.assign_moving_average(self.moving_mean, self.to_param_shape(mean), self.momentum)
        _base.assign_moving_average(self.moving_variance, self.to_param_shape(variance * m / (m - 1.0)), self.momentum)
        return outputs
