"""Record the Savers a block or a test builds, and check that each writes the statistics training updates.

`record_savers()` patches `tf.compat.v1.train.Saver` for the block (`__init__`, `save`, `restore`; put back
in `finally`) and yields a `SaverRecord`. Each Saver built in graph mode is recorded with the graph it was
built in, and checked with `tf1_bn.guard.assert_statistics_saved`:

- when it first **saves** — before the checkpoint is written, so no checkpoint without its statistics is
  ever written by a guarded block; later saves cost nothing;
- at the **end** of the block or test (`SaverRecord.check_unused`, called by `guard_sessions` and the
  pytest plugin) if it neither saved nor restored: most tests build the model (and its Saver) but never
  write a checkpoint, and the bug is in the Saver's construction, so it fails the test anyway;
- never if it only **restores**: restoring a subset — pretrained weights into a new model, say
  `Saver(var_list=backbone_variables).restore(...)` — is legitimate; only saving one loses statistics.

Why not at construction: the statistics of layers built after the Saver are missing from it too
(a `Saver()` built before the batch-norm layers), and only a later check sees them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import warnings
from typing import Any, Iterator

import tensorflow as tf

from tf1_bn.errors import MissingStatisticsError
from tf1_bn.guard.statistics import assert_statistics_saved

ON_MISSING = ("raise", "warn")


def check_on_missing(on_missing: Any) -> str:
    """`on_missing` of the guard's recorders: "raise" (an error) or "warn" (a warning)."""
    if on_missing not in ON_MISSING:
        raise ValueError(f"`on_missing` must be 'raise' or 'warn'; received {on_missing!r}")
    return on_missing


@dataclasses.dataclass
class RecordedSaver:
    """A Saver built while recording, its graph, and what became of it: "", "saved" or "restored"."""

    saver: tf.compat.v1.train.Saver
    graph: tf.Graph
    used: str = ""
    checked: bool = False


class SaverRecord:
    """The Savers built in a `record_savers` block; checks them (raise or warn, `on_missing`)."""

    def __init__(self, on_missing: str = "raise") -> None:
        self.on_missing = check_on_missing(on_missing)
        self.savers: dict[int, RecordedSaver] = {}  # by id(saver); each entry keeps its saver alive

    def __len__(self) -> int:
        return len(self.savers)

    def built(self, saver: tf.compat.v1.train.Saver) -> None:
        if not tf.executing_eagerly():  # an eager Saver writes the variables it is given: no graph to read
            self.savers[id(saver)] = RecordedSaver(saver, tf.compat.v1.get_default_graph())

    def saving(self, saver: tf.compat.v1.train.Saver) -> None:
        """Called before a recorded Saver saves: the first time, check it."""
        entry = self.savers.get(id(saver))
        if entry is not None:
            entry.used = "saved"
            self._check(entry, stacklevel=4)

    def restoring(self, saver: tf.compat.v1.train.Saver) -> None:
        entry = self.savers.get(id(saver))
        if entry is not None and not entry.used:
            entry.used = "restored"

    def check_unused(self) -> None:
        """Check every recorded Saver that neither saved nor restored (the end of the block or test)."""
        for entry in list(self.savers.values()):
            if not entry.used:
                self._check(entry, stacklevel=3)

    def _check(self, entry: RecordedSaver, stacklevel: int) -> None:
        if entry.checked:
            return
        entry.checked = True
        try:
            assert_statistics_saved(entry.saver, entry.graph)
        except MissingStatisticsError as error:
            if self.on_missing == "raise":
                raise
            warnings.warn(str(error), RuntimeWarning, stacklevel=stacklevel)


@contextlib.contextmanager
def record_savers(on_missing: str = "raise") -> Iterator[SaverRecord]:
    """Record (and check, see the module docstring) every tf.compat.v1.train.Saver built in the block.
    The Saver class is restored on exit."""
    record = SaverRecord(on_missing)
    saver_class = tf.compat.v1.train.Saver
    original = {name: saver_class.__dict__[name] for name in ("__init__", "save", "restore")}

    @functools.wraps(original["__init__"])
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original["__init__"](self, *args, **kwargs)
        record.built(self)

    @functools.wraps(original["save"])
    def save(self: Any, *args: Any, **kwargs: Any) -> Any:
        record.saving(self)
        return original["save"](self, *args, **kwargs)

    @functools.wraps(original["restore"])
    def restore(self: Any, *args: Any, **kwargs: Any) -> Any:
        record.restoring(self)
        return original["restore"](self, *args, **kwargs)

    saver_class.__init__, saver_class.save, saver_class.restore = __init__, save, restore
    try:
        yield record
    finally:
        for name, method in original.items():
            setattr(saver_class, name, method)
