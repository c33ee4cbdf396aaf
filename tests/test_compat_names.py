"""The one table of TF1 names (tf1_bn.compat.names) is what install(), the tf1_bn.v1 facade and `tf1-bn run`
all read; and the public errors live in tf1_bn.errors, importable without TensorFlow."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
import tensorflow as tf

import tf1_bn
from tf1_bn.compat import install as installation
from tf1_bn.compat import names
from tf1_bn.compat.runner import run_script

INSTALLED = [alias for alias in names.ALIASES if alias.scope == names.INSTALL]


def test_the_table_is_well_formed():
    assert len(names.BY_NAME) == len(names.ALIASES), "a TF1 name appears twice"
    assert all(alias.scope in (names.FACADE, names.INSTALL) for alias in names.ALIASES)
    assert all(alias.tf1 == "tensorflow" or alias.tf1.startswith("tensorflow.") for alias in names.ALIASES)
    for alias in names.ALIASES:  # every row's module exists (importing tf1_bn.v1 switches to graph mode: not here)
        if not alias.module.startswith("tf1_bn.v1"):
            names.load(alias.module)
    assert names.load("tensorflow.compat.v1") is tf.compat.v1 and names.load("tensorflow") is tf
    assert names.children("tensorflow.compat") == {"v1": "tf1_bn.v1", "v2": "tensorflow.compat.v2"}


def test_install_applies_every_install_row_and_uninstall_takes_each_back():
    before = {alias.tf1: sys.modules.get(alias.tf1) for alias in INSTALLED}
    tf1_bn.install()
    try:
        for alias in INSTALLED:
            module = names.load(alias.module)
            assert sys.modules[alias.tf1] is module, alias
            parent, _, attribute = alias.tf1.rpartition(".")
            assert getattr(names.load(parent) if parent not in names.BY_NAME or parent == "tensorflow.compat.v1"
                           else sys.modules[parent], attribute) is module, alias
    finally:
        tf1_bn.uninstall()
    assert {alias.tf1: sys.modules.get(alias.tf1) for alias in INSTALLED} == before
    assert not installation.installed()


def test_the_facade_serves_the_rows_below_tensorflow_and_tensorflow_compat():
    # A fresh process: importing the facade switches TensorFlow to graph mode for good.
    code = textwrap.dedent("""
        import tf1_bn.v1 as tf
        from tf1_bn.compat import names
        for attribute, module in names.children("tensorflow").items():
            assert getattr(tf, attribute) is names.load(module), attribute
        for attribute, module in names.children("tensorflow.compat").items():
            assert getattr(tf.compat, attribute) is names.load(module), attribute
        assert tf.compat.v1 is tf and tf.compat.v1.layers is tf.layers
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ok"]


def test_a_script_from_import_reads_the_row_of_its_module(tmp_path):
    lines = ["from tf1_bn.compat.names import load"]
    for alias in names.ALIASES:
        if "." in alias.tf1:
            parent, _, attribute = alias.tf1.rpartition(".")
            lines.append(f"from {parent} import {attribute} as m")
            lines.append(f"assert m is load({alias.module!r}), {alias.tf1!r}")
    script = tmp_path / "imports.py"
    script.write_text("\n".join(lines) + "\n")
    was_eager = tf.executing_eagerly()
    assert run_script(script) == 0
    assert tf.executing_eagerly() == was_eager


def test_public_errors_come_from_one_module_without_tensorflow():
    result = subprocess.run(
        [sys.executable, "-c", "import sys, tf1_bn.errors, tf1_bn.guard, tf1_bn.compat; "
                               "print('tensorflow' in sys.modules, sorted(tf1_bn.errors.__all__))"],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(None, 1) == [
        "False", "['GraphModeRequiredError', 'MissingAPIError', 'MissingStatisticsError', 'MissingUpdateOpsError']\n"]


def test_the_errors_raised_are_the_public_ones(graph):
    from tf1_bn import errors, guard
    from tf1_bn.compat.namespace import namespace_getattr

    assert guard.MissingUpdateOpsError is errors.MissingUpdateOpsError
    with pytest.raises(errors.MissingAPIError, match="tf.contrib.rnn is not provided"):
        namespace_getattr("tf.contrib", lambda: ["layers"])("rnn")
    x = tf.compat.v1.placeholder(tf.float32, [None, 2])
    loss = tf.reduce_sum(tf1_bn.layers.batch_normalization(x, training=True))
    train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(loss)
    with pytest.raises(errors.MissingUpdateOpsError):
        guard.assert_update_ops_attached(train_op)


def test_graph_builders_raise_the_public_graph_mode_error():
    from tf1_bn.errors import GraphModeRequiredError

    assert tf.executing_eagerly()
    with pytest.raises(GraphModeRequiredError, match="cannot run eagerly"):
        tf1_bn.layers.batch_normalization(tf.zeros([2, 3]), training=True)
