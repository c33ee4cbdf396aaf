"""Shared fixtures. TensorFlow runs eagerly by default in these tests; each test builds its TF1 graph
inside a fresh `tf.Graph()` (the `graph` fixture), so tests never leak state into each other."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

tf.get_logger().setLevel("ERROR")

pytest_plugins = ["pytester"]  # tests of the tf1_bn pytest plugin


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
