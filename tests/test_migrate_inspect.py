"""`tf1-bn inspect CHECKPOINT` (tf1_bn.migrate.inspect_checkpoint): checkpoints written in tmp_path from small TF1
graphs (tf1_bn.layers fused and plain BN, contrib batch_norm, seed 003's EMA, and TF1's own layer from tf-keras),
with Saver() and with Saver(var_list=tf.trainable_variables()) — the forgetful one, whose checkpoint lacks the
moving statistics. Exit codes: 0 complete, 1 statistics missing, 2 bad input."""

from __future__ import annotations

import dataclasses
import os
import pathlib
import re
import shutil
import subprocess
import sys
from typing import Callable

import pytest
import tensorflow as tf

import tf1_bn.layers as layers
from tf1_bn.article import backends
from tf1_bn.cli.main import main
from tf1_bn.compat import behaviour
from tf1_bn.contrib import layers as contrib
from tf1_bn.migrate.inspect_checkpoint import format_inspection, inspect_checkpoint

STATISTICS = ("moving_mean", "moving_variance")


@dataclasses.dataclass(frozen=True)
class Family:
    """A one-BN-layer TF1 model: how to build it and what inspect must find."""

    build: Callable[[tf.Tensor, tf.Tensor], tf.Tensor]   # (x (batch, 6, 6, 3), is_training) → output
    layer: str                                            # the BN layer's scope
    statistics: tuple[tuple[str, str], ...]               # (role, variable name) in the graph
    others: tuple[str, ...]                               # the other saved variables, all trainable


def _scoped(scope: str, names=STATISTICS) -> tuple[tuple[str, str], ...]:
    return tuple((name, f"{scope}/{name}") for name in names)


def _ema(x, is_training):
    weights = tf.Variable(tf.ones([108, 4]), name="weights")
    return backends.moments_ema_bn(tf.matmul(layers.flatten(x), weights), is_training, 0.9)[0]


_EMA_SHADOW = "batch_norm_layer/batch_norm_layer/moments/Squeeze{}/ExponentialMovingAverage"

FAMILIES = {
    "layers-fused": Family(
        lambda x, t: layers.batch_normalization(layers.conv2d(x, 4, 3, use_bias=False), training=t, fused=True),
        "batch_normalization", _scoped("batch_normalization"),
        ("batch_normalization/beta", "batch_normalization/gamma", "conv2d/kernel")),
    "layers-plain": Family(
        lambda x, t: layers.batch_normalization(layers.dense(layers.flatten(x), 4, use_bias=False), training=t),
        "batch_normalization", _scoped("batch_normalization"),
        ("batch_normalization/beta", "batch_normalization/gamma", "dense/kernel")),
    "contrib-fused": Family(
        lambda x, t: contrib.conv2d(x, 4, 3, normalizer_fn=contrib.batch_norm, normalizer_params={"is_training": t}),
        "Conv/BatchNorm", _scoped("Conv/BatchNorm"), ("Conv/BatchNorm/beta", "Conv/weights")),
    "contrib-updates-none": Family(
        lambda x, t: contrib.fully_connected(contrib.flatten(x), 4, normalizer_fn=contrib.batch_norm,
                                             normalizer_params={"is_training": t, "updates_collections": None,
                                                                "fused": False, "scale": True}),
        "fully_connected/BatchNorm", _scoped("fully_connected/BatchNorm"),
        ("fully_connected/BatchNorm/beta", "fully_connected/BatchNorm/gamma", "fully_connected/weights")),
    "seed003-ema": Family(
        _ema, "batch_norm_layer",
        (("moving_mean", _EMA_SHADOW.format("")), ("moving_variance", _EMA_SHADOW.format("_1"))),
        ("batch_norm_layer/beta", "batch_norm_layer/gamma", "weights")),
}


def write_checkpoint(folder: pathlib.Path, build: Callable, trainable_only: bool) -> str:
    """Build under TF1 behaviour (switched back afterwards), initialize, save; returns the prefix."""
    switched = behaviour.switch_to_tf1()
    try:
        with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
            x = tf.compat.v1.placeholder(tf.float32, (None, 6, 6, 3), name="x")
            build(x, tf.compat.v1.placeholder(tf.bool, (), name="is_training"))
            sess.run(tf.compat.v1.global_variables_initializer())
            var_list = tf.compat.v1.trainable_variables() if trainable_only else None
            return tf.compat.v1.train.Saver(var_list=var_list).save(sess, str(folder / "model.ckpt"))
    finally:
        behaviour.switch_back(switched)


