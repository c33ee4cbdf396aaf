"""`tf.layers` in the TF1 facade: the layers `tf1_bn.layers` restores, with TF1's signatures and names.

    tf.layers.dense / Dense                         dense/kernel, dense/bias
    tf.layers.conv2d / Conv2D                       conv2d/kernel, conv2d/bias
    tf.layers.max_pooling2d / MaxPooling2D          (no variables)
    tf.layers.average_pooling2d / AveragePooling2D  (no variables)
    tf.layers.dropout / Dropout                     training=False by default, as in TF1
    tf.layers.flatten / Flatten
    tf.layers.batch_normalization / BatchNormalization   gamma, beta, moving_mean, moving_variance
    tf.layers.Layer                                 the base class

The rest of TF1's `tf.layers` (conv1d, conv3d, conv2d_transpose, separable_conv2d, the 1-D/3-D
pooling layers, experimental, InputSpec) raises MissingAPIError listing what is supported.
`tf1_bn.install()` puts this module at `tf.compat.v1.layers` and `tf.layers`.
"""

from __future__ import annotations

from tf1_bn.compat.namespace import namespace_getattr
from tf1_bn.layers import (  # noqa: F401  (the namespace's contents)
    AveragePooling2D, BatchNormalization, Conv2D, Dense, Dropout, Flatten, Layer, MaxPooling2D,
    average_pooling2d, batch_normalization, conv2d, dense, dropout, flatten, max_pooling2d,
)

__all__ = [
    "AveragePooling2D", "BatchNormalization", "Conv2D", "Dense", "Dropout", "Flatten", "Layer", "MaxPooling2D",
    "average_pooling2d", "batch_normalization", "conv2d", "dense", "dropout", "flatten", "max_pooling2d",
]
__getattr__ = namespace_getattr("tf.layers", lambda: __all__)
