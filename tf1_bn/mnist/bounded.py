"""Reading data files within bounds: the IDX and mnist.npz readers open and read every file through here.

- `opened(source)`: a path is opened for reading; an operating-system error (permission denied, a folder,
  a vanished file, an I/O error) becomes a ValueError naming the file. A file object is used as given.
- `check_size(shape, itemsize, …)`: a header that declares more than `MAX_PAYLOAD_BYTES` is refused before
  any of its payload is read.
- `read_at_most(stream, limit)`: reads in chunks and stops at `limit` bytes. Readers ask for the declared
  size plus one byte, so trailing data is detected without reading it, memory follows what the file really
  holds (never more than the declared size), and a stream is never decompressed whole: a 1 MB gzip that
  expands to 1 GiB behind a 10-image header costs 10 images' worth of memory.
- `check_payload(received, nbytes, …)`: "truncated" or "has trailing bytes", naming the file.
Byte counts are Python ints, so a header claiming 65536⁴ elements is a number in a message, not an overflow.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterator
from typing import Any, BinaryIO

# 1 GiB. The largest MNIST-family file, EMNIST ByClass's training images (697,932 × 28 × 28), holds 547 MB;
# MNIST's, Fashion-MNIST's and KMNIST's hold 47 MB. A header declaring more is damaged or hostile, and
# honouring it would mean allocating that much memory. Pass `max_bytes=` to the readers to change it.
MAX_PAYLOAD_BYTES = 1 << 30
_CHUNK = 1 << 20  # read granularity: memory grows with the data actually present, 1 MiB at a time


def file_name(source: Any) -> str:
    """How messages name `source`: its path, or a file object's `name` attribute."""
    if hasattr(source, "read"):
        return str(getattr(source, "name", "<file object>"))
    return os.fsdecode(source)


def unreadable(name: str, error: OSError) -> ValueError:
    """The ValueError for an operating-system error while opening or reading `name`."""
    return ValueError(f"{name}: cannot read the file ({error.strerror or error})")


def check_source(source: Any, argument: str = "source") -> None:
    """TypeError naming `argument` unless `source` is a path or has a `read` method."""
    if not hasattr(source, "read") and not isinstance(source, (str, bytes, os.PathLike)):
        raise TypeError(
            f"{argument} must be a file path (str or os.PathLike) or a binary file object; "
            f"received {argument}={source!r}"
        )


@contextlib.contextmanager
def opened(source: str | os.PathLike | BinaryIO, argument: str = "source") -> Iterator[tuple[BinaryIO, str]]:
    """(binary stream, name) for a path (opened and closed here) or a readable file object (used as is).

    Raises TypeError naming `argument` for anything else, ValueError naming the file when it cannot be opened.
    """
    check_source(source, argument)
    if hasattr(source, "read"):
        yield source, file_name(source)
        return
    name = file_name(source)
    try:
        handle = open(source, "rb")  # noqa: SIM115 (closed by the with below)
    except OSError as error:
        raise unreadable(name, error) from error
    with handle:
        yield handle, name


def check_size(shape: tuple[int, ...], itemsize: int, name: str, max_bytes: int | None = None) -> int:
    """The payload bytes a header's `shape` of `itemsize`-byte elements needs (a Python int), checked.

    ValueError naming `name` when that is more than `max_bytes` (default MAX_PAYLOAD_BYTES). Zero sizes do not
    excuse the others: (0, 2³², 2³²) is refused too, as NumPy could not even describe such an empty array.
    """
    limit = MAX_PAYLOAD_BYTES if max_bytes is None else max_bytes
    nbytes = math.prod(shape) * itemsize
    nominal = math.prod(n for n in shape if n) * itemsize
    if nominal > limit:
        ignoring = " (counting its non-zero sizes)" if nbytes == 0 else ""
        raise ValueError(
            f"{name}: header declares shape {shape}, {nominal:,} bytes{ignoring}, more than the {limit:,} this "
            f"reader accepts (the largest MNIST-like file, EMNIST ByClass's training images, holds 547 MB); the "
            f"header is damaged or this is not an MNIST-like file"
        )
    return nbytes


def read_at_most(stream: BinaryIO, limit: int) -> bytearray:
    """Up to `limit` bytes of `stream`, read in chunks (fewer at end of stream); never more than `limit`."""
    data = bytearray()
    while len(data) < limit:
        chunk = stream.read(min(_CHUNK, limit - len(data)))
        if not chunk:
            break
        data += chunk
    return data


def check_payload(received: int, nbytes: int, shape: tuple[int, ...], name: str) -> None:
    """ValueError naming `name` unless `received` (read with limit `nbytes` + 1) equals `nbytes`."""
    if received < nbytes:
        raise ValueError(
            f"{name}: payload truncated: header shape {shape} needs {nbytes:,} bytes, the file holds {received:,}"
        )
    if received > nbytes:
        raise ValueError(
            f"{name}: payload has trailing bytes: header shape {shape} needs {nbytes:,} bytes, the file holds more"
        )
