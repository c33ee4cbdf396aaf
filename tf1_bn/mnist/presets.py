"""`load(data)`: the data sets the CLI's `--data mnist|fashion|DIR` option names.

- "mnist": `MNIST_data/` in the current directory with the normal source order (IDX files, mnist.npz,
  else the embedded subset with a warning; a download only with `TF1_BN_MNIST_SOURCE=download`);
- "fashion": Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, MIT licence) as Debian's package
  `dataset-fashion-mnist` installs it, IDX files in /usr/share/datasets/fashion-mnist; same file names
  and format as MNIST, classes 0–9 are T-shirt/top … ankle boot (`FASHION_CLASSES`);
- anything else: a folder holding the four IDX files or mnist.npz (no fallback, no download).
"""

from __future__ import annotations

import os
import pathlib

from tf1_bn.mnist.dataset import Datasets
from tf1_bn.mnist.input_data import read_data_sets

MNIST_DIR = "MNIST_data/"  # TF1 tutorials' folder, relative to the current directory
FASHION_DIR = "/usr/share/datasets/fashion-mnist"
FASHION_PACKAGE = "dataset-fashion-mnist"
FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


def load(data: str | os.PathLike, *, one_hot: bool = True, reshape: bool = True, validation_size: int = 5000,
         seed: int | None = None) -> Datasets:
    """Read "mnist", "fashion" or a folder (module docstring) with `read_data_sets`' meaning of the options.

    Raises ValueError naming `data` when the folder does not exist (for "fashion": naming the Debian package).
    """
    options = dict(one_hot=one_hot, reshape=reshape, validation_size=validation_size, seed=seed)
    if not isinstance(data, (str, os.PathLike)):
        raise TypeError(f"data must be 'mnist', 'fashion' or a folder path; received data={data!r}")
    if data == "mnist":
        return read_data_sets(MNIST_DIR, **options)
    if data == "fashion":
        if not pathlib.Path(FASHION_DIR).is_dir():
            raise ValueError(
                f"data='fashion' reads {FASHION_DIR}, which does not exist; install Debian's package "
                f"{FASHION_PACKAGE} (`apt-get install {FASHION_PACKAGE}`) or pass the folder holding "
                f"Fashion-MNIST's IDX files"
            )
        datasets = read_data_sets(FASHION_DIR, source=FASHION_DIR, **options)
        return Datasets(*datasets, source=f"Fashion-MNIST, {datasets.source}")
    folder = os.fspath(data)
    if not pathlib.Path(folder).is_dir():
        raise ValueError(f"data={folder!r} is not 'mnist', 'fashion' or an existing folder")
    return read_data_sets(folder, source=folder, **options)
