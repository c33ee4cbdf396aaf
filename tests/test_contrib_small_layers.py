"""contrib's repeat/stack, softmax, one_hot_encoding, bias_add, layer_norm and slim's variable queries: TF 1.15's
scopes, variable names, collections and values (NumPy as the oracle)."""

from __future__ import annotations

import functools

import numpy as np
import pytest
import tensorflow as tf

from tf1_bn.contrib import framework, layers, slim

pytestmark = pytest.mark.usefixtures("behaviour")  # each test under TF2 and TF1 behaviour

GraphKeys = tf.compat.v1.GraphKeys


def _names(collection=GraphKeys.GLOBAL_VARIABLES):
    return [v.op.name for v in tf.compat.v1.get_collection(collection)]


@pytest.mark.parametrize("scope, prefix", [("conv1", "conv1/conv1"), (None, "Repeat/convolution2d")])
def test_repeat_names_each_call_in_its_own_scope(graph, scope, prefix):
    x = tf.compat.v1.placeholder(tf.float32, [2, 8, 8, 3])
    y = layers.repeat(x, 3, layers.conv2d, 4, [3, 3], scope=scope)
    assert y.shape.as_list() == [2, 8, 8, 4]
    assert _names() == [f"{prefix}_{i}/{v}" for i in (1, 2, 3) for v in ("weights", "biases")]


def test_stack_takes_one_argument_tuple_per_call_and_partials_name_by_their_function(graph):
    x = tf.compat.v1.placeholder(tf.float32, [None, 6])
    y = layers.stack(x, layers.fully_connected, [3, (5,)], scope="fc")
    assert y.shape.as_list() == [None, 5]
    layers.stack(x, functools.partial(layers.fully_connected, activation_fn=None), [2])
    assert _names() == ["fc/fc_1/weights", "fc/fc_1/biases", "fc/fc_2/weights", "fc/fc_2/biases",
                        "Stack/fully_connected_1/weights", "Stack/fully_connected_1/biases"]
    with pytest.raises(ValueError, match="stack_args need to be a list or tuple"):
        layers.stack(x, layers.fully_connected, 3)


def test_softmax_is_over_the_last_axis_of_any_rank(session, rng):
    logits = rng.normal(size=(2, 3, 4)).astype(np.float32)
    out = session.run(layers.softmax(tf.constant(logits)))
    expected = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match="known last dimension"):
        layers.softmax(tf.compat.v1.placeholder(tf.float32, [2, None]))


def test_one_hot_encoding_and_its_outputs_collection(session):
    out = layers.one_hot_encoding(tf.constant([0, 2], tf.int32), 3, on_value=5.0, off_value=-1.0,
                                  outputs_collections="ends")
    np.testing.assert_array_equal(session.run(out), [[5, -1, -1], [-1, -1, 5]])
    assert tf.compat.v1.get_collection("ends") == [out] and out.aliases == ["OneHotEncoding"]


@pytest.mark.parametrize("data_format, shape, axis", [("NHWC", [2, 3, 3, 4], -1), ("NCHW", [2, 4, 3, 3], 1),
                                                      ("NHWC", [5, 4], -1)])
def test_bias_add_makes_one_model_variable_per_channel(session, rng, data_format, shape, axis):
    x = rng.normal(size=shape).astype(np.float32)
    y = layers.bias_add(tf.constant(x), initializer=tf.compat.v1.constant_initializer([1.0, 2.0, 3.0, 4.0]),
                        data_format=data_format, activation_fn=tf.nn.relu)
    assert _names(GraphKeys.MODEL_VARIABLES) == ["BiasAdd/biases"]
    session.run(tf.compat.v1.global_variables_initializer())
    bias = np.array([1.0, 2.0, 3.0, 4.0], np.float32).reshape([4 if a == axis % len(shape) else 1
                                                                  for a in range(len(shape))])
    np.testing.assert_allclose(session.run(y), np.maximum(x + bias, 0), rtol=0, atol=1e-6)


