"""Where MNIST comes from: the source order, the `source` switch and the `TF1_BN_MNIST_SOURCE` variable.

The order, for `read_data_sets(train_dir)` with the default `source="auto"`:
1. the four IDX files in `train_dir` — `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
   `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each gzipped (`.gz`, TF1's names) or raw (also
   the `train-images.idx3-ubyte` spelling of some archives);
2. `mnist.npz` in `train_dir` (Keras' layout: x_train, y_train, x_test, y_test);
3. the embedded 10,000-digit subset, with one `EmbeddedSubsetWarning` that says how to get the full set.
Downloading is off unless asked for: the default path never touches the network.

`source` (or the environment variable `TF1_BN_MNIST_SOURCE` when `source` is None) forces a choice:
- "auto": the order above;
- "embedded": the embedded subset, whatever is on disk, without a warning;
- "download": files already in `train_dir` if complete, else the missing canonical files are
  downloaded from `source_url` into `train_dir`; a failed download raises (no embedded fallback);
- any other value: a folder to read the IDX files or mnist.npz from instead of `train_dir`; it must
  exist and hold them (no download, no fallback). Write "./download" for a folder named download.
Files that exist but are bad always raise ValueError naming the file; they are never replaced by the
embedded subset. Bad means: unreadable (permissions, a folder), truncated, corrupt, a wrong header or one
declaring more than the readers accept (`bounded.py`), counts that disagree, images that are not 28×28,
labels outside 0…9 (`check_arrays`, one place for IDX files and mnist.npz). So is an incomplete IDX set.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from tf1_bn.mnist import idx, npz
from tf1_bn.mnist.download import download

ENV_VAR = "TF1_BN_MNIST_SOURCE"
KEYWORDS = ("auto", "embedded", "download")
DEFAULT_SOURCE_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"  # TF1's CVDF mirror of LeCun's files
TRAIN_IMAGES, TRAIN_LABELS = "train-images-idx3-ubyte", "train-labels-idx1-ubyte"
TEST_IMAGES, TEST_LABELS = "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"
IDX_NAMES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)
NPZ_NAME = "mnist.npz"
IMAGE_SIZE = (28, 28)  # MNIST's, Fashion-MNIST's and KMNIST's rows × columns
NUM_CLASSES = 10
# RawData's fields -> the IDX file / the mnist.npz array holding them.
_IDX_ROLES = {"train_images": TRAIN_IMAGES, "train_labels": TRAIN_LABELS, "test_images": TEST_IMAGES,
              "test_labels": TEST_LABELS}
_NPZ_ROLES = {"train_images": "x_train", "train_labels": "y_train", "test_images": "x_test", "test_labels": "y_test"}
# sha256 of the canonical gzipped files (tensorflow/datasets url_checksums/mnist.txt; sizes 9,912,422,
# 28,881, 1,648,877 and 4,542 bytes), checked after a download from DEFAULT_SOURCE_URL.
MNIST_SHA256 = {
    TRAIN_IMAGES + ".gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    TRAIN_LABELS + ".gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    TEST_IMAGES + ".gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    TEST_LABELS + ".gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}


@dataclass(frozen=True)
class RawData:
    """Unsplit data as read from disk: uint8 images (N, rows, cols, 1), uint8 labels (N,)."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    description: str


def resolve_source(source: str | os.PathLike | None) -> str:
    """`source`, else the environment variable, else "auto"; a folder must exist (ValueError otherwise)."""
    origin = "source"
    if source is None:
        source, origin = os.environ.get(ENV_VAR) or "auto", ENV_VAR
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(f"source must be {', '.join(KEYWORDS)} or a folder path; received source={source!r}")
    source = os.fspath(source)
    if source in KEYWORDS:
        return source
    source = os.path.expanduser(source)
    if not os.path.isdir(source):
        raise ValueError(
            f"{origin}={source!r} is neither one of {', '.join(KEYWORDS)} nor an existing folder "
            f"(a folder must hold the four MNIST IDX files or {NPZ_NAME})"
        )
    return source


def find_idx_files(folder: str | os.PathLike) -> dict[str, pathlib.Path]:
    """The canonical IDX files present in `folder`: canonical name -> path (gzipped preferred)."""
    found = {}
    for name in IDX_NAMES:
        dotted = name.replace("-idx", ".idx")  # train-images.idx3-ubyte, as some archives spell it
        for candidate in (name + ".gz", name, dotted, dotted + ".gz"):
            path = pathlib.Path(folder, candidate)
            if path.is_file():
                found[name] = path
                break
    return found


