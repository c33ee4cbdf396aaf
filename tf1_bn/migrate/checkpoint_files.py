"""The CHECKPOINT argument of `tf1-bn migrate` and `tf1-bn inspect`: a TF1 checkpoint prefix (what
`Saver.save` returned, e.g. `model.ckpt`, beside `model.ckpt.index`, `.data-*` and `.meta`), checked once
for both commands, with one-line errors that say what was probably meant."""

from __future__ import annotations

import os
import re

import tensorflow as tf

_CHECKPOINT_FILE = re.compile(r"\.(index|meta|data-\d{5}-of-\d{5})$")


def first_line(error: BaseException) -> str:
    """An exception's first line, for a one-line error (TensorFlow's messages run to many lines)."""
    lines = str(error).strip().splitlines()
    return (lines[0] if lines else type(error).__name__).rstrip(".")


def checked_prefix(prefix: str) -> str:
    """`prefix`, if `prefix.index` exists; a folder, a file of the checkpoint or a wrong name is a ValueError."""
    if not isinstance(prefix, str) or not prefix:
        raise ValueError(f"CHECKPOINT must be a checkpoint prefix such as model.ckpt; received {prefix!r}")
    if os.path.isdir(prefix):
        latest = tf.train.latest_checkpoint(prefix)
        hint = f"; the latest in it is {latest!r}" if latest else ""
        raise ValueError(f"CHECKPOINT {prefix!r} is a folder: pass a checkpoint prefix such as model.ckpt{hint}")
    if not os.path.isfile(prefix + ".index"):
        stripped = _CHECKPOINT_FILE.sub("", prefix)
        hint = f"; did you mean {stripped!r}?" if stripped != prefix and os.path.isfile(stripped + ".index") else ""
        raise ValueError(f"CHECKPOINT {prefix!r}: no {prefix}.index, so it is not a TF checkpoint prefix "
                         f"(the path given to Saver.save, e.g. model.ckpt){hint}")
    return prefix


def import_meta(prefix: str) -> tf.compat.v1.train.Saver | None:
    """`import_meta_graph(prefix.meta)` into the default graph; a corrupt file is one ValueError line."""
    meta = prefix + ".meta"
    try:
        return tf.compat.v1.train.import_meta_graph(meta, clear_devices=True)
    except Exception as error:  # noqa: BLE001  (a corrupt .meta: one line, whatever TF raised)
        raise ValueError(f"CHECKPOINT {prefix!r}: cannot import {meta} ({first_line(error)})") from None
