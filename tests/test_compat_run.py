"""`tf1-bn run SCRIPT [ARGS…]` (tf1_bn.compat.runner): TF1 scripts run unchanged, exit codes, and a clean process after.

Most tests run scripts in-process through the CLI's `main` (fast); one runs the real console script in a
subprocess, where matplotlib's backend and the exit status are the process's own.
"""

from __future__ import annotations

import builtins
import json
import os
import subprocess
import sys
import textwrap

import pytest
import tensorflow as tf

from tf1_bn.cli.main import main
from tf1_bn.compat.runner import EXIT_MISSING_API


def write(path, text):
    path.write_text(textwrap.dedent(text))
    return path


@pytest.mark.parametrize("body, code, stderr_has", [
    ("x = 1\n", 0, None),
    ("import sys\nsys.exit()\n", 0, None),
    ("import sys\nsys.exit(4)\n", 4, None),
    ("import sys\nsys.exit('stopped early')\n", 1, "stopped early"),
    ("def f():\n    raise ValueError('boom')\nf()\n", 1, "ValueError: boom"),
])
def test_exit_codes_are_the_scripts(tmp_path, capsys, body, code, stderr_has):
    script = write(tmp_path / "script.py", body)
    assert main(["run", str(script)]) == code
    err = capsys.readouterr().err
    if stderr_has:
        assert stderr_has in err
    if code == 1 and "raise" in body:
        assert 'script.py", line 2' in err and "runner.py" not in err  # the traceback starts in the script


@pytest.mark.parametrize("line, api", [
    ("tf.foo_bar()", "tf.foo_bar"),
    ("tf.contrib.rnn.LSTMCell(4)", "tf.contrib.rnn"),
    ("tf.layers.conv3d(None, 4, 3)", "tf.layers.conv3d"),
])
def test_a_missing_api_is_one_line_naming_the_script_line(tmp_path, capsys, line, api):
    script = write(tmp_path / "legacy.py", f"import tensorflow as tf\n\n{line}\n")
    assert main(["run", str(script)]) == EXIT_MISSING_API
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert err.startswith(f"tf1-bn run: {script}:3 uses {api}, which the TF1 facade does not provide")


def test_missing_script_is_exit_2_in_one_line(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nope.py")]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "nope.py" in err


def test_argv_name_and_a_whole_tf1_script(tmp_path, capsys):
    """sys.argv as given (options after SCRIPT are the script's), `__main__`, the TF1 API through the facade,
    a sibling module's `import tensorflow` too, and the update ops doing their job."""
    write(tmp_path / "helper.py", """
        import tensorflow as tf

        def block(h, is_training):
            return tf.nn.relu(tf.layers.batch_normalization(tf.layers.dense(h, 8, use_bias=False), training=is_training))
    """)
    script = write(tmp_path / "train.py", """
        import json, sys
        import numpy as np
        import tensorflow as tf
        from tensorflow.examples.tutorials.mnist import input_data
        from helper import block

        x = tf.placeholder(tf.float32, [None, 4])
        is_training = tf.placeholder(tf.bool)
        h = tf.contrib.layers.batch_norm(block(x, is_training), is_training=is_training, scale=True)
        mean, variance = tf.nn.moments(x, np.arange(1))          # seed 003's NumPy axes
        loss = tf.reduce_mean(tf.square(tf.layers.dense(h, 1)))
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        names = sorted(v.op.name for v in tf.global_variables())
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            batch = np.arange(20, dtype=np.float32).reshape(5, 4)
            sess.run(train_op, {x: batch, is_training: True})
            moving = [v for v in tf.global_variables() if v.op.name == "batch_normalization/moving_mean"]
            moved = sess.run(moving[0])
        json.dump({"argv": sys.argv, "name": __name__, "variables": names, "moved": bool(np.any(moved != 0)),
                   "input_data": input_data.__name__, "same_layers": tf.compat.v1.layers is tf.layers},
                  open(sys.argv[1], "w"))
    """)
    out = tmp_path / "out.json"
    assert main(["run", str(script), str(out), "--steps", "3", "--help"]) == 0
    result = json.loads(out.read_text())
    assert result["argv"] == [str(script), str(out), "--steps", "3", "--help"]
    assert result["name"] == "__main__"
    assert result["moved"] and result["same_layers"]
    assert result["input_data"] == "tf1_bn.mnist.input_data"
    assert {"dense/kernel", "batch_normalization/gamma", "batch_normalization/moving_mean",
            "BatchNorm/beta", "BatchNorm/moving_variance", "dense_1/kernel", "dense_1/bias"} <= set(result["variables"])


def test_the_process_is_left_as_it_was(tmp_path):
    from tf1_bn.compat import install as installation

    script = write(tmp_path / "s.py", "import tensorflow as tf\nassert not tf.executing_eagerly()\n"
                                     "import sys\nsys.path.append('extra')\n")
    saved = (builtins.__import__, sys.argv[:], sys.path[:], os.environ.get("MPLBACKEND"))
    assert main(["run", str(script)]) == 0
    assert (builtins.__import__, sys.argv, sys.path, os.environ.get("MPLBACKEND")) == saved
    assert not installation.installed()
    assert tf.executing_eagerly()
    assert "tensorflow.contrib" not in sys.modules and not hasattr(tf, "contrib")


def test_the_console_script_in_a_fresh_process(tmp_path):
    """The real `tf1-bn run`: exit status, argv, and matplotlib on Agg without a display."""
    script = write(tmp_path / "plot.py", """
        import sys
        import matplotlib
        import matplotlib.pyplot as plt
        import tensorflow as tf
        plt.plot([1, 2], [3, 4])
        plt.savefig("plot.png")
        print("backend", matplotlib.get_backend().lower(), "argv", sys.argv[1:], "eager", tf.executing_eagerly())
        sys.exit(5)
    """)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "MPLBACKEND")}
    done = subprocess.run([sys.executable, "-m", "tf1_bn", "run", str(script), "a", "-b"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 5, done.stderr
    assert "backend agg argv ['a', '-b'] eager False" in done.stdout
    assert (tmp_path / "plot.png").stat().st_size > 0


def test_the_facade_namespace(tmp_path):
    """`import tensorflow as tf` under run is tf1_bn.v1: TF's real version, tf.compat.v1 is the facade again."""
    script = write(tmp_path / "ns.py", """
        import sys
        import tensorflow as tf
        import tensorflow.compat.v1 as v1
        from tensorflow.compat import v1 as also_v1
        real = sys.modules["tensorflow"]
        assert tf.__name__ == "tf1_bn.v1" and tf.__version__ == real.__version__
        assert tf.compat.v1 is tf and v1 is tf and also_v1 is tf and tf.compat.v2 is real.compat.v2
        assert {"layers", "contrib", "placeholder", "Session"} <= set(dir(tf))
        assert not hasattr(tf, "no_such_api")
    """)
    assert main(["run", str(script)]) == 0


def test_run_without_a_script_names_only_the_script(capsys):
    assert main(["run"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "tf1-bn run: error: SCRIPT is required: tf1-bn run SCRIPT [ARGS...]"
