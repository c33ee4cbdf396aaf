"""IDX files (the MNIST and Fashion-MNIST format), gzipped or raw, read strictly and within bounds into NumPy.

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
- The file is streamed: the header first, then at most the declared payload plus one byte (`bounded.py`),
  so memory is bounded by the declared size whatever a gzip stream would expand to. A header declaring
  more than `bounded.MAX_PAYLOAD_BYTES` or more than `MAX_DIMENSIONS` dimensions is refused before reading on.
- Every problem with the file is a ValueError that names it and says what was expected and what was
  found: unreadable (permissions, a folder), truncated or corrupt gzip, a bad magic, too many dimensions,
  an oversized header, a payload shorter or longer than the header announces.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import struct
import zlib
from collections.abc import Iterator
from typing import BinaryIO

import numpy as np

from tf1_bn.mnist import bounded

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
MAX_DIMENSIONS = 32  # NumPy 1.x's array limit (2.x allows 64), so every NumPy reads the same files; MNIST uses 1 and 3
_GZIP_SIGNATURE = b"\x1f\x8b"


class _Prefixed:
    """`head` followed by the rest of `stream`; read(size) is all gzip.GzipFile and the parser call."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head, self._stream = head, stream

    def read(self, size: int) -> bytes:
        if self._head:
            piece, self._head = self._head[:size], self._head[size:]
            return piece
        return self._stream.read(size)


@contextlib.contextmanager
def _stream_errors(name: str) -> Iterator[None]:
    """Turn the errors of reading (and gunzipping) `name` into ValueErrors naming it; ours pass through."""
    try:
        yield
    except EOFError as error:
        raise ValueError(f"{name}: truncated gzip data, the stream ends before its end marker ({error})") from error
    except (gzip.BadGzipFile, zlib.error) as error:
        raise ValueError(f"{name}: corrupt gzip data ({error})") from error
    except OSError as error:
        raise bounded.unreadable(name, error) from error


def _read(stream: BinaryIO, size: int) -> bytes:
    return bytes(bounded.read_at_most(stream, size))


def _parse(stream: BinaryIO, name: str, max_bytes: int | None) -> np.ndarray:
    """Header, checks, then the payload (at most the declared size plus one byte) of an uncompressed stream."""
    magic = _read(stream, 4)
    if len(magic) < 4:
        raise ValueError(f"{name}: too short for an IDX header: {len(magic)} bytes, expected at least 4")
    zero, type_code, ndim = struct.unpack(">HBB", magic)
    if zero != 0 or type_code not in IDX_DTYPES:
        raise ValueError(
            f"{name}: not an IDX file: magic 0x{magic.hex()} (first bytes), expected 0x0000 then a type "
            f"byte in {sorted(hex(t) for t in IDX_DTYPES)} and a dimension count (MNIST images 0x00000803, "
            f"labels 0x00000801)"
        )
    if not 1 <= ndim <= MAX_DIMENSIONS:
        raise ValueError(
            f"{name}: IDX header announces {ndim} dimensions; expected 1 to {MAX_DIMENSIONS} "
            f"(MNIST images have 3, labels 1)"
        )
    sizes = _read(stream, 4 * ndim)
    if len(sizes) < 4 * ndim:
        raise ValueError(
            f"{name}: IDX header announces {ndim} dimensions but the file has {4 + len(sizes)} bytes, "
            f"expected at least {4 + 4 * ndim}"
        )
    shape = struct.unpack(f">{ndim}I", sizes)
    dtype = IDX_DTYPES[type_code]
    nbytes = bounded.check_size(shape, dtype.itemsize, name, max_bytes)  # a Python int: 65536⁴ stays exact
    payload = bounded.read_at_most(stream, nbytes + 1)  # + 1: detects trailing data without reading it
    bounded.check_payload(len(payload), nbytes, shape, name)
    array = np.frombuffer(payload, dtype=dtype).reshape(shape)
    return array.astype(dtype.newbyteorder("="), copy=False)


def read_idx(source: str | os.PathLike | BinaryIO, *, max_bytes: int | None = None) -> np.ndarray:
    """Read an IDX file (path or binary file object), gzipped or raw, into an array of its type and shape.

    `max_bytes` bounds the payload a header may declare (default `bounded.MAX_PAYLOAD_BYTES`, 1 GiB).
    Raises ValueError naming the file for every problem with it (module docstring), TypeError when
    `source` is neither a path nor a binary file object.
    """
    with bounded.opened(source) as (stream, name), _stream_errors(name):
        head = stream.read(2)
        if not isinstance(head, bytes):
            raise TypeError(f"{name}: expected a binary file object (opened with 'rb'); received a text stream")
        stream = _Prefixed(head, stream)
        if head != _GZIP_SIGNATURE:
            return _parse(stream, name, max_bytes)
        with gzip.GzipFile(fileobj=stream, mode="rb") as unzipped:  # decompresses only what _parse reads
            return _parse(unzipped, name, max_bytes)


def _expect_uint8(array: np.ndarray, ndim: int, what: str, magic: int, name: str) -> None:
    if array.dtype != np.uint8 or array.ndim != ndim:
        raise ValueError(
            f"{name}: expected an IDX {what} file (uint8, {ndim} dimension{'s' if ndim > 1 else ''}, magic "
            f"{magic}), received {array.dtype} with shape {array.shape}"
        )


def read_images(source: str | os.PathLike | BinaryIO, *, max_bytes: int | None = None) -> np.ndarray:
    """Images as uint8 `[count, rows, columns, 1]`, TF1's layout (`extract_images`)."""
    array = read_idx(source, max_bytes=max_bytes)
    _expect_uint8(array, 3, "images", IMAGES_MAGIC, bounded.file_name(source))
    return array[..., np.newaxis]  # (count, rows, cols, 1)


def read_labels(source: str | os.PathLike | BinaryIO, *, max_bytes: int | None = None) -> np.ndarray:
    """Labels as uint8 `[count]` (`extract_labels` without one-hot)."""
    array = read_idx(source, max_bytes=max_bytes)
    _expect_uint8(array, 1, "labels", LABELS_MAGIC, bounded.file_name(source))
    return array
