"""BN008: a graph exported or frozen with the batch-norm training branch — literal training=True graphs,
flags defaulting to True, True baked into an input_map, True fed in an export-only path — and the export
scripts that are fine."""

from __future__ import annotations

import pytest
from lint_snippets import HEAD, check

BN008 = {
    "frozen_literal_true_graph": HEAD + """
        from tensorflow.python.framework import graph_util
        h = tf.layers.batch_normalization(x, training=True)  # expect: BN004
        with tf.Session() as sess:
            saver.restore(sess, checkpoint)
            frozen = graph_util.convert_variables_to_constants(sess, sess.graph_def, ["out"])  # expect: BN008
        """,
    "compat_graph_util_and_name_bound_to_true": HEAD + """
        is_training = True
        net = tf.contrib.layers.batch_norm(x, is_training=is_training, updates_collections=None)
        graph_def = tf.compat.v1.graph_util.convert_variables_to_constants(sess, gd, ["out"])  # expect: BN008
        """,
    "simple_save_of_literal_true": HEAD + """
        h = tf.layers.batch_normalization(x, training=True)  # expect: BN004
        tf.saved_model.simple_save(sess, "export", inputs={"x": x}, outputs={"y": h})  # expect: BN008
        """,
    "freeze_graph_tool": HEAD + """
        from tensorflow.python.tools import freeze_graph
        h = tf.layers.BatchNormalization()(x, training=True)  # expect: BN004
        tf.train.write_graph(sess.graph_def, ".", "graph.pbtxt")  # expect: BN008
        freeze_graph.freeze_graph("graph.pbtxt", "", False, ckpt, "out", "", "", "frozen.pb", True, "")  # expect: BN008
        """,
    "flag_defaulting_to_true": HEAD + """
        is_training = tf.placeholder_with_default(True, shape=(), name="is_training")  # expect: BN008
        h = tf.layers.batch_normalization(x, training=is_training)
        builder = tf.saved_model.builder.SavedModelBuilder("export")
        builder.add_meta_graph_and_variables(sess, [tf.saved_model.tag_constants.SERVING])
        """,
    "flag_defaulting_to_constant_true": HEAD + """
        training = tf.placeholder_with_default(tf.constant(True), [])  # expect: BN008
        h = tf.layers.batch_normalization(x, training=training)
        tf.saved_model.simple_save(sess, "export", {"x": x}, {"y": h})
        """,
    "input_map_true": HEAD + """
        h = tf.layers.batch_normalization(x, training=is_training)
        tf.import_graph_def(graph_def, input_map={"is_training:0": tf.constant(True)})  # expect: BN008
        frozen = tf.graph_util.convert_variables_to_constants(sess, graph_def, ["out"])
        """,
    "fed_true_in_an_export_function": HEAD + """
        h = tf.layers.batch_normalization(x, training=is_training)

        def export(sess, path):
            reference = sess.run(h, feed_dict={x: sample, is_training: True})  # expect: BN008
            tf.saved_model.simple_save(sess, path, inputs={"x": x}, outputs={"y": h})
            return reference
        """,
}

FINE = {
    "frozen_inference_graph": HEAD + """
        h = tf.layers.batch_normalization(x, training=False)
        frozen = tf.graph_util.convert_variables_to_constants(sess, sess.graph_def, ["out"])
        """,
    "frozen_placeholder_graph": HEAD + """
        is_training = tf.placeholder(tf.bool, name="is_training")
        h = tf.layers.batch_normalization(x, training=is_training)
        frozen = tf.graph_util.convert_variables_to_constants(sess, sess.graph_def, ["out"])
        """,
    "separate_training_and_inference_graphs": HEAD + """
        train_h = tf.layers.batch_normalization(x, training=True, name="bn")
        eval_h = tf.layers.batch_normalization(x, training=False, name="bn", reuse=True)
        tf.saved_model.simple_save(sess, "export", inputs={"x": x}, outputs={"y": eval_h})
        """,
    "flag_defaulting_to_false": HEAD + """
        is_training = tf.placeholder_with_default(False, shape=(), name="is_training")
        h = tf.layers.batch_normalization(x, training=is_training)
        tf.saved_model.simple_save(sess, "export", inputs={"x": x}, outputs={"y": h})
        """,
    "flag_defaulting_to_true_without_export": HEAD + """
        is_training = tf.placeholder_with_default(True, shape=(), name="is_training")
        h = tf.layers.batch_normalization(x, training=is_training)
        """,
    "input_map_false": HEAD + """
        h = tf.layers.batch_normalization(x, training=is_training)
        tf.import_graph_def(graph_def, input_map={"is_training:0": tf.constant(False)})
        frozen = tf.graph_util.convert_variables_to_constants(sess, graph_def, ["out"])
        """,
    # Training, then exporting, in one function: the True feeds are the training steps.
    "train_then_export": HEAD + """
        h = tf.layers.batch_normalization(x, training=is_training)
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            train_op = tf.train.AdamOptimizer().minimize(loss)

        def main():
            for step in range(1000):
                sess.run(train_op, feed_dict={x: batch_x, is_training: True})
                print(sess.run(loss, feed_dict={x: batch_x, is_training: True}))
            tf.saved_model.simple_save(sess, "export", inputs={"x": x}, outputs={"y": h})
        """,
    "export_function_feeding_false": HEAD + """
        h = tf.layers.batch_normalization(x, training=is_training)

        def export(sess, path):
            reference = sess.run(h, feed_dict={x: sample, is_training: False})
            tf.saved_model.simple_save(sess, path, inputs={"x": x}, outputs={"y": h})
        """,
    "a_function_of_my_own_named_write_graph_on_a_module": HEAD + """
        import mylib
        h = tf.layers.batch_normalization(x, training=True)  # expect: BN004
        mylib.write_graph(sess.graph_def)
        """,
}


@pytest.mark.parametrize("source", BN008.values(), ids=BN008.keys())
def test_bn008_export_with_the_training_branch(source):
    check(source)


@pytest.mark.parametrize("source", FINE.values(), ids=FINE.keys())
def test_no_bn008_for_inference_exports(source):
    check(source)


def test_bn008_names_the_layer_and_the_fix():
    findings = check(HEAD + "h = tf.layers.batch_normalization(x, training=True)  # expect: BN004\n"
                     "tf.saved_model.simple_save(sess, 'e', {'x': x}, {'y': h})  # expect: BN008\n")
    bn008 = next(f for f in findings if f.code == "BN008")
    assert "simple_save() exports a graph whose batch norm (tf.layers.batch_normalization at line 2)" in bn008.message
    assert bn008.message.endswith("; build the exported graph with training=False (or a flag defaulting to False)")
