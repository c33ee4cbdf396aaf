"""Keras' `mnist.npz` (x_train, y_train, x_test, y_test), read member by member within bounds.

The archive is what `np.savez` writes (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
a zip file holding one `.npy` file per array, each a magic string, a header (dtype, order, shape) and the
raw elements. `np.load` is not used, because it allocates whatever a member's header declares and unpacks
any file it is given. Here, for each of the four arrays:

- the `.npy` header is read first and checked: x_* uint8 with 3 dimensions (N, rows, cols), y_* integer
  with 1 dimension (N,), no object dtype (nothing is ever unpickled), size at most `bounded.MAX_PAYLOAD_BYTES`;
- the elements are read with the bounded reader: at most the declared size plus one byte, so a member that
  decompresses to far more than its header says costs no more memory than the header declares;
- every problem is a ValueError naming the file (and the array): a `.npy` saved under the name, not a zip,
  a missing array, a corrupt or truncated member, a wrong dtype or shape.
What the arrays must hold as MNIST (28×28 images, labels 0…9, matching counts) is checked in `sources.py`,
in one place for IDX files and mnist.npz alike.
"""

from __future__ import annotations

import contextlib
import os
import struct
import tokenize
import zipfile
import zlib
from collections.abc import Iterator
from typing import BinaryIO

import numpy as np

from tf1_bn.mnist import bounded

KEYS = ("x_train", "y_train", "x_test", "y_test")
_NPY_MAGIC = b"\x93NUMPY"
# What zipfile and numpy raise for a damaged archive or member: zipfile's BadZipFile, OSError and EOFError,
# zlib.error (deflate), NotImplementedError (an unknown compression method), RuntimeError (an "encrypted"
# member, or bz2/lzma missing), ValueError and struct.error (headers numpy or zipfile cannot parse), and
# tokenize.TokenError (numpy's fallback parser for a header literal_eval refused), and the bz2/lzma
# decompressors' errors (OSError, lzma.LZMAError) for a compression method flipped to theirs.
_ARCHIVE_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError, ValueError, struct.error,
    tokenize.TokenError,
)
try:
    import lzma
except ImportError:  # an interpreter built without lzma: zipfile then raises RuntimeError instead
    pass
else:
    _ARCHIVE_ERRORS += (lzma.LZMAError,)


@contextlib.contextmanager
def _archive_errors(name: str, key: str | None = None) -> Iterator[None]:
    """Wrap only zipfile/numpy calls: their errors become one ValueError naming the file (and array)."""
    try:
        yield
    except _ARCHIVE_ERRORS as error:
        where = f" ({key})" if key else ""
        raise ValueError(f"{name}: not a readable .npz archive{where}: {error}") from error


def _header(member: zipfile.ZipExtFile, name: str, key: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    """(shape, fortran_order, dtype) from a member's .npy header, read without touching its elements."""
    with _archive_errors(name, key):
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            return np.lib.format.read_array_header_1_0(member)
        if version == (2, 0):
            return np.lib.format.read_array_header_2_0(member)
        raise ValueError(f"unsupported .npy format version {version[0]}.{version[1]} (np.savez writes 1.0 or 2.0)")


def _check_header(key: str, shape: tuple[int, ...], dtype: np.dtype, name: str) -> None:
    images = key.startswith("x_")
    if images:
        good = dtype == np.uint8 and len(shape) == 3
    else:
        good = dtype.kind in "iu" and len(shape) == 1
    if not good or any(n < 0 for n in shape):
        expected = "uint8 (N, rows, cols)" if images else "integer labels (N,)"
        raise ValueError(f"{name}: {key} must be {expected}; received {dtype} {shape}")


def _read_member(archive: zipfile.ZipFile, member_name: str, name: str, key: str,
                 max_bytes: int | None) -> np.ndarray:
    with _archive_errors(name, key):
        member = archive.open(member_name)
    with member:
        shape, fortran_order, dtype = _header(member, name, key)
        _check_header(key, shape, dtype, name)
        nbytes = bounded.check_size(shape, dtype.itemsize, f"{name} ({key})", max_bytes)  # a Python int
        with _archive_errors(name, key):
            payload = bounded.read_at_most(member, nbytes + 1)  # + 1: detects trailing data
        bounded.check_payload(len(payload), nbytes, shape, f"{name} ({key})")
    return np.frombuffer(payload, dtype=dtype).reshape(shape, order="F" if fortran_order else "C")


def read_npz(path: str | os.PathLike | BinaryIO, *, max_bytes: int | None = None) -> dict[str, np.ndarray]:
    """The four arrays of a Keras-layout mnist.npz (a path or a seekable binary file object), by name, as
    stored: dtype and shape are checked here, values in `sources.check_arrays`.

    `max_bytes` bounds what each member's header may declare (default `bounded.MAX_PAYLOAD_BYTES`, 1 GiB).
    Raises ValueError naming the file for every problem with it (module docstring), TypeError for a `path`
    that is neither.
    """
    with bounded.opened(path, "path") as (handle, name):
        try:
            head = handle.read(len(_NPY_MAGIC))
            handle.seek(0)
        except OSError as error:
            raise bounded.unreadable(name, error) from error
        if head == _NPY_MAGIC:
            raise ValueError(
                f"{name} is a .npy array, not an .npz archive: expected a zip of the arrays {', '.join(KEYS)} "
                f"(np.savez(path, x_train=…, y_train=…, x_test=…, y_test=…) writes one)"
            )
        with _archive_errors(name):
            archive = zipfile.ZipFile(handle)
        with archive:
            members = set(archive.namelist())
            found = {key: key + ".npy" if key + ".npy" in members else key for key in KEYS}
            missing = [key for key, member in found.items() if member not in members]
            if missing:
                raise ValueError(
                    f"{name}: expected the arrays x_train, y_train, x_test, y_test; missing {', '.join(missing)}"
                )
            return {key: _read_member(archive, found[key], name, key, max_bytes) for key in KEYS}
