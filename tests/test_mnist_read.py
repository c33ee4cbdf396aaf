"""read_data_sets on folders the tests write: IDX (gz, raw, mixed), mnist.npz, the source order,
`source=` / TF1_BN_MNIST_SOURCE, validation_size, bad files that must never fall back, and load()."""

from __future__ import annotations

import gzip
import warnings

import numpy as np
import pytest
from mnist_fixtures import idx_bytes, no_source_env, synthetic, write_file, write_idx_set, write_npz  # noqa: F401

from tf1_bn import mnist
from tf1_bn.mnist import input_data, presets

ENV = "TF1_BN_MNIST_SOURCE"


def _expected_images(images: np.ndarray) -> np.ndarray:
    return np.multiply(images.reshape(len(images), -1).astype(np.float32), 1.0 / 255.0)


@pytest.mark.parametrize("layout", ["gz", "raw", "mixed", "npz"])
@pytest.mark.parametrize("one_hot", [True, False])
def test_reads_every_layout_with_tf1_shapes_and_split(tmp_path, layout, one_hot):
    data = synthetic(n_train=60, n_test=20)
    if layout == "npz":
        write_npz(tmp_path / "mnist.npz", data)
    else:
        write_idx_set(tmp_path, data, gz={"gz": True, "raw": False, "mixed": (True, False, False, True)}[layout])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # files on disk: no fallback warning
        result = input_data.read_data_sets(tmp_path, one_hot=one_hot, validation_size=15)
    assert (result.train.num_examples, result.validation.num_examples, result.test.num_examples) == (45, 15, 20)
    np.testing.assert_array_equal(result.validation.images, _expected_images(data["train_images"][:15]))
    np.testing.assert_array_equal(result.train.images, _expected_images(data["train_images"][15:]))
    np.testing.assert_array_equal(result.test.images, _expected_images(data["test_images"]))
    labels = np.eye(10)[data["train_labels"]] if one_hot else data["train_labels"]
    np.testing.assert_array_equal(result.train.labels, labels[15:])
    assert result.train.labels.dtype == (np.float64 if one_hot else np.uint8)
    assert str(tmp_path) in result.source and ("npz" in result.source) == (layout == "npz")


def test_reshape_false_and_uint8_keep_tf1s_four_dimensional_pixels(tmp_path):
    data = synthetic()
    write_idx_set(tmp_path, data)
    result = input_data.read_data_sets(str(tmp_path), reshape=False, dtype="uint8", validation_size=0)
    assert result.train.images.shape == (60, 28, 28, 1) and result.train.images.dtype == np.uint8
    np.testing.assert_array_equal(result.train.images[..., 0], data["train_images"])
    assert result.validation.num_examples == 0


@pytest.mark.parametrize("validation_size, error", [(-1, ValueError), (61, ValueError), (5.0, TypeError)])
def test_validation_size_follows_tf1s_rule_on_files(tmp_path, validation_size, error):
    write_idx_set(tmp_path, synthetic(n_train=60))
    with pytest.raises(error, match="validation_size"):
        input_data.read_data_sets(tmp_path, validation_size=validation_size)


def test_idx_files_come_before_mnist_npz(tmp_path):
    idx_data, npz_data = synthetic(seed=1), synthetic(seed=2)
    write_idx_set(tmp_path, idx_data)
    write_npz(tmp_path / "mnist.npz", npz_data)
    result = input_data.read_data_sets(tmp_path, validation_size=0, dtype=np.uint8)
    np.testing.assert_array_equal(result.test.images.reshape(20, 28, 28), idx_data["test_images"])


def _damage(folder, how):
    """Make the folder's data bad in one way; return words the error must contain."""
    data = synthetic()
    paths = write_idx_set(folder, data)
    target = paths["train-images-idx3-ubyte"]
    if how == "truncated gzip":
        target.write_bytes(target.read_bytes()[:-30])
        return "truncated gzip"
    if how == "count mismatch":
        write_file(paths["train-labels-idx1-ubyte"], idx_bytes(data["train_labels"][:-1]), True)
        return "60 images but"
    if how == "image size mismatch":
        write_file(paths["t10k-images-idx3-ubyte"], idx_bytes(np.zeros((20, 27, 28), np.uint8)), True)
        return "one size"
    if how == "wrong magic":
        write_file(target, b"\x12\x34\x08\x03" + idx_bytes(data["train_images"])[4:], True)
        return "not an IDX file"
    if how == "labels as images":
        write_file(target, idx_bytes(data["train_labels"]), True)
        return "expected an IDX images"
    if how == "incomplete set":
        paths["t10k-labels-idx1-ubyte"].unlink()
        return "t10k-labels-idx1-ubyte.gz missing"
    raise AssertionError(how)


DAMAGES = ["truncated gzip", "count mismatch", "image size mismatch", "wrong magic", "labels as images",
           "incomplete set"]
