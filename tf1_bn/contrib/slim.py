"""`tf.contrib.slim` (`slim = tf.contrib.slim`): the contrib layers plus arg_scope and variable helpers.

    slim = tf.contrib.slim
    with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm,
                        normalizer_params={"is_training": is_training, "updates_collections": None}):
        net = slim.conv2d(images, 32, [3, 3])

Provided: everything in `tf1_bn.contrib.layers` and `tf1_bn.contrib.framework`, and `slim.layers`.
Any other name (slim.learning, slim.losses, slim.nets, …) raises MissingAPIError listing these.
"""

from __future__ import annotations

from tf1_bn.contrib import framework, layers
from tf1_bn.compat.namespace import namespace_getattr
from tf1_bn.contrib.framework import *  # noqa: F401,F403
from tf1_bn.contrib.layers import *  # noqa: F401,F403

__all__ = sorted({*layers.__all__, *framework.__all__, "layers"})
__getattr__ = namespace_getattr("tf.contrib.slim", lambda: __all__)
