"""Jupyter notebooks (`.ipynb`, nbformat 4 and 3): their code cells linted as one Python file.

The code cells are joined in order, so a layer built in cell 3 and a train op built in cell 5 are seen
together, as the kernel sees them. Lines that are IPython rather than Python become ``pass`` (same
indentation, so line numbers and blocks are kept): line magics and shell escapes (``%matplotlib inline``,
``!pip install ...``, ``files = !ls``), help (``tf.layers?``). A cell starting with a cell magic is skipped
whole (``%%bash``, ``%%writefile``, ...), except ``%%time``, ``%%timeit``, ``%%capture`` and ``%%prun``, whose
body is Python. Notebooks whose kernel declares another language than Python are not linted.

Findings are located as `path:cell 7:line 3:col 5:` — the cell's 1-based number counting every cell
(markdown and raw too, as they appear top to bottom), then the line and column inside that cell — and
also by `file_line`/`file_col`, the same character in the notebook's JSON text, which is what CI annotations
and SARIF viewers open (for a source stored as one JSON string instead of a list of lines, its start).
"""

from __future__ import annotations

import dataclasses
import json
import json.scanner
import re

from tf1_bn.lint.findings import Finding, LintError, lint_source, split_lines

_PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun"}
_LINE_REFERENCE = re.compile(r"(?<![\w:])line (\d+)\b")
_IPYTHON_LINE = re.compile(r"\s*(?:[%!]|[\w.]+\s*=\s*[%!]|\?+[\w.]|[\w.]+\?+\s*$)")


@dataclasses.dataclass(frozen=True)
class Notebook:
    """The Python text of a notebook's code cells and, for each of its lines, (cell number, line in cell,
    index of the cell's source element)."""

    source: str
    origins: list[tuple[int, int, int]]
    cells: list[list[str]]  # each code cell's source elements, as stored


def _cells(data: object, path: str) -> list[dict]:
    if not isinstance(data, dict):
        raise LintError(path, "not a valid notebook: the JSON is not an object")
    if isinstance(data.get("cells"), list):
        cells = data["cells"]
    elif isinstance(data.get("worksheets"), list):  # nbformat 3
        cells = [c for sheet in data["worksheets"] if isinstance(sheet, dict) for c in sheet.get("cells", [])]
    else:
        raise LintError(path, "not a valid notebook: no \"cells\" list")
    if not all(isinstance(c, dict) and isinstance(c.get("cell_type"), str) for c in cells):
        raise LintError(path, "not a valid notebook: a cell without a cell_type")
    return cells


def _language(data: dict) -> str:
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    for section, field in (("language_info", "name"), ("kernelspec", "language")):
        value = metadata.get(section, {}).get(field) if isinstance(metadata.get(section), dict) else None
        if isinstance(value, str):
            return value.lower()
    return "python"


def _elements(cell: dict, path: str, number: int) -> list[str]:
    source = cell.get("source", cell.get("input", ""))
    if isinstance(source, str):
        return [source]
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        return source
    raise LintError(path, f"not a valid notebook: cell {number}'s source is neither text nor a list of lines")


def _python_lines(lines: list[str]) -> list[str]:
    """The cell's lines with IPython syntax turned into `pass` (see the module docstring)."""
    if lines and lines[0].startswith("%%"):
        magic = lines[0][2:].split(maxsplit=1)[0] if lines[0][2:].strip() else ""
        if magic not in _PYTHON_CELL_MAGICS:
            return [""] * len(lines)
        lines = ["pass", *lines[1:]]
    return [line[:len(line) - len(line.lstrip())] + "pass" if _IPYTHON_LINE.match(line) else line for line in lines]


