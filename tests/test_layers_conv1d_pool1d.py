"""tf1_bn.layers conv1d, max_pooling1d and average_pooling1d against TF1's own layers (tf_keras legacy_tf_layers,
the oracle): outputs, gradients, variable names and shapes from the same constant initial values, over padding ×
strides (or dilation) × data_format; conv1d's 'causal' padding; reuse; one-line errors naming the argument; and
the helpers refactored for 1-D (ntuple, padding_mode) keep their 2-D messages."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from layer_parity import assert_same, case_id, legacy, run_layer

import tf1_bn
import tf1_bn.layers as layers
from tf1_bn.errors import MissingAPIError
from tf1_bn.layers.convolutional import ntuple, pair, padding_mode

FORMATS = ["channels_last", "channels_first"]


@pytest.fixture(scope="module")
def oracle():
    return legacy("convolutional"), legacy("pooling")


def _data(rng, channels_first, length=9, channels=3):
    return rng.standard_normal((2, channels, length) if channels_first else (2, length, channels)).astype(np.float32)


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("strides, dilation_rate", [(1, 1), (2, 1), ((3,), 1), (1, (2,))], ids=case_id)
@pytest.mark.parametrize("padding", ["valid", "SAME", "causal"])
def test_conv1d_matches_tf1(oracle, rng, padding, strides, dilation_rate, data_format):
    data = _data(rng, data_format == "channels_first")
    kernel = rng.standard_normal((3, 3, 4)).astype(np.float32)  # [k, in, filters]
    options = dict(strides=strides, padding=padding, data_format=data_format, dilation_rate=dilation_rate,
                   activation="tanh", use_bias=strides != 2,
                   kernel_initializer=tf.compat.v1.constant_initializer(kernel),
                   bias_initializer=tf.compat.v1.constant_initializer(0.3))
    ours = run_layer(lambda x: layers.conv1d(x, 4, 3, **options), data)
    theirs = run_layer(lambda x: oracle[0].conv1d(x, 4, 3, **options), data)
    assert_same(ours, theirs)
    assert ours.variables[0] == ("conv1d/kernel:0", [3, 3, 4])


def test_conv1d_causal_output_sees_only_the_past(graph, session, rng):
    x = tf.compat.v1.placeholder(tf.float32, [1, 8, 2])
    y = layers.conv1d(x, 3, 3, dilation_rate=2, padding="causal")
    session.run(tf.compat.v1.global_variables_initializer())
    data = rng.standard_normal((1, 8, 2)).astype(np.float32)
    changed = data.copy()
    changed[:, 5:] += 10.0  # change the future from t = 5 on
    before, after = (session.run(y, {x: d}) for d in (data, changed))
    assert y.shape.as_list() == [1, 8, 3]
    np.testing.assert_array_equal(before[:, :5], after[:, :5])
    assert not np.allclose(before[:, 5:], after[:, 5:])


@pytest.mark.parametrize("kind", ["max_pooling1d", "average_pooling1d"])
@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("pool_size, strides", [(2, 2), (3, 1), ((3,), (2,))], ids=case_id)
@pytest.mark.parametrize("padding", ["valid", "Same"])
def test_pooling1d_matches_tf1(oracle, rng, kind, padding, pool_size, strides, data_format):
    data = _data(rng, data_format == "channels_first", length=8)
    options = dict(padding=padding, data_format=data_format)
    ours = run_layer(lambda x: getattr(layers, kind)(x, pool_size, strides, **options), data)
    theirs = run_layer(lambda x: getattr(oracle[1], kind)(x, pool_size, strides, **options), data)
    assert_same(ours, theirs, rtol=1e-6, atol=1e-6)


def test_pooling1d_classes_names_and_unknown_length(graph):
    x = tf.compat.v1.placeholder(tf.float32, [None, None, 4])
    y = layers.MaxPooling1D(2, 2)(x)
    z = layers.AveragePooling1D(3, 1, padding="same", name="smooth")(x)
    assert y.shape.as_list() == [None, None, 4] and z.shape.as_list() == [None, None, 4]
    assert y.name.startswith("max_pooling1d/") and z.name.startswith("smooth/")
    assert tf.compat.v1.global_variables() == []


def test_reuse_shares_variables(graph):
    x = tf.compat.v1.placeholder(tf.float32, [None, 7, 3])
    layers.conv1d(x, 4, 3, name="shared")
    layers.conv1d(x * 2.0, 4, 3, name="shared", reuse=True)
    layer = layers.Conv1D(2, 1)
    layer(x), layer(x + 1.0)
    assert [v.name for v in tf.compat.v1.global_variables()] == [
        "shared/kernel:0", "shared/bias:0", "conv1d/kernel:0", "conv1d/bias:0"]
    with pytest.raises(ValueError, match="`inputs` of layer 'conv1d' must be 3-D with 3 channels"):
        layer(tf.compat.v1.placeholder(tf.float32, [None, 7, 5]))


def test_aliases_and_the_tf_layers_facade():
    assert (layers.Convolution1D, layers.convolution1d) == (layers.Conv1D, layers.conv1d)
    assert (layers.MaxPool1D, layers.max_pool1d) == (layers.MaxPooling1D, layers.max_pooling1d)
    assert (layers.AvgPool1D, layers.avg_pool1d) == (layers.AveragePooling1D, layers.average_pooling1d)
    tf1_bn.install()
    try:
        import tf1_bn.v1.layers as facade

        for name in ["conv1d", "Conv1D", "max_pooling1d", "MaxPooling1D", "average_pooling1d", "AveragePooling1D"]:
            assert getattr(facade, name) is getattr(layers, name) and name in facade.__all__
        with pytest.raises(MissingAPIError, match="tf.layers.max_pooling3d"):
            facade.max_pooling3d  # noqa: B018  (still not provided)
    finally:
        tf1_bn.uninstall()


def test_refactored_helpers_keep_their_2d_behaviour():
    assert pair(3, "strides") == (3, 3) and pair([1, 2], "strides") == (1, 2) and ntuple((4,), "strides", 1) == (4,)
    with pytest.raises(ValueError, match=r"^`kernel_size` must be a positive int or a list/tuple of 2 positive ints; "):
        pair((3,), "kernel_size")
    with pytest.raises(ValueError, match=r"^`padding` must be 'valid' or 'same' \(any case\); received 'causal'$"):
        padding_mode("causal")
    assert padding_mode("Causal", ("valid", "same", "causal")) == "CAUSAL"


X3 = [None, 7, 3]
ERRORS = [
    (lambda x: layers.conv1d(x, 0, 3), "`filters` must be a positive int; received 0"),
    (lambda x: layers.conv1d(x, 2, (3, 3)), "`kernel_size` must be a positive int or a list/tuple of 1 positive int;"),
    (lambda x: layers.conv1d(x, 2, 3, strides=True), "`strides` must be a positive int or a list/tuple of 1"),
    (lambda x: layers.conv1d(x, 2, 3, padding="full"), "`padding` must be 'valid', 'same' or 'causal' (any case)"),
    (lambda x: layers.conv1d(x, 2, 3, strides=2, dilation_rate=2), "`strides` > 1 cannot be combined"),
    (lambda x: layers.conv1d(x, 2, 3, data_format="NCW"), "`data_format` must be 'channels_last'"),
    (lambda x: layers.conv1d(x, 2, 3, activation="swish"), "`activation` must be callable, None or one of"),
    (lambda x: layers.conv1d(tf.zeros([2, 5, 5, 3]), 2, 3), "`inputs` of Conv1D must be 3-D"),
    (lambda x: layers.max_pooling1d(x, 2, None), "`strides` must not be None"),
    (lambda x: layers.max_pooling1d(x, (2, 2), 1), "`pool_size` must be a positive int or a list/tuple of 1"),
    (lambda x: layers.average_pooling1d(x, 2, 2, padding="causal"), "`padding` must be 'valid' or 'same'"),
    (lambda x: layers.AveragePooling1D(2, 2, data_format="NWC"), "`data_format` must be 'channels_last'"),
    (lambda x: layers.average_pooling1d(tf.zeros([2, 5, 5, 3]), 2, 2), "`inputs` of 1-D pooling must be 3-D"),
]


@pytest.mark.parametrize("call, message", ERRORS, ids=[m.split(" ")[0] + str(i) for i, (_, m) in enumerate(ERRORS)])
def test_errors_name_the_argument(graph, call, message):
    with pytest.raises((ValueError, TypeError)) as caught:
        call(tf.compat.v1.placeholder(tf.float32, X3))
    assert message in str(caught.value) and "\n" not in str(caught.value)
