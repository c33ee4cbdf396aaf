"""`tf.contrib.slim` (`slim = tf.contrib.slim`): the contrib layers plus arg_scope, variable helpers, losses and utils.

    slim = tf.contrib.slim
    with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm,
                        normalizer_params={"is_training": is_training, "updates_collections": None}):
        net = slim.conv2d(images, 32, [3, 3], outputs_collections="end_points")
    end_points = slim.utils.convert_collection_to_dict("end_points")
    loss = slim.losses.softmax_cross_entropy(logits, onehot_labels)      # logits first, as in slim
    slim.model_analyzer.analyze_vars(slim.get_model_variables(), print_info=True)

Provided: everything in `tf1_bn.contrib.layers` (l1_regularizer and l2_regularizer included) and
`tf1_bn.contrib.framework`, and the modules `slim.layers`, `slim.losses` (tf1_bn.contrib.losses),
`slim.model_analyzer` and `slim.utils`. Any other name (slim.learning, slim.nets, …) raises
MissingAPIError listing these; so does a missing name inside losses, model_analyzer and utils.
"""

from __future__ import annotations

from tf1_bn.contrib import framework, layers, losses, model_analyzer, utils
from tf1_bn.compat.namespace import namespace_getattr
from tf1_bn.contrib.framework import *  # noqa: F401,F403
from tf1_bn.contrib.layers import *  # noqa: F401,F403

__all__ = sorted({*layers.__all__, *framework.__all__, "layers", "losses", "model_analyzer", "utils"})
__getattr__ = namespace_getattr("tf.contrib.slim", lambda: __all__)
