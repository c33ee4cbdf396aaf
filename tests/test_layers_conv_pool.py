"""tf1_bn.layers conv2d / max_pooling2d / average_pooling2d against TF1's own layers (tf-keras
legacy_tf_layers, the oracle): outputs, gradients (input and kernel), variable names and shapes, and
checkpoints in both directions. channels_first runs through our NHWC transposes on one side and
TF's NCHW kernels (oneDNN) on the other, so agreement there also checks the transposes.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import tensorflow as tf

import tf1_bn.layers as layers

pytestmark = pytest.mark.usefixtures("behaviour")  # each test under TF2 and TF1 behaviour


@pytest.fixture(scope="module")
def legacy():
    convolutional = pytest.importorskip("tf_keras.src.legacy_tf_layers.convolutional")
    pooling = pytest.importorskip("tf_keras.src.legacy_tf_layers.pooling")
    return convolutional, pooling


def _run(build, data):
    with tf.Graph().as_default(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x = tf.compat.v1.placeholder(tf.float32, data.shape)
        y = build(x)
        variables = tf.compat.v1.global_variables()
        grads = tf.gradients(tf.reduce_sum(y * y), [x, *variables])
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            out, grad_values = sess.run([y, grads], {x: data})
        return out, grad_values, [(v.name, v.shape.as_list()) for v in variables], y.shape.as_list()


def _assert_same(ours, theirs):
    assert ours[2] == theirs[2] and ours[3] == theirs[3]
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-5, atol=1e-4)
    for g, t in zip(ours[1], theirs[1]):
        np.testing.assert_allclose(g, t, rtol=1e-4, atol=1e-3)


CONV_CASES = [
    dict(),
    dict(padding="same"),
    dict(padding="SAME", strides=2),
    dict(strides=(2, 1), use_bias=False),
    dict(dilation_rate=2, padding="same"),
    dict(kernel_size=(2, 3), activation=tf.nn.relu),
    dict(data_format="channels_first"),
    dict(data_format="channels_first", padding="same", strides=2, activation="relu"),
    dict(data_format="channels_first", dilation_rate=(1, 2), use_bias=False),
]


@pytest.mark.parametrize("kwargs", CONV_CASES, ids=lambda k: ",".join(f"{a}={getattr(v, '__name__', v)}" for a, v in k.items()) or "default")
def test_conv2d_matches_tf1(legacy, rng, kwargs):
    channels_first = kwargs.get("data_format") == "channels_first"
    data = rng.standard_normal((2, 3, 9, 8) if channels_first else (2, 9, 8, 3)).astype(np.float32)
    kernel_size = kwargs.pop("kernel_size", 3)
    shape = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    kernel = rng.standard_normal((*shape, 3, 4)).astype(np.float32)
    options = dict(kwargs, kernel_initializer=tf.compat.v1.constant_initializer(kernel),
                   bias_initializer=tf.compat.v1.constant_initializer(0.1))
    ours = _run(lambda x: layers.conv2d(x, 4, kernel_size, **options), data)
    theirs = _run(lambda x: legacy[0].conv2d(x, 4, kernel_size, **options), data)
    _assert_same(ours, theirs)


POOL_CASES = [
    dict(pool_size=2, strides=2),
    dict(pool_size=3, strides=2, padding="same"),
    dict(pool_size=(2, 3), strides=(1, 2), padding="VALID"),
    dict(pool_size=2, strides=2, data_format="channels_first"),
    dict(pool_size=3, strides=1, padding="same", data_format="channels_first"),
]


@pytest.mark.parametrize("kind", ["max_pooling2d", "average_pooling2d"])
@pytest.mark.parametrize("kwargs", POOL_CASES, ids=lambda k: ",".join(f"{a}={v}" for a, v in k.items()))
def test_pooling_matches_tf1(legacy, rng, kind, kwargs):
    channels_first = kwargs.get("data_format") == "channels_first"
    data = rng.standard_normal((2, 3, 7, 6) if channels_first else (2, 7, 6, 3)).astype(np.float32)
    ours = _run(lambda x: getattr(layers, kind)(x, **kwargs), data)
    theirs = _run(lambda x: getattr(legacy[1], kind)(x, **kwargs), data)
    _assert_same(ours, theirs)


def test_conv2d_names_default_initializer_and_classes(graph, session):
    x = tf.compat.v1.placeholder(tf.float32, [None, 8, 8, 2])
    layers.conv2d(x, 3, 3)
    conv = layers.Conv2D(5, (1, 1), name="pointwise")
    y = conv(layers.conv2d(x, 3, 3, padding="same"))
    pooled = layers.MaxPooling2D(2, 2)(y)
    assert [v.name for v in tf.compat.v1.global_variables()] == [
        "conv2d/kernel:0", "conv2d/bias:0", "conv2d_1/kernel:0", "conv2d_1/bias:0", "pointwise/kernel:0", "pointwise/bias:0",
    ]
    assert y.shape.as_list() == [None, 8, 8, 5] and pooled.shape.as_list() == [None, 4, 4, 5]
    session.run(tf.compat.v1.global_variables_initializer())
    kernel = session.run(conv.kernel)
    assert 0.5 * np.sqrt(6 / 8) < np.abs(kernel).max() <= np.sqrt(6 / 8)  # glorot_uniform, fan 3 + 5


@pytest.mark.parametrize("writer", ["tf_keras", "tf1_bn"])
def test_checkpoint_round_trip(checkpoint_round_trip, rng, legacy, writer):
    convolutional, pooling = legacy
    implementations = {"tf_keras": (convolutional.conv2d, pooling.max_pooling2d),
                       "tf1_bn": (layers.conv2d, layers.max_pooling2d)}
    reader = "tf1_bn" if writer == "tf_keras" else "tf_keras"

    def build(impl):
        conv2d, max_pooling2d = impl
        x = tf.compat.v1.placeholder(tf.float32, [None, 8, 8, 2])
        h = max_pooling2d(conv2d(x, 4, 3, padding="same", activation=tf.nn.relu), 2, 2)
        return [x], conv2d(h, 2, 2, use_bias=False, name="head")

    data = rng.standard_normal((3, 8, 8, 2)).astype(np.float32)
    written, read = checkpoint_round_trip(build, implementations[writer], implementations[reader], [data])
    assert read.names == written.names
    np.testing.assert_allclose(read.output, written.output, rtol=0, atol=1e-5)


@pytest.mark.parametrize("call, message", [
    (lambda x: layers.conv2d(x, 0, 3), "`filters` must be a positive int; received 0"),
    (lambda x: layers.conv2d(x, 2, (3, 3, 3)), "`kernel_size` must be a positive int or a list/tuple of 2"),
    (lambda x: layers.conv2d(x, 2, 3, padding="full"), "`padding` must be 'valid' or 'same'"),
    (lambda x: layers.conv2d(x, 2, 3, strides=2, dilation_rate=2), "cannot be combined with `dilation_rate`"),
    (lambda x: layers.conv2d(tf.zeros([2, 5, 3]), 2, 3), "`inputs` of Conv2D must be 4-D"),
    (lambda x: layers.max_pooling2d(x, 2, None), "`strides` must not be None"),
    (lambda x: layers.average_pooling2d(x, 2, 2, data_format="NCHW"), "`data_format` must be 'channels_last'"),
])
def test_errors_name_the_argument(graph, call, message):
    with pytest.raises((ValueError, TypeError)) as caught:
        call(tf.compat.v1.placeholder(tf.float32, [None, 6, 6, 3]))
    assert message in str(caught.value)
