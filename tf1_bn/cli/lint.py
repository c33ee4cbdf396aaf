"""`tf1-bn lint FILE...`: report the TF1 batch-norm bugs in source files and notebooks (no TensorFlow needed)."""

from __future__ import annotations

import argparse
import sys

from tf1_bn.lint import CODES
from tf1_bn.lint.config import Selection, expand
from tf1_bn.lint.formats import FORMATS, render, statistics
from tf1_bn.lint.runner import lint_files


def _codes(text: str) -> frozenset[str]:
    codes = [c for c in text.split(",") if c.strip()]
    if not codes:  # `--select ''` would silently switch every check off
        raise argparse.ArgumentTypeError(f"expected codes such as BN001,BN003 or a prefix such as BN00; received {text!r}")
    try:
        return expand(codes, "codes")
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error).removeprefix("codes: ")) from None


_DESCRIPTION = """\
Read TF1 Python files and Jupyter notebooks (with the ast module: nothing is imported or run) and report,
as FILE:LINE:COL: CODE message (NOTEBOOK:cell N:line L:col C: in a notebook), the ways batch-norm moving
statistics end up never updated, never saved, or unused.
Exit status: 0 clean, 1 findings, 2 a file is missing, unreadable, not valid Python 3 or not a valid notebook
(every other file is still linted; one line per problem on standard error), or a bad option or
[tool.tf1-bn.lint] table."""

_EPILOG = """\
configuration: [tool.tf1-bn.lint] in the nearest pyproject.toml (keys select, extend-select, ignore,
per-file-ignores, exclude); the command line wins. Codes may be prefixes: BN selects every code.
silence one line with '# noqa' or '# noqa: BN004'"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "lint", help="find the batch-norm bugs in TF1 source files and notebooks, without running them",
        description=_DESCRIPTION,
        epilog="codes:\n" + "\n".join(f"  {code}  {text}" for code, text in CODES.items()) + "\n\n" + _EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="Python file, notebook (.ipynb) or folder (every *.py and *.ipynb inside, hidden "
                             "folders skipped)")
    parser.add_argument("--select", type=_codes, metavar="CODES",
                        help="comma-separated codes (or prefixes) to report instead of the configured ones")
    parser.add_argument("--extend-select", type=_codes, default=frozenset(), metavar="CODES",
                        help="comma-separated codes to report in addition")
    parser.add_argument("--ignore", type=_codes, default=frozenset(), metavar="CODES",
                        help="comma-separated codes not to report, e.g. BN004,BN005")
    parser.add_argument("--format", choices=FORMATS, default="text", dest="output_format",
                        help="text (default), json, sarif (SARIF 2.1.0) or github (workflow annotations)")
    parser.add_argument("--statistics", action="store_true",
                        help="after the findings, count them per code (on standard error for json/sarif/github)")
    parser.add_argument("--exit-zero", action="store_true",
                        help="exit 0 even when there are findings (2 still means a file could not be linted)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--config", metavar="PYPROJECT",
                       help="read [tool.tf1-bn.lint] from this pyproject.toml instead of the nearest one")
    where.add_argument("--isolated", action="store_true", help="ignore every pyproject.toml")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="print no findings; the exit status alone says whether anything was found")
    parser.set_defaults(func=run, needs_tensorflow=False)


def run(args: argparse.Namespace) -> int:
    if any(not path.strip() for path in args.files):  # '' would otherwise mean the current folder
        raise ValueError("FILE '' is empty: name a Python file, a notebook or a folder")
    selection = Selection(args.select, args.extend_select, args.ignore)
    report = lint_files(args.files, selection, config=args.config, isolated=args.isolated)
    if not args.quiet:
        sys.stdout.write(render(report, args.output_format))
        if args.statistics:
            stream = sys.stdout if args.output_format == "text" else sys.stderr
            stream.write("".join(f"{line}\n" for line in statistics(report.findings)))
    for problem in report.problems:
        print(f"tf1-bn lint: error: {problem}", file=sys.stderr)
    if report.status == 1 and args.exit_zero:
        return 0
    return report.status
