"""The data readers stay bounded and specific on hostile files (issue 16, "Data readers bounded and specific").

One test per class of bad input, then a hypothesis property over mutated valid files: whatever the bytes,
reading a folder raises nothing but a ValueError naming the file, and peak memory (tracemalloc) stays
within a few times what the headers declare, however far a gzip or zip member would expand.
"""

from __future__ import annotations

import builtins
import gzip
import io
import math
import os
import pathlib
import struct
import tracemalloc
import zipfile
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from mnist_fixtures import (  # noqa: F401 (no_source_env: autouse fixture)
    IDX_NAMES, gzip_with_zeros, idx_bytes, no_source_env, npy_header, npz_members, synthetic, write_file,
    write_idx_set, write_npz, zip_members,
)

from tf1_bn.mnist import bounded, idx, input_data, npz, sources

# Fixed overhead a read may add to its data: gzip/zlib buffers, zipfile state, and one-time caches (numpy's
# fallback header parser compiles tokenize's regular expressions on first use, ~0.5 MB).
SLACK = 1 << 20
IMAGES_10 = idx_bytes(np.zeros((10, 28, 28), np.uint8))  # header + 7,840 bytes


def _peak(function, *args, **kwargs):
    """(exception or None, peak traced bytes) of calling function."""
    tracemalloc.start()
    try:
        function(*args, **kwargs)
        error = None
    except Exception as raised:  # noqa: BLE001 (the caller asserts on it)
        error = raised
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return error, peak


def _npy_payload(member: bytes) -> bytes:
    """The elements of a .npy file, without its header."""
    stream = io.BytesIO(member)
    assert np.lib.format.read_magic(stream) == (1, 0)  # what np.savez writes for these arrays
    np.lib.format.read_array_header_1_0(stream)
    return member[stream.tell():]


def _header(type_code: int, shape: tuple[int, ...]) -> bytes:
    return bytes([0, 0, type_code, len(shape)]) + struct.pack(f">{len(shape)}I", *shape)


# --- IDX headers declaring absurd sizes or dimension counts ---------------------------------------------

HEADERS = {  # name: (header bytes, words the message must hold)
    "65536⁴ sizes": (_header(0x08, (65536,) * 4), "18,446,744,073,709,551,616 bytes"),
    "float64 at 2³²−1 per side": (_header(0x0E, (2**32 - 1,) * 3), "more than the 1,073,741,824"),
    "no images of 2³²−1 × 2³²−1": (_header(0x08, (0, 2**32 - 1, 2**32 - 1)), "(counting its non-zero sizes)"),
    "65 dimensions": (_header(0x08, (1,) * 65), "65 dimensions; expected 1 to 32"),
    "255 dimensions": (_header(0x08, (1,) * 255), "255 dimensions"),
    "33 dimensions": (_header(0x08, (1,) * 33), "33 dimensions"),
}


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("case", HEADERS)
def test_absurd_idx_headers_are_named_value_errors_not_numpy_errors(tmp_path, case, gz):
    header, words = HEADERS[case]
    path = write_file(tmp_path / "train-images-idx3-ubyte.gz", header + b"\0" * 64, gz)
    error, peak = _peak(idx.read_idx, path)
    assert isinstance(error, ValueError) and str(path) in str(error) and words in str(error)
    assert "reshape" not in str(error) and "maximum supported dimension" not in str(error)
    assert peak < SLACK  # refused from the header alone


def test_declared_size_cap_says_what_and_why_and_can_be_changed(tmp_path):
    path = write_file(tmp_path / "images", IMAGES_10, gz=True)
    with pytest.raises(ValueError, match=r"7,840 bytes, more than the 1,000 this reader accepts .*MNIST") as raised:
        idx.read_idx(path, max_bytes=1000)
    assert str(path) in str(raised.value)
    assert idx.read_idx(path, max_bytes=7840).shape == (10, 28, 28)


# --- gzip (and zip member) bombs: read at most the declared size plus one byte --------------------------

@pytest.mark.parametrize("zeros", [1, 64 << 20])
def test_gzip_bomb_behind_a_small_header_is_refused_within_the_declared_memory(tmp_path, zeros):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip_with_zeros(IMAGES_10, zeros))  # 64 MiB of zeros: a 65 kB file
    error, peak = _peak(idx.read_images, path)
    assert isinstance(error, ValueError) and str(path) in str(error) and "trailing bytes" in str(error)
    assert peak < 3 * 7840 + SLACK


