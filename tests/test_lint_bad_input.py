"""Bad input never ends in a silent 0 nor stops the run: each problem is one line naming the file (or the
option, or the table), the other files are still linted, and the status is 2 at the end."""

from __future__ import annotations

import pytest

from tf1_bn.cli.main import main
from tf1_bn.lint import LintError, lint_files, lint_source

BUGGY = ("import tensorflow as tf\n"
         "h = tf.layers.batch_normalization(x, training=is_training)\n"
         "train_op = tf.train.AdamOptimizer().minimize(loss)\n")


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "a_buggy.py").write_text(BUGGY)
    (tmp_path / "b_syntax.py").write_text("def f(:\n    pass\n")
    (tmp_path / "c_python2.py").write_text("print 'hello'\n")
    (tmp_path / "d_buggy.py").write_text(BUGGY)
    return tmp_path


def test_syntax_errors_in_a_folder_are_reported_and_the_rest_is_linted(folder, capsys):
    assert main(["lint", "--isolated", str(folder)]) == 2
    out, err = capsys.readouterr()
    assert [line.split(":")[0] for line in out.splitlines()] == [str(folder / "a_buggy.py"), str(folder / "d_buggy.py")]
    first, second = err.splitlines()
    assert first == f"tf1-bn lint: error: {folder / 'b_syntax.py'}:1: syntax error: invalid syntax"
    assert second.startswith(f"tf1-bn lint: error: {folder / 'c_python2.py'}:1: syntax error: ")


@pytest.mark.parametrize("make, message", [
    (lambda p: None, "no such file or folder"),
    (lambda p: p.mkdir(), "no Python files or notebooks to lint"),
    (lambda p: (p.mkdir(), (p / "notes.txt").write_text("x")), "no Python files or notebooks to lint"),
])
def test_missing_paths_and_folders_without_python_are_exit_2(tmp_path, capsys, make, message):
    target = tmp_path / "target"
    make(target)
    (tmp_path / "ok.py").write_text(BUGGY)
    assert main(["lint", "--isolated", str(target), str(tmp_path / "ok.py")]) == 2
    out, err = capsys.readouterr()
    assert err == f"tf1-bn lint: error: {target}: {message}\n" and out.count("BN001") == 1


def test_a_file_too_deep_for_the_parser_is_not_analysable(tmp_path, capsys):
    (tmp_path / "deep.py").write_text("x = " + " + ".join(["1"] * 100_000) + "\n")
    (tmp_path / "ok.py").write_text(BUGGY)
    assert main(["lint", "--isolated", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert err == f"tf1-bn lint: error: {tmp_path / 'deep.py'}: not analysable: nested too deeply for Python's parser\n"
    assert out.count("BN001") == 1


def test_a_tree_too_deep_for_the_checks_is_not_analysable(monkeypatch):
    import tf1_bn.lint.findings as findings

    class Deep:
        def __init__(self, tree, source):
            pass

        def run(self):
            raise RecursionError

    monkeypatch.setattr(findings, "Checker", Deep)
    with pytest.raises(LintError, match=r"^deep\.py: not analysable: nested too deeply for the lint$"):
        lint_source(BUGGY, "deep.py")


def test_lint_files_reports_problems_in_order(folder):
    report = lint_files([folder / "missing.py", folder], isolated=True)
    assert [str(p).split(": ")[0].rsplit("/", 1)[-1] for p in report.problems] == [
        "missing.py", "b_syntax.py:1", "c_python2.py:1"]
    assert report.files == 4 and report.status == 2 and len(report.findings) == 2


@pytest.mark.parametrize("content", [b"\x00\x01binary\n", b"x = '\xff'\n"])
def test_undecodable_or_null_bytes(tmp_path, capsys, content):
    (tmp_path / "bad.py").write_bytes(content)
    assert main(["lint", "--isolated", str(tmp_path / "bad.py")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"tf1-bn lint: error: {tmp_path / 'bad.py'}") and err.count("\n") == 1
