"""THE table of the converter: TF op type → the handlers that may recognise a pattern ending in it.

Handlers are tried in order; the first that returns a Step wins, one that returns None passes. The
engine (`tf1_bn.migrate.converter`) is apart from this table: supporting another TF1 pattern is one
handler and one line here. An op whose type is not here, or that no handler recognises, is reported
with its name and type, with SUPPORTED listed.
"""

from __future__ import annotations

from tf1_bn.migrate import handlers_bn as bn
from tf1_bn.migrate import handlers_bn_variants as bn_variants
from tf1_bn.migrate import handlers_linear as linear
from tf1_bn.migrate import handlers_misc as misc

OP_HANDLERS = {
    # batch normalization, every TF1 form (fused kernels, their tf.cond pair, tf.nn.batch_normalization)
    "FusedBatchNorm": [bn.fused], "FusedBatchNormV2": [bn.fused], "FusedBatchNormV3": [bn.fused],
    "Merge": [bn.fused, misc.dropout], "If": [bn.fused, misc.dropout], "StatelessIf": [bn.fused, misc.dropout],
    "AddV2": [bn.plain, linear.linear_with_bias, misc.rescaling, misc.merge_layers],
    "Add": [bn.plain, linear.linear_with_bias, misc.rescaling, misc.merge_layers],
    # layers with a kernel
    "MatMul": [linear.linear], "Conv2D": [linear.linear], "BiasAdd": [linear.linear_with_bias],
    # activations
    **{op: [misc.activation] for op in misc.ACTIVATIONS}, "LeakyRelu": [misc.activation],
    "Maximum": [misc.activation],
    # pooling, shapes, merges, dropout
    "MaxPool": [misc.pooling], "AvgPool": [misc.pooling],
    "Reshape": [bn_variants.ghost, misc.reshape], "Squeeze": [misc.reshape], "ExpandDims": [misc.reshape],
    "Transpose": [misc.transpose], "Mean": [misc.spatial_mean], "Pad": [misc.pad], "PadV2": [misc.pad],
    "ConcatV2": [misc.merge_layers], "Mul": [misc.rescaling, misc.merge_layers],
    "Sub": [misc.rescaling, misc.merge_layers], "RealDiv": [misc.rescaling],
    "SelectV2": [misc.dropout], "Select": [misc.dropout],
}

SUPPORTED = ("dense (MatMul + bias), conv2d (Conv2D + BiasAdd, NHWC/NCHW), batch normalization (fused, "
             "tf.cond pairs, tf.nn.batch_normalization with moving or EMA statistics), max/average pooling, "
             "dropout, reshape/flatten/squeeze, transpose, relu/relu6/elu/selu/sigmoid/tanh/softmax/softplus/"
             "leaky relu, add, multiply, subtract, concat, spatial mean, pad, scalar rescaling, identity")
