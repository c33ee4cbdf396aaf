"""How a lint report is written: `text` (the default, one `path:line:col: CODE message` line per finding),
`json`, `sarif` (SARIF 2.1.0, for code-scanning dashboards) and `github` (workflow annotations).

* ``json`` — a list of objects: path, cell (null outside notebooks), line, col (inside the cell in a
  notebook), file_line, file_col (in the file itself: the notebook's JSON text; null where unknown), code,
  message.
* ``sarif`` — one run of tool "tf1-bn lint" with every code as a rule (description = what it catches,
  help = the fix); results at the file position (`file_line`/`file_col` for a notebook, whose cell, line and
  column are in the message and the result's properties); files that could not be linted are error
  notifications of the invocation, whose `executionSuccessful` is then false. Relative paths stay relative
  (to the repository root, as code scanning expects), absolute ones become `file://` URIs.
* ``github`` — ``::warning file=…,line=…,col=…,title=BN001::message`` per finding and ``::error file=…::…``
  per file that could not be linted, which GitHub Actions shows on the pull request's diff.

`--statistics` appends, after the findings, one ``count  CODE  summary`` line per reported code (most
frequent first) — on standard output for text, on standard error for the other formats, so that their
standard output stays machine-readable.
"""

from __future__ import annotations

import collections
import json
import pathlib
import urllib.parse

from tf1_bn._version import __version__
from tf1_bn.lint._codes import CODES, RULES
from tf1_bn.lint.findings import Finding, LintError
from tf1_bn.lint.runner import Report

FORMATS = ("text", "json", "sarif", "github")
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def statistics(findings: list[Finding]) -> list[str]:
    counts = collections.Counter(f.code for f in findings)
    return [f"{count:>5}  {code}  {CODES[code]}" for code, count in sorted(counts.items(), key=lambda c: (-c[1], c[0]))]


def _position(finding: Finding) -> tuple[int | None, int | None]:
    """Line and column in the file itself."""
    if finding.cell is None:
        return finding.line, finding.col
    return finding.file_line, finding.file_col


def _cell_prefix(finding: Finding) -> str:
    return "" if finding.cell is None else f"cell {finding.cell}, line {finding.line}, col {finding.col}: "


def to_text(report: Report) -> str:
    return "".join(f"{finding}\n" for finding in report.findings)


def to_json(report: Report) -> str:
    rows = []
    for finding in report.findings:
        file_line, file_col = _position(finding)
        rows.append({"path": finding.path, "cell": finding.cell, "line": finding.line, "col": finding.col,
                     "file_line": file_line, "file_col": file_col, "code": finding.code, "message": finding.message})
    return json.dumps(rows, indent=2) + "\n"


def _uri(path: str) -> dict[str, str]:
    pure = pathlib.Path(path)
    if pure.is_absolute():
        return {"uri": pure.as_uri()}
    return {"uri": urllib.parse.quote(pure.as_posix()), "uriBaseId": "%SRCROOT%"}


def _location(path: str, line: int | None, col: int | None = None) -> dict:
    physical: dict = {"artifactLocation": _uri(path)}
    if line is not None:
        physical["region"] = {"startLine": line, **({"startColumn": col} if col is not None else {})}
    return {"physicalLocation": physical}


def _sarif_result(finding: Finding, index: dict[str, int]) -> dict:
    line, col = _position(finding)
    result = {"ruleId": finding.code, "ruleIndex": index[finding.code], "level": "warning",
              "message": {"text": _cell_prefix(finding) + finding.message},
              "locations": [_location(finding.path, line, col)]}
    if finding.cell is not None:
        result["properties"] = {"cell": finding.cell, "cellLine": finding.line, "cellColumn": finding.col}
    return result


def _notification(problem: LintError) -> dict:
    notification = {"level": "error", "message": {"text": str(problem)}}
    if problem.path:
        notification["locations"] = [_location(problem.path, problem.line if problem.cell is None else None)]
    return notification


def to_sarif(report: Report) -> str:
    index = {rule.code: i for i, rule in enumerate(RULES)}
    rules = [{"id": rule.code, "shortDescription": {"text": rule.summary}, "fullDescription": {"text": rule.catches},
              "help": {"text": rule.fix}, "defaultConfiguration": {"level": "warning"}} for rule in RULES]
    run = {
        "tool": {"driver": {"name": "tf1-bn lint", "version": __version__, "rules": rules}},
        "invocations": [{"executionSuccessful": not report.problems,
                         "toolExecutionNotifications": [_notification(p) for p in report.problems]}],
        "columnKind": "unicodeCodePoints",
        "results": [_sarif_result(f, index) for f in report.findings],
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"


def _escape(text: str, property_value: bool = False) -> str:
    """GitHub workflow-command escaping (data: %, CR, LF; property values also : and ,)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def _command(level: str, path: str, line: int | None, col: int | None, title: str | None, message: str) -> str:
    fields = [f"file={_escape(path, True)}"]
    if line is not None:
        fields.append(f"line={line}")
    if col is not None:
        fields.append(f"col={col}")
    if title:
        fields.append(f"title={_escape(title, True)}")
    return f"::{level} {','.join(fields)}::{_escape(message)}\n"


def to_github(report: Report) -> str:
    lines = []
    for finding in report.findings:
        line, col = _position(finding)
        where = "" if finding.cell is None else f" (cell {finding.cell}, line {finding.line}, col {finding.col})"
        lines.append(_command("warning", finding.path, line, col, f"{finding.code}{where}", finding.message))
    for problem in report.problems:
        lines.append(_command("error", problem.path, problem.line if problem.cell is None else None, None,
                              "tf1-bn lint", str(problem)))
    return "".join(lines)


WRITERS = {"text": to_text, "json": to_json, "sarif": to_sarif, "github": to_github}


def render(report: Report, output_format: str = "text") -> str:
    """The report in `output_format` (one of FORMATS), as the text for standard output."""
    if output_format not in WRITERS:
        raise ValueError(f"unknown format {output_format!r}; expected one of {', '.join(FORMATS)}")
    return WRITERS[output_format](report)