def check_arrays(arrays: Mapping[str, np.ndarray], names: Mapping[str, str], description: str,
                 prefix: str = "") -> RawData:
    """The one place that checks what the arrays must hold as MNIST, for IDX files and mnist.npz alike.

    `arrays` maps RawData's four field names to uint8 images (N, rows, cols) and integer labels (N,) as the
    readers return them (dtype and rank already checked there); `names` says how messages call each one
    (a file path, or "x_train" after `prefix` "…/mnist.npz: "). Checked, in this order, each a ValueError
    naming the file and what was expected: image and label counts agree per split; training and test images
    have one size; that size is MNIST's 28×28 (read_data_sets' 784-pixel rows and every model here assume
    it); labels are classes 0…9. Returns RawData with images (N, 28, 28, 1) and uint8 labels.
    """
    def where(role: str) -> str:
        return f"{prefix}{names[role]}"

    for images, labels in (("train_images", "train_labels"), ("test_images", "test_labels")):
        if len(arrays[images]) != len(arrays[labels]):
            raise ValueError(
                f"{where(images)} has {len(arrays[images])} images but {names[labels]} has "
                f"{len(arrays[labels])} labels; they must match"
            )
    train_size, test_size = arrays["train_images"].shape[1:], arrays["test_images"].shape[1:]
    if train_size != test_size:
        raise ValueError(
            f"{where('train_images')} holds {_size(train_size)} images but {names['test_images']} holds "
            f"{_size(test_size)}; training and test images must have one size"
        )
    for role in ("train_images", "test_images"):
        if arrays[role].shape[1:] != IMAGE_SIZE:
            raise ValueError(
                f"{where(role)} holds {_size(arrays[role].shape[1:])} images; expected MNIST's "
                f"{_size(IMAGE_SIZE)} (read_data_sets' 784-pixel rows and the models built on them assume it)"
            )
    for role in ("train_labels", "test_labels"):
        labels = arrays[role]
        if labels.size and (labels.min() < 0 or labels.max() >= NUM_CLASSES):
            raise ValueError(
                f"{where(role)} holds label values from {labels.min()} to {labels.max()}; expected classes "
                f"0…{NUM_CLASSES - 1}"
            )
    return RawData(
        arrays["train_images"][..., np.newaxis], arrays["train_labels"].astype(np.uint8),
        arrays["test_images"][..., np.newaxis], arrays["test_labels"].astype(np.uint8), description,
    )


def _size(shape: tuple[int, ...]) -> str:
    return "×".join(str(n) for n in shape)


def read_idx_set(files: Mapping[str, pathlib.Path], description: str) -> RawData:
    """Read the four IDX files (bounded, `idx.py`) and check them as MNIST (`check_arrays`)."""
    arrays = {}
    for role, canonical in _IDX_ROLES.items():
        if role.endswith("images"):
            arrays[role] = idx.read_images(files[canonical])[..., 0]  # (N, rows, cols)
        else:
            arrays[role] = idx.read_labels(files[canonical])
    return check_arrays(arrays, {role: str(files[canonical]) for role, canonical in _IDX_ROLES.items()}, description)


def read_npz(path: str | os.PathLike) -> RawData:
    """Read Keras' mnist.npz (bounded, `npz.py`) and check it as MNIST (`check_arrays`)."""
    arrays = npz.read_npz(path)
    return check_arrays(
        {role: arrays[key] for role, key in _NPZ_ROLES.items()}, _NPZ_ROLES, f"{os.fspath(path)} (Keras layout)",
        prefix=f"{os.fspath(path)}: ",
    )


def read_folder(folder: str | os.PathLike, *, required: bool) -> RawData | None:
    """IDX files, else mnist.npz, from `folder`; None if it holds neither and not `required`.

    An incomplete IDX set (some of the four files, no mnist.npz) raises ValueError: it looks like an
    interrupted copy, and silently using other data would hide that.
    """
    files = find_idx_files(folder)
    if len(files) == len(IDX_NAMES):
        return read_idx_set(files, f"IDX files in {folder}")
    npz = pathlib.Path(folder, NPZ_NAME)
    if npz.is_file():
        return read_npz(npz)
    if files:
        missing = [name + ".gz" for name in IDX_NAMES if name not in files]
        raise ValueError(
            f"{folder} holds only part of the MNIST IDX files: {', '.join(missing)} missing; add them, or "
            f"use source='download' (or {ENV_VAR}=download) to fetch the missing ones"
        )
    if required:
        raise ValueError(
            f"{folder} holds neither the four MNIST IDX files ({', '.join(n + '.gz' for n in IDX_NAMES)}, "
            f"gzipped or not) nor {NPZ_NAME}"
        )
    return None


def read_or_download(train_dir: str | os.PathLike, source_url: str,
                     sha256: Mapping[str, str] | None) -> RawData:
    """A complete IDX set or mnist.npz in `train_dir`, else download the missing canonical `.gz` files.

    `sha256` maps file names to expected sums; None means the canonical MNIST sums when `source_url` is
    TF1's default, and no pinned sums otherwise (the IDX checks still run on every file).
    """
    if sha256 is None:
        sha256 = MNIST_SHA256 if source_url == DEFAULT_SOURCE_URL else {}
    present = find_idx_files(train_dir)
    if len(present) < len(IDX_NAMES) and pathlib.Path(train_dir, NPZ_NAME).is_file():
        return read_npz(pathlib.Path(train_dir, NPZ_NAME))
    missing = [name + ".gz" for name in IDX_NAMES if name not in present]
    for file_name in missing:
        download(source_url + file_name, pathlib.Path(train_dir, file_name), sha256.get(file_name))
    fetched = f" ({len(missing)} downloaded from {source_url})" if missing else ""
    return read_idx_set(find_idx_files(train_dir), f"IDX files in {train_dir}{fetched}")
