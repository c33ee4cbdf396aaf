"""`tf.layers` in the TF1 facade: the layers `tf1_bn.layers` restores, with TF1's signatures and names.

    tf.layers.dense / Dense                         dense/kernel, dense/bias
    tf.layers.conv1d / Conv1D                       conv1d/kernel [k, in, filters], conv1d/bias
    tf.layers.conv2d / Conv2D                       conv2d/kernel [kh, kw, in, filters], conv2d/bias
    tf.layers.conv2d_transpose / Conv2DTranspose    conv2d_transpose/kernel [kh, kw, filters, in], …/bias
    tf.layers.separable_conv2d / SeparableConv2D    separable_conv2d/depthwise_kernel, …/pointwise_kernel, …/bias
    tf.layers.max_pooling1d / MaxPooling1D          (no variables)
    tf.layers.average_pooling1d / AveragePooling1D  (no variables)
    tf.layers.max_pooling2d / MaxPooling2D          (no variables)
    tf.layers.average_pooling2d / AveragePooling2D  (no variables)
    tf.layers.dropout / Dropout                     training=False by default, as in TF1
    tf.layers.flatten / Flatten
    tf.layers.batch_normalization / BatchNormalization   gamma, beta, moving_mean, moving_variance
    tf.layers.Layer                                 the base class

Only the names TF 1.15's `tf.layers` exported are here; the module aliases (Convolution2D,
MaxPool2D, …) live in `tf1_bn.layers`, as they lived only in TF1's modules. The rest of TF1's
`tf.layers` (conv3d, conv3d_transpose, separable_conv1d, the 3-D pooling layers, experimental,
InputSpec) raises MissingAPIError listing what is supported.
`tf1_bn.install()` puts this module at `tf.compat.v1.layers` and `tf.layers`.
"""

from __future__ import annotations

from tf1_bn.compat.namespace import namespace_getattr
from tf1_bn.layers import (  # noqa: F401  (the namespace's contents)
    AveragePooling1D, AveragePooling2D, BatchNormalization, Conv1D, Conv2D, Conv2DTranspose, Dense, Dropout, Flatten,
    Layer, MaxPooling1D, MaxPooling2D, SeparableConv2D, average_pooling1d, average_pooling2d, batch_normalization,
    conv1d, conv2d, conv2d_transpose, dense, dropout, flatten, max_pooling1d, max_pooling2d, separable_conv2d,
)

__all__ = [
    "AveragePooling1D", "AveragePooling2D", "BatchNormalization", "Conv1D", "Conv2D", "Conv2DTranspose", "Dense",
    "Dropout", "Flatten", "Layer", "MaxPooling1D", "MaxPooling2D", "SeparableConv2D",
    "average_pooling1d", "average_pooling2d", "batch_normalization", "conv1d", "conv2d", "conv2d_transpose", "dense",
    "dropout", "flatten", "max_pooling1d", "max_pooling2d", "separable_conv2d",
]
__getattr__ = namespace_getattr("tf.layers", lambda: __all__)
