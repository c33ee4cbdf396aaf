"""Shared helpers for the tests/test_mnist_*.py files: an independent IDX writer, synthetic data sets,
and a throw-away HTTP server on 127.0.0.1 (the tests never touch the real network)."""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import io
import pathlib
import struct
import threading
import zipfile
import zlib
from collections.abc import Iterator

import numpy as np
import pytest

IDX_NAMES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
_TYPE_BYTES = {np.dtype(np.uint8): 0x08, np.dtype(np.int8): 0x09, np.dtype(">i2"): 0x0B, np.dtype(">i4"): 0x0C,
               np.dtype(">f4"): 0x0D, np.dtype(">f8"): 0x0E}


def idx_bytes(array: np.ndarray, dtype: str | np.dtype = np.uint8) -> bytes:
    """IDX encoding written from the format description, independently of tf1_bn.mnist.idx."""
    dtype = np.dtype(dtype)
    header = bytes([0, 0, _TYPE_BYTES[dtype], array.ndim]) + b"".join(struct.pack(">I", n) for n in array.shape)
    return header + np.ascontiguousarray(array, dtype=dtype).tobytes()


def write_file(path: pathlib.Path, payload: bytes, gz: bool) -> pathlib.Path:
    path.write_bytes(gzip.compress(payload, mtime=0) if gz else payload)
    return path


def synthetic(n_train: int = 60, n_test: int = 20, rows: int = 28, cols: int = 28, seed: int = 0) -> dict:
    """uint8 images and labels with every pixel level and class represented."""
    rng = np.random.default_rng(seed)
    return {
        "train_images": rng.integers(0, 256, (n_train, rows, cols), dtype=np.uint8),
        "train_labels": (np.arange(n_train) % 10).astype(np.uint8),
        "test_images": rng.integers(0, 256, (n_test, rows, cols), dtype=np.uint8),
        "test_labels": rng.integers(0, 10, n_test, dtype=np.uint8),
    }


def write_idx_set(folder: pathlib.Path, data: dict, gz: bool | tuple = True) -> dict[str, pathlib.Path]:
    """The four canonical files in `folder`; `gz` may be one flag or one per file (mixed sets)."""
    folder.mkdir(parents=True, exist_ok=True)
    flags = gz if isinstance(gz, tuple) else (gz,) * 4
    arrays = (data["train_images"], data["train_labels"], data["test_images"], data["test_labels"])
    paths = {}
    for name, array, flag in zip(IDX_NAMES, arrays, flags, strict=True):
        paths[name] = write_file(folder / (name + (".gz" if flag else "")), idx_bytes(array), flag)
    return paths


def write_npz(path, data: dict, compressed: bool = False):
    """Keras' mnist.npz layout, written by np.savez (or savez_compressed); `path` may be a file object."""
    save = np.savez_compressed if compressed else np.savez
    save(path, x_train=data["train_images"], y_train=data["train_labels"],
         x_test=data["test_images"], y_test=data["test_labels"])
    return path


def gzip_with_zeros(content: bytes, zeros: int) -> bytes:
    """A gzip stream of `content` followed by `zeros` zero bytes, compressed chunk by chunk (a gzip bomb:
    64 MiB of zeros take 64 kB) without ever holding the expanded data."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip container
    parts = [compressor.compress(content)]
    block = bytes(min(zeros, 1 << 20))
    while zeros > 0:
        parts.append(compressor.compress(block[:zeros]))
        zeros -= len(block)
    parts.append(compressor.flush())
    return b"".join(parts)


def npz_members(archive: bytes) -> dict[str, bytes]:
    """The member files (name -> .npy bytes) of an .npz held in memory."""
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        return {name: opened.read(name) for name in opened.namelist()}


def zip_members(members: dict[str, bytes], compressed: bool) -> bytes:
    """An .npz (a zip of .npy files, as np.savez writes it) from member bytes, possibly altered ones."""
    buffer = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, payload in members.items():
            archive.writestr(name, payload)
    return buffer.getvalue()


def npy_header(shape: tuple, descr: str = "|u1", fortran_order: bool = False) -> bytes:
    """A .npy version 1.0 header declaring `shape` and `descr`, whatever they are (no array is built)."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": fortran_order, "shape": shape})
    return buffer.getvalue()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def http_server(folder: pathlib.Path) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 (a free port) for the duration; yields the base URL ending in '/'."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def no_source_env(monkeypatch):
    """Autouse in every module that imports it: tests start without TF1_BN_MNIST_SOURCE, whatever the shell has."""
    monkeypatch.delenv("TF1_BN_MNIST_SOURCE", raising=False)