def inspect_cli(capsys, prefix: str) -> tuple[int, list[str], str]:
    status = main(["inspect", prefix])
    out, err = capsys.readouterr()
    return status, out.splitlines(), err


def table(lines: list[str]) -> dict[str, tuple[str, str, str]]:
    """{name: (shape, dtype, mark)} from the variable lines of the report."""
    rows = {}
    for line in lines[1:]:
        if not line.startswith("  "):
            break  # the verdict (and its indented details) follow the table
        name, rest = line.strip().split(" ", 1)
        shape, rest = rest.strip().split("]", 1)
        dtype, _, mark = rest.strip().partition("  ")
        rows[name] = (shape + "]", dtype, mark.strip())
    return rows


def tf_state() -> tuple[bool, bool]:
    return tf.executing_eagerly(), tf.compat.v1.control_flow_v2_enabled()


# --------------------------------------------------------------------------------------- with the graph
@pytest.mark.parametrize("trainable_only", [False, True], ids=["Saver()", "Saver(trainables)"])
@pytest.mark.parametrize("family", list(FAMILIES))
def test_the_graph_names_the_statistics_and_what_is_missing(capsys, tmp_path, family, trainable_only):
    spec = FAMILIES[family]
    prefix = write_checkpoint(tmp_path, spec.build, trainable_only)
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    state = tf_state()
    status, lines, err = inspect_cli(capsys, prefix)
    assert err == "" and tf_state() == state
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == files  # nothing written or changed
    names = [name for _, name in spec.statistics]
    saved = sorted(spec.others) if trainable_only else sorted([*spec.others, *names])
    rows = table(lines)
    assert lines[0] == f"checkpoint {prefix}: {len(saved)} variables; BN layers from the graph in {prefix}.meta"
    assert list(rows) == saved
    assert {n: row[2] for n, row in rows.items() if row[2]} == (
        {} if trainable_only else {name: f"{role} of {spec.layer}" for role, name in spec.statistics})
    assert all(row[1] == "float32" for row in rows.values())
    if trainable_only:
        assert status == 1
        assert lines[-3:-1] == ["1 BN layer(s): moving statistics missing from the checkpoint for 1",
                                f"  {spec.layer}: {', '.join(names)}"]
        assert "Saver(var_list=tf.trainable_variables())" in lines[-1] and "--allow-missing-statistics" in lines[-1]
    else:
        assert status == 0
        assert lines[-1] == "1 BN layer(s): every moving statistic is in the checkpoint"


def test_the_report_in_full_and_the_dataclass(capsys, tmp_path):
    prefix = write_checkpoint(tmp_path, FAMILIES["layers-fused"].build, trainable_only=True)
    status, lines, _ = inspect_cli(capsys, prefix)
    assert status == 1
    assert lines == [
        f"checkpoint {prefix}: 3 variables; BN layers from the graph in {prefix}.meta",
        "  batch_normalization/beta   [4]           float32",
        "  batch_normalization/gamma  [4]           float32",
        "  conv2d/kernel              [3, 3, 3, 4]  float32",
        "1 BN layer(s): moving statistics missing from the checkpoint for 1",
        "  batch_normalization: batch_normalization/moving_mean, batch_normalization/moving_variance",
        "(a Saver(var_list=tf.trainable_variables()) leaves them out; restored, those layers normalize with their "
        "initial mean 0 and variance 1 at inference; tf1-bn migrate needs --allow-missing-statistics)",
    ]
    found = inspect_checkpoint(prefix)
    assert found.graph_available and format_inspection(found) == lines
    assert found.missing_statistics == ["batch_normalization/moving_mean", "batch_normalization/moving_variance"]
    (layer,) = found.layers
    assert layer.statistics == _scoped("batch_normalization")
    assert [(v.name, v.shape, v.dtype, v.statistic) for v in found.variables][-1] == ("conv2d/kernel", (3, 3, 3, 4),
                                                                                      "float32", None)


