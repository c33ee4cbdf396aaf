"""Package-level promises: imports are side-effect free, tf_keras is never a run-time dependency, the
CLI answers --version/--help, and seed 000's recipe works with `import tf1_bn.layers as layers`."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

import numpy as np
import tensorflow as tf

import tf1_bn
import tf1_bn.layers as layers

PACKAGE = pathlib.Path(tf1_bn.__file__).parent


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)


def test_importing_tf1_bn_changes_no_tensorflow_state():
    result = _python(
        "import sys, tensorflow as tf\n"
        "before = (tf.executing_eagerly(), len(tf.compat.v1.get_default_graph().get_operations()))\n"
        "import tf1_bn, tf1_bn.layers, tf1_bn.reference, tf1_bn.bn_math\n"
        "after = (tf.executing_eagerly(), len(tf.compat.v1.get_default_graph().get_operations()))\n"
        "print(before == after == (True, 0), 'tf_keras' in sys.modules)\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]


def test_importing_the_package_root_does_not_import_tensorflow():
    result = _python("import sys, tf1_bn; print('tensorflow' in sys.modules, tf1_bn.__version__)")
    assert result.stdout.split() == ["False", tf1_bn.__version__]


def test_no_tf_keras_in_the_package_source():
    offenders = [p for p in PACKAGE.rglob("*.py") if re.search(r"\btf_keras\b", p.read_text())]
    assert offenders == []


def test_cli_version_and_help():
    version = subprocess.run([sys.executable, "-m", "tf1_bn", "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.strip() == f"tf1-bn {tf1_bn.__version__}"
    helped = subprocess.run([sys.executable, "-m", "tf1_bn", "--help"], capture_output=True, text=True)
    assert helped.returncode == 0 and "usage: tf1-bn" in helped.stdout
    unknown = subprocess.run([sys.executable, "-m", "tf1_bn", "no-such-command"], capture_output=True, text=True)
    assert unknown.returncode == 2 and "invalid choice" in unknown.stderr and "Traceback" not in unknown.stderr


def test_seed_000_recipe(graph, rng):
    """Seed 000: batch_normalization(x, training=is_training), then minimize under the UPDATE_OPS dependency."""
    x = tf.compat.v1.placeholder(tf.float32, [None, 3])
    is_training = tf.compat.v1.placeholder(tf.bool, name="is_training")
    h = layers.batch_normalization(x, training=is_training)
    loss = tf.reduce_mean(tf.square(h - 1.0))
    update_ops = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(loss)
    data = (rng.standard_normal((32, 3)) * 4 + 10).astype(np.float32)
    moving_mean = [v for v in tf.compat.v1.global_variables() if v.name.endswith("moving_mean:0")][0]
    with tf.compat.v1.Session() as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        for _ in range(500):
            sess.run(train_op, {x: data, is_training: True})
        np.testing.assert_allclose(sess.run(moving_mean), data.mean(0), rtol=1e-2)


def test_ci_runs_the_readme_test_command():
    root = PACKAGE.parent
    ci_command = (root / ".ci" / "run").read_text().strip().splitlines()[-1]
    readme = (root / "README.md").read_text()
    assert "python -m pytest" in ci_command and "venv" in ci_command
    assert ci_command in readme


def test_readme_example_runs():
    readme = (PACKAGE.parent / "README.md").read_text()
    example = readme.split("## Ten lines", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(example, "README.md", "exec"), namespace)
    train_op = namespace["train_op"]
    waits_for = {op.name for op in train_op.control_inputs}
    update_ops = train_op.graph.get_collection("update_ops")
    assert len(update_ops) == 2  # "creates 2 update ops", as the example says
    assert all(name.startswith("batch_normalization/") for name in waits_for & {t.op.name for t in update_ops})
    assert {t.op.name for t in update_ops} <= waits_for
