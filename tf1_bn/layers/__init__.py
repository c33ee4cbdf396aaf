"""TF1's `tf.layers` batch normalization, restored on tf.compat.v1 (no tf-keras at run time).

    import tf1_bn.layers as layers
    h = layers.batch_normalization(h, training=is_training)   # is_training: a bool placeholder
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = tf.train.GradientDescentOptimizer(0.01).minimize(loss)

Modules: `base` (the TF1 Layer contract: scopes, names, collections), `normalization` (the layer),
`renorm` (Batch Renormalization's correction).
"""

from tf1_bn.layers.base import Layer
from tf1_bn.layers.normalization import BatchNorm, BatchNormalization, batch_norm, batch_normalization

__all__ = ["Layer", "BatchNormalization", "batch_normalization", "BatchNorm", "batch_norm"]
