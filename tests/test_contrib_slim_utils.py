"""slim.utils (tf1_bn.contrib.utils) against TF 1.15's contrib/layers/python/layers/utils.py behaviour.

tf_slim does not import on TF 2.21, so the expectations are written out by hand from its documented rules.
Shape helpers run under both shape behaviours: TF2's (`shape[i]` an int or None) and TF1's
(`tf.compat.v1.disable_v2_tensorshape()`, `shape[i]` a Dimension, printed "?" when unknown).
"""

from __future__ import annotations

import collections
import re

import numpy as np
import pytest
import tensorflow as tf

import tf1_bn.contrib as contrib
from tf1_bn.contrib import utils, variables
from tf1_bn.errors import MissingAPIError

slim = contrib.slim


@pytest.fixture(params=["v2", "v1"])
def shape_behaviour(request):
    """Run the test under TF2 (int/None) or TF1 (Dimension) TensorShape behaviour, restored afterwards."""
    was_v2 = not isinstance(tf.TensorShape([1])[0], tf.compat.v1.Dimension)
    (tf.compat.v1.enable_v2_tensorshape if request.param == "v2" else tf.compat.v1.disable_v2_tensorshape)()
    try:
        yield request.param
    finally:
        (tf.compat.v1.enable_v2_tensorshape if was_v2 else tf.compat.v1.disable_v2_tensorshape)()


def test_shape_behaviour_fixture_switches_and_restores(shape_behaviour):
    dim = tf.TensorShape([None, 3])[1]
    assert isinstance(dim, tf.compat.v1.Dimension) == (shape_behaviour == "v1")
    assert str(tf.TensorShape([None, 3])) == ("(?, 3)" if shape_behaviour == "v1" else "(None, 3)")


# --- aliases and end points ---------------------------------------------------------------------------------------

def test_collect_named_outputs_and_aliases(graph):
    a, b = tf.constant(1.0, name="a"), tf.constant(2.0, name="b")
    assert utils.collect_named_outputs("end_points", "net/a/", a) is a  # one trailing "/" removed
    assert utils.collect_named_outputs(["end_points", "more"], "net/b", b) is b
    assert utils.collect_named_outputs(None, "ignored", tf.constant(3.0, name="c")).name == "c:0"
    utils.collect_named_outputs("end_points", "net/a_again", a)  # a second alias: a is collected again
    assert a.aliases == ["net/a", "net/a_again"] and b.aliases == ["net/b"]
    assert tf.compat.v1.get_collection("end_points") == [a, b, a] and tf.compat.v1.get_collection("more") == [b]
    utils.append_tensor_alias(b, "net/b")  # TF1 appends even an alias already there
    assert b.aliases == ["net/b", "net/b"]
    with pytest.raises(ValueError, match="`alias` must be a non-empty string; received ''"):
        utils.append_tensor_alias(a, "")


def test_tensor_aliases_default_to_op_or_tensor_names(graph):
    first, second = tf.split(tf.zeros([4]), 2, name="halves")
    assert utils.get_tensor_aliases(first) == ["halves"]  # "halves:0" → its op name
    assert utils.get_tensor_aliases(second) == ["halves:1"]  # any other output → its full name
    utils.append_tensor_alias(second, "net/second")
    assert utils.gather_tensors_aliases([first, second, first]) == ["halves", "net/second", "halves"]


def test_convert_collection_to_dict_in_collection_order(graph):
    a, b = tf.constant(1.0, name="a"), tf.constant(2.0, name="b")
    utils.collect_named_outputs("end_points", "net/a", a)
    utils.collect_named_outputs("end_points", "net/b", b)
    utils.append_tensor_alias(a, "net/a_too")
    tf.compat.v1.add_to_collection("end_points", tf.constant(3.0, name="plain"))
    end_points = utils.convert_collection_to_dict("end_points")
    assert isinstance(end_points, collections.OrderedDict)
    assert list(end_points.items()) == [("net/a", a), ("net/a_too", a), ("net/b", b), ("plain", end_points["plain"])]
    assert len(tf.compat.v1.get_collection("end_points")) == 3  # clear_collection defaults to False
    assert list(utils.convert_collection_to_dict("end_points", clear_collection=True)) == list(end_points)
    assert tf.compat.v1.get_collection("end_points") == []
    assert utils.convert_collection_to_dict("never_used") == collections.OrderedDict()


