"""IDX files (the MNIST and Fashion-MNIST format), gzipped or raw, read strictly into NumPy.

The format (LeCun, Cortes & Burges, http://yann.lecun.com/exdb/mnist/, "FILE FORMATS"):

    bytes 0–1   zero
    byte  2     element type: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
    byte  3     number of dimensions d
    4·d bytes   the sizes, big-endian uint32
    the rest    the elements, big-endian, row-major (last index fastest)

MNIST's images are type 0x08 with 3 dimensions (magic 0x00000803 = 2051, what TF1's `extract_images`
checked), its labels type 0x08 with 1 dimension (0x00000801 = 2049).

- Compression is recognised by content (gzip's 1f 8b signature), not by the file name, so a raw file
  named `.gz` or a gzipped one without the suffix both read.
- Every error is a ValueError that names the file and says what was expected and what was found:
  truncated or corrupt gzip, a bad magic, a payload shorter or longer than the header announces.
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from typing import BinaryIO

import numpy as np

# IDX element-type byte -> NumPy dtype (big-endian where it matters).
IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
IMAGES_MAGIC = 0x00000803  # 2051: uint8, 3 dimensions (count, rows, columns)
LABELS_MAGIC = 0x00000801  # 2049: uint8, 1 dimension (count)
_GZIP_SIGNATURE = b"\x1f\x8b"


def decompress(data: bytes, name: str) -> bytes:
    """The IDX bytes of `data`: gunzipped when it starts with gzip's signature, else `data` itself.

    A gzip stream that ends early or fails its CRC raises ValueError naming `name`.
    """
    if not data.startswith(_GZIP_SIGNATURE):
        return data
    try:
        return gzip.decompress(data)
    except EOFError as error:
        raise ValueError(f"{name}: truncated gzip data, the stream ends before its end marker ({error})") from error
    except (OSError, zlib.error) as error:  # gzip.BadGzipFile is an OSError
        raise ValueError(f"{name}: corrupt gzip data ({error})") from error


def parse_idx(data: bytes, name: str) -> np.ndarray:
    """Parse uncompressed IDX bytes into an array of the header's type and shape (native byte order).

    Raises ValueError naming `name` when the header is malformed or the payload size disagrees with it.
    """
    if len(data) < 4:
        raise ValueError(f"{name}: too short for an IDX header: {len(data)} bytes, expected at least 4")
    zero, type_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or type_code not in IDX_DTYPES:
        raise ValueError(
            f"{name}: not an IDX file: magic 0x{data[:4].hex()} (first bytes), expected 0x0000 then a type "
            f"byte in {sorted(hex(t) for t in IDX_DTYPES)} and a dimension count (MNIST images 0x00000803, "
            f"labels 0x00000801)"
        )
    header_size = 4 + 4 * ndim
    if ndim == 0 or len(data) < header_size:
        raise ValueError(f"{name}: IDX header announces {ndim} dimensions but the file has {len(data)} bytes")
    shape = struct.unpack(f">{ndim}I", data[4:header_size])
    dtype = IDX_DTYPES[type_code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    received = len(data) - header_size
    if received != expected:
        problem = "truncated" if received < expected else "has trailing bytes"
        raise ValueError(
            f"{name}: payload {problem}: header shape {shape} needs {expected} bytes, file has {received}"
        )
    array = np.frombuffer(data, dtype=dtype, offset=header_size).reshape(shape)
    return array.astype(dtype.newbyteorder("="), copy=False)


def read_idx(source: str | os.PathLike | BinaryIO) -> np.ndarray:
    """Read an IDX file (path or binary file object), gzipped or raw."""
    if hasattr(source, "read"):
        name = str(getattr(source, "name", "<file object>"))
        data = source.read()
    else:
        name = os.fspath(source)
        with open(name, "rb") as handle:
            data = handle.read()
    return parse_idx(decompress(data, name), name)


def _expect_uint8(array: np.ndarray, ndim: int, what: str, magic: int, name: str) -> None:
    if array.dtype != np.uint8 or array.ndim != ndim:
        raise ValueError(
            f"{name}: expected an IDX {what} file (uint8, {ndim} dimension{'s' if ndim > 1 else ''}, magic "
            f"{magic}), received {array.dtype} with shape {array.shape}"
        )


def read_images(source: str | os.PathLike | BinaryIO) -> np.ndarray:
    """Images as uint8 `[count, rows, columns, 1]`, TF1's layout (`extract_images`)."""
    array = read_idx(source)
    _expect_uint8(array, 3, "images", IMAGES_MAGIC, _name(source))
    return array[..., np.newaxis]  # (count, rows, cols, 1)


def read_labels(source: str | os.PathLike | BinaryIO) -> np.ndarray:
    """Labels as uint8 `[count]` (`extract_labels` without one-hot)."""
    array = read_idx(source)
    _expect_uint8(array, 1, "labels", LABELS_MAGIC, _name(source))
    return array


def _name(source: str | os.PathLike | BinaryIO) -> str:
    if hasattr(source, "read"):
        return str(getattr(source, "name", "<file object>"))
    return os.fspath(source)
