"""Shared fixtures. TensorFlow runs eagerly by default in these tests; each test builds its TF1 graph
inside a fresh `tf.Graph()` (the `graph` fixture), so tests never leak state into each other."""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np
import pytest

from tf1_bn._quiet import import_tensorflow_quietly

import_tensorflow_quietly()  # TF's start-up lines bypass pytest's capture in xdist workers

import tensorflow as tf  # noqa: E402

tf.get_logger().setLevel("ERROR")

pytest_plugins = ["pytester"]  # tests of the tf1_bn pytest plugin


def pytest_addoption(parser):
    parser.addoption("--tf1-behaviour", action="store_true", default=False,
                     help="run the whole suite with TF1's global behaviour (graph mode, TF1 shapes and control "
                          "flow: tf1_bn.compat.behaviour), as legacy scripts run under tf1-bn run")


def pytest_configure(config):
    if config.getoption("--tf1-behaviour"):
        from tf1_bn.compat import behaviour

        behaviour.switch_to_tf1()


@pytest.fixture(params=["tf2-behaviour", "tf1-behaviour"])
def behaviour(request):
    """Run the test twice: as TensorFlow 2 behaves, and with the TF1 switches install() makes (TF1 shapes,
    control flow, graph mode), undone afterwards. tf1_bn's layers must build the same graphs under both."""
    from tf1_bn.compat import behaviour as switches

    switched = switches.switch_to_tf1() if request.param == "tf1-behaviour" else []
    try:
        yield request.param
    finally:
        switches.switch_back(switched)


@pytest.fixture
def graph():
    """A fresh default graph for the test's TF1 code."""
    g = tf.Graph()
    with g.as_default():
        yield g


@pytest.fixture
def session(graph):
    """A Session on the test's graph, closed afterwards."""
    with tf.compat.v1.Session(graph=graph) as sess:
        yield sess


@pytest.fixture
def rng():
    return np.random.default_rng(20150211)  # the BN paper's arXiv date


@pytest.fixture(scope="session")
def legacy_tf_layers():
    """TF1's layer as kept in tf_keras: the oracle (test extra only; tf1_bn never imports it)."""
    module = pytest.importorskip("tf_keras.src.legacy_tf_layers.normalization")
    return module


class Restored(NamedTuple):
    """One role of a checkpoint round trip: the output it computed and its sorted variable names."""

    output: np.ndarray
    names: list[str]


@pytest.fixture
def checkpoint_round_trip(tmp_path):
    """Build with the writer implementation, initialize (optionally train), save with a Saver; rebuild with
    the reader implementation, restore, and return (writer, reader) `Restored` records."""
    path = str(tmp_path / "model.ckpt")

    def round_trip(build, writer, reader, feed, train_feed=None, train_steps=5):
        """`build(impl)` runs in a fresh graph and returns (inputs, output) or (inputs, output, train_op); `feed`
        holds one value per input. With `train_feed`, the writer runs train_op `train_steps` times before saving."""
        restored = []
        for role, impl in (("writer", writer), ("reader", reader)):
            with tf.Graph().as_default(), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                inputs, output, *rest = build(impl)
                saver = tf.compat.v1.train.Saver()
                with tf.compat.v1.Session() as sess:
                    if role == "writer":
                        sess.run(tf.compat.v1.global_variables_initializer())
                        if train_feed is not None:
                            (train_op,) = rest  # build must return a train_op when training
                            for _ in range(train_steps):
                                sess.run(train_op, dict(zip(inputs, train_feed)))
                        saver.save(sess, path)
                    else:
                        saver.restore(sess, path)
                    value = sess.run(output, dict(zip(inputs, feed)))
                restored.append(Restored(value, sorted(v.name for v in tf.compat.v1.global_variables())))
        return tuple(restored)

    return round_trip
