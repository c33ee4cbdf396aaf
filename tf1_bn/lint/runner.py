"""A lint run over files and folders, as `tf1-bn lint` does it: every file is tried, a file that cannot be
linted is recorded as a problem (one line naming it) and the others go on; codes are chosen per file
(see `tf1_bn.lint.config`)."""

from __future__ import annotations

import dataclasses
import os
import pathlib
from typing import Iterable

from tf1_bn.lint.config import Config, ConfigFinder, Selection, load
from tf1_bn.lint.files import folder_files, lint_file, python_files
from tf1_bn.lint.findings import Finding, LintError


@dataclasses.dataclass
class Report:
    """What a run found: `findings` sorted by file, then position; `problems` the files (or arguments)
    that could not be linted, in order; `files` how many files were linted."""

    findings: list[Finding]
    problems: list[LintError]
    files: int

    @property
    def status(self) -> int:
        """The exit status: 2 when a file could not be linted, else 1 with findings, else 0."""
        return 2 if self.problems else 1 if self.findings else 0


def _arguments(paths: Iterable[str | os.PathLike[str]], configs: ConfigFinder | Config,
               problems: list[LintError]) -> list[pathlib.Path]:
    """The files named by `paths` that are not excluded; problems for missing paths and empty folders."""
    config_of = configs.for_file if isinstance(configs, ConfigFinder) else (lambda _: configs)
    files: list[pathlib.Path] = []
    for path in map(pathlib.Path, paths):
        if path.is_dir():
            found = folder_files(path)
            kept = [f for f in found if not config_of(f).excludes(f)]
            if not kept:
                why = f" ({len(found)} excluded by [tool.tf1-bn.lint])" if found else ""
                problems.append(LintError(str(path), f"no Python files or notebooks to lint{why}"))
            files.extend(kept)
        elif path.exists():
            if not config_of(path).excludes(path):
                files.append(path)
        else:
            problems.append(LintError(str(path), "no such file or folder"))
    return files


def lint_files(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str], selection: Selection = Selection(),
               *, config: str | os.PathLike[str] | None = None, isolated: bool = False,
               cwd: str | os.PathLike[str] | None = None) -> Report:
    """Lint every file named or found in a folder; `config` forces one `pyproject.toml`, `isolated` uses
    none. Raises ValueError only for a bad configuration (before anything is linted)."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    if isolated:
        configs: ConfigFinder | Config = Config()
    elif config is not None:
        configs = load(config) or Config(pathlib.Path(config))
    else:
        configs = ConfigFinder(cwd)
    problems: list[LintError] = []
    files = _arguments(paths, configs, problems)
    findings: list[Finding] = []
    for file in files:
        try:
            found = lint_file(file)
        except LintError as error:
            problems.append(error)
            continue
        except FileNotFoundError as error:  # removed while running
            problems.append(LintError(str(file), str(error).split(": ", 1)[-1]))
            continue
        codes = (configs.for_file(file) if isinstance(configs, ConfigFinder) else configs).codes_for(file, selection)
        findings.extend(f for f in found if f.code in codes)
    return Report(sorted(findings), problems, len(files))


def lint_paths(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str]) -> list[Finding]:
    """Lint files and folders (see `python_files`), every code, no configuration; findings sorted by file,
    then position. Stops at the first file that is missing, unreadable or not valid Python (or not a valid
    notebook), with an error naming it."""
    findings: list[Finding] = []
    for path in python_files(paths):
        findings.extend(lint_file(path))
    return sorted(findings)