def test_small_gzip_declaring_a_large_payload_costs_only_what_it_holds(tmp_path):
    header = _header(0x08, (1_000_000, 28, 28))  # 784 MB declared, within the cap; 16 bytes present
    path = write_file(tmp_path / "images.gz", header + b"\0" * 16, gz=True)
    error, peak = _peak(idx.read_idx, path)
    assert isinstance(error, ValueError) and "truncated" in str(error) and "the file holds 16" in str(error)
    assert peak < 3 * (1 << 20) + SLACK  # one read chunk, not 784 MB


@pytest.mark.parametrize("compressed", [False, True])
def test_npz_member_expanding_past_its_header_is_refused_within_the_declared_memory(tmp_path, compressed):
    members = npz_members(write_npz(io.BytesIO(), synthetic(n_train=10, n_test=10)).getvalue())
    members["x_train.npy"] += bytes(8 << 20)  # 8 MiB of zeros behind a (10, 28, 28) header
    path = tmp_path / "mnist.npz"
    path.write_bytes(zip_members(members, compressed))
    error, peak = _peak(sources.read_npz, path)
    assert isinstance(error, ValueError) and str(path) in str(error)
    assert "(x_train): payload has trailing bytes" in str(error)
    assert peak < 3 * 4 * 7840 + SLACK


def test_npz_header_declaring_huge_shape_is_refused_before_allocation(tmp_path):
    members = npz_members(write_npz(io.BytesIO(), synthetic()).getvalue())
    members["x_test.npy"] = npy_header((65536, 65536, 65536)) + _npy_payload(members["x_test.npy"])
    path = tmp_path / "mnist.npz"
    path.write_bytes(zip_members(members, compressed=True))
    error, peak = _peak(sources.read_npz, path)
    assert isinstance(error, ValueError) and "(x_test): header declares shape (65536, 65536, 65536)" in str(error)
    assert "281,474,976,710,656 bytes" in str(error) and peak < 3 * 60 * 784 + SLACK


# --- what the arrays must hold: the file is what it claims, 28×28 images, labels 0…9 --------------------

def test_npy_saved_as_mnist_npz_is_named(tmp_path):
    np.save(tmp_path / "array.npy", np.zeros((3, 28, 28), np.uint8))
    os.replace(tmp_path / "array.npy", tmp_path / "mnist.npz")
    with pytest.raises(ValueError, match="is a .npy array, not an .npz archive") as raised:
        input_data.read_data_sets(tmp_path)
    assert str(tmp_path / "mnist.npz") in str(raised.value)


# problem: (the array it changes, the IDX file and the mnist.npz array the message must name, its words)
BAD_VALUES = {
    "label 10": ("test_labels", "t10k-labels-idx1-ubyte", "y_test", "values from 0 to 10; expected classes 0…9"),
    "label 255": ("train_labels", "train-labels-idx1-ubyte", "y_train", "values from 0 to 255; expected classes 0…9"),
    "10×10 images": ("train_images", "train-images-idx3-ubyte", "x_train", "10×10 images; expected MNIST's 28×28"),
}


@pytest.mark.parametrize("layout", ["idx", "npz"])
@pytest.mark.parametrize("problem", BAD_VALUES)
@pytest.mark.parametrize("one_hot", [False, True])
def test_values_mnist_cannot_hold_are_named_before_any_model_sees_them(tmp_path, layout, problem, one_hot):
    role, idx_name, npz_key, words = BAD_VALUES[problem]
    data = synthetic(rows=10, cols=10) if problem == "10×10 images" else synthetic()
    if problem.startswith("label"):
        data[role][3] = int(problem.split()[1])
    if layout == "npz":
        where = f"{write_npz(tmp_path / 'mnist.npz', data)}: {npz_key}"
    else:
        where = str(write_idx_set(tmp_path, data)[idx_name])
    with pytest.raises(ValueError, match=words) as raised:
        input_data.read_data_sets(tmp_path, one_hot=one_hot)
    assert where in str(raised.value)


# --- unreadable files: a ValueError naming the file, whatever the operating system says -----------------