def test_several_layers_one_of_them_unsaved(capsys, tmp_path):
    """Two BN layers; a Saver whose var_list forgot the second layer's statistics: only that one is named."""
    def build(x, is_training):
        h = tf.nn.relu(layers.batch_normalization(layers.conv2d(x, 4, 3), training=is_training))
        return layers.batch_normalization(layers.dense(layers.flatten(h), 3), training=is_training)

    switched = behaviour.switch_to_tf1()
    try:
        with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
            build(tf.compat.v1.placeholder(tf.float32, (None, 6, 6, 3)), tf.compat.v1.placeholder(tf.bool, ()))
            sess.run(tf.compat.v1.global_variables_initializer())
            kept = [v for v in tf.compat.v1.global_variables()
                    if not v.op.name.startswith("batch_normalization_1/moving")]
            prefix = tf.compat.v1.train.Saver(var_list=kept).save(sess, str(tmp_path / "model.ckpt"))
    finally:
        behaviour.switch_back(switched)
    status, lines, _ = inspect_cli(capsys, prefix)
    assert status == 1
    assert table(lines)["batch_normalization/moving_mean"][2] == "moving_mean of batch_normalization"
    assert lines[-3:-1] == ["2 BN layer(s): moving statistics missing from the checkpoint for 1",
                            "  batch_normalization_1: batch_normalization_1/moving_mean, "
                            "batch_normalization_1/moving_variance"]


def test_tf1s_own_layer_from_tf_keras(capsys, tmp_path, legacy_tf_layers):
    """The real TF1 tf.layers.batch_normalization (tf-keras's legacy layer, ref to what TF 1.x wrote)."""
    conv = pytest.importorskip("tf_keras.src.legacy_tf_layers.convolutional").conv2d

    def build(x, is_training):
        return legacy_tf_layers.batch_normalization(conv(x, 4, 3, use_bias=False), fused=True, training=is_training)

    with pytest.warns(UserWarning, match="deprecated"):
        prefix = write_checkpoint(tmp_path, build, trainable_only=True)
    status, lines, _ = inspect_cli(capsys, prefix)
    assert status == 1
    assert lines[-2] == "  batch_normalization: batch_normalization/moving_mean, batch_normalization/moving_variance"


def test_a_graph_without_batch_norm(capsys, tmp_path):
    prefix = write_checkpoint(tmp_path, lambda x, t: layers.dense(layers.flatten(x), 2), trainable_only=True)
    status, lines, _ = inspect_cli(capsys, prefix)
    assert status == 0 and lines[-1] == "no BN layer in the graph"
    assert list(table(lines)) == ["dense/bias", "dense/kernel"]


# --------------------------------------------------------------------------------------- without the graph
@pytest.mark.parametrize("trainable_only", [False, True], ids=["Saver()", "Saver(trainables)"])
def test_without_meta_the_names_mark_the_statistics(capsys, tmp_path, trainable_only):
    def build(x, is_training):  # tf.layers, contrib and seed 003's tf.assign form: three naming schemes
        h = layers.batch_normalization(layers.conv2d(x, 4, 3, use_bias=False), training=is_training)
        h = contrib.batch_norm(h, is_training=is_training)
        weights = tf.Variable(tf.ones([64, 2]), name="weights")
        return backends.assign_bn(tf.matmul(layers.flatten(h), weights), is_training, 0.9)[0]

    prefix = write_checkpoint(tmp_path, build, trainable_only)
    os.remove(prefix + ".meta")
    status, lines, _ = inspect_cli(capsys, prefix)
    assert status == 0
    assert lines[0] == (f"checkpoint {prefix}: {7 if trainable_only else 13} variables; no {prefix}.meta: the graph "
                        "is not available, BN statistics marked by name only")
    marks = {name: row[2] for name, row in table(lines).items() if row[2]}
    expected = {} if trainable_only else {
        "BatchNorm/moving_mean": "moving_mean of BatchNorm",
        "BatchNorm/moving_variance": "moving_variance of BatchNorm",
        "assign_batch_norm/pop_mean": "moving_mean of assign_batch_norm",
        "assign_batch_norm/pop_variance": "moving_variance of assign_batch_norm",
        "batch_normalization/moving_mean": "moving_mean of batch_normalization",
        "batch_normalization/moving_variance": "moving_variance of batch_normalization"}
    assert marks == expected
    assert lines[-1] == (f"{len(expected)} variable(s) named like BN moving statistics; whether a BN layer lacks its "
                         f"statistics cannot be told without the graph ({prefix}.meta)")
    found = inspect_checkpoint(prefix)
    assert not found.graph_available and found.layers is None and found.missing_statistics == []


