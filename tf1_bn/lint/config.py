"""Which codes are reported for which file: `--select`/`--extend-select`/`--ignore` on top of the
`[tool.tf1-bn.lint]` table of the nearest `pyproject.toml`.

```toml
[tool.tf1-bn.lint]
select = ["BN"]                      # codes or prefixes ("BN" is every code, "BN00" BN001-BN009); default: all
extend-select = []                   # added to select
ignore = ["BN005"]                   # removed
per-file-ignores = {"tests/*" = ["BN004"], "notebooks/*.ipynb" = ["BN009"]}
exclude = ["build", "legacy/*.py"]   # never linted, even when named on the command line
```

* The table is looked for in the `pyproject.toml` files of the linted file's folder and its parents, the
  nearest that has a `[tool.tf1-bn.lint]` table winning; when none has one, in the current folder and its
  parents. Files not mentioning "tf1-bn" are not parsed.
* Patterns are `fnmatch` globs (``*`` also crosses ``/``) matched against the path relative to that
  `pyproject.toml`'s folder; a pattern without ``/`` matches any single path component (``build`` excludes
  every file under a `build/` folder), one with ``/`` also matches a leading folder.
* Order: the table's select (or every code), plus its extend-select, minus its ignore; then the command
  line: `--select` replaces that set, `--extend-select` adds, `--ignore` removes; per-file-ignores last.
* A bad table (invalid TOML, unknown key, wrong type, unknown code) is a ValueError naming the file and key.
  Python 3.10 has no `tomllib`: there `tomli` is used if installed, else a present table is an error.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
import pathlib
import re

from tf1_bn.lint._codes import CODES

KEYS = ("select", "extend-select", "ignore", "per-file-ignores", "exclude")
_TOKEN = re.compile(r"[A-Z]+[0-9]*")


def expand(tokens: list[str] | tuple[str, ...], where: str) -> frozenset[str]:
    """Codes named by `tokens`, each a code or a prefix of codes (any case); ValueError naming `where`."""
    codes: set[str] = set()
    for token in (t.strip().upper() for t in tokens):
        matched = {c for c in CODES if c.startswith(token)} if _TOKEN.fullmatch(token) else set()
        if not matched:
            raise ValueError(f"{where}: unknown code {token!r}; expected codes from {', '.join(CODES)} "
                             f"or a prefix such as BN or BN00")
        codes |= matched
    return frozenset(codes)


@dataclasses.dataclass(frozen=True)
class Selection:
    """The command line's codes (None: not given)."""

    select: frozenset[str] | None = None
    extend_select: frozenset[str] = frozenset()
    ignore: frozenset[str] = frozenset()


@dataclasses.dataclass(frozen=True)
class Config:
    """One `[tool.tf1-bn.lint]` table (`path` None: no table, every code)."""

    path: pathlib.Path | None = None
    select: frozenset[str] | None = None
    extend_select: frozenset[str] = frozenset()
    ignore: frozenset[str] = frozenset()
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    exclude: tuple[str, ...] = ()

    def _relative(self, file: str | os.PathLike[str]) -> str:
        absolute = os.path.abspath(file)
        if self.path is None:
            return pathlib.PurePath(absolute).as_posix()
        relative = os.path.relpath(absolute, self.path.parent)
        return pathlib.PurePath(absolute if relative.startswith("..") else relative).as_posix()

    def excludes(self, file: str | os.PathLike[str]) -> bool:
        return bool(self.exclude) and any(_matches(self._relative(file), p) for p in self.exclude)

    def codes_for(self, file: str | os.PathLike[str], cli: Selection = Selection()) -> frozenset[str]:
        codes = (frozenset(CODES) if self.select is None else self.select) | self.extend_select
        codes -= self.ignore
        if cli.select is not None:
            codes = cli.select
        codes = (codes | cli.extend_select) - cli.ignore
        if self.per_file_ignores:
            relative = self._relative(file)
            for pattern, ignored in self.per_file_ignores:
                if _matches(relative, pattern):
                    codes -= ignored
        return codes


def _matches(relative: str, pattern: str) -> bool:
    pattern = pattern.strip().removeprefix("./").rstrip("/")
    parts = relative.split("/")
    if "/" not in pattern:
        return any(fnmatch.fnmatchcase(part, pattern) for part in parts)
    return any(fnmatch.fnmatchcase("/".join(parts[:i]), pattern) for i in range(1, len(parts) + 1))


def _toml_loads(text: str, path: pathlib.Path) -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            raise ValueError(f"{path}: reading [tool.tf1-bn.lint] needs Python 3.11 or the tomli package "
                             f"(pip install tomli)") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path}: invalid TOML: {error}") from None


def _codes(table: dict, name: str, where: str) -> frozenset[str] | None:
    value = table.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where} {name}: expected a list of codes, received {value!r}")
    return expand(value, f"{where} {name}")


def _patterns(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where}: expected a list of path patterns, received {value!r}")
    return tuple(value)


def parse_table(table: object, path: pathlib.Path) -> Config:
    """A validated Config from the `[tool.tf1-bn.lint]` table read from `path`."""
    where = f"{path}: [tool.tf1-bn.lint]"
    if not isinstance(table, dict):
        raise ValueError(f"{where}: expected a table, received {table!r}")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ValueError(f"{where}: unknown key {unknown[0]!r}; expected one of {', '.join(KEYS)}")
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise ValueError(f"{where} per-file-ignores: expected a table of pattern = [codes], received {per_file!r}")
    ignores = tuple((pattern, _codes(per_file, pattern, f"{where} per-file-ignores")) for pattern in per_file)
    return Config(path, _codes(table, "select", where), _codes(table, "extend-select", where) or frozenset(),
                  _codes(table, "ignore", where) or frozenset(), ignores,
                  _patterns(table.get("exclude", []), f"{where} exclude"))


def load(path: str | os.PathLike[str]) -> Config | None:
    """The table of one `pyproject.toml`; None when it has none. ValueError naming the file when bad."""
    path = pathlib.Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: cannot read: {error}") from None
    if "tf1-bn" not in text:
        return None
    tool = _toml_loads(text, path).get("tool", {})
    section = tool.get("tf1-bn") if isinstance(tool, dict) else None
    if not isinstance(section, dict) or "lint" not in section:
        return None
    return parse_table(section["lint"], path)


class ConfigFinder:
    """The Config for each linted file (nearest `pyproject.toml` with a table), cached per folder."""

    def __init__(self, cwd: str | os.PathLike[str] | None = None) -> None:
        self._cwd = os.path.abspath(cwd or os.getcwd())
        self._by_folder: dict[str, Config | None] = {}

    def _search(self, folder: str) -> Config | None:
        trail = []
        found: Config | None = None
        while True:
            if folder in self._by_folder:
                found = self._by_folder[folder]
                break
            trail.append(folder)
            candidate = os.path.join(folder, "pyproject.toml")
            if os.path.isfile(candidate):
                found = load(candidate)
                if found is not None:
                    break
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
        for visited in trail:
            self._by_folder[visited] = found
        return found

    def for_file(self, file: str | os.PathLike[str]) -> Config:
        folder = os.path.dirname(os.path.abspath(file))
        return self._search(folder) or self._search(self._cwd) or Config()
