"""[tool.tf1-bn.lint] in pyproject.toml: select/extend-select/ignore/per-file-ignores/exclude, the nearest
table winning, the command line winning over it, and one-line errors for bad tables."""

from __future__ import annotations

import sys

import pytest

from tf1_bn.cli.main import main
from tf1_bn.lint import Config, Selection
from tf1_bn.lint.config import ConfigFinder, expand, load

# BN004 on line 2, BN001 on line 3.
BUGGY = ("import tensorflow as tf\n"
         "h = tf.layers.batch_normalization(x, training=True)\n"
         "train_op = tf.train.AdamOptimizer().minimize(loss)\n")


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder with buggy files in src/, tests/ and build/; the current folder is the project."""
    for folder in ("src", "tests", "build"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "model.py").write_text(BUGGY)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def codes(capsys) -> list[tuple[str, str]]:
    """(file relative to the project, code) per printed finding."""
    out = capsys.readouterr().out
    return [(line.split(":")[0], line.split(" ")[1]) for line in out.splitlines()]


def write(project, table: str) -> None:
    (project / "pyproject.toml").write_text(f"[project]\nname = 'x'\n\n[tool.tf1-bn.lint]\n{table}\n")


@pytest.mark.parametrize("table, argv, expected", [
    ("", [], {"BN001", "BN004"}),
    ('select = ["BN001"]', [], {"BN001"}),
    ('ignore = ["BN004"]', [], {"BN001"}),
    ('select = ["BN00"]\nignore = ["bn001"]', [], {"BN004"}),
    ('select = ["BN001"]\nextend-select = ["BN004"]', [], {"BN001", "BN004"}),
    ('ignore = ["BN004"]', ["--select", "BN004"], {"BN004"}),  # the command line wins
    ('select = ["BN001"]', ["--extend-select", "BN004"], {"BN001", "BN004"}),
    ('select = ["BN004"]', ["--ignore", "BN004"], set()),
    ('ignore = ["BN"]', [], set()),
])
def test_selection_from_the_table_and_the_command_line(project, capsys, table, argv, expected):
    write(project, table)
    status = main(["lint", *argv, "src"])
    assert {code for _, code in codes(capsys)} == expected and status == (1 if expected else 0)


def test_per_file_ignores_and_exclude(project, capsys):
    write(project, 'exclude = ["build"]\n[tool.tf1-bn.lint.per-file-ignores]\n"tests/*" = ["BN004"]\n')
    assert main(["lint", "."]) == 1
    assert sorted(codes(capsys)) == [("src/model.py", "BN001"), ("src/model.py", "BN004"),
                                     ("tests/model.py", "BN001")]
    assert main(["lint", "build/model.py"]) == 0  # excluded even when named (as pre-commit names files)
    assert capsys.readouterr() == ("", "")


def test_a_folder_whose_files_are_all_excluded_is_exit_2(project, capsys):
    write(project, 'exclude = ["build/*.py"]')
    assert main(["lint", "build"]) == 2
    assert capsys.readouterr().err == (
        "tf1-bn lint: error: build: no Python files or notebooks to lint (1 excluded by [tool.tf1-bn.lint])\n")


def test_the_nearest_table_wins_and_tables_without_it_are_skipped(project, capsys):
    write(project, 'ignore = ["BN004"]')
    (project / "src" / "pyproject.toml").write_text("[tool.black]\nline-length = 100\n")  # no table: skipped
    (project / "tests" / "pyproject.toml").write_text('[tool.tf1-bn.lint]\nignore = ["BN001"]\n')
    assert main(["lint", "src", "tests"]) == 1
    assert sorted(codes(capsys)) == [("src/model.py", "BN001"), ("tests/model.py", "BN004")]


def test_config_and_isolated_options(project, capsys, tmp_path_factory):
    write(project, 'ignore = ["BN001", "BN004"]')
    assert main(["lint", "src"]) == 0
    assert main(["lint", "--isolated", "src"]) == 1
    other = tmp_path_factory.mktemp("other") / "pyproject.toml"
    other.write_text('[tool.tf1-bn.lint]\nselect = ["BN001"]\n')
    assert main(["lint", "--config", str(other), "src"]) == 1
    assert [code for _, code in codes(capsys)] == ["BN004", "BN001", "BN001"]  # --isolated, then --config


def test_files_outside_every_project_use_the_current_folders_table(project, tmp_path_factory, capsys):
    write(project, 'select = ["BN004"]')
    outside = tmp_path_factory.mktemp("elsewhere") / "model.py"
    outside.write_text(BUGGY)
    assert main(["lint", str(outside)]) == 1
    assert [code for _, code in codes(capsys)] == ["BN004"]


@pytest.mark.parametrize("content, message", [
    ("[tool.tf1-bn.lint\n", "invalid TOML"),
    ("[tool.tf1-bn.lint]\nselct = ['BN001']\n", "[tool.tf1-bn.lint]: unknown key 'selct'; expected one of select,"),
    ("[tool.tf1-bn.lint]\nselect = 'BN001'\n", "[tool.tf1-bn.lint] select: expected a list of codes, received 'BN001'"),
    ("[tool.tf1-bn.lint]\nignore = ['BN999']\n", "[tool.tf1-bn.lint] ignore: unknown code 'BN999'"),
    ("[tool.tf1-bn.lint]\nexclude = 'build'\n", "[tool.tf1-bn.lint] exclude: expected a list of path patterns"),
    ("[tool.tf1-bn.lint]\nper-file-ignores = ['x']\n", "per-file-ignores: expected a table of pattern = [codes]"),
    ("[tool.tf1-bn.lint.per-file-ignores]\n'tests/*' = ['BNX']\n", "per-file-ignores tests/*: unknown code 'BNX'"),
    ("[tool.tf1-bn]\nlint = 3\n", "[tool.tf1-bn.lint]: expected a table, received 3"),
])
def test_a_bad_table_is_one_line_naming_the_file_exit_2(project, capsys, content, message):
    (project / "pyproject.toml").write_text(content)
    assert main(["lint", "src"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"tf1-bn lint: error: {project / 'pyproject.toml'}: ") and message in err


def test_python_3_10_without_tomli_says_so(project, monkeypatch):
    write(project, 'select = ["BN001"]')
    monkeypatch.setitem(sys.modules, "tomllib", None)  # as on 3.10: `import tomllib` fails
    monkeypatch.setitem(sys.modules, "tomli", None)
    with pytest.raises(ValueError, match="needs Python 3.11 or the tomli package"):
        load(project / "pyproject.toml")
    (project / "pyproject.toml").write_text("[tool.black]\n")  # no tf1-bn table: never parsed, no error
    assert load(project / "pyproject.toml") is None


@pytest.mark.parametrize("tokens, expected", [
    (["BN001"], {"BN001"}), (["bn00"], {f"BN00{i}" for i in range(1, 10)}), ([" BN004 ", "BN005"], {"BN004", "BN005"}),
])
def test_codes_and_prefixes(tokens, expected):
    assert expand(tokens, "x") == expected


@pytest.mark.parametrize("tokens", [["BN999"], ["BN1"], ["E501"], ["*"], [""]])
def test_unknown_codes_are_refused(tokens):
    with pytest.raises(ValueError, match="unknown code"):
        expand(tokens, "x")


@pytest.mark.parametrize("pattern, path, matched", [
    ("build", "build/model.py", True), ("build", "src/build/a.py", True), ("build", "rebuild/a.py", False),
    ("legacy/*.py", "legacy/a.py", True), ("legacy/*.py", "legacy/sub/a.py", True), ("legacy/*.py", "src/a.py", False),
    ("src/gen", "src/gen/a.py", True), ("./src/gen/", "src/gen/a.py", True), ("*_pb2.py", "src/x_pb2.py", True),
    ("notebooks/*.ipynb", "notebooks/a.ipynb", True),
])
def test_patterns(project, pattern, path, matched):
    config = Config(project / "pyproject.toml", exclude=(pattern,))
    assert config.excludes(project / path) is matched


def test_finder_caches_per_folder(project):
    write(project, 'select = ["BN001"]')
    finder = ConfigFinder()
    first = finder.for_file(project / "src" / "model.py")
    assert finder.for_file(project / "tests" / "model.py") is first
    assert first.codes_for(project / "src" / "model.py", Selection(ignore=frozenset({"BN001"}))) == frozenset()
