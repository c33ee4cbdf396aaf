"""`tf1-bn lint`: find the TF1 batch-norm UPDATE_OPS bugs in source files, without running them.

TF1's batch-norm layers do not update their moving mean/variance by themselves: the update ops go to
`tf.GraphKeys.UPDATE_OPS`, and the docs' recipe is to build the train op under
``with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):`` — after the layers are built,
since the collection is read when that line runs. Forget it and inference uses the initial statistics 0/1
(tensorflow/tensorflow#11965 and many more). This module reads the file with `ast` only: it never imports
TensorFlow nor runs the file.

Codes (`path:line:col: CODE message`, col counted from 1):

* **BN001** — a train op (`.minimize(...)`, `.apply_gradients(...)`) that does not run the update ops, in a
  file that builds a batch-norm layer putting update ops in UPDATE_OPS. Fine: building it inside
  ``control_dependencies(<UPDATE_OPS read>)`` (also in a function only called from such a block, or via
  gradients computed inside one), or combining afterwards: ``tf.group(train_op, update_ops)``,
  ``tf.group(*update_ops, train_op)``, ``sess.run([train_op, update_ops])``, ``sess.run(update_ops)``. Layers
  with ``updates_collections=None`` (contrib/slim: update in place) or a literal ``training=False`` add no
  update ops; `slim.learning.create_train_op`/`tf.contrib.training.create_train_op` add them themselves.
  Also fine: seed 002's ``if use_bn: <protected minimize> else: <plain minimize>``, and, in a file of
  independent examples where the top-level function with batch norm builds its own train op, the train ops
  of top-level functions/classes that neither build batch norm nor call a function that does.
* **BN002** — update ops attached to something else than the train op, e.g.
  ``with control_dependencies(update_ops): loss = tf.identity(loss)`` then ``minimize(loss)`` outside: the
  gradients never evaluate the identity, so running the train op alone skips the updates.
* **BN003** — UPDATE_OPS read before a batch-norm layer of the same function (or module) is built: the list
  is empty or incomplete.
* **BN004** — ``training=True`` / ``is_training=True`` written literally in the batch-norm call: batch
  statistics at inference too. Not reported when the file also builds batch norm with a literal False
  (separate training and inference graphs).
* **BN005** — contrib/slim ``batch_norm`` without ``is_training``, which defaults to True (our decision: a
  separate code, so it can be ignored alone; not reported when the file uses ``arg_scope``, which usually
  sets it, nor when ``**kwargs`` or unreadable ``normalizer_params`` may carry it).

A ``# noqa`` or ``# noqa: BN001,BN004`` comment on the reported line silences it.

Knowingly missed (the lint prefers silence to a false alarm):

* train ops and layers in different files, and anything reached through imports of your own modules;
* update ops passed through function arguments are recognised by name only (any name containing
  "update" counts as update ops inside ``control_dependencies``/``tf.group``);
* values are tracked by name over the whole file, regardless of statement order (except BN002/BN003);
* calls are followed to functions of the same file only: `f()` to the visible function named `f`,
  ``self.f()``/``cls.f()`` to any method named `f`; `obj.method()` is not followed;
* a mode set through a function default (``def bn(x, training=True)``) is not a literal in the call: no BN004;
* `tf.keras.layers.BatchNormalization` (a different contract: its updates are taken from `layer.updates` /
  `model.updates`) and hand-written `tf.nn.moments` + EMA batch norm (seed 003: the EMA update is tied to
  the forward pass through `tf.cond`) are not batch-norm layers here;
* ``training`` omitted in `tf.layers.batch_normalization` (default False) is not reported;
* Python 2 source (``print x``) is a syntax error: exit 2.

Snippets without imports may use ``tf`` and ``slim``: unless the file binds those names itself they mean
`tensorflow` and `tensorflow.contrib.slim`.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import pathlib
import re
import tokenize
from typing import Iterable

from tf1_bn.lint._checks import Checker

CODES: dict[str, str] = {
    "BN001": "train op built without the batch-norm update ops",
    "BN002": "update ops attached to the loss (or another tensor), not to the train op",
    "BN003": "UPDATE_OPS read before the batch-norm layers are built",
    "BN004": "training=True / is_training=True written literally",
    "BN005": "contrib/slim batch_norm without is_training (defaults to True)",
}

# Every finding needs a batch-norm layer or an UPDATE_OPS read, and each is spelled with one of these.
_MARKERS = ("batch_norm", "BatchNorm", "UPDATE_OPS", "update_ops")
_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*))?", re.IGNORECASE)


@dataclasses.dataclass(frozen=True, order=True)
class Finding:
    """One warning; `str()` gives the `path:line:col: CODE message` line (col counted from 1)."""

    path: str
    line: int
    col: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.code} {self.message}"


def _silenced(line: str, code: str) -> bool:
    match = _NOQA.search(line)
    if match is None:
        return False
    codes = match.group("codes")
    return codes is None or code in {c.strip().upper() for c in codes.split(",")}


def lint_source(source: str, filename: str = "<string>") -> list[Finding]:
    """Lint Python source text; findings sorted by line. Raises ValueError naming `filename` and the line
    on a syntax error."""
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as error:
        raise ValueError(f"{filename}:{error.lineno}: syntax error: {error.msg}") from None
    except ValueError as error:  # e.g. null bytes (Python 3.11)
        raise ValueError(f"{filename}: cannot parse: {error}") from None
    if not any(marker in source for marker in _MARKERS):
        return []
    lines = source.splitlines()
    findings = set()
    for node, code, message in Checker(tree).run():
        text = lines[node.lineno - 1] if 0 < node.lineno <= len(lines) else ""
        if not _silenced(text, code):
            findings.add(Finding(filename, node.lineno, node.col_offset + 1, code, message))
    return sorted(findings)


def python_files(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str]) -> list[pathlib.Path]:
    """The files to lint: each file as given, each folder's `*.py` files (recursively, hidden folders
    skipped), in order. Raises FileNotFoundError naming a path that does not exist."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    found: list[pathlib.Path] = []
    for path in map(pathlib.Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.py")
                                if not any(part.startswith(".") for part in p.relative_to(path).parts)))
        elif path.exists():
            found.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return found


def read_source(path: str | os.PathLike[str]) -> str:
    """The text of a Python file, decoded as Python does (PEP 263). Errors name the file."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such file or folder") from None
    except OSError as error:
        raise ValueError(f"{path}: cannot read: {error.strerror or error}") from None
    try:
        encoding, _ = tokenize.detect_encoding(iter(data.splitlines(keepends=True)).__next__)
        return data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: cannot decode: {error}") from None


def lint_paths(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str]) -> list[Finding]:
    """Lint files and folders (see `python_files`); findings sorted by file, then line. Stops at the first
    file that is missing, unreadable or not valid Python, with an error naming it."""
    findings: list[Finding] = []
    for path in python_files(paths):
        findings.extend(lint_source(read_source(path), str(path)))
    return sorted(findings)


__all__ = ["CODES", "Finding", "lint_paths", "lint_source", "python_files", "read_source"]
