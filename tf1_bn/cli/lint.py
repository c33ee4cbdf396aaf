"""`tf1-bn lint FILE...`: report the TF1 batch-norm UPDATE_OPS bugs in source files (no TensorFlow needed)."""

from __future__ import annotations

import argparse

from tf1_bn.lint import CODES, lint_paths


def _codes(text: str) -> set[str]:
    codes = {c.strip().upper() for c in text.split(",") if c.strip()}
    unknown = sorted(codes - set(CODES))
    if unknown:
        raise argparse.ArgumentTypeError(f"expected codes from {', '.join(CODES)}; received {', '.join(unknown)}")
    return codes


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "lint", help="find the UPDATE_OPS batch-norm bugs in TF1 source files, without running them",
        description="Read TF1 Python files (with the ast module: nothing is imported or run) and report, as\n"
                    "FILE:LINE:COL: CODE message, the ways batch-norm moving statistics end up never updated.\n"
                    "Exit status: 0 clean, 1 findings, 2 a file is missing, unreadable or not valid Python 3.",
        epilog="codes:\n" + "\n".join(f"  {code}  {text}" for code, text in CODES.items())
               + "\n\nsilence one line with '# noqa' or '# noqa: BN004'",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="Python file, or folder (every *.py inside, hidden folders skipped)")
    parser.add_argument("--ignore", type=_codes, default=set(), metavar="CODES",
                        help="comma-separated codes not to report, e.g. BN004,BN005")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="print nothing; the exit status alone says whether anything was found")
    parser.set_defaults(func=run, needs_tensorflow=False)


def run(args: argparse.Namespace) -> int:
    findings = [f for f in lint_paths(args.files) if f.code not in args.ignore]
    if not args.quiet:
        for finding in findings:
            print(finding)
    return 1 if findings else 0
