"""`tf1-bn migrate CHECKPOINT`: a small TF1 checkpoint (dense → batch norm, an is_training placeholder,
Saver with .meta) converted to a .keras file; exit 0 written, 2 bad input with one line naming the option."""

from __future__ import annotations

import os
import re
import stat

import numpy as np
import pytest
import tensorflow as tf

import tf1_bn.layers as layers
from tf1_bn.cli.main import main
from tf1_bn.compat import behaviour


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("migrate")
    switched = behaviour.switch_to_tf1()
    try:
        with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
            x = tf.compat.v1.placeholder(tf.float32, (None, 5), name="x")
            is_training = tf.compat.v1.placeholder(tf.bool, (), name="is_training")
            tf.identity(layers.batch_normalization(layers.dense(x, 4), training=is_training), name="logits")
            sess.run(tf.compat.v1.global_variables_initializer())
            return tf.compat.v1.train.Saver().save(sess, str(folder / "model.ckpt"))
    finally:
        behaviour.switch_back(switched)


def _migrate(checkpoint: str, out: str, *options: str) -> list[str]:
    return ["migrate", checkpoint, "--inputs", "x", "--outputs", "logits", "--training", "is_training",
            "--out", out, *options]


def test_the_model_is_written_with_the_permissions_open_gives(checkpoint, tmp_path, capsys):
    out = tmp_path / "model.keras"
    assert main(_migrate(checkpoint, str(out), "--report", str(tmp_path / "report.txt"))) == 0
    printed = capsys.readouterr().out
    assert "converted 2 layers" in printed and f"wrote {out}" in printed
    umask = os.umask(0)
    os.umask(umask)
    for written in (out, tmp_path / "report.txt"):
        assert stat.S_IMODE(written.stat().st_mode) == 0o666 & ~umask, written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.keras", "report.txt"]  # no temporary left


def test_check_data_is_fed_to_both_models(checkpoint, tmp_path, capsys):
    np.savez(tmp_path / "batch.npz", x=np.random.default_rng(0).normal(size=(6, 5)).astype(np.float32))
    assert main(_migrate(checkpoint, str(tmp_path / "m.keras"), "--check-data", str(tmp_path / "batch.npz"))) == 0
    printed = capsys.readouterr().out
    assert "check inference: largest" in printed and "check training: largest" in printed


@pytest.mark.parametrize("case, message", [
    ("wrong-key", r"--check-data '.*batch\.npz': no array named 'x' \(it holds 'images'\); key the arrays by input name"),
    ("wrong-shape", r"--check-data '.*batch\.npz': array 'x' has shape \(6, 3\); the input x:0 takes \(None, 5\)"),
    ("not-npz", r"--check-data '.*batch\.npz': expected an \.npz file of arrays keyed by input name"),
    ("missing", r"--check-data '.*nowhere\.npz': expected an \.npz file"),
    ("unknown-input", r"--inputs: the graph has no tensor 'no_such_tensor'$"),
    ("not-keras", r"--out '.*model\.h5': expected a file name ending in \.keras"),
    ("folder", r"CHECKPOINT '.*' is a folder: pass a checkpoint prefix such as model\.ckpt; the latest in it is"),
    ("index-file", r"no .*model\.ckpt\.index\.index, .*; did you mean '.*model\.ckpt'\?$"),
])
def test_bad_input_is_one_line_naming_the_option_and_exit_2(checkpoint, tmp_path, capsys, case, message):
    data = tmp_path / "batch.npz"
    if case == "wrong-key":
        np.savez(data, images=np.zeros((6, 5), np.float32))
    elif case == "wrong-shape":
        np.savez(data, x=np.zeros((6, 3), np.float32))
    elif case == "not-npz":
        data.write_text("not an archive")
    options = {"missing": ["--check-data", str(tmp_path / "nowhere.npz")], "unknown-input": [], "not-keras": [],
               "folder": [], "index-file": []}.get(case, ["--check-data", str(data)])
    argv = _migrate(checkpoint, str(tmp_path / ("model.h5" if case == "not-keras" else "model.keras")), *options)
    if case == "unknown-input":
        argv[argv.index("x")] = "no_such_tensor"
    if case in ("folder", "index-file"):
        argv[1] = os.path.dirname(checkpoint) if case == "folder" else checkpoint + ".index"
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("tf1-bn migrate: error: "), err
    assert re.search(message, err), err
    assert not (tmp_path / "model.keras").exists()
