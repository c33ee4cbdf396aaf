"""DataSet: TF1's next_batch epoch semantics against an independent re-implementation, dtypes, seeds."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from mnist_fixtures import no_source_env  # noqa: F401 (autouse fixture)

from tf1_bn.mnist import input_data
from tf1_bn.mnist.dataset import DataSet, Datasets, dense_to_one_hot


def _indexed(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Image i is filled with i and its label is i, so a batch tells which examples it holds."""
    images = np.repeat(np.arange(n, dtype=np.uint8), 4).reshape(n, 2, 2, 1)
    return images, np.arange(n)


def reference_batches(n: int, batch_sizes: list[int], rng, shuffle: bool) -> list[tuple[np.ndarray, int]]:
    """TF1's batching restated as a stream: epoch orders laid end to end, batch k = the next b positions.

    Epoch e's order is epoch e−1's order permuted once more (TF1 permutes the stored, already shuffled
    arrays). After a batch ending at stream position p, epochs_completed = (p − 1) // n.
    """
    orders: list[np.ndarray] = []

    def order(epoch: int) -> np.ndarray:
        while len(orders) <= epoch:
            previous = orders[-1] if orders else np.arange(n)
            orders.append(previous[rng.permutation(n)] if shuffle else previous)
        return orders[epoch]

    batches, position = [], 0
    for size in batch_sizes:
        indices = np.array([order(p // n)[p % n] for p in range(position, position + size)])
        position += size
        batches.append((indices, (position - 1) // n))
    return batches


BATCH_PLANS = {
    "b=3": [3] * 12,
    "b=1": [1] * 25,
    "b=n": "n",
    "mixed": [4, 1, 6, 2, 9, 3, 7, 5, 8, 1, 1, 10],
}


@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("seed", [0, 1234, 2**31 + 5])
@pytest.mark.parametrize("n", [7, 10])
@pytest.mark.parametrize("plan", BATCH_PLANS, ids=list(BATCH_PLANS))
def test_next_batch_matches_independent_reference(plan, n, seed, shuffle):
    sizes = [n] * 5 if BATCH_PLANS[plan] == "n" else [min(b, n) for b in BATCH_PLANS[plan]]
    images, labels = _indexed(n)
    data = DataSet(images, labels, dtype=np.uint8, seed=seed)
    # TF1 takes seeds modulo 2**31 - 1 (random_seed._truncate_seed) before numpy.random.seed.
    expected = reference_batches(n, sizes, np.random.RandomState(seed % (2**31 - 1)), shuffle)
    for size, (indices, epochs) in zip(sizes, expected, strict=True):
        batch_images, batch_labels = data.next_batch(size, shuffle=shuffle)
        np.testing.assert_array_equal(batch_labels, indices)
        np.testing.assert_array_equal(batch_images, np.repeat(indices, 4).reshape(-1, 4))
        assert data.epochs_completed == epochs


def test_epochs_completed_lags_until_a_batch_needs_the_next_epoch():
    data = DataSet(*_indexed(10), dtype=np.uint8, seed=1)
    data.next_batch(5)
    data.next_batch(5)
    assert data.epochs_completed == 0  # all 10 served, but no batch has crossed the end yet
    data.next_batch(5)
    assert data.epochs_completed == 1


def test_shuffling_reorders_the_stored_arrays_as_tf1_did():
    images, labels = _indexed(10)
    data = DataSet(images, labels, dtype=np.uint8, seed=3)
    data.next_batch(2)
    expected = np.arange(10)[np.random.RandomState(3).permutation(10)]
    np.testing.assert_array_equal(data.labels, expected)
    np.testing.assert_array_equal(data.images[:, 0], expected)


def test_seeded_data_sets_leave_numpys_global_generator_alone():
    np.random.seed(99)
    state = np.random.get_state()[1].copy()
    data = DataSet(*_indexed(10), seed=5)
    for _ in range(7):
        data.next_batch(3)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_unseeded_data_set_draws_from_global_generator_without_reseeding():
    data = DataSet(*_indexed(10), dtype=np.uint8)  # constructed first: TF1 re-seeded here, we do not
    np.random.seed(42)
    got = [data.next_batch(4)[1] for _ in range(5)]
    expected = reference_batches(10, [4] * 5, np.random.RandomState(42), shuffle=True)
    for labels, (indices, _) in zip(got, expected, strict=True):
        np.testing.assert_array_equal(labels, indices)


def test_unseeded_data_set_uses_the_graph_level_seed_like_tf1():
    with tf.Graph().as_default():
        tf.compat.v1.set_random_seed(11)
        data = DataSet(*_indexed(10), dtype=np.uint8)
    got = [data.next_batch(4)[1] for _ in range(5)]
    expected = reference_batches(10, [4] * 5, np.random.RandomState(11), shuffle=True)
    for labels, (indices, _) in zip(got, expected, strict=True):
        np.testing.assert_array_equal(labels, indices)


def test_float32_images_are_tf1s_float32_product():
    pixels = np.arange(256, dtype=np.uint8).reshape(1, 16, 16, 1)
    data = DataSet(pixels, np.zeros(1), seed=0)
    tf1 = np.multiply(pixels.reshape(1, 256).astype(np.float32), 1.0 / 255.0)  # TF1's expression
    assert data.images.dtype == np.float32 and data.images.shape == (1, 256)
    np.testing.assert_array_equal(data.images, tf1)
    np.testing.assert_allclose(data.images[0], np.arange(256) / 255.0, rtol=0, atol=1e-7)
    assert data.images.min() == 0.0 and data.images.max() == 1.0


class _TfLikeDtype:
    """Stands for a TensorFlow DType: only `as_numpy_dtype` is used."""

    def __init__(self, numpy_type):
        self.as_numpy_dtype = numpy_type


@pytest.mark.parametrize("dtype, expected", [
    (np.float32, np.float32), ("float32", np.float32), (np.dtype("uint8"), np.uint8), ("uint8", np.uint8),
    (_TfLikeDtype(np.uint8), np.uint8), (tf.float32, np.float32), (tf.uint8, np.uint8),
])
def test_dtype_accepts_numpy_and_tensorflow_spellings(dtype, expected):
    data = DataSet(np.full((2, 28, 28, 1), 255, np.uint8), np.zeros(2), dtype=dtype, reshape=False)
    assert data.images.dtype == expected and data.images.shape == (2, 28, 28, 1)
    assert data.images.max() == (1.0 if expected == np.float32 else 255)


@pytest.mark.parametrize("dtype", [np.float64, "int32", tf.float64, None, 3.5, "not a dtype"])
def test_other_dtypes_raise_type_error_naming_dtype(dtype):
    with pytest.raises(TypeError, match="dtype"):
        DataSet(np.zeros((2, 28, 28, 1), np.uint8), np.zeros(2), dtype=dtype)
    with pytest.raises(TypeError, match="dtype"):
        input_data.read_data_sets("/nonexistent", dtype=dtype)  # checked before any file is looked for


@pytest.mark.parametrize("images, labels, words", [
    (np.zeros((3, 28, 28, 1), np.uint8), np.zeros(4), "same number of examples"),
    (np.zeros((3, 28, 28), np.uint8), np.zeros(3), "reshape=True needs images shaped"),
    (np.zeros((3, 28, 28, 3), np.uint8), np.zeros(3), "received images.shape=(3, 28, 28, 3)"),
])
def test_inconsistent_arrays_raise_value_error(images, labels, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        DataSet(images, labels)


@pytest.mark.parametrize("batch_size, error", [(0, ValueError), (11, ValueError), (-1, ValueError),
                                               (2.0, TypeError), (True, TypeError)])
def test_batch_size_outside_one_to_num_examples_is_refused(batch_size, error):
    data = DataSet(*_indexed(10), seed=0)
    with pytest.raises(error, match="batch_size"):
        data.next_batch(batch_size)


def test_seed_must_be_an_int():
    with pytest.raises(TypeError, match="seed"):
        DataSet(*_indexed(3), seed=1.5)


@pytest.mark.parametrize("num_classes", [10, 3])
def test_dense_to_one_hot_matches_identity_rows(num_classes):
    labels = np.arange(25) % num_classes
    result = dense_to_one_hot(labels, num_classes)
    np.testing.assert_array_equal(result, np.eye(num_classes)[labels])
    assert result.dtype == np.float64


def test_dense_to_one_hot_refuses_labels_out_of_range():
    with pytest.raises(ValueError, match="labels_dense"):
        dense_to_one_hot(np.array([0, 10]), 10)


@pytest.mark.parametrize("one_hot, label", [(True, [1] + [0] * 9), (False, 0)])
def test_fake_data_mode(one_hot, label):
    data = input_data.read_data_sets("/nonexistent", fake_data=True, one_hot=one_hot)
    assert data.train.num_examples == data.validation.num_examples == data.test.num_examples == 10000
    images, labels = data.train.next_batch(3, fake_data=True)
    assert images == [[1] * 784] * 3 and labels == [label] * 3


def test_datasets_is_tf1s_triple_with_a_source_attribute():
    train, validation, test = (DataSet(*_indexed(3), seed=0) for _ in range(3))
    datasets = Datasets(train, validation, test, source="somewhere")
    assert datasets._fields == ("train", "validation", "test") and len(datasets) == 3
    assert tuple(datasets) == (train, validation, test) and datasets.source == "somewhere"
    assert Datasets(train, validation, test).source == "arrays given in memory"


@pytest.mark.parametrize("shuffle", [True, False])
def test_next_batch_indices_reproduce_next_batch_across_epochs(shuffle):
    """The fast training loop feeds `next_batch_indices` into base_images: same batches as next_batch."""
    images = np.arange(7 * 4, dtype=np.uint8).reshape(7, 2, 2, 1)
    labels = np.arange(7, dtype=np.uint8)
    by_batch = DataSet(images, labels, dtype=np.uint8, seed=3)
    by_index = DataSet(images, labels, dtype=np.uint8, seed=3)
    for _ in range(9):  # batches of 3 over 7 examples cross several epoch ends
        batch_images, batch_labels = by_batch.next_batch(3, shuffle=shuffle)
        indices = by_index.next_batch_indices(3, shuffle=shuffle)
        np.testing.assert_array_equal(by_index.base_images[indices], batch_images)
        np.testing.assert_array_equal(by_index.base_labels[indices], batch_labels)
    np.testing.assert_array_equal(by_index.images, by_batch.images)  # TF1's permuted view agrees too
    assert by_index.epochs_completed == by_batch.epochs_completed