def test_ema_shadows_by_name_are_statistics_of_unknown_role(tmp_path):
    prefix = write_checkpoint(tmp_path, _ema, trainable_only=False)
    os.remove(prefix + ".meta")
    marked = {v.name: (v.statistic, v.layer) for v in inspect_checkpoint(prefix).variables if v.statistic}
    assert marked == {_EMA_SHADOW.format(s): ("moving statistic", _EMA_SHADOW.format(s).rsplit("/", 1)[0])
                      for s in ("", "_1")}


def test_a_tf2_object_checkpoint_is_marked_by_name(capsys, tmp_path):
    """tf.train.Checkpoint writes `bn/moving_mean/.ATTRIBUTES/VARIABLE_VALUE` and no .meta."""
    import keras

    from tf1_bn.migrate.keras_model import eager

    with eager():  # also when the suite runs with --tf1-behaviour
        layer = keras.layers.BatchNormalization()
        layer.build((None, 3))
        prefix = tf.train.Checkpoint(bn=layer).save(str(tmp_path / "ckpt"))
    status, lines, _ = inspect_cli(capsys, prefix)
    marks = {name: row[2] for name, row in table(lines).items() if row[2]}
    assert status == 0 and marks == {f"bn/{role}/.ATTRIBUTES/VARIABLE_VALUE": f"{role} of bn" for role in STATISTICS}


def test_an_index_without_data_is_listed_with_a_note(capsys, tmp_path):
    prefix = write_checkpoint(tmp_path, FAMILIES["layers-plain"].build, trainable_only=False)
    for data in tmp_path.glob("model.ckpt.data-*"):
        data.unlink()
    status, lines, _ = inspect_cli(capsys, prefix)
    assert status == 0
    note = f"note: no {prefix}.data-*-of-* beside the index: the variables are listed, their values are not there"
    assert note in lines


# --------------------------------------------------------------------------------------- bad input
@pytest.fixture
def saved(tmp_path) -> str:
    return write_checkpoint(tmp_path, FAMILIES["layers-plain"].build, trainable_only=False)


@pytest.mark.parametrize("case, message", [
    ("missing", r"CHECKPOINT '.*nowhere/model\.ckpt': no .*nowhere/model\.ckpt\.index, so it is not a TF checkpoint "
                r"prefix \(the path given to Saver\.save, e\.g\. model\.ckpt\)$"),
    ("index-file", r"no .*model\.ckpt\.index\.index, .*; did you mean '.*model\.ckpt'\?$"),
    ("folder", r"is a folder: pass a checkpoint prefix such as model\.ckpt; the latest in it is '.*model\.ckpt'$"),
    ("garbage", r"CHECKPOINT '.*garbage' is not a readable TF checkpoint \(.+\)$"),
    ("corrupt-meta", r"CHECKPOINT '.*model\.ckpt': cannot import .*model\.ckpt\.meta \(.+\)$"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, tmp_path, saved, case, message):
    prefix = {"missing": str(tmp_path / "nowhere" / "model.ckpt"), "index-file": saved + ".index",
              "folder": str(tmp_path), "garbage": str(tmp_path / "garbage"), "corrupt-meta": saved}[case]
    (tmp_path / "garbage.index").write_bytes(b"not an sstable")
    if case == "corrupt-meta":
        pathlib.Path(saved + ".meta").write_text("junk")
    state = tf_state()
    status, lines, err = inspect_cli(capsys, prefix)
    assert (status, lines) == (2, []) and tf_state() == state
    assert err.count("\n") == 1 and err.startswith("tf1-bn inspect: error: ")
    assert re.search(message, err.strip()), err


def test_the_console_script_exits_2_on_a_bad_prefix(tmp_path):
    script = pathlib.Path(sys.executable).with_name("tf1-bn")
    if not script.exists():
        script = shutil.which("tf1-bn")
        if script is None:
            pytest.skip("tf1-bn console script not installed")
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}  # the CLI's own quiet import
    result = subprocess.run([str(script), "inspect", str(tmp_path / "model.ckpt")], capture_output=True, text=True,
                            timeout=120, env=env)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"tf1-bn inspect: error: CHECKPOINT '{tmp_path / 'model.ckpt'}': no ")
    assert result.stderr.count("\n") == 1, result.stderr