def _deny(monkeypatch, path: pathlib.Path) -> None:
    """Make opening `path` fail as a file without read permission does (root ignores chmod)."""
    if os.geteuid() != 0:
        path.chmod(0)
        return
    real_open = builtins.open

    def open_denied(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and os.fspath(file) == str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", open_denied)


@pytest.mark.parametrize("layout", ["idx", "npz"])
def test_unreadable_data_file_is_a_value_error_naming_it(tmp_path, monkeypatch, layout):
    if layout == "npz":
        target = write_npz(tmp_path / "mnist.npz", synthetic())
    else:
        target = write_idx_set(tmp_path, synthetic())["t10k-images-idx3-ubyte"]
    _deny(monkeypatch, target)
    with pytest.raises(ValueError, match="cannot read the file") as raised:
        input_data.read_data_sets(tmp_path)
    message = str(raised.value)
    assert message == f"{target}: cannot read the file (Permission denied)" and "\n" not in message
    assert isinstance(raised.value.__cause__, PermissionError)


def test_a_folder_or_a_failing_read_is_named_too(tmp_path):
    with pytest.raises(ValueError, match=f"{tmp_path}: cannot read the file"):
        idx.read_idx(tmp_path)

    class FailingFile(io.RawIOBase):
        name = "flaky-disk"

        def readable(self):
            return True

        def readinto(self, buffer):
            raise OSError(5, "Input/output error")

    with pytest.raises(ValueError, match=r"flaky-disk: cannot read the file \(Input/output error\)"):
        idx.read_idx(io.BufferedReader(FailingFile()))


# --- arguments of the wrong type: TypeError naming the argument and what was expected -------------------

@pytest.mark.parametrize("call, argument", [
    (lambda: input_data.read_data_sets(None), "train_dir=None"),
    (lambda: input_data.read_data_sets(123), "train_dir=123"),
    (lambda: input_data.read_data_sets("MNIST_data", source_url=123), "source_url=123"),
    (lambda: input_data.extract_images(123), "f=123"),
    (lambda: input_data.extract_labels(None), "f=None"),
    (lambda: idx.read_idx(4.5), "source=4.5"),
    (lambda: npz.read_npz(None), "path=None"),
])
def test_wrong_argument_types_are_type_errors_naming_the_argument(call, argument):
    with pytest.raises(TypeError, match="must be") as raised:
        call()
    assert argument in str(raised.value)


def test_text_streams_are_refused_and_fake_data_keeps_tf1s_unused_train_dir():
    with pytest.raises(TypeError, match="binary file object"):
        idx.read_idx(io.StringIO("\0\0\x08\x01"))
    assert input_data.read_data_sets(None, fake_data=True).train.num_examples == 10000  # TF1 ignored it


# --- the property: mutated valid files give only the documented ValueError, in bounded memory -----------

BASE = synthetic(n_train=12, n_test=6)
ROLES = dict(zip(IDX_NAMES, ("train_images", "train_labels", "test_images", "test_labels"), strict=True))
_ITEMSIZE = {code: dtype.itemsize for code, dtype in idx.IDX_DTYPES.items()}


def _idx_declared(data: bytes) -> int:
    """Payload bytes an IDX file's header declares (0 when it has no parsable header); a test-side parse."""
    if data[:2] == b"\x1f\x8b":  # gunzip byte by byte: keep what comes out before a bad CRC or a corrupt block
        decompressor, head = zlib.decompressobj(31), b""
        for i in range(len(data)):
            try:
                head += decompressor.decompress(data[i:i + 1])
            except zlib.error:
                break
            if len(head) >= 4 + 4 * 255 or decompressor.eof:
                break
        data = head
    if len(data) < 4 or data[:2] != b"\0\0" or data[2] not in _ITEMSIZE or len(data) < 4 + 4 * data[3]:
        return 0
    return math.prod(struct.unpack(f">{data[3]}I", data[4:4 + 4 * data[3]])) * _ITEMSIZE[data[2]]


def _npz_declared(data: bytes) -> int:
    """Payload bytes the members' .npy headers declare, summed (0 for a member without a readable header)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception:  # noqa: BLE001 (the reader must then fail before reading any payload)
        return 0
    total = 0
    with archive:
        for key in npz.KEYS:
            try:
                with archive.open(key + ".npy") as member:
                    version = np.lib.format.read_magic(member)
                    header = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
                    shape, _, dtype = header[version](member)
            except Exception:  # noqa: BLE001 (no readable header: the reader stops there too)
                continue
            if min(shape, default=0) >= 0:  # a negative size is refused before any payload is read
                total += math.prod(shape) * dtype.itemsize
    return total


def _flip(data: bytes, edits: list[tuple[int, int]]) -> bytes:
    out = bytearray(data)
    for position, value in edits:
        out[position % len(out)] = value
    return bytes(out)


@st.composite
def mutated_files(draw):
    """(layout, how, target file name, its bytes): one valid file of a valid set, then damaged in one way."""
    layout = draw(st.sampled_from(["idx-gz", "idx-raw", "npz", "npz-compressed"]))
    how = draw(st.sampled_from(["flip", "truncate", "extend", "header", "bomb"]))
    if layout.startswith("idx"):
        target = draw(st.sampled_from(IDX_NAMES))
        content = idx_bytes(BASE[ROLES[target]])
        if how == "header":
            ndim = draw(st.one_of(st.sampled_from([0, 1, 3, 4, 33, 64, 65, 255]), st.integers(0, 255)))
            sizes = draw(st.lists(st.sampled_from([0, 1, 6, 12, 28, 784, 65535, 65536, 2**32 - 1]),
                                  min_size=0, max_size=min(ndim, 70)))
            type_code = draw(st.sampled_from([0x07, *idx.IDX_DTYPES]))
            payload = content[4 + 4 * content[3]:]
            content = bytes([0, 0, type_code, ndim]) + b"".join(struct.pack(">I", n) for n in sizes) + payload
        if how == "bomb":  # small on disk, megabytes when expanded; maybe declaring a few more images
            count = draw(st.sampled_from([None, 0, 20, 100]))
            if count is not None:
                content = content[:4] + struct.pack(">I", count) + content[8:]
            return layout, how, target, gzip_with_zeros(content, draw(st.integers(4 << 20, 16 << 20)))
        if how == "extend" and draw(st.booleans()):  # inside the payload rather than after the file
            content += draw(st.binary(min_size=1, max_size=64))
        data = gzip.compress(content, mtime=0) if layout == "idx-gz" else content
    else:
        target = "mnist.npz"
        compressed = layout == "npz-compressed"
        members = npz_members(write_npz(io.BytesIO(), BASE, compressed=compressed).getvalue())
        key = draw(st.sampled_from(npz.KEYS)) + ".npy"
        payload = _npy_payload(members[key])
        if how == "header":
            shape = tuple(draw(st.lists(st.sampled_from([-1, 0, 1, 6, 12, 28, 65536, 2**40]), max_size=5)))
            descr = draw(st.sampled_from(["|u1", "<i8", ">u2", "<f8", "|O", "<U5", "|V0"]))
            members[key] = npy_header(shape, descr, draw(st.booleans())) + payload
        if how == "bomb":
            members[key] += bytes(draw(st.integers(4 << 20, 16 << 20)))
            return layout, how, target, zip_members(members, compressed=True)
        data = zip_members(members, compressed)
    if how == "flip":
        edits = draw(st.lists(st.tuples(st.one_of(st.integers(0, 48), st.integers(0, 1 << 20)), st.integers(0, 255)),
                              min_size=1, max_size=4))
        data = _flip(data, edits)
    elif how == "truncate":
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif how == "extend":
        data += draw(st.binary(min_size=1, max_size=64))
    return layout, how, target, data


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("mutated")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=mutated_files())
def test_mutated_files_give_only_a_named_value_error_in_bounded_memory(scratch, case):
    layout, how, target, data = case
    event(f"{layout} {how}")  # --hypothesis-show-statistics shows the mix
    folder = scratch / "set"
    for old in folder.glob("*") if folder.exists() else ():
        old.unlink()
    if layout.startswith("idx"):
        paths = write_idx_set(folder, BASE, gz=layout == "idx-gz")
        path = paths[target]
        path.write_bytes(data)  # the damaged file replaces its valid twin
        declared = sum(_idx_declared(written.read_bytes()) for written in paths.values())
    else:
        folder.mkdir(exist_ok=True)
        path = folder / target
        path.write_bytes(data)
        declared = _npz_declared(data)
    error, peak = _peak(sources.read_folder, folder, required=True)
    if error is not None:
        assert type(error) is ValueError, f"{type(error).__name__}: {error}"
        assert str(path) in str(error) and "\n" not in str(error)
    assert peak <= 3 * min(declared, bounded.MAX_PAYLOAD_BYTES) + SLACK, (peak, declared)
