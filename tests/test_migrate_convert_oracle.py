"""convert() on graphs that TF1's own layers made (tf-keras's legacy_tf_layers, the real-TF1 oracle for op
patterns), from a checkpoint on disk (a Saver's files read back with import_meta_graph and converted by
tensor names, the way a user with an old `model.ckpt` would), and the `.keras` file in a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf

from tf1_bn.migrate.keras_model import eager
from test_migrate_convert import (  # noqa: F401  (tf1 and sess are fixtures)
    GRAPH_SEED, TOLERANCE, Built, assert_outputs, assert_steps, batch_norms, check_family, compared_batches,
    convert_checked, placeholders, residual_net, sess, tf1, train,
)

pytestmark = pytest.mark.filterwarnings("ignore:`tf.layers.*` is deprecated:UserWarning")


@pytest.fixture
def legacy(legacy_tf_layers):
    """tf.layers as TF 1.x had them: batch_normalization, dense, conv2d (tf-keras, test extra only)."""
    core = pytest.importorskip("tf_keras.src.legacy_tf_layers.core")
    convolutional = pytest.importorskip("tf_keras.src.legacy_tf_layers.convolutional")
    return legacy_tf_layers.batch_normalization, core.dense, convolutional.conv2d


def legacy_mlp(legacy) -> Built:
    """dense(no bias) → batch_normalization (rank 2, fused=False) → relu, twice; dense."""
    batch_normalization, dense, _ = legacy
    shape = (32, 12)
    x, is_training = placeholders(shape)
    h = x
    for units in (16, 16):
        h = tf.nn.relu(batch_normalization(dense(h, units, use_bias=False), fused=False, training=is_training))
    return Built(x, is_training, dense(h, 3), shape,
                 {**batch_norms(2, 0.99, axis=1, center=True, scale=True), "Dense": (3, {})})


def legacy_conv(legacy, fused: bool, data_format: str, use_bias: bool = False) -> Built:
    """conv2d → batch_normalization (fused or not) → relu → flatten (tf.reshape) → dense, named `logits`."""
    batch_normalization, dense, conv2d = legacy
    nchw = data_format == "NCHW"
    shape = (16, 3, 6, 6) if nchw else (16, 6, 6, 3)
    x, is_training = placeholders(shape)
    h = conv2d(x, 4, 3, padding="same", use_bias=use_bias, data_format="channels_first" if nchw else "channels_last")
    h = tf.nn.relu(batch_normalization(h, axis=1 if nchw else -1, fused=fused, training=is_training))
    logits = tf.identity(dense(tf.reshape(h, [-1, 4 * 6 * 6]), 5), name="logits")  # (batch, 144) → (batch, 5)
    return Built(x, is_training, logits, shape, {**batch_norms(1, 0.99, axis=1 if nchw else 3, scale=True),
                                                "Conv2D": (1, {"use_bias": use_bias}), "Dense": (1, {})})


@pytest.mark.parametrize("fused, data_format, use_bias", [
    (True, "NHWC", False), (False, "NHWC", False), (False, "NHWC", True), (True, "NCHW", False),
    (False, "NCHW", False), (True, "NCHW", True)])
def test_legacy_conv_net_converts(sess, rng, legacy, fused, data_format, use_bias):
    built = legacy_conv(legacy, fused, data_format, use_bias)
    ops = sess.graph.get_operations()
    assert any(op.type.startswith("FusedBatchNorm") for op in ops) == fused
    assert {op.get_attr("data_format").decode() for op in ops if op.type == "Conv2D"} == {data_format}
    check_family(sess, built, rng)


def test_legacy_mlp_converts(sess, rng, legacy):
    check_family(sess, legacy_mlp(legacy), rng)


def test_legacy_layer_updates_are_the_update_ops_collection(sess):
    """The oracle's wiring that the recipe in `train` relies on (tf-keras's own contract)."""
    x, is_training = placeholders((8, 4))
    layer = pytest.importorskip("tf_keras.src.legacy_tf_layers.normalization").BatchNormalization(fused=False)
    layer(x, training=is_training)
    assert tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS) == layer.updates


# ----------------------------------------------------------------------------------------- a checkpoint
def _values(sess):
    return {v.op.name: sess.run(v) for v in tf.compat.v1.global_variables()}


def test_a_checkpoint_read_back_with_import_meta_graph_converts_by_names(tf1, rng, legacy, tmp_path):
    path = str(tmp_path / "model.ckpt")
    with tf.Graph().as_default(), tf.compat.v1.Session() as writer:
        tf.compat.v1.set_random_seed(GRAPH_SEED)
        built = legacy_conv(legacy, True, "NHWC")
        train(writer, built, rng)
        batches = compared_batches(rng, built)
        written = [writer.run(built.output, {built.x: b, built.is_training: False}) for b in batches]
        saved = _values(writer)
        tf.compat.v1.train.Saver().save(writer, path)

    with tf.Graph().as_default() as graph, tf.compat.v1.Session() as reader:
        tf.compat.v1.train.import_meta_graph(path + ".meta").restore(reader, path)
        restored = _values(reader)
        assert restored.keys() == saved.keys()
        for name, value in restored.items():
            np.testing.assert_array_equal(value, saved[name], err_msg=name)
        tensors = [graph.get_tensor_by_name(name) for name in ("x:0", "is_training:0", "logits:0")]
        built = Built(*tensors, built.shape, built.expect)
        model, steps = convert_checked(reader, built, inputs="x", outputs="logits", training="is_training")
        assert_steps(reader, model, steps, built)
        with eager():  # what the writer's graph computed before it was saved
            from_disk = [model(b, training=False).numpy() for b in batches]
        for value, expected in zip(from_disk, written):
            np.testing.assert_allclose(value, expected, rtol=0, atol=TOLERANCE)
        assert_outputs(reader, model, built, batches, steps)


# ----------------------------------------------------------------------------------------- .keras
_RELOAD = textwrap.dedent("""
    import sys
    import keras, numpy as np
    model, batches = keras.saving.load_model(sys.argv[1]), np.load(sys.argv[2])
    outputs = [model(batches[k], training=mode).numpy() for mode in (False, True) for k in sorted(batches)]
    np.savez(sys.argv[3], *outputs)
    print("tf1_bn modules:", sorted(name for name in sys.modules if name.split(".")[0] == "tf1_bn"))
""")


def test_the_model_saves_and_reloads_without_tf1_bn(sess, rng, tmp_path):
    built = residual_net()
    train(sess, built, rng)
    model, _ = convert_checked(sess, built)
    with eager():
        model.save(tmp_path / "model.keras")  # before any call: training=True calls move Keras's statistics
    batches = compared_batches(rng, built)
    expected = [sess.run(built.output, {built.x: b, built.is_training: t}) for t in (False, True) for b in batches]
    np.savez(tmp_path / "batches.npz", **{f"b{i}": b for i, b in enumerate(batches)})
    (tmp_path / "reload.py").write_text(_RELOAD)
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run([sys.executable, "reload.py", "model.keras", "batches.npz", "out.npz"], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "tf1_bn modules: []" in result.stdout  # 'tf1_bn' not in sys.modules of the fresh process
    reloaded = np.load(tmp_path / "out.npz")
    for i, value in enumerate(expected):
        np.testing.assert_allclose(reloaded[f"arr_{i}"], value, rtol=0, atol=TOLERANCE)