# (damage, source): every damage under the default order, a forced folder and download mode, except an
# incomplete set in download mode, which fetches the missing file (test_mnist_download.py).
DAMAGE_CASES = [(how, source) for how in DAMAGES for source in (None, "folder", "download")
                if (how, source) != ("incomplete set", "download")]


@pytest.mark.parametrize("how, source", DAMAGE_CASES)
def test_bad_files_raise_and_never_fall_back_to_embedded(tmp_path, how, source):
    words = _damage(tmp_path, how)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=words):
            input_data.read_data_sets(tmp_path, source=tmp_path if source == "folder" else source)


@pytest.mark.parametrize("content, words", [
    (b"not a zip", "not a readable .npz"),
    ("missing key", "x_train, y_train, x_test, y_test"),
    ("float images", "x_train must be uint8"),
    ("count mismatch", "x_test has 20 images but y_test has 19"),
])
def test_bad_mnist_npz_raises_naming_it(tmp_path, content, words):
    path = tmp_path / "mnist.npz"
    data = synthetic()
    if content == "missing key":
        np.savez(path, x_train=data["train_images"])
    elif content == "float images":
        np.savez(path, x_train=data["train_images"] / 255, y_train=data["train_labels"],
                 x_test=data["test_images"], y_test=data["test_labels"])
    elif content == "count mismatch":
        np.savez(path, x_train=data["train_images"], y_train=data["train_labels"],
                 x_test=data["test_images"], y_test=data["test_labels"][:-1])
    else:
        path.write_bytes(content)
    with pytest.raises(ValueError, match=words) as raised:
        input_data.read_data_sets(tmp_path)
    assert str(path) in str(raised.value)


@pytest.mark.parametrize("via", ["parameter", "environment"])
def test_source_folder_reads_that_folder_instead_of_train_dir(tmp_path, monkeypatch, via):
    data = synthetic(seed=4)
    write_idx_set(tmp_path / "elsewhere", data)
    kwargs = {"source": tmp_path / "elsewhere"} if via == "parameter" else {}
    if via == "environment":
        monkeypatch.setenv(ENV, str(tmp_path / "elsewhere"))
    result = input_data.read_data_sets(tmp_path / "empty", validation_size=0, dtype=np.uint8, **kwargs)
    np.testing.assert_array_equal(result.test.images.reshape(20, 28, 28), data["test_images"])
    assert not (tmp_path / "empty").exists()


def test_parameter_wins_over_environment(tmp_path, monkeypatch):
    write_idx_set(tmp_path, synthetic())
    monkeypatch.setenv(ENV, "embedded")
    assert "embedded" in input_data.read_data_sets(tmp_path).source
    assert "IDX files" in input_data.read_data_sets(tmp_path, source="auto", validation_size=0).source


@pytest.mark.parametrize("via", ["parameter", "environment"])
def test_unknown_source_or_missing_folder_names_the_setting(tmp_path, monkeypatch, via):
    value = str(tmp_path / "no-such-folder")
    if via == "environment":
        monkeypatch.setenv(ENV, value)
    with pytest.raises(ValueError, match=(ENV if via == "environment" else "source=")):
        input_data.read_data_sets(tmp_path, **({"source": value} if via == "parameter" else {}))


def test_forced_folder_without_data_is_an_error_not_a_fallback(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="neither the four MNIST IDX files"):
        input_data.read_data_sets(tmp_path, source=tmp_path / "empty")


def test_source_of_wrong_type_is_a_type_error(tmp_path):
    with pytest.raises(TypeError, match="source"):
        input_data.read_data_sets(tmp_path, source=3)


def test_load_reads_a_folder_and_mnist_means_mnist_data_in_cwd(tmp_path, monkeypatch):
    write_idx_set(tmp_path / "MNIST_data", synthetic())
    monkeypatch.chdir(tmp_path)
    result = mnist.load("mnist", validation_size=10)
    assert result.source == "IDX files in MNIST_data/" and result.train.labels.shape == (50, 10)
    assert mnist.load(str(tmp_path / "MNIST_data"), one_hot=False, validation_size=0).train.labels.ndim == 1


def test_load_refuses_missing_folders_and_names_the_debian_package(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="data="):
        mnist.load(str(tmp_path / "absent"))
    monkeypatch.setattr(presets, "FASHION_DIR", str(tmp_path / "absent"))
    with pytest.raises(ValueError, match="dataset-fashion-mnist"):
        mnist.load("fashion")
    with pytest.raises(TypeError, match="data"):
        mnist.load(5)


def test_gzip_with_trailing_garbage_is_refused(tmp_path):
    paths = write_idx_set(tmp_path, synthetic())
    target = paths["t10k-labels-idx1-ubyte"]
    target.write_bytes(target.read_bytes() + gzip.compress(b"extra"))  # a second gzip member: extra payload
    with pytest.raises(ValueError, match="trailing bytes"):
        input_data.read_data_sets(tmp_path)
