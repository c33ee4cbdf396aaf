"""Keras 3 layers for the TF1 batch-normalization variants Keras 3's own layer does not offer.

`tf1_bn.migrate` converts TF1 models to Keras 3; a TF1 `BatchNormalization` with `renorm=True` or a
`virtual_batch_size` becomes one of these (TensorFlow backend), computing what tf1_bn's TF1 layer computes:

    BatchRenormalization     Ioffe 2017, Algorithm 1            (tf1_bn/keras/renorm.py)
    GhostBatchNormalization  Hoffer et al. 2017, ghost batches  (tf1_bn/keras/ghost.py)
    FusedBatchNormalization  TF1's fused kernel: moving variance σ²·m/(m−1)   (tf1_bn/keras/fused.py)

Both are registered as "tf1_bn>BatchRenormalization" / "tf1_bn>GhostBatchNormalization": a `.keras` file
that uses them loads with `keras.saving.load_model` once this package is imported:

    import keras, tf1_bn.keras
    model = keras.saving.load_model("model.keras")

Importing `tf1_bn` does not import this package; importing it imports keras and TensorFlow (and registers
the layers, which is why the names are not loaded lazily).
"""

from __future__ import annotations

from tf1_bn.keras.fused import FusedBatchNormalization
from tf1_bn.keras.ghost import GhostBatchNormalization
from tf1_bn.keras.renorm import BatchRenormalization

__all__ = ["BatchRenormalization", "FusedBatchNormalization", "GhostBatchNormalization"]
