"""`tf.contrib`, the parts TF1 batch-normalization scripts use, rebuilt without TensorFlow's contrib.

    tf.contrib.layers.batch_norm(h, is_training=is_training)        # tf1_bn.contrib.batch_norm
    tf.contrib.layers.fully_connected(x, 128, normalizer_fn=tf.contrib.layers.batch_norm)
    slim = tf.contrib.slim; slim.arg_scope(...); slim.conv2d(...)
    tf.contrib.framework.arg_scope

Modules: `batch_norm` (contrib's batch normalization and its three paths), `layers` (the
tf.contrib.layers namespace: fully_connected, conv2d, conv2d_transpose, separable_conv2d, pooling,
flatten, dropout, repeat/stack, softmax, bias_add, layer_norm, one_hot_encoding), `initializers`
(xavier/variance scaling, l1/l2), `variables` (model variables, collections, the kernel→weights
rename), `slim_variables` (slim.variable, get_variables_by_name, …), `utils` (slim.utils),
`model_analyzer`, `losses` (slim.losses = tf.contrib.losses), `arg_scope`, `framework` and `slim`
(namespaces). Importing this package does not change
TensorFlow's state (no graph-mode switch). Any other `tf.contrib.X` raises MissingAPIError.
"""

from __future__ import annotations

from tf1_bn.contrib import framework, layers, losses, slim
from tf1_bn.compat.namespace import namespace_getattr

__all__ = ["framework", "layers", "losses", "slim"]
__getattr__ = namespace_getattr("tf.contrib", lambda: __all__)
