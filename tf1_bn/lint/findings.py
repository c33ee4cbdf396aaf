"""One linted text: parse it, run the checks, drop the `# noqa` lines, return `Finding`s.

Columns are counted from 1 in characters (code points), as editors count them; `ast` gives UTF-8 byte
offsets, converted here.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import re

from tf1_bn.lint._checks import Checker

# A cheap text filter before the checks: every finding needs one of these spellings in the file — a
# batch-norm layer or an UPDATE_OPS read (BN001 to BN007), a feed dict or input map (BN008, BN009), a flag
# defaulting to True (BN008) — or a run (`sess.run(acc, {...})`) together with a training flag's name
# (a word starting "train"/"Train"/"phase"/"Phase", e.g. is_training, isTraining, phase_train: BN009).
_MARKERS = ("batch_norm", "BatchNorm", "UPDATE_OPS", "update_ops", "feed_dict", "input_map",
            "placeholder_with_default")
_RUNS = (".run(", ".eval(")
_FLAG_NAME = re.compile(r"(?<![A-Za-z])(?:is_?)?(?:[Tt]rain|[Pp]hase)")
_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_NEWLINE = re.compile(r"\r\n|\r|\n")


class LintError(ValueError):
    """A file that cannot be linted: `str()` is one line naming it — `path:line: reason`,
    `path:cell 3:line 2: reason` in a notebook, or `path: reason` when the problem has no line."""

    def __init__(self, path: str, reason: str, line: int | None = None, cell: int | None = None) -> None:
        self.path, self.reason, self.line, self.cell = path, reason, line, cell
        where = "" if line is None else f":cell {cell}:line {line}" if cell is not None else f":{line}"
        super().__init__(f"{path}{where}: {reason}")


@functools.total_ordering
@dataclasses.dataclass(frozen=True)
class Finding:
    """One warning; `str()` gives the `path:line:col: CODE message` line (col counted from 1).

    In a notebook, `cell` is the cell's number (1-based, every cell counted, markdown too) and `line`/`col`
    are counted inside the cell: `str()` gives `path:cell 7:line 3:col 5: CODE message`; `file_line` and
    `file_col` then locate the same character in the notebook's JSON text (for SARIF and GitHub annotations).
    """

    path: str
    line: int
    col: int
    code: str
    message: str
    cell: int | None = None
    file_line: int | None = None
    file_col: int | None = None

    def __str__(self) -> str:
        if self.cell is not None:
            return f"{self.path}:cell {self.cell}:line {self.line}:col {self.col}: {self.code} {self.message}"
        return f"{self.path}:{self.line}:{self.col}: {self.code} {self.message}"

    def sort_key(self) -> tuple:
        return self.path, self.cell or 0, self.line, self.col, self.code, self.message

    def __lt__(self, other: Finding) -> bool:
        return self.sort_key() < other.sort_key()


def split_lines(text: str) -> list[str]:
    """Lines as Python's tokenizer counts them (\\n, \\r\\n and \\r only, unlike `str.splitlines`)."""
    return _NEWLINE.split(text)


def _silenced(line: str, code: str) -> bool:
    match = _NOQA.search(line)
    if match is None:
        return False
    codes = match.group("codes")
    return codes is None or code in {c.strip().upper() for c in codes.split(",")}


def _column(text: str, offset: int) -> int:
    """1-based character column of a UTF-8 byte offset in `text`."""
    if text.isascii():
        return offset + 1
    return len(text.encode("utf-8")[:offset].decode("utf-8", "replace")) + 1


def _may_have_findings(source: str) -> bool:
    return any(marker in source for marker in _MARKERS) or (
        any(run in source for run in _RUNS) and _FLAG_NAME.search(source) is not None)


def parse(source: str, filename: str) -> ast.Module:
    """`ast.parse`, with every failure as a LintError naming the file (and the line of a syntax error)."""
    try:
        return ast.parse(source, filename=filename)
    except SyntaxError as error:
        raise LintError(filename, f"syntax error: {error.msg}", error.lineno) from None
    except ValueError as error:  # e.g. null bytes (Python 3.11)
        raise LintError(filename, f"cannot parse: {error}") from None
    except (RecursionError, MemoryError):
        raise LintError(filename, "not analysable: nested too deeply for Python's parser") from None


def lint_source(source: str, filename: str = "<string>") -> list[Finding]:
    """Lint Python source text; findings sorted by line. Raises LintError (a ValueError) naming `filename`
    and the line on a syntax error, or saying the file is not analysable."""
    tree = parse(source, filename)
    if not _may_have_findings(source):
        return []
    try:
        raw = Checker(tree, source).run()
    except RecursionError:
        raise LintError(filename, "not analysable: nested too deeply for the lint") from None
    lines = split_lines(source)
    findings = set()
    for node, code, message in raw:
        text = lines[node.lineno - 1] if 0 < node.lineno <= len(lines) else ""
        if not _silenced(text, code):
            findings.add(Finding(filename, node.lineno, _column(text, node.col_offset), code, message))
    return sorted(findings)
