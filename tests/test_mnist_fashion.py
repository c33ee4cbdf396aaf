"""Fashion-MNIST through the same reader, from Debian's package dataset-fashion-mnist (skipped without it)."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest
from mnist_fixtures import no_source_env  # noqa: F401 (autouse fixture)

from tf1_bn import mnist
from tf1_bn.mnist import input_data, presets

pytestmark = pytest.mark.skipif(
    not pathlib.Path(presets.FASHION_DIR, "train-images-idx3-ubyte.gz").is_file(),
    reason=f"Debian's {presets.FASHION_PACKAGE} is not installed ({presets.FASHION_DIR})",
)


@pytest.fixture(scope="module")
def fashion():
    return input_data.read_data_sets(presets.FASHION_DIR, one_hot=True)


def test_read_data_sets_reads_the_debian_folder(fashion):
    assert fashion.train.images.shape == (55000, 784) and fashion.validation.images.shape == (5000, 784)
    assert fashion.test.images.shape == (10000, 784) and fashion.test.labels.shape == (10000, 10)
    assert fashion.source == f"IDX files in {presets.FASHION_DIR}"


def test_classes_are_balanced_as_published(fashion):
    # Fashion-MNIST has 6,000 training and 1,000 test images of each of its 10 classes.
    train_counts = fashion.train.labels.sum(axis=0) + fashion.validation.labels.sum(axis=0)
    np.testing.assert_array_equal(train_counts, np.full(10, 6000))
    np.testing.assert_array_equal(fashion.test.labels.sum(axis=0), np.full(10, 1000))
    assert 0.0 <= fashion.train.images.min() and fashion.train.images.max() == 1.0


def test_load_fashion_names_the_data_set():
    data = mnist.load("fashion", one_hot=False, validation_size=0)
    assert data.source.startswith("Fashion-MNIST, ") and data.train.num_examples == 60000
    assert len(presets.FASHION_CLASSES) == 10