def test_end_points_of_a_slim_net_as_the_nets_build_them(graph):
    """vgg/resnet: outputs_collections=sc.original_name_scope + '_end_points', then convert_collection_to_dict."""
    images = tf.compat.v1.placeholder(tf.float32, [None, 8, 8, 1])
    with tf.compat.v1.variable_scope("vgg") as sc:
        end_points_collection = sc.original_name_scope + "_end_points"
        with slim.arg_scope([slim.conv2d, slim.max_pool2d, slim.fully_connected],
                            outputs_collections=end_points_collection):
            net = slim.conv2d(images, 4, [3, 3], scope="conv1")
            pool = slim.max_pool2d(net, [2, 2], scope="pool1")
            logits = slim.fully_connected(slim.flatten(pool), 3, activation_fn=None, scope="fc")
        end_points = slim.utils.convert_collection_to_dict(end_points_collection)
    assert end_points == collections.OrderedDict([("vgg/conv1", net), ("vgg/pool1", pool), ("vgg/fc", logits)])
    assert slim.utils.last_dimension(pool.get_shape(), min_rank=4) == 4  # resnet's depth_in


# --- constants and conditionals -----------------------------------------------------------------------------------

def test_constant_value(graph):
    assert utils.constant_value(3) == 3 and utils.constant_value(False) is False
    np.testing.assert_array_equal(utils.constant_value(tf.constant([1, 2])), [1, 2])
    np.testing.assert_array_equal(utils.constant_value(tf.shape(tf.zeros([2, 3]))), [2, 3])  # what TF folds
    assert utils.constant_value(tf.constant(2.0) * 3.0) is None  # arithmetic is not folded
    assert utils.constant_value(tf.compat.v1.placeholder(tf.float32, [])) is None
    assert utils.constant_value(tf.compat.v1.get_variable("v", [], initializer=tf.compat.v1.ones_initializer())) is None
    assert utils.constant_value(tf.constant(True), dtype=tf.bool)
    with pytest.raises(ValueError, match="has the wrong type int32 instead of bool"):
        utils.constant_value(tf.constant(1), dtype=tf.bool)
    with pytest.raises(ValueError, match="`value_or_tensor_or_var` cannot be None"):
        utils.constant_value(None)


def test_static_and_smart_cond(graph, session):
    yes, no = tf.constant(1.0), tf.constant(0.0)
    assert utils.static_cond(True, lambda: yes, lambda: no) is yes
    assert utils.static_cond(0, lambda: yes, lambda: no) is no
    assert utils.smart_cond(tf.constant(True), lambda: yes, lambda: no) is yes  # decided in Python, no tf.cond
    assert utils.smart_cond(False, lambda: yes, lambda: no) is no
    assert not any(op.type in ("If", "StatelessIf", "Switch") for op in graph.get_operations())
    pred = tf.compat.v1.placeholder(tf.bool, [])
    chosen = utils.smart_cond(pred, lambda: yes + 1.0, lambda: no - 1.0, name="pick")
    assert session.run(chosen, {pred: True}) == 2.0 and session.run(chosen, {pred: False}) == -1.0
    with pytest.raises(TypeError, match="`fn2` must be callable; received 3"):
        utils.static_cond(True, lambda: yes, 3)


def test_get_variable_collections():
    by_role = {"weights": ["w_collection"], "biases": None}
    assert utils.get_variable_collections(by_role, "weights") == ["w_collection"]
    assert utils.get_variable_collections(by_role, "beta") is None
    assert utils.get_variable_collections(["all"], "weights") == ["all"]
    assert utils.get_variable_collections(None, "weights") is None


# --- shapes and integer arguments ---------------------------------------------------------------------------------

@pytest.mark.parametrize("shape, min_rank, expected", [
    ([None, 5, 3], 1, 3), ([None, 5, 3], 3, 3), ([7], 1, 7), ((2, 4), 2, 4),
])
def test_last_dimension(shape_behaviour, shape, min_rank, expected):
    for given in (tf.TensorShape(shape), shape):
        value = utils.last_dimension(given, min_rank=min_rank)
        assert value == expected and type(value) is int


def test_last_dimension_of_a_placeholder(graph, shape_behaviour):
    images = tf.compat.v1.placeholder(tf.float32, [None, None, None, 3])
    assert utils.last_dimension(images.get_shape(), min_rank=4) == 3


def test_last_dimension_errors_are_tf1s(shape_behaviour):
    unknown = re.escape("?" if shape_behaviour == "v1" else "None")
    with pytest.raises(ValueError, match="^dims of shape must be known but is None$"):
        utils.last_dimension(tf.TensorShape(None))
    with pytest.raises(ValueError, match="^rank of shape must be at least 4 not: 2$"):
        utils.last_dimension(tf.TensorShape([2, 3]), min_rank=4)
    with pytest.raises(ValueError, match=r"^rank of shape must be at least 1 not: 0$"):
        utils.last_dimension(tf.TensorShape([]), min_rank=0)
    with pytest.raises(ValueError, match=rf"^dimension -1 of shape must be known but is None: \(3, {unknown}\)$"):
        utils.last_dimension(tf.TensorShape([3, None]))
    with pytest.raises(ValueError, match="`min_rank` must be a non-negative int; received -1"):
        utils.last_dimension(tf.TensorShape([3]), min_rank=-1)
    with pytest.raises(TypeError, match="`shape` must be a TensorShape or a list of dimensions; received 'abc'"):
        utils.last_dimension("abc")


