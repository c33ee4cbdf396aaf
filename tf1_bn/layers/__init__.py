"""TF1's `tf.layers`, restored on tf.compat.v1 (no tf-keras at run time).

    import tf1_bn.layers as layers
    h = layers.dense(x, 128, use_bias=False)                # variables dense/kernel
    h = layers.batch_normalization(h, training=is_training)  # is_training: a bool placeholder
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = tf.train.GradientDescentOptimizer(0.01).minimize(loss)

Modules: `base` (the TF1 Layer contract: scopes, names, collections), `normalization` (batch
normalization), `renorm` (Batch Renormalization's correction), `core` (dense, dropout, flatten),
`convolutional` (conv2d, conv1d and the convolution base), `conv_transpose` (conv2d_transpose),
`separable_conv` (separable_conv2d), `pooling` (max/average pooling 1-D and 2-D).
"""

from tf1_bn.layers.base import Layer
from tf1_bn.layers.conv_transpose import (
    Conv2DTranspose, Convolution2DTranspose, conv2d_transpose, convolution2d_transpose,
)
from tf1_bn.layers.convolutional import (
    Conv1D, Conv2D, Convolution1D, Convolution2D, conv1d, conv2d, convolution1d, convolution2d,
)
from tf1_bn.layers.core import Dense, Dropout, Flatten, dense, dropout, flatten
from tf1_bn.layers.normalization import BatchNorm, BatchNormalization, batch_norm, batch_normalization
from tf1_bn.layers.pooling import (
    AveragePooling1D, AveragePooling2D, AvgPool1D, AvgPool2D, MaxPool1D, MaxPool2D, MaxPooling1D, MaxPooling2D,
    average_pooling1d, average_pooling2d, avg_pool1d, avg_pool2d, max_pool1d, max_pool2d, max_pooling1d,
    max_pooling2d,
)
from tf1_bn.layers.separable_conv import (
    SeparableConv2D, SeparableConvolution2D, separable_conv2d, separable_convolution2d,
)

__all__ = [
    "Layer",
    "Dense", "dense", "Dropout", "dropout", "Flatten", "flatten",
    "Conv1D", "conv1d", "Convolution1D", "convolution1d",
    "Conv2D", "conv2d", "Convolution2D", "convolution2d",
    "Conv2DTranspose", "conv2d_transpose", "Convolution2DTranspose", "convolution2d_transpose",
    "SeparableConv2D", "separable_conv2d", "SeparableConvolution2D", "separable_convolution2d",
    "MaxPooling1D", "max_pooling1d", "AveragePooling1D", "average_pooling1d",
    "MaxPool1D", "max_pool1d", "AvgPool1D", "avg_pool1d",
    "MaxPooling2D", "max_pooling2d", "AveragePooling2D", "average_pooling2d",
    "MaxPool2D", "max_pool2d", "AvgPool2D", "avg_pool2d",
    "BatchNormalization", "batch_normalization", "BatchNorm", "batch_norm",
]
