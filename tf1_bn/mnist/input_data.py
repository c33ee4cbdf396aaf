"""`tensorflow.examples.tutorials.mnist.input_data`, which TF 2 removed, rebuilt with TF1's API.

Legacy scripts need one changed line:

    from tf1_bn.mnist import input_data           # was: from tensorflow.examples.tutorials.mnist import input_data
    mnist = input_data.read_data_sets("MNIST_data/", one_hot=True)
    batch_xs, batch_ys = mnist.train.next_batch(100)   # float32 (100, 784) in [0, 1], float64 (100, 10)

Behaviour follows TF1's `tensorflow/contrib/learn/python/learn/datasets/mnist.py` (see `dataset.py` for
`DataSet` and batching). What differs, and why:
- offline by default: instead of downloading, a missing data set falls back to the embedded 10,000-digit
  subset with a warning; downloads happen only when asked (`source="download"` or
  `TF1_BN_MNIST_SOURCE=download`). The source order is in `sources.py`.
- files are checked strictly (ValueError naming the file) instead of TF1's asserts, and read within
  bounds (at most what a header declares); raw (not gzipped) IDX files and Keras' mnist.npz are read too;
- the data must be MNIST-shaped: 28×28 images, labels 0…9 (TF1 accepted any size and failed later);
- nothing is printed ("Extracting …"); `Datasets.source` says where the data came from.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from typing import Any, BinaryIO

import numpy as np

from tf1_bn.mnist import bounded, embedded, idx, sources
from tf1_bn.mnist.dataset import DataSet, Datasets, check_seed, dense_to_one_hot, image_dtype
from tf1_bn.mnist.sources import DEFAULT_SOURCE_URL, ENV_VAR

__all__ = [
    "DEFAULT_SOURCE_URL", "DataSet", "Datasets", "EmbeddedSubsetWarning", "dense_to_one_hot",
    "extract_images", "extract_labels", "load_mnist", "read_data_sets",
]


class EmbeddedSubsetWarning(UserWarning):
    """`read_data_sets` found no MNIST on disk and used the embedded 10,000-digit subset."""


def extract_images(f: BinaryIO | str | os.PathLike) -> np.ndarray:
    """Images of an IDX file (gzipped or raw, file object or path) as uint8 `[index, y, x, depth]`.

    Raises ValueError naming the file when it is not an IDX image file (magic 2051) or is damaged.
    """
    bounded.check_source(f, "f")
    return idx.read_images(f)


def extract_labels(f: BinaryIO | str | os.PathLike, one_hot: bool = False, num_classes: int = 10) -> np.ndarray:
    """Labels of an IDX file as uint8 `[index]`, or float64 `[index, num_classes]` with `one_hot`."""
    bounded.check_source(f, "f")
    labels = idx.read_labels(f)
    return dense_to_one_hot(labels, num_classes) if one_hot else labels


def _check_paths(train_dir: Any, source_url: Any) -> None:
    if not isinstance(train_dir, (str, os.PathLike)):
        raise TypeError(
            f"train_dir must be a folder path (str or os.PathLike), the folder holding or receiving the MNIST "
            f"files; received train_dir={train_dir!r}"
        )
    if source_url is not None and not isinstance(source_url, str):
        raise TypeError(
            f"source_url must be a URL string (folder of the four .gz files) or None for TF1's default "
            f"{DEFAULT_SOURCE_URL!r}; received source_url={source_url!r}"
        )


def _check_validation_size(validation_size: Any) -> None:
    if not isinstance(validation_size, (int, np.integer)) or isinstance(validation_size, bool):
        raise TypeError(f"validation_size must be an int; received validation_size={validation_size!r}")


def _fallback_warning(train_dir: str | os.PathLike, n_validation: int) -> str:
    n_train = embedded.POOL_SIZE - n_validation
    return (
        f"No MNIST files in {os.fspath(train_dir)!r} and downloading is off, so read_data_sets uses the "
        f"{embedded.EMBEDDED_DESCRIPTION}: {n_train:,} train / {n_validation:,} validation / "
        f"{embedded.TEST_SIZE:,} test images (validation_size=5000, TF1's default for 60,000 images, means the "
        f"subset's stratified 1,000; other values take that many of its 9,000 training images). "
        f"For the full 70,000-digit MNIST, put the four IDX files ({', '.join(n + '.gz' for n in sources.IDX_NAMES)}) "
        f"or mnist.npz into {os.fspath(train_dir)!r}, or allow the download with "
        f"read_data_sets(..., source='download') or the environment variable {ENV_VAR}=download."
    )


def read_data_sets(
    train_dir: str | os.PathLike,
    fake_data: bool = False,
    one_hot: bool = False,
    dtype: Any = np.float32,
    reshape: bool = True,
    validation_size: int = 5000,
    seed: int | None = None,
    source_url: str = DEFAULT_SOURCE_URL,
    *,
    source: str | os.PathLike | None = None,
    sha256: Mapping[str, str] | None = None,
) -> Datasets:
    """MNIST (or any data set in MNIST's files) as `Datasets(train, validation, test)`, as TF1 returned it.

    Args (TF1's, in TF1's order):
        train_dir: folder with the four IDX files or mnist.npz; downloads go here.
        fake_data: TF1's test mode (all-ones images, no files read).
        one_hot: labels as float64 `[N, 10]` one-hot rows (TF1's dtype) instead of uint8 `[N]`.
        dtype: uint8 or float32 (pixels rescaled to [0, 1]); NumPy or TensorFlow dtype or name.
        reshape: images `[N, 784]`; False keeps `[N, 28, 28, 1]`.
        validation_size: how many of the first training images become the validation set; must be
            0…len(train) (TF1's rule). For the embedded subset: 0…9,000, with TF1's default 5000 taken
            as the subset's stratified 1,000 (so 8,000/1,000/1,000).
        seed: shuffling seed for `next_batch` (see `dataset.py`).
        source_url: where to download from (TF1's CVDF mirror by default; "" or None mean it too); a
            missing final "/" is added.
    Keyword-only (tf1_bn's):
        source: "auto" (default), "embedded", "download" or a folder; None reads `TF1_BN_MNIST_SOURCE`.
        sha256: expected sums of downloaded files by name; None pins MNIST's for the default URL.

    Returns: `Datasets`, whose `.source` describes what was read. Raises ValueError naming the file for
    every bad, unreadable or incomplete data file (see `sources.py`; files are read within bounds, see
    `bounded.py`) and ValueError naming the argument for bad values, TypeError naming the argument for
    arguments of the wrong type (train_dir, source_url, dtype, validation_size, seed, source),
    DownloadError when a requested download fails. Warns `EmbeddedSubsetWarning` once when falling back
    to the subset.
    """
    image_dtype(dtype)  # argument errors before any file is read
    _check_validation_size(validation_size)
    check_seed(seed)
    options = dict(dtype=dtype, reshape=reshape, seed=seed)
    if fake_data:  # TF1 read no file and ignored train_dir here, so any train_dir is accepted
        fake = [DataSet([], [], fake_data=True, one_hot=one_hot, **options) for _ in range(3)]
        return Datasets(*fake, source="fake data (TF1's fake_data=True)")
    _check_paths(train_dir, source_url)
    source_url = source_url or DEFAULT_SOURCE_URL  # TF1 treated "" and None as the default
    if not source_url.endswith("/"):
        source_url += "/"
    choice = sources.resolve_source(source)

    if choice == "download":
        raw = sources.read_or_download(train_dir, source_url, sha256)
    elif choice == "auto":
        raw = sources.read_folder(train_dir, required=False)
    elif choice == "embedded":
        raw = None
    else:
        raw = sources.read_folder(choice, required=True)

    if raw is None:  # the embedded subset: forced, or nothing on disk and no download
        arrays = embedded.load_embedded()
        n_validation = embedded.validation_count(validation_size)
        if choice == "auto":
            warnings.warn(_fallback_warning(train_dir, n_validation), EmbeddedSubsetWarning, stacklevel=2)
        train_images, train_labels = arrays.pool_images[..., np.newaxis], arrays.pool_labels  # (9000, 28, 28, 1)
        test_images, test_labels = arrays.test_images[..., np.newaxis], arrays.test_labels  # (1000, 28, 28, 1)
        description = embedded.EMBEDDED_DESCRIPTION
    else:
        n_validation = int(validation_size)
        if not 0 <= n_validation <= len(raw.train_images):
            raise ValueError(
                f"validation_size must be between 0 and {len(raw.train_images)} (the training images in "
                f"{raw.description}); received validation_size={validation_size}"
            )
        train_images, train_labels, test_images, test_labels = (
            raw.train_images, raw.train_labels, raw.test_images, raw.test_labels)
        description = raw.description

    if one_hot:
        train_labels, test_labels = dense_to_one_hot(train_labels, 10), dense_to_one_hot(test_labels, 10)
    train = DataSet(train_images[n_validation:], train_labels[n_validation:], **options)
    validation = DataSet(train_images[:n_validation], train_labels[:n_validation], **options)
    test = DataSet(test_images, test_labels, **options)
    return Datasets(train, validation, test, source=description)


def load_mnist(train_dir: str | os.PathLike = "MNIST-data") -> Datasets:
    """TF1's shortcut: `read_data_sets(train_dir)` with every default."""
    return read_data_sets(train_dir)
