"""TF1's `tf.layers`, restored on tf.compat.v1 (no tf-keras at run time).

    import tf1_bn.layers as layers
    h = layers.dense(x, 128, use_bias=False)                # variables dense/kernel
    h = layers.batch_normalization(h, training=is_training)  # is_training: a bool placeholder
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = tf.train.GradientDescentOptimizer(0.01).minimize(loss)

Modules: `base` (the TF1 Layer contract: scopes, names, collections), `normalization` (batch
normalization), `renorm` (Batch Renormalization's correction), `core` (dense, dropout, flatten),
`convolutional` (conv2d), `pooling` (max/average pooling 2-D).
"""

from tf1_bn.layers.base import Layer
from tf1_bn.layers.convolutional import Conv2D, Convolution2D, conv2d, convolution2d
from tf1_bn.layers.core import Dense, Dropout, Flatten, dense, dropout, flatten
from tf1_bn.layers.normalization import BatchNorm, BatchNormalization, batch_norm, batch_normalization
from tf1_bn.layers.pooling import (
    AveragePooling2D, AvgPool2D, MaxPool2D, MaxPooling2D, average_pooling2d, avg_pool2d, max_pool2d, max_pooling2d,
)

__all__ = [
    "Layer",
    "Dense", "dense", "Dropout", "dropout", "Flatten", "flatten",
    "Conv2D", "conv2d", "Convolution2D", "convolution2d",
    "MaxPooling2D", "max_pooling2d", "AveragePooling2D", "average_pooling2d",
    "MaxPool2D", "max_pool2d", "AvgPool2D", "avg_pool2d",
    "BatchNormalization", "batch_normalization", "BatchNorm", "batch_norm",
]
