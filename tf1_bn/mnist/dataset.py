"""TF1's `DataSet` (in-memory images and labels with `next_batch`) and the `Datasets` triple.

Rebuilt from the behaviour of `tensorflow/contrib/learn/python/learn/datasets/mnist.py` (TF 1.x, the
module `tensorflow.examples.tutorials.mnist.input_data` re-exported), which TF 2 removed:

- images: uint8 `[N, rows, cols, 1]` in; with `reshape=True` they become `[N, rows·cols]`; with
  `dtype=float32` they become `float32(pixel) · float32(1/255)` (TF1's exact product, so values match TF1
  to the bit), with `dtype=uint8` they stay 0…255.
- labels are kept exactly as given: uint8 `[N]`, or float64 `[N, 10]` from `dense_to_one_hot`
  (TF1 built one-hot labels with `numpy.zeros`, whose default dtype is float64).
- `next_batch` shuffles at the first call (if `shuffle`) and at every epoch end; a batch that crosses an
  epoch end is the rest of the old epoch followed by the start of the freshly shuffled new one (so an
  example can appear twice in that batch). `epochs_completed` counts epoch ends crossed so far: it
  becomes 1 only when a batch needs data beyond the first epoch, not when the last example is served.
- shuffling permutes the data, so `.images` and `.labels` change order as batches are drawn (as in TF1).
  Internally the arrays given to the constructor stay untouched (`base_images`, `base_labels`) and a
  permutation `_order` moves instead; `next_batch_indices` returns a batch as indices into the base
  arrays, which the in-graph training loop (`tf1_bn.article.fast_loop`) uses with the data kept in the graph.

Randomness, where we differ from TF1 on purpose: TF1 re-seeded NumPy's *global* generator in every
DataSet constructor (`numpy.random.seed(seed)`, or entropy when no seed was set) and shuffled with it.
Here a DataSet with a seed owns a `numpy.random.RandomState(seed mod (2³¹−1))` — the same generator and
the same seed TF1 ended up with (TF1's `get_seed` takes seeds modulo 2³¹−1) — and never touches the global
generator. So batches equal TF1's whenever TF1's global generator was not also drawn from in between (in
TF1, model code using `numpy.random` or a second DataSet's `next_batch` shifted the stream; here they
cannot). Without a seed it uses the
graph-level seed when TensorFlow is already imported and a graph-level seed is set
(`tf.compat.v1.set_random_seed`, graph mode), as TF1 did, else NumPy's global generator without
re-seeding it (so `numpy.random.seed(…)` before the first `next_batch` makes batches reproducible).
"""

from __future__ import annotations

import collections
import numbers
import sys
from typing import Any

import numpy as np

_MAXINT32 = 2**31 - 1  # TF1's random_seed._MAXINT32: seeds are taken modulo this
_FAKE_EXAMPLES = 10000  # TF1's fake DataSet size


def image_dtype(dtype: Any) -> np.dtype:
    """The NumPy dtype for `dtype`, which must name uint8 or float32.

    Accepts NumPy dtypes and scalar types, their names ("float32"), and TensorFlow dtypes (`tf.float32`,
    via their `as_numpy_dtype`) without importing TensorFlow. Anything else raises TypeError, as TF1 did.
    """
    candidate = getattr(dtype, "as_numpy_dtype", dtype)
    try:
        resolved = np.dtype(candidate) if candidate is not None else None
    except TypeError:
        resolved = None
    if resolved not in (np.dtype(np.uint8), np.dtype(np.float32)):
        raise TypeError(
            f"dtype must be uint8 (pixels 0…255) or float32 (pixels in [0, 1]), as a NumPy or TensorFlow dtype "
            f"or its name; received dtype={dtype!r}"
        )
    return resolved


def dense_to_one_hot(labels_dense: np.ndarray, num_classes: int) -> np.ndarray:
    """One-hot rows for integer class labels: float64 `[N, num_classes]`, as TF1 returned.

    Raises ValueError when a label is outside 0…num_classes−1 (TF1 wrote past the row silently).
    """
    labels = np.asarray(labels_dense).ravel()
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"labels_dense must hold classes 0…{num_classes - 1} for num_classes={num_classes}; "
            f"received values from {labels.min()} to {labels.max()}"
        )
    one_hot = np.zeros((labels.shape[0], num_classes))  # float64, TF1's dtype
    one_hot[np.arange(labels.shape[0]), labels.astype(np.intp)] = 1
    return one_hot


def check_seed(seed: Any) -> None:
    """TypeError naming seed unless it is an int or None."""
    if seed is not None and (not isinstance(seed, numbers.Integral) or isinstance(seed, bool)):
        raise TypeError(f"seed must be an int or None; received seed={seed!r}")


def _graph_level_seed() -> int | None:
    """TF1's graph-level seed if TensorFlow is already loaded and in graph mode; never imports it."""
    tf = sys.modules.get("tensorflow")
    if tf is None:
        return None
    try:
        if tf.executing_eagerly():
            return None
        return tf.compat.v1.get_default_graph().seed
    except AttributeError:  # a partially imported or stubbed module
        return None


def _shuffler(seed: int | None) -> Any:
    """The generator `next_batch` shuffles with (see the module docstring for how it matches TF1)."""
    if seed is None:
        seed = _graph_level_seed()
    if seed is None:
        return np.random  # the global RandomState, used but never re-seeded
    return np.random.RandomState(int(seed) % _MAXINT32)


