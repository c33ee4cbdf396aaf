"""The IDX reader on files the tests write: gzipped and raw, every element type, and every error path."""

from __future__ import annotations

import gzip
import io

import numpy as np
import pytest
from mnist_fixtures import idx_bytes, no_source_env, write_file  # noqa: F401 (autouse fixture)

from tf1_bn.mnist import idx, input_data


@pytest.mark.parametrize("gz", [True, False])
@pytest.mark.parametrize("dtype", ["u1", "i1", ">i2", ">i4", ">f4", ">f8"])
def test_read_idx_round_trips_every_type(tmp_path, gz, dtype):
    array = (np.arange(2 * 3 * 5) * 7 % 127 - (0 if dtype == "u1" else 50)).reshape(2, 3, 5).astype(dtype)
    path = write_file(tmp_path / "a.idx", idx_bytes(array, dtype), gz)
    result = idx.read_idx(path)
    np.testing.assert_array_equal(result, array)
    assert result.dtype == np.dtype(dtype).newbyteorder("=")


@pytest.mark.parametrize("gz", [True, False])
def test_images_and_labels_keep_every_uint8_value(tmp_path, gz):
    images = np.arange(256 * 4, dtype=np.int64).reshape(4, 16, 16).astype(np.uint8)  # all 256 levels
    labels = np.array([0, 9, 3, 255], dtype=np.uint8)
    image_path = write_file(tmp_path / "images", idx_bytes(images), gz)
    label_path = write_file(tmp_path / "labels", idx_bytes(labels), gz)
    read = idx.read_images(image_path)
    assert read.shape == (4, 16, 16, 1) and read.dtype == np.uint8
    np.testing.assert_array_equal(read[..., 0], images)
    np.testing.assert_array_equal(idx.read_labels(label_path), labels)


def test_tf1_extract_functions_take_file_objects(tmp_path):
    images = np.full((3, 28, 28), 255, dtype=np.uint8)
    labels = np.array([2, 0, 9], dtype=np.uint8)
    with open(write_file(tmp_path / "i.gz", idx_bytes(images), True), "rb") as handle:
        assert input_data.extract_images(handle).shape == (3, 28, 28, 1)
    with open(write_file(tmp_path / "l.gz", idx_bytes(labels), True), "rb") as handle:
        one_hot = input_data.extract_labels(handle, one_hot=True)
    np.testing.assert_array_equal(one_hot, np.eye(10)[labels])
    assert one_hot.dtype == np.float64  # TF1: numpy.zeros' default
    assert input_data.extract_labels(io.BytesIO(idx_bytes(labels))).dtype == np.uint8


GOOD_IMAGES = idx_bytes(np.zeros((4, 28, 28), dtype=np.uint8))

# (file bytes as written, gzip them?, reader, words the message must contain)
BAD_FILES = {
    "truncated gzip": (gzip.compress(GOOD_IMAGES)[:-20], False, idx.read_images, "truncated gzip"),
    "corrupt gzip crc": (gzip.compress(GOOD_IMAGES)[:-8] + b"\0\0\0\0" + gzip.compress(GOOD_IMAGES)[-4:], False,
                         idx.read_images, "corrupt gzip"),
    "corrupt deflate data": (gzip.compress(GOOD_IMAGES)[:12] + b"\xff" * 40, False, idx.read_images, "gzip"),
    "wrong magic": (b"\x08\x03\x00\x00" + GOOD_IMAGES[4:], True, idx.read_images, "not an IDX file"),
    "unknown type byte": (b"\x00\x00\x07\x03" + GOOD_IMAGES[4:], True, idx.read_images, "not an IDX file"),
    "labels where images expected": (idx_bytes(np.zeros(4, np.uint8)), True, idx.read_images, "expected an IDX images"),
    "images where labels expected": (GOOD_IMAGES, True, idx.read_labels, "expected an IDX labels"),
    "int32 images": (idx_bytes(np.zeros((2, 2, 2)), ">i4"), True, idx.read_images, "uint8"),
    "zero dimensions": (b"\x00\x00\x08\x00", True, idx.read_labels, "0 dimensions"),
    "header cut short": (GOOD_IMAGES[:9], True, idx.read_images, "header announces 3 dimensions"),
    "too short for a header": (b"\x00\x00", False, idx.read_images, "too short"),
    "payload truncated": (GOOD_IMAGES[:-1], True, idx.read_images, "truncated"),
    "payload with trailing bytes": (GOOD_IMAGES + b"\0", True, idx.read_images, "trailing bytes"),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_bad_files_raise_value_error_naming_file_and_problem(tmp_path, case):
    payload, gz, reader, words = BAD_FILES[case]
    path = write_file(tmp_path / "train-images-idx3-ubyte.gz", payload, gz)
    with pytest.raises(ValueError) as raised:
        reader(path)
    assert str(path) in str(raised.value) and words in str(raised.value)


def test_gzip_is_recognised_by_content_not_name(tmp_path):
    raw_named_gz = write_file(tmp_path / "x.gz", GOOD_IMAGES, gz=False)
    gz_without_suffix = write_file(tmp_path / "x", GOOD_IMAGES, gz=True)
    assert idx.read_images(raw_named_gz).shape == idx.read_images(gz_without_suffix).shape == (4, 28, 28, 1)