def test_channel_dimension(shape_behaviour):
    unknown = re.escape("?" if shape_behaviour == "v1" else "None")
    shape = tf.TensorShape([2, 5, 6, 7])
    assert utils.channel_dimension(shape, "channels_first") == 5
    assert utils.channel_dimension(shape, "channels_last", min_rank=4) == 7
    with pytest.raises(ValueError, match=rf"^dimension 1 of shape must be known but is None: \(2, {unknown}, 6\)$"):
        utils.channel_dimension(tf.TensorShape([2, None, 6]), "channels_first")
    with pytest.raises(ValueError, match="^rank of shape must be at least 2 not: 1$"):  # TF1: an IndexError
        utils.channel_dimension(tf.TensorShape([5]), "channels_first")
    with pytest.raises(ValueError, match=r"`data_format` must be one of \['channels_first', 'channels_last'\]; "
                                         "received 'NCHW'"):
        utils.channel_dimension(shape, "NCHW")


def test_two_element_tuple(shape_behaviour):
    assert utils.two_element_tuple(3) == (3, 3) and utils.two_element_tuple(np.int64(2)) == (2, 2)
    assert utils.two_element_tuple([2, 3]) == (2, 3) and utils.two_element_tuple((4.0, 5)) == (4, 5)
    for pair, expected in (([2, 3], (2, 3)), ([None, 3], (None, 3))):
        value = utils.two_element_tuple(tf.TensorShape(pair))
        assert value == expected and all(v is None or type(v) is int for v in value)
    with pytest.raises(ValueError, match=r"must be a list with 2 elements; received \[1, 2, 3\]"):
        utils.two_element_tuple([1, 2, 3])
    for bad in ("ab", tf.TensorShape([1, 2, 3]), None):
        with pytest.raises(ValueError, match="`int_or_tuple` must be an int, a list with 2 elements or a TensorShape"):
            utils.two_element_tuple(bad)


@pytest.mark.parametrize("n, value, expected", [
    (2, 3, (3, 3)), (3, [1, 2, 3], (1, 2, 3)), (1, (4,), (4,)), (2, "7", (7, 7)), (2.0, [5, 6], (5, 6)),
])
def test_n_positive_integers(n, value, expected):
    assert utils.n_positive_integers(n, value) == expected


def test_n_positive_integers_of_a_shape(shape_behaviour):
    assert utils.n_positive_integers(2, tf.TensorShape([4, 5])) == (4, 5)
    with pytest.raises(ValueError, match="sequence of 2 positive integers"):
        utils.n_positive_integers(2, tf.TensorShape([4, None]))


@pytest.mark.parametrize("n, value, error, message", [
    (0, 1, ValueError, r"`n` must be a positive integer; received 0"),
    (2.5, 1, ValueError, r"`n` must be a positive integer; received 2.5"),
    (None, 1, TypeError, r"`n` must be a positive integer; received None"),
    (3, [1, 2], ValueError, r"sequence of 3 positive integers; received \[1, 2\]$"),
    (2, ["a", "b"], ValueError, r"sequence of 2 positive integers; received \['a', 'b'\]$"),
    (2, [1, 0], ValueError, r"received \[1, 0\] \(expected positive integer, but received 0\)"),
    (2, -3, ValueError, r"received -3 \(expected positive integer, but received -3\)"),
    (2, None, TypeError, r"`value` must be a positive integer or a sequence of 2 positive integers; received None"),
])
def test_n_positive_integers_errors(n, value, error, message):
    with pytest.raises(error, match=message):
        utils.n_positive_integers(n, value)


# --- the namespace ------------------------------------------------------------------------------------------------

def test_slim_utils_namespace():
    assert slim.utils is utils and "utils" in slim.__all__
    assert variables.collect_named_outputs is utils.collect_named_outputs  # moved, not duplicated
    assert all(callable(getattr(utils, name)) for name in utils.__all__)
    with pytest.raises(MissingAPIError, match=r"^tf.contrib.slim.utils.NamedOutputs is not provided .*"
                                              r"supported here: append_tensor_alias, channel_dimension"):
        slim.utils.NamedOutputs
    assert not hasattr(utils, "_private_name")
