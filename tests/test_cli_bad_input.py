"""The CLI turns every expected failure into one line before work starts: bounded integers, named seeds, output
paths probed by option name, library OSErrors, a second run on a locked folder, SIGTERM and Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tf1_bn._files import folder_lock
from tf1_bn.cli import _common
from tf1_bn.cli.main import main

CONSOLE = os.path.join(os.path.dirname(sys.executable), "tf1-bn")


@pytest.mark.parametrize("argv, message", [
    (["table", "--steps", str(10**20)], "argument --steps: expected a positive integer up to 1,000,000,000"),
    (["table", "--validate-every", str(10**20)], "argument --validate-every: expected a positive integer"),
    (["bench", "--steps", str(10**20)], "argument --steps: expected a positive integer"),
    (["table", "--seed", "-1"], "argument --seed: expected a non-negative integer"),
    (["pitfalls", "--seed", "-1"], "argument --seed: expected a non-negative integer"),
])
def test_integers_are_bounded_and_named(capsys, argv, message):
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("command", [["table", "--steps", "1"], ["pitfalls", "--only", "correct"]])
def test_an_unwritable_out_folder_fails_before_training(tmp_path, capsys, monkeypatch, command):
    monkeypatch.setattr(_common.os, "access", lambda path, mode: False)  # root ignores permission bits
    assert main([*command, "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip() == f"tf1-bn {command[0]}: error: --out {str(tmp_path)!r}: the folder is not writable"


@pytest.mark.parametrize("plot, message", [("{tmp}", "expected a file name, found a folder"),
                                           ("{tmp}/a_file/curves.png", "expected a folder, found a file")])
def test_compare_plot_is_checked_before_training(tmp_path, capsys, plot, message):
    (tmp_path / "a_file").write_text("not a folder")
    path = plot.format(tmp=tmp_path)
    assert main(["compare", "--weights", "small", "--lr", "0.01", "--activation", "relu", "--steps", "1",
                 "--plot", path]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("tf1-bn compare: error: --plot") and message in err and len(err.splitlines()) == 1


def test_a_second_run_on_a_locked_folder_is_refused(tmp_path, capsys):
    with folder_lock(tmp_path, "--out"):
        assert main(["table", "--steps", "1", "--only", "1", "--out", str(tmp_path)]) == 2
    assert "the folder is in use by another tf1-bn run" in capsys.readouterr().err
    with folder_lock(tmp_path, "--out"):  # released: free again
        pass


def test_a_library_permission_error_is_one_line(tmp_path, capsys, monkeypatch):
    import tf1_bn.cli.table as table_command

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / "train-images-idx3-ubyte.gz"))

    monkeypatch.setattr(table_command, "data_factory", refuse)
    assert main(["table", "--steps", "1", "--only", "1", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"tf1-bn table: error: {tmp_path / 'train-images-idx3-ubyte.gz'}: Permission denied"


def test_sigterm_leaves_no_temporary_file_and_says_terminated(tmp_path):
    script = tmp_path / "slow.py"
    script.write_text("import time\nprint('started', flush=True)\ntime.sleep(60)\n")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    process = subprocess.Popen([CONSOLE, "run", str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    assert process.stdout.readline().strip() == "started"
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM
    assert err.strip().endswith("tf1-bn run: terminated")


def test_sigterm_during_an_atomic_write_removes_the_temporary(tmp_path):
    code = ("import signal, os, sys\n"
            "from tf1_bn._signals import Terminated, terminate_as_exception\n"
            "from tf1_bn._files import atomic_write\n"
            "guard = terminate_as_exception()\nguard.__enter__()\n"
            f"try:\n    with atomic_write({str(tmp_path / 'out.csv')!r}) as f:\n"
            "        f.write('half')\n        os.kill(os.getpid(), signal.SIGTERM)\n"
            "except Terminated:\n    print('cleaned')\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "cleaned", result.stderr
    assert sorted(os.listdir(tmp_path)) == []
