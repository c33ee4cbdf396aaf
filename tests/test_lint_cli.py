"""`tf1-bn lint` and tf1_bn.lint's file handling: output format, exit codes 0/1/2, one-line errors naming the
file, folders, encodings, and no TensorFlow import anywhere on the way."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

from tf1_bn.cli.main import main
from tf1_bn.lint import Finding, lint_paths, python_files, read_source

BUGGY = ("import tensorflow as tf\n"
         "h = tf.layers.batch_normalization(x, training=True)\n"
         "train_op = tf.train.AdamOptimizer().minimize(loss)\n")
CORRECT = ("import tensorflow as tf\n"
           "h = tf.layers.batch_normalization(x, training=is_training)\n"
           "with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):\n"
           "    train_op = tf.train.AdamOptimizer().minimize(loss)\n")


@pytest.fixture
def files(tmp_path):
    (tmp_path / "b_buggy.py").write_text(BUGGY)
    (tmp_path / "a_correct.py").write_text(CORRECT)
    (tmp_path / "a_early.py").write_text("import tensorflow as tf\nops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)\n"
                                         "h = tf.layers.batch_normalization(x, training=t)\n")
    return tmp_path


def test_findings_one_per_line_sorted_by_file_then_line(files, capsys):
    assert main(["lint", str(files / "b_buggy.py"), str(files / "a_early.py"), str(files / "a_correct.py")]) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert [line.split(" ", 2)[:2] for line in lines] == [
        [f"{files / 'a_early.py'}:2:7:", "BN003"],
        [f"{files / 'b_buggy.py'}:2:47:", "BN004"],
        [f"{files / 'b_buggy.py'}:3:12:", "BN001"],
    ]
    assert "line 2" in lines[2] and err == ""


def test_clean_file_exit_0_and_silent(files, capsys):
    assert main(["lint", str(files / "a_correct.py")]) == 0
    assert capsys.readouterr() == ("", "")


def test_folder_is_linted_recursively(files, capsys):
    (files / "pkg").mkdir()
    (files / "pkg" / "model.py").write_text(BUGGY)
    (files / ".hidden").mkdir()
    (files / ".hidden" / "model.py").write_text(BUGGY)
    (files / "notes.txt").write_text(BUGGY)
    assert main(["lint", str(files)]) == 1
    paths = {line.split(":")[0] for line in capsys.readouterr().out.splitlines()}
    assert paths == {str(files / name) for name in ("a_early.py", "b_buggy.py", "pkg/model.py")}


@pytest.mark.parametrize("options, status, lines", [
    (["--quiet"], 1, 0),
    (["-q"], 1, 0),
    (["--ignore", "BN001"], 1, 1),
    (["--ignore", "bn001,BN004"], 0, 0),
])
def test_quiet_and_ignore(files, capsys, options, status, lines):
    assert main(["lint", *options, str(files / "b_buggy.py")]) == status
    assert len(capsys.readouterr().out.splitlines()) == lines


@pytest.mark.parametrize("name, content, message", [
    ("missing.py", None, "missing.py: no such file or folder"),
    ("syntax.py", "x = 1\ndef f(:\n", "syntax.py:2: syntax error"),
    ("python2.py", 'print "hello"\n', "python2.py:1: syntax error"),
    ("latin.py", b"x = '\xe9'\n", "latin.py: cannot decode"),
    ("cookie.py", b"# -*- coding: no-such-codec -*-\nx = 1\n", "cookie.py: cannot decode"),
])
def test_bad_input_exit_2_one_line_naming_the_file(files, capsys, name, content, message):
    path = files / name
    if isinstance(content, str):
        path.write_text(content)
    elif content is not None:
        path.write_bytes(content)
    assert main(["lint", str(files / "a_correct.py"), str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("tf1-bn lint: error: ") and message in err and str(files) in err


@pytest.mark.parametrize("argv", [["lint"], ["lint", "--ignore", "BN999", "x.py"], ["lint", "--select", "", "x.py"],
                                  ["lint", "--select", ",", "x.py"]])
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == 2 and "usage: tf1-bn lint" in capsys.readouterr().err


def test_help_lists_every_code(capsys):
    with pytest.raises(SystemExit):
        main(["lint", "--help"])
    out = capsys.readouterr().out
    assert all(code in out for code in ("BN001", "BN002", "BN003", "BN004", "BN005", "--quiet", "--ignore", "noqa"))


def test_api_paths_and_encoding(files):
    (files / "utf8_cookie.py").write_bytes(b"# -*- coding: latin-1 -*-\nname = '\xe9'\n" + BUGGY.encode())
    assert read_source(files / "utf8_cookie.py").splitlines()[1] == "name = '\u00e9'"
    findings = lint_paths(files / "utf8_cookie.py")  # a single path is accepted as well as a list
    assert [(f.line, f.code) for f in findings] == [(4, "BN004"), (5, "BN001")]
    assert lint_paths([str(files / "a_correct.py")]) == []
    assert python_files([files / "b_buggy.py", files / "b_buggy.py"]) == [files / "b_buggy.py"] * 2
    assert Finding("m.py", 3, 1, "BN001", "text").__str__() == "m.py:3:1: BN001 text"


def _python(code: str, cwd: pathlib.Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, timeout=60)


def test_importing_the_lint_and_running_the_command_never_imports_tensorflow(files):
    result = _python("import sys, tf1_bn.lint\n"
                     "assert 'tensorflow' not in sys.modules\n"
                     "from tf1_bn.cli.main import main\n"
                     f"status = main(['lint', {str(files / 'b_buggy.py')!r}])\n"
                     "print(status, 'tensorflow' in sys.modules)\n", files)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "1 False"


def test_console_script_entry_point(files):
    script = pathlib.Path(sys.executable).with_name("tf1-bn")
    if not script.exists():
        pytest.skip("tf1-bn console script not installed next to this Python")
    result = subprocess.run([str(script), "lint", str(files / "b_buggy.py")], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1 and result.stderr == ""
    assert result.stdout.splitlines()[0].startswith(f"{files / 'b_buggy.py'}:2:47: BN004 ")