@pytest.mark.parametrize("call, message", [
    (lambda x: layers.bias_add(x, data_format="CHWN"), "data_format has to be either NCHW or NHWC"),
    (lambda x: layers.bias_add(tf.zeros([2, 3]), data_format="NCHW"), "Data format NCHW only supports 4D"),
    (lambda x: layers.bias_add(tf.compat.v1.placeholder(tf.float32, [2, None])), "`C` dimension must be known"),
    (lambda x: layers.layer_norm(tf.compat.v1.placeholder(tf.float32)), "undefined rank"),
    (lambda x: layers.layer_norm(tf.compat.v1.placeholder(tf.float32, [2, None])), "is not fully defined"),
    (lambda x: layers.repeat(x, -1, layers.conv2d), "`repetitions` must be a non-negative int"),
])
def test_errors_name_the_problem(graph, call, message):
    with pytest.raises(ValueError, match=message):
        call(tf.compat.v1.placeholder(tf.float32, [2, 4]))


@pytest.mark.parametrize("begin_norm_axis, begin_params_axis", [(1, -1), (-1, -1), (2, 1)])
@pytest.mark.parametrize("shift", [0.0, 100.0])
def test_layer_norm_normalizes_each_example_over_its_trailing_axes(session, rng, begin_norm_axis, begin_params_axis,
                                                                   shift):
    x = (rng.normal(size=(3, 4, 5)) * 2 + shift).astype(np.float32)
    y = layers.layer_norm(tf.constant(x), begin_norm_axis=begin_norm_axis, begin_params_axis=begin_params_axis)
    gamma, beta = framework.get_variables_by_name("gamma")[0], framework.get_variables_by_name("beta")[0]
    assert gamma.shape.as_list() == list(x.shape[begin_params_axis:]) == beta.shape.as_list()
    assert [v.op.name for v in framework.get_model_variables()] == ["LayerNorm/beta", "LayerNorm/gamma"]
    session.run(tf.compat.v1.global_variables_initializer())
    axes = tuple(range(begin_norm_axis % 3, 3))
    x64 = x.astype(np.float64)
    expected = (x64 - x64.mean(axes, keepdims=True)) / np.sqrt(x64.var(axes, keepdims=True) + 1e-12)
    np.testing.assert_allclose(session.run(y), expected, rtol=1e-4, atol=1e-4)


def test_variable_queries_follow_slim(graph):
    with tf.compat.v1.variable_scope("A"):
        a = framework.model_variable("moving_mean", [2])
        framework.variable("my_moving_mean", [1])
        framework.variable("elsewhere", [1], collections=["extra"])  # only there, as in TF1
    with tf.compat.v1.variable_scope("B"):
        b = slim.model_variable("moving_mean", [2], trainable=False)
    assert framework.get_variables_by_name("moving_mean") == [a, b]
    assert [v.op.name for v in framework.get_variables_by_suffix("moving_mean")] == [
        "A/moving_mean", "A/my_moving_mean", "B/moving_mean"]
    assert framework.get_model_variables("B") == [b] and framework.get_trainable_variables("B") == []
    assert framework.get_variables_to_restore(exclude=["A"]) == [b]
    assert framework.get_variables_to_restore(include=["A/moving_mean"]) == [a]
    assert framework.get_unique_variable("A/moving_mean") is a
    assert [v.op.name for v in tf.compat.v1.get_collection("extra")] == ["A/elsewhere"]
    assert "A/elsewhere" not in [v.op.name for v in framework.get_variables()]
    with pytest.raises(ValueError, match="Couldn't find variable C/w"):
        framework.get_unique_variable("C/w")
    with pytest.raises(TypeError, match="exclude is provided but is not a list or a tuple"):
        framework.get_variables_to_restore(exclude="A")
    step = framework.get_or_create_global_step()
    assert framework.get_global_step() is step and framework.get_or_create_global_step() is step


def test_variable_respects_arg_scope(graph):
    with framework.arg_scope([framework.variable], device="/cpu:0", initializer=tf.compat.v1.ones_initializer()):
        v = framework.variable("v", [3])
    assert v.device.endswith("CPU:0")
    with tf.compat.v1.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(v), [1, 1, 1])