class DataSet:
    """Images and labels in memory, served in shuffled mini-batches as TF1's `DataSet` did.

    Args:
        images: uint8 `[N, rows, cols, 1]` (any array when `reshape=False`).
        labels: `[N]` or `[N, classes]`; kept as given.
        fake_data: TF1's test mode: 10,000 examples of all-ones images, no real data.
        one_hot: used only with `fake_data` (the fake label's form).
        dtype: uint8 (keep 0…255) or float32 (rescale to [0, 1]); NumPy or TensorFlow dtype.
        reshape: flatten `[N, rows, cols, 1]` to `[N, rows·cols]`.
        seed: shuffling seed; None uses the graph-level seed or NumPy's global generator.
    """

    def __init__(
        self,
        images: Any,
        labels: Any,
        fake_data: bool = False,
        one_hot: bool = False,
        dtype: Any = np.float32,
        reshape: bool = True,
        seed: int | None = None,
    ) -> None:
        check_seed(seed)
        self._rng = _shuffler(seed)
        resolved = image_dtype(dtype)
        if fake_data:
            self._num_examples = _FAKE_EXAMPLES
            self.one_hot = one_hot
        else:
            images, labels = np.asarray(images), np.asarray(labels)
            if images.shape[:1] != labels.shape[:1]:
                raise ValueError(
                    f"images and labels must have the same number of examples; received images.shape="
                    f"{images.shape} and labels.shape={labels.shape}"
                )
            self._num_examples = images.shape[0]
            if reshape:
                if images.ndim != 4 or images.shape[3] != 1:
                    raise ValueError(
                        f"reshape=True needs images shaped [N, rows, cols, 1]; received images.shape={images.shape}"
                    )
                images = images.reshape(images.shape[0], images.shape[1] * images.shape[2])  # (N, rows·cols)
            if resolved == np.float32:
                # TF1: images.astype(float32) then numpy.multiply(images, 1.0 / 255.0), computed in float32.
                images = images.astype(np.float32) * np.float32(1.0 / 255.0)
        self._base_images = images
        self._base_labels = labels
        self._order = np.arange(self._num_examples)  # position in the current epoch → base index
        self._permuted: tuple[Any, Any] | None = None  # (images, labels) in the current order, built on access
        self._epochs_completed = 0
        self._index_in_epoch = 0

    @property
    def images(self) -> np.ndarray:
        return self._in_current_order()[0]

    @property
    def labels(self) -> np.ndarray:
        return self._in_current_order()[1]

    @property
    def base_images(self) -> np.ndarray:
        """The images in the order they were given (what `next_batch_indices` indexes)."""
        return self._base_images

    @property
    def base_labels(self) -> np.ndarray:
        return self._base_labels

    @property
    def num_examples(self) -> int:
        return self._num_examples

    @property
    def epochs_completed(self) -> int:
        return self._epochs_completed

    def __repr__(self) -> str:
        shape = getattr(self._base_images, "shape", None)
        return f"DataSet(num_examples={self._num_examples}, images={shape}, epochs_completed={self._epochs_completed})"

    def _in_current_order(self) -> tuple[Any, Any]:
        if self._permuted is None:
            if np.array_equal(self._order, np.arange(self._num_examples)):
                self._permuted = (self._base_images, self._base_labels)
            else:
                self._permuted = (self._base_images[self._order], self._base_labels[self._order])
        return self._permuted

    def _permute(self) -> None:
        order = np.arange(self._num_examples)
        self._rng.shuffle(order)
        self._order = self._order[order]
        self._permuted = None

    def next_batch_indices(self, batch_size: int, shuffle: bool = True) -> np.ndarray:
        """Advance exactly as `next_batch` would and return the batch as indices into `base_images`."""
        if not isinstance(batch_size, numbers.Integral) or isinstance(batch_size, bool):
            raise TypeError(f"batch_size must be an int; received batch_size={batch_size!r}")
        if not 1 <= batch_size <= self._num_examples:
            raise ValueError(
                f"batch_size must be between 1 and num_examples={self._num_examples}; received batch_size={batch_size}"
            )
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0 and shuffle:  # shuffle for the first epoch
            self._permute()
        if start + batch_size <= self._num_examples:
            self._index_in_epoch += batch_size
            return self._order[start : self._index_in_epoch]
        # The batch crosses the epoch end: the rest of this epoch, then the start of a reshuffled next one.
        self._epochs_completed += 1
        rest = self._order[start:]
        if shuffle:
            self._permute()
        self._index_in_epoch = batch_size - (self._num_examples - start)
        return np.concatenate((rest, self._order[: self._index_in_epoch]))

    def next_batch(self, batch_size: int, fake_data: bool = False, shuffle: bool = True) -> tuple[Any, Any]:
        """The next `batch_size` (images, labels), with TF1's epoch rules (module docstring).

        `batch_size` must be 1…num_examples: TF1 returned short batches and lost its place beyond that.
        """
        if fake_data:
            fake_image = [1] * 784
            fake_label = [1] + [0] * 9 if self.one_hot else 0
            return [fake_image for _ in range(batch_size)], [fake_label for _ in range(batch_size)]
        indices = self.next_batch_indices(batch_size, shuffle)
        return self._base_images[indices], self._base_labels[indices]


class Datasets(collections.namedtuple("Datasets", ["train", "validation", "test"])):
    """TF1's `Datasets(train, validation, test)` namedtuple, plus `source`: where the data came from.

    `source` is a one-line description for people ("IDX files in MNIST_data/", "embedded 10,000-digit
    subset …"); it is not a tuple field, so unpacking and comparisons behave as in TF1.
    """

    source: str = "arrays given in memory"

    def __new__(cls, train: DataSet, validation: DataSet, test: DataSet, source: str | None = None) -> Datasets:
        datasets = super().__new__(cls, train, validation, test)
        if source is not None:
            datasets.source = source
        return datasets
