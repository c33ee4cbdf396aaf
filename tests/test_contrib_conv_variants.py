"""contrib's conv2d_transpose and separable_conv2d: TF 1.15's scopes, renamed variables, normalizer pattern and
values equal to the tf.layers classes they wrap (and, for the depthwise-only form, to tf.nn.depthwise_conv2d)."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import tf1_bn.layers as tf_layers
from tf1_bn.contrib import layers, slim

pytestmark = pytest.mark.usefixtures("behaviour")  # each test under TF2 and TF1 behaviour

ONES = tf.compat.v1.ones_initializer()


def _model_variables():
    return [(v.op.name, v.shape.as_list()) for v in slim.get_model_variables()]


@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_conv2d_transpose_is_the_tf_layer_renamed_with_its_static_shape(session, rng, data_format):
    shape = [8, 4, 4, 3] if data_format == "NHWC" else [8, 3, 4, 4]
    x = rng.normal(size=shape).astype(np.float32)
    init = tf.compat.v1.constant_initializer(rng.normal(size=(3, 3, 5, 3)).ravel())
    ours = layers.conv2d_transpose(tf.constant(x), 5, 3, stride=2, data_format=data_format,
                                   weights_initializer=init, activation_fn=None)
    theirs = tf_layers.conv2d_transpose(tf.constant(x), 5, 3, strides=2, padding="same", kernel_initializer=init,
                                        data_format="channels_last" if data_format == "NHWC" else "channels_first")
    assert ours.shape.as_list() == theirs.shape.as_list() == ([8, 8, 8, 5] if data_format == "NHWC" else [8, 5, 8, 8])
    assert _model_variables() == [("Conv2d_transpose/weights", [3, 3, 5, 3]), ("Conv2d_transpose/biases", [5])]
    session.run(tf.compat.v1.global_variables_initializer())
    a, b = session.run([ours, theirs])
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-5)


def test_separable_conv2d_with_a_normalizer_has_no_bias_and_collects_its_weights(graph):
    is_training = tf.compat.v1.placeholder(tf.bool)
    y = layers.separable_conv2d(tf.zeros([2, 6, 6, 3]), 4, [3, 3], depth_multiplier=2, normalizer_fn=layers.batch_norm,
                                normalizer_params={"is_training": is_training}, variables_collections=["mine"],
                                outputs_collections="ends", scope="sep")
    assert y.shape.as_list() == [2, 6, 6, 4]
    assert _model_variables() == [("sep/depthwise_weights", [3, 3, 3, 2]), ("sep/pointwise_weights", [1, 1, 6, 4]),
                                   ("sep/BatchNorm/beta", [4]), ("sep/BatchNorm/moving_mean", [4]),
                                   ("sep/BatchNorm/moving_variance", [4])]
    assert [v.op.name for v in tf.compat.v1.get_collection("mine")][:2] == ["sep/depthwise_weights",
                                                                          "sep/pointwise_weights"]
    assert len(tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)) == 2
    assert tf.compat.v1.get_collection("ends") == [y] and y.aliases == ["sep"]


@pytest.mark.parametrize("stride, rate", [(1, 1), (2, 1), (1, 2)])
def test_separable_conv2d_without_num_outputs_is_a_depthwise_convolution(session, rng, stride, rate):
    x = rng.normal(size=(2, 7, 7, 3)).astype(np.float32)
    kernel = rng.normal(size=(3, 3, 3, 2)).astype(np.float32)
    y = layers.separable_conv2d(tf.constant(x), None, 3, depth_multiplier=2, stride=stride, rate=rate,
                                weights_initializer=tf.compat.v1.constant_initializer(kernel.ravel()),
                                biases_initializer=ONES, activation_fn=None)
    assert _model_variables() == [("SeparableConv2d/depthwise_weights", [3, 3, 3, 2]), ("SeparableConv2d/biases", [6])]
    expected = tf.nn.depthwise_conv2d(tf.constant(x), tf.constant(kernel), [1, stride, stride, 1], "SAME",
                                      dilations=[rate, rate]) + 1.0
    session.run(tf.compat.v1.global_variables_initializer())
    a, b = session.run([y, expected])
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-5)


def test_separable_conv2d_matches_the_tf_layer(session, rng):
    x = rng.normal(size=(2, 5, 5, 3)).astype(np.float32)
    init = tf.compat.v1.glorot_uniform_initializer(seed=3)
    ours = layers.separable_conv2d(tf.constant(x), 4, 3, weights_initializer=init, activation_fn=None)
    theirs = tf_layers.separable_conv2d(tf.constant(x), 4, 3, padding="same", depthwise_initializer=init,
                                        pointwise_initializer=init)
    session.run(tf.compat.v1.global_variables_initializer())
    a, b = session.run([ours, theirs])
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-5)


@pytest.mark.parametrize("call", [lambda x: layers.conv2d_transpose(x, 2, 3, data_format="CHWN"),
                                  lambda x: layers.separable_conv2d(x, 2, 3, data_format="NHCW")])
def test_data_format_errors_use_tf1s_words(graph, call):
    with pytest.raises(ValueError, match="data_format has to be either NCHW or NHWC"):
        call(tf.zeros([1, 4, 4, 2]))
