"""build_embedded: the pixel-restoration check, the stratified split and the deterministic .npz,
on a small synthetic npm-style tarball the test writes (the real tarball needs the npm registry)."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile

import numpy as np
import pytest
from mnist_fixtures import no_source_env  # noqa: F401 (autouse fixture)

from tf1_bn.mnist import build_embedded, embedded


def _json_values(pixels: np.ndarray) -> list[float]:
    """What the npm package stores: pixel/255 rounded to 3 decimals (Python's round, per value)."""
    return [round(int(k) / 255, 3) for k in pixels.ravel()]


def _tarball(path, per_class: list[int], seed: int = 0, tamper: float | None = None) -> dict[int, np.ndarray]:
    rng = np.random.default_rng(seed)
    images = {digit: rng.integers(0, 256, (n, 28, 28), dtype=np.uint8) for digit, n in enumerate(per_class)}
    with tarfile.open(path, "w:gz") as archive:
        for digit, pixels in images.items():
            values = _json_values(pixels)
            if tamper is not None and digit == 3:
                values[5] = tamper
            payload = json.dumps({"data": values}).encode()
            info = tarfile.TarInfo(f"package/src/digits/{digit}.json")
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
    return images


def test_every_level_round_trips():
    levels = np.arange(256, dtype=np.uint8)
    np.testing.assert_array_equal(build_embedded.pixels_to_uint8(np.array(_json_values(levels)), "t"), levels)


@pytest.mark.parametrize("value", [0.5, 0.0041, -0.004, 1.004, float("nan")])
def test_values_off_the_k_over_255_grid_fail_loudly(value):
    with pytest.raises(ValueError, match="name.json: value") as raised:
        build_embedded.pixels_to_uint8(np.array([0.0, value]), "name.json")
    assert "index 1" in str(raised.value)


def test_tarball_is_read_back_exactly(tmp_path):
    images = _tarball(tmp_path / "p.tgz", [3, 5, 2, 4, 1, 2, 3, 6, 2, 2])
    pixels, labels = build_embedded.read_tarball(tmp_path / "p.tgz")
    np.testing.assert_array_equal(pixels, np.concatenate(list(images.values())))
    np.testing.assert_array_equal(labels, np.repeat(np.arange(10), [len(v) for v in images.values()]))


def test_a_tampered_value_names_the_member(tmp_path):
    _tarball(tmp_path / "p.tgz", [2] * 10, tamper=0.1234)
    with pytest.raises(ValueError, match=r"digits/3.json: value 0.1234"):
        build_embedded.read_tarball(tmp_path / "p.tgz")


def test_a_foreign_tarball_is_refused_by_its_sha256(tmp_path):
    _tarball(tmp_path / "p.tgz", [2] * 10)
    with pytest.raises(ValueError, match="--any-tarball"):
        build_embedded.build(tmp_path / "p.tgz", tmp_path / "out.npz")
    assert not (tmp_path / "out.npz").exists()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_stratified_order_balances_every_prefix(seed):
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(6), rng.integers(5, 60, 6))
    order = build_embedded.stratified_order(labels, np.random.RandomState(seed))
    assert sorted(order) == list(range(len(labels)))
    ordered = labels[order]
    shares = np.bincount(labels) / len(labels)
    prefix_counts = np.cumsum(np.eye(6)[ordered], axis=0)
    deviation = np.abs(prefix_counts - np.arange(1, len(labels) + 1)[:, None] * shares)
    assert (deviation <= 0.5 + shares * 6 / 2 + 1e-9).all()  # the bound stated in the docstring


def test_split_is_stratified_disjoint_and_deterministic(tmp_path):
    _tarball(tmp_path / "p.tgz", [30, 40, 20, 35, 25, 30, 32, 38, 22, 28])
    images, labels = build_embedded.read_tarball(tmp_path / "p.tgz")
    first = build_embedded.split(images, labels, test_size=60)
    again = build_embedded.split(images, labels, test_size=60)
    expected = 60 * np.bincount(labels) / len(labels)
    assert np.abs(np.bincount(first["test_labels"], minlength=10) - expected).max() < 1
    together = np.concatenate([first["train_images"], first["test_images"]]).reshape(len(labels), -1)
    assert len(np.unique(together, axis=0)) == len(labels)
    data = build_embedded.npz_bytes(first)
    assert data == build_embedded.npz_bytes(again)  # same input, same bytes
    with np.load(io.BytesIO(data)) as archive:
        np.testing.assert_array_equal(archive["test_images"], first["test_images"])


def test_split_refuses_impossible_test_sizes():
    with pytest.raises(ValueError, match="test_size"):
        build_embedded.split(np.zeros((5, 28, 28), np.uint8), np.zeros(5, np.uint8), test_size=5)


def test_written_npz_is_loadable_by_load_embedded_shape_checks(tmp_path):
    arrays = {"train_images": np.zeros((3, 28, 28), np.uint8), "train_labels": np.zeros(3, np.uint8),
              "test_images": np.zeros((1, 28, 28), np.uint8), "test_labels": np.zeros(1, np.uint8),
              "provenance": np.array("test")}
    path = tmp_path / "sub" / "x.npz"
    build_embedded.write_atomically(path, build_embedded.npz_bytes(arrays))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(ValueError, match=r"train_images must be uint8 \(9000, 28, 28\)"):
        embedded.load_embedded(path, expected_sha256=digest)
    assert [p.name for p in path.parent.iterdir()] == ["x.npz"]  # no temporary file left
