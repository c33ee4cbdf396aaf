"""`tf1-bn run` keeps its exit-code promise for every spelling of a missing TF1 API (exit 3, one line), and
runs a script as python would: argv[0] as given, python's own SyntaxError block, one line for an unreadable file."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tf1_bn.cli.main import main
from tf1_bn.compat import runner

MISSING = [
    ("import tensorflow.contrib.rnn\n", "tf.contrib.rnn"),
    ("import tensorflow.contrib.rnn as rnn\n", "tf.contrib.rnn"),
    ("from tensorflow.contrib import rnn\n", "tf.contrib.rnn"),
    ("from tensorflow.contrib.layers import no_such_layer\n", "tf.contrib.layers.no_such_layer"),
    ("import tensorflow as tf\ncell = tf.nn.rnn_cell.BasicLSTMCell(4)\n", "tf.nn.rnn_cell.BasicLSTMCell"),
    ("import tensorflow as tf\nx = tf.contrib.rnn\n", "tf.contrib.rnn"),
]


@pytest.mark.parametrize("source, api", MISSING)
def test_every_spelling_of_a_missing_api_is_one_line_and_exit_3(tmp_path, capsys, source, api):
    script = tmp_path / "old.py"
    script.write_text(source)
    assert main(["run", str(script)]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"uses {api}, which the TF1 facade does not provide" in err[0]
    assert "Traceback" not in err[0]


def test_the_console_script_gives_exit_3_without_traceback(tmp_path):
    script = tmp_path / "old.py"
    script.write_text("from tensorflow.contrib import rnn\n")
    result = subprocess.run([os.path.join(os.path.dirname(sys.executable), "tf1-bn"), "run", str(script)],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 3 and "Traceback" not in result.stderr
    assert "uses tf.contrib.rnn" in result.stderr


def test_argv0_is_the_path_as_given(tmp_path, capsys, monkeypatch):
    (tmp_path / "show.py").write_text("import sys\nprint('ARGV0', sys.argv[0], __file__)\n")
    monkeypatch.chdir(tmp_path)
    assert main(["run", "./show.py", "--flag"]) == 0
    assert "ARGV0 ./show.py ./show.py" in capsys.readouterr().out


def test_a_syntax_error_shows_pythons_caret_block_only(tmp_path, capsys, monkeypatch):
    (tmp_path / "broken.py").write_text("x = (1,\n")
    monkeypatch.chdir(tmp_path)
    assert main(["run", "broken.py"]) == 1
    err = capsys.readouterr().err
    assert err.startswith('  File "broken.py", line 1') and err.rstrip().endswith("SyntaxError: '(' was never closed")
    assert "runpy" not in err and "tf1_bn" not in err


def test_an_unreadable_script_is_one_line_and_exit_2(tmp_path, capsys, monkeypatch):
    script = tmp_path / "secret.py"
    script.write_text("print('never')\n")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(runner, "open", refuse, raising=False)  # root reads any file: simulate the refusal
    assert main(["run", str(script)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"tf1-bn run: error: can't open file {str(script)!r}: Permission denied"
