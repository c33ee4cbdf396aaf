"""Which files a lint run reads, and how each is read: Python source decoded as Python does (PEP 263),
notebooks as UTF-8 JSON (see `tf1_bn.lint.notebooks`)."""

from __future__ import annotations

import os
import pathlib
import tokenize
from typing import Iterable

from tf1_bn.lint.findings import Finding, LintError, lint_source
from tf1_bn.lint.notebooks import lint_notebook

SUFFIXES = (".py", ".ipynb")

def _as_list(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str]) -> list[pathlib.Path]:
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return [pathlib.Path(p) for p in paths]


def folder_files(folder: pathlib.Path) -> list[pathlib.Path]:
    """A folder's `*.py` and `*.ipynb` files, recursively, hidden files and folders skipped
    (`.ipynb_checkpoints` among them), sorted."""
    found = []
    for root, folders, names in os.walk(folder):
        folders[:] = [f for f in folders if not f.startswith(".")]
        found.extend(pathlib.Path(root, n) for n in names if n.endswith(SUFFIXES) and not n.startswith("."))
    return sorted(found)


def python_files(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str]) -> list[pathlib.Path]:
    """The files to lint: each file as given, each folder's `*.py` and `*.ipynb` files (see `folder_files`),
    in order. Raises FileNotFoundError naming a path that does not exist."""
    found: list[pathlib.Path] = []
    for path in _as_list(paths):
        if path.is_dir():
            found.extend(folder_files(path))
        elif path.exists():
            found.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return found


def _read_bytes(path: str | os.PathLike[str]) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such file or folder") from None
    except OSError as error:
        raise LintError(str(path), f"cannot read: {error.strerror or error}") from None


def read_source(path: str | os.PathLike[str]) -> str:
    """The text of a Python file, decoded as Python does (PEP 263). Errors name the file."""
    data = _read_bytes(path)
    try:
        encoding, _ = tokenize.detect_encoding(iter(data.splitlines(keepends=True)).__next__)
        return data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as error:
        raise LintError(str(path), f"cannot decode: {error}") from None


def is_notebook(path: str | os.PathLike[str]) -> bool:
    return os.fspath(path).endswith(".ipynb")


def lint_file(path: str | os.PathLike[str]) -> list[Finding]:
    """Lint one file: a notebook by its code cells, anything else as Python source. Raises LintError (or
    FileNotFoundError) naming the file."""
    if not is_notebook(path):
        return lint_source(read_source(path), str(path))
    try:
        text = _read_bytes(path).decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise LintError(str(path), f"not a valid notebook: not UTF-8 ({error.reason} at byte {error.start})") from None
    return lint_notebook(text, str(path))
