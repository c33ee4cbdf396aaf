"""tf1_bn.layers conv2d_transpose and separable_conv2d against TF1's own layers (tf_keras legacy_tf_layers, the
oracle): outputs, gradients, variable names and shapes from the same constant initial values, over padding ×
strides × data_format (the oracle runs NCHW on this CPU through oneDNN; we transpose); conv2d_transpose's static
shape rules (a known batch stays known); reuse; one-line errors naming the argument."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import tensorflow as tf
from layer_parity import assert_same, case_id, legacy, run_layer

import tf1_bn
import tf1_bn.layers as layers
from tf1_bn.errors import MissingAPIError

FORMATS = ["channels_last", "channels_first"]


@pytest.fixture(scope="module")
def oracle():
    return legacy("convolutional")


def _data(rng, channels_first, batch=2, size=(5, 6), channels=3):
    return rng.standard_normal((batch, channels, *size) if channels_first else (batch, *size, channels)).astype(np.float32)


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("strides", [1, 2, (2, 3)], ids=case_id)
@pytest.mark.parametrize("padding", ["valid", "SAME"])
def test_conv2d_transpose_matches_tf1(oracle, rng, padding, strides, data_format):
    data = _data(rng, data_format == "channels_first")
    kernel = rng.standard_normal((3, 2, 4, 3)).astype(np.float32)  # [kh, kw, filters, in]; kw < s_w with (2, 3)
    options = dict(strides=strides, padding=padding, data_format=data_format, activation=tf.nn.relu,
                   kernel_initializer=tf.compat.v1.constant_initializer(kernel),
                   bias_initializer=tf.compat.v1.constant_initializer(0.1))
    ours = run_layer(lambda x: layers.conv2d_transpose(x, 4, (3, 2), **options), data)
    theirs = run_layer(lambda x: oracle.conv2d_transpose(x, 4, (3, 2), **options), data)
    assert_same(ours, theirs)
    assert ours.variables == [("conv2d_transpose/kernel:0", [3, 2, 4, 3]), ("conv2d_transpose/bias:0", [4])]


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("strides, dilation_rate, depth_multiplier", [(1, 1, 1), (2, 1, 2), ((1, 2), 1, 1), (1, 2, 3)],
                         ids=case_id)
@pytest.mark.parametrize("padding", ["VALID", "same"])
def test_separable_conv2d_matches_tf1(oracle, rng, padding, strides, dilation_rate, depth_multiplier, data_format):
    data = _data(rng, data_format == "channels_first", size=(7, 6))
    depthwise = rng.standard_normal((3, 3, 3, depth_multiplier)).astype(np.float32)
    pointwise = rng.standard_normal((1, 1, 3 * depth_multiplier, 5)).astype(np.float32)
    options = dict(strides=strides, padding=padding, data_format=data_format, dilation_rate=dilation_rate,
                   depth_multiplier=depth_multiplier, use_bias=depth_multiplier != 2,
                   depthwise_initializer=tf.compat.v1.constant_initializer(depthwise),
                   pointwise_initializer=tf.compat.v1.constant_initializer(pointwise),
                   bias_initializer=tf.compat.v1.constant_initializer(-0.2))
    ours = run_layer(lambda x: layers.separable_conv2d(x, 5, 3, **options), data)
    theirs = run_layer(lambda x: oracle.separable_conv2d(x, 5, 3, **options), data)
    assert_same(ours, theirs)
    assert ours.variables[:2] == [("separable_conv2d/depthwise_kernel:0", [3, 3, 3, depth_multiplier]),
                                  ("separable_conv2d/pointwise_kernel:0", [1, 1, 3 * depth_multiplier, 5])]


def _transposed(n, k, s, padding):
    return None if n is None else n * s if padding == "same" else n * s + max(k - s, 0)


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("padding", ["same", "valid"])
@pytest.mark.parametrize("shape", [(8, 4, 4), (None, 4, 4), (None, None, 4), (2, None, None)], ids=case_id)
def test_conv2d_transpose_keeps_tf1s_static_shape(oracle, graph, session, shape, padding, data_format):
    """TF1 set the output's static shape from the input's: a known batch (or size) is kept, an unknown one is None."""

    def output_shape(batch, height, width):
        sizes = [_transposed(height, 3, 2, padding), _transposed(width, 3, 2, padding)]
        return [batch, 6, *sizes] if data_format == "channels_first" else [batch, *sizes, 6]

    def input_shape(batch, height, width):
        return [batch, 3, height, width] if data_format == "channels_first" else [batch, height, width, 3]

    x = tf.compat.v1.placeholder(tf.float32, input_shape(*shape))
    y = layers.conv2d_transpose(x, 6, 3, strides=2, padding=padding, data_format=data_format)
    assert y.shape.as_list() == output_shape(*shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = oracle.conv2d_transpose(x, 6, 3, strides=2, padding=padding, data_format=data_format)
    assert theirs.shape.as_list() == y.shape.as_list()
    session.run(tf.compat.v1.global_variables_initializer())
    fed = [2 if n is None else n for n in shape]
    assert list(session.run(tf.shape(y), {x: np.zeros(input_shape(*fed), np.float32)})) == output_shape(*fed)


def test_conv2d_transpose_output_fully_static_with_a_known_batch(graph):
    known = layers.conv2d_transpose(tf.compat.v1.placeholder(tf.float32, [8, 4, 4, 3]), 5, 3, strides=2, padding="same")
    unknown = layers.conv2d_transpose(tf.compat.v1.placeholder(tf.float32, [None, 4, 4, 3]), 5, 3, strides=2, padding="same")
    assert known.shape.is_fully_defined() and known.shape.as_list() == [8, 8, 8, 5]
    assert unknown.shape.as_list() == [None, 8, 8, 5]


LAYERS = {
    "conv2d_transpose": (layers.conv2d_transpose, layers.Conv2DTranspose, ["kernel", "bias"]),
    "separable_conv2d": (layers.separable_conv2d, layers.SeparableConv2D, ["depthwise_kernel", "pointwise_kernel", "bias"]),
}


@pytest.mark.parametrize("name", LAYERS)
def test_reuse_shares_variables(graph, name):
    function, cls, weights = LAYERS[name]
    x = tf.compat.v1.placeholder(tf.float32, [None, 6, 6, 3])
    first = function(x, 4, 3, name="shared")
    second = function(x * 2.0, 4, 3, name="shared", reuse=True)
    layer = cls(4, 3)
    layer(x), layer(x + 1.0)
    assert [v.name for v in tf.compat.v1.global_variables()] == [
        *(f"shared/{w}:0" for w in weights), *(f"{name}/{w}:0" for w in weights)]
    assert first.shape.as_list() == second.shape.as_list()
    assert [v.name for v in layer.trainable_variables] == [f"{name}/{w}:0" for w in weights]
    with pytest.raises(ValueError, match=f"`inputs` of layer '{name}' must be 4-D with 3 channels"):
        layer(tf.compat.v1.placeholder(tf.float32, [None, 6, 6, 2]))


def test_separable_regularizers_and_constraints_per_kernel(graph):
    def half_square(w):
        return 0.5 * tf.reduce_sum(w * w)

    def clip(w):
        return tf.clip_by_value(w, -1.0, 1.0)

    layer = layers.SeparableConv2D(4, 3, depth_multiplier=2, depthwise_regularizer=half_square,
                                   pointwise_regularizer=lambda w: tf.reduce_sum(tf.abs(w)),
                                   depthwise_constraint=clip, bias_constraint=clip,
                                   depthwise_initializer=tf.compat.v1.ones_initializer(),
                                   pointwise_initializer=tf.compat.v1.constant_initializer(-0.5))
    layer(tf.compat.v1.placeholder(tf.float32, [None, 6, 6, 3]))
    losses = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.REGULARIZATION_LOSSES)
    assert losses == layer.losses and len(losses) == 2
    with tf.compat.v1.Session() as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        np.testing.assert_allclose(sess.run(losses), [0.5 * 3 * 3 * 3 * 2, 0.5 * 6 * 4], rtol=1e-6)
    assert layer.depthwise_kernel.constraint is clip and layer.bias.constraint is clip
    assert layer.pointwise_kernel.constraint is None


def test_aliases_and_the_tf_layers_facade():
    assert layers.Convolution2DTranspose is layers.Conv2DTranspose
    assert layers.convolution2d_transpose is layers.conv2d_transpose
    assert layers.SeparableConvolution2D is layers.SeparableConv2D
    assert layers.separable_convolution2d is layers.separable_conv2d
    tf1_bn.install()
    try:
        import tf1_bn.v1.layers as facade

        for name in ["conv2d_transpose", "Conv2DTranspose", "separable_conv2d", "SeparableConv2D"]:
            assert getattr(facade, name) is getattr(layers, name) and name in facade.__all__
        with pytest.raises(MissingAPIError, match="tf.layers.conv3d_transpose"):
            facade.conv3d_transpose  # noqa: B018  (still not provided)
    finally:
        tf1_bn.uninstall()


X4 = [None, 6, 6, 3]
ERRORS = [
    (lambda x: layers.conv2d_transpose(x, 0, 3), "`filters` must be a positive int; received 0"),
    (lambda x: layers.conv2d_transpose(x, 2, (3, 3, 3)), "`kernel_size` must be a positive int or a list/tuple of 2"),
    (lambda x: layers.conv2d_transpose(x, 2, 3, strides=(2, 0)), "`strides` must be a positive int; received 0"),
    (lambda x: layers.conv2d_transpose(x, 2, 3, padding="full"), "`padding` must be 'valid' or 'same' (any case)"),
    (lambda x: layers.conv2d_transpose(x, 2, 3, data_format="NHWC"), "`data_format` must be 'channels_last'"),
    (lambda x: layers.conv2d_transpose(x, 2, 3, kernel_initializer="nope"), "`kernel_initializer` must be an"),
    (lambda x: layers.conv2d_transpose(tf.zeros([2, 5, 3]), 2, 3), "`inputs` of Conv2DTranspose must be 4-D"),
    (lambda x: layers.Conv2DTranspose(2, 3, dilation_rate=2), "dilation_rate"),  # TF 1.15 had none
    (lambda x: layers.separable_conv2d(x, 2, 3, depth_multiplier=0), "`depth_multiplier` must be a positive int"),
    (lambda x: layers.separable_conv2d(x, 2, 3, strides=2, dilation_rate=2), "`strides` > 1 cannot be combined"),
    (lambda x: layers.separable_conv2d(x, 2, 3, depthwise_initializer="nope"), "`depthwise_initializer` must be"),
    (lambda x: layers.separable_conv2d(x, 2, 3, pointwise_regularizer=3), "`pointwise_regularizer` must be callable"),
    (lambda x: layers.separable_conv2d(x, 2, 3, depthwise_constraint="max"), "`depthwise_constraint` must be callable"),
    (lambda x: layers.separable_conv2d(tf.compat.v1.placeholder(tf.float32, [None, 6, 6, None]), 2, 3),
     "`inputs` of SeparableConv2D must be 4-D with a known channel dimension"),
]


@pytest.mark.parametrize("call, message", ERRORS, ids=[m.split(" ")[0] + str(i) for i, (_, m) in enumerate(ERRORS)])
def test_errors_name_the_argument(graph, call, message):
    with pytest.raises((ValueError, TypeError)) as caught:
        call(tf.compat.v1.placeholder(tf.float32, X4))
    assert message in str(caught.value) and "\n" not in str(caught.value)

