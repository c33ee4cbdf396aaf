"""BN006: a Saver/Checkpoint given only trainable variables in a file that builds batch norm — and the
idioms that save the moving statistics (no var_list, global variables, the trainable + moving_* fix)."""

from __future__ import annotations

import pytest
from lint_snippets import HEAD, LAYER, check, with_layer

BN006 = {
    "trainable_variables": with_layer("""
        saver = tf.train.Saver(var_list=tf.trainable_variables())  # expect: BN006
        """),
    "positional": with_layer("""
        saver = tf.train.Saver(tf.trainable_variables(), max_to_keep=5)  # expect: BN006
        """),
    "compat_v1": with_layer("""
        saver = tf.compat.v1.train.Saver(var_list=tf.compat.v1.trainable_variables())  # expect: BN006
        """),
    "through_a_name": with_layer("""
        trainable_vars = tf.trainable_variables()
        self.saver = tf.train.Saver(var_list=trainable_vars, max_to_keep=0)  # expect: BN006
        """),
    # tinghuiz/SfMLearner#17: the global step joins the list, the statistics do not.
    "plus_global_step": with_layer("""
        saver = tf.train.Saver([var for var in tf.trainable_variables()] + [self.global_step])  # expect: BN006
        """),
    "filtered_comprehension": with_layer("""
        g_vars = [v for v in tf.trainable_variables() if v.name.startswith(scope)]
        saver = tf.train.Saver(g_vars)  # expect: BN006
        """),
    "dict_of_names": with_layer("""
        saver = tf.train.Saver({v.op.name: v for v in tf.trainable_variables()})  # expect: BN006
        """),
    "collection_key": with_layer("""
        saver = tf.train.Saver(tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="net"))  # expect: BN006
        """),
    "appended_in_a_loop": with_layer("""
        to_save = []
        for v in tf.trainable_variables():
            if "Adam" not in v.name:
                to_save.append(v)
        saver = tf.train.Saver(var_list=to_save)  # expect: BN006
        """),
    "slim_trainable": HEAD + """
        slim = tf.contrib.slim
        net = slim.batch_norm(x, is_training=is_training)
        saver = tf.train.Saver(slim.get_trainable_variables())  # expect: BN006
        """,
    "sorted_with_key": with_layer("""
        saver = tf.train.Saver(sorted(tf.trainable_variables(), key=lambda v: v.name))  # expect: BN006
        """),
    "checkpoint_of_trainable": with_layer("""
        ckpt = tf.train.Checkpoint(optimizer=opt, variables=tf.trainable_variables())  # expect: BN006
        """),
    "saved_and_restored": with_layer("""
        saver = tf.train.Saver(tf.trainable_variables())  # expect: BN006
        saver.restore(sess, checkpoint)
        saver.save(sess, checkpoint)
        """),
    "keras_trainable_weights": with_layer("""
        saver = tf.train.Saver(model.trainable_weights)  # expect: BN006
        """),
}

FINE = {
    "no_var_list": HEAD + LAYER + "saver = tf.train.Saver()\n",
    "max_to_keep_only": HEAD + LAYER + "saver = tf.train.Saver(max_to_keep=5)\n",
    "global_variables": HEAD + LAYER + "saver = tf.train.Saver(var_list=tf.global_variables())\n",
    "compat_global_variables": HEAD + LAYER + "saver = tf.compat.v1.train.Saver(tf.compat.v1.global_variables())\n",
    # The answer everyone copies: trainable variables plus the moving statistics taken from the global ones.
    "trainable_plus_moving_statistics": with_layer("""
        var_list = tf.trainable_variables()
        g_list = tf.global_variables()
        bn_moving_vars = [g for g in g_list if "moving_mean" in g.name]
        bn_moving_vars += [g for g in g_list if "moving_variance" in g.name]
        var_list += bn_moving_vars
        saver = tf.train.Saver(var_list=var_list, max_to_keep=5)
        """),
    "model_variables": HEAD + LAYER + "saver = tf.train.Saver(tf.model_variables())\n",
    "variables_to_restore": HEAD + """
        slim = tf.contrib.slim
        net = slim.batch_norm(x, is_training=is_training)
        saver = tf.train.Saver(slim.get_variables_to_restore(exclude=["logits"]))
        """,
    "parameter_of_a_helper": with_layer("""
        def make_saver(var_list):
            return tf.train.Saver(var_list=var_list)
        """),
    "name_also_bound_to_all_variables": with_layer("""
        to_save = tf.trainable_variables()
        if save_everything:
            to_save = tf.global_variables()
        saver = tf.train.Saver(to_save)
        """),
    "no_batch_norm_in_the_file": HEAD + "saver = tf.train.Saver(tf.trainable_variables())\n",
    # facenet: the moving averages are put into TRAINABLE_VARIABLES on purpose.
    "statistics_made_trainable": HEAD + """
        slim = tf.contrib.slim
        params = {"is_training": is_training, "variables_collections": [tf.GraphKeys.TRAINABLE_VARIABLES]}
        net = slim.conv2d(x, 32, 3, normalizer_fn=slim.batch_norm, normalizer_params=params)
        saver = tf.train.Saver(tf.trainable_variables(), max_to_keep=3)
        """,
    "checkpoint_of_a_model": HEAD + LAYER + "ckpt = tf.train.Checkpoint(optimizer=opt, model=model)\n",
    "restore_only": with_layer("""
        restorer = tf.train.Saver(var_list=tf.trainable_variables())
        restorer.restore(sess, pretrained_checkpoint)
        tf.train.Saver(tf.trainable_variables()).restore(sess, pretrained_checkpoint)
        full, weights_only = tf.train.Saver(), tf.train.Saver(var_list=tf.trainable_variables())
        weights_only.restore(sess, pretrained_checkpoint)
        """),
    "unknown_function_of_trainables": HEAD + LAYER + "saver = tf.train.Saver(add_statistics(tf.trainable_variables()))\n",
}


@pytest.mark.parametrize("source", BN006.values(), ids=BN006.keys())
def test_bn006_saver_given_only_trainable_variables(source):
    check(source)


@pytest.mark.parametrize("source", FINE.values(), ids=FINE.keys())
def test_no_bn006_when_the_statistics_are_saved_or_nothing_is_known(source):
    check(source)


def test_bn006_points_at_the_var_list_and_names_the_layer_and_the_fix():
    (finding,) = check(HEAD + LAYER + "saver = tf.train.Saver(var_list=tf.trainable_variables())  # expect: BN006\n")
    assert finding.col == len("saver = tf.train.Saver(var_list=") + 1
    assert "tf.layers.batch_normalization at line 2" in finding.message
    assert finding.message.endswith("; omit var_list (every saveable variable) or pass var_list=tf.global_variables()")