def read_notebook(text: str, path: str) -> Notebook | None:
    """The notebook's Python text; None for a notebook in another language. Raises LintError naming the
    file when the text is not a notebook."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise LintError(path, f"not a valid notebook: invalid JSON at line {error.lineno} column {error.colno}: "
                              f"{error.msg}") from None
    cells = _cells(data, path)
    if _language(data) != "python":
        return None
    lines: list[str] = []
    origins: list[tuple[int, int, int]] = []
    code_cells: list[list[str]] = []
    for number, cell in enumerate(cells, start=1):
        if cell["cell_type"] != "code":
            continue
        elements = _elements(cell, path, number)
        code_cells.append(elements)
        cell_lines = split_lines("".join(elements))
        lines.extend(_python_lines(cell_lines))
        element_of_line = [i for i, e in enumerate(elements) for _ in range(max(1, len(split_lines(e)) - 1))]
        origins.extend((number, i + 1, element_of_line[min(i, len(element_of_line) - 1)] if element_of_line else 0)
                       for i in range(len(cell_lines)))
    return Notebook("\n".join(lines), origins, code_cells)


def _string_positions(text: str) -> list[tuple[int, int, str]]:
    """(start, end, value) of every JSON string value in `text`, in order (keys excluded)."""
    decoder = json.JSONDecoder()
    found: list[tuple[int, int, str]] = []
    scanstring = decoder.parse_string

    def recording(s: str, end: int, strict: bool = True) -> tuple[str, int]:
        value, stop = scanstring(s, end, strict)
        found.append((end - 1, stop, value))
        return value, stop

    decoder.parse_string = recording
    decoder.scan_once = json.scanner.py_make_scanner(decoder)
    decoder.decode(text)
    return found


def _raw_width(raw: str, characters: int) -> int:
    """How many characters of JSON string text (escapes included) encode the first `characters` characters."""
    index = 0
    while characters > 0 and index < len(raw):
        if raw[index] == "\\":
            pair = raw[index + 1] == "u" and 0xD800 <= int(raw[index + 2:index + 6], 16) < 0xDC00
            index += 12 if pair and raw[index + 6:index + 8] == "\\u" else 6 if raw[index + 1] == "u" else 2
        else:
            index += 1
        characters -= 1
    return index


def _element_starts(text: str, notebook: Notebook) -> dict[tuple[int, int], int]:
    """(code cell index, element index) -> offset of the element's opening quote in the JSON text."""
    strings = _string_positions(text)
    values = [value for _, _, value in strings]
    starts: dict[tuple[int, int], int] = {}
    cursor = 0
    for index, elements in enumerate(notebook.cells):
        if not elements:
            continue
        for position in range(cursor, len(values) - len(elements) + 1):
            if values[position:position + len(elements)] == elements:
                for offset in range(len(elements)):
                    starts[index, offset] = strings[position + offset][0]
                cursor = position + len(elements)
                break
    return starts


def locate(findings: list[Finding], text: str, notebook: Notebook) -> list[Finding]:
    """Findings of the joined text moved to their cells, with their place in the JSON text."""
    if not findings:
        return []
    try:
        starts = _element_starts(text, notebook)
    except (ValueError, IndexError, RecursionError):
        starts = {}
    cell_index = {number: i for i, number in enumerate(sorted({o[0] for o in notebook.origins}))}
    located = []
    for finding in findings:
        cell, line, element = notebook.origins[finding.line - 1]
        start = starts.get((cell_index[cell], element))
        file_line = file_col = None
        if start is not None:
            file_line = text.count("\n", 0, start) + 1
            file_col = start - (text.rfind("\n", 0, start) + 1) + 2  # after the quote, 1-based
            if len(notebook.cells[cell_index[cell]]) > 1:  # one element per line: the column inside it
                file_col += _raw_width(text[start + 1:], finding.col - 1)
        message = _LINE_REFERENCE.sub(lambda m: _cell_line(notebook, int(m.group(1))), finding.message)
        located.append(dataclasses.replace(finding, line=line, cell=cell, file_line=file_line, file_col=file_col,
                                           message=message))
    return sorted(located)


def _cell_line(notebook: Notebook, line: int) -> str:
    """`line 12` of the joined text as `cell 3, line 2` (messages name other lines of the file)."""
    if not 0 < line <= len(notebook.origins):
        return f"line {line}"
    cell, in_cell, _ = notebook.origins[line - 1]
    return f"cell {cell}, line {in_cell}"


def lint_notebook(text: str, path: str) -> list[Finding]:
    """Lint a notebook's code cells; findings sorted by cell, then line. Raises LintError naming the file
    (and the cell and line of a syntax error)."""
    notebook = read_notebook(text, path)
    if notebook is None or not notebook.source.strip():
        return []
    try:
        findings = lint_source(notebook.source, path)
    except LintError as error:
        if error.line is None or not 0 < error.line <= len(notebook.origins):
            raise
        cell, line, _ = notebook.origins[error.line - 1]
        raise LintError(path, error.reason, line, cell) from None
    return locate(findings, text, notebook)
