"""BN007: tf.layers batch norm without training= (default False) in a file whose bool training placeholder
the layer can see — and the idioms that pass the flag, or have no flag to pass."""

from __future__ import annotations

import pytest
from lint_snippets import HEAD, check

BN007 = {
    "placeholder": HEAD + """
        is_training = tf.placeholder(tf.bool, name="is_training")
        h = tf.layers.batch_normalization(x)  # expect: BN007
        """,
    "compat_v1_placeholder_dtype_keyword": HEAD + """
        phase_train = tf.compat.v1.placeholder(dtype=tf.bool, shape=[])
        h = tf.compat.v1.layers.batch_normalization(x, momentum=0.9)  # expect: BN007
        """,
    "placeholder_with_default": HEAD + """
        training = tf.placeholder_with_default(False, shape=(), name="training")
        h = tf.layers.batch_normalization(x, training=training)
        h = tf.layers.batch_normalization(h)  # expect: BN007
        """,
    "layer_object": HEAD + """
        is_training = tf.placeholder("bool")
        h = tf.layers.BatchNormalization(axis=1)(x)  # expect: BN007
        """,
    "layer_object_called_later": HEAD + """
        is_training = tf.placeholder(tf.bool)
        bn = tf.layers.BatchNormalization()
        h = bn(x)  # expect: BN007
        """,
    "flag_of_the_class": HEAD + """
        class Model:
            def __init__(self):
                self.is_training = tf.placeholder(tf.bool)

            def build(self, x):
                return tf.layers.batch_normalization(x)  # expect: BN007
        """,
    "inner_function_sees_the_outer_placeholder": HEAD + """
        def build(x):
            is_training = tf.placeholder(tf.bool, [])

            def block(h):
                return tf.layers.batch_normalization(h)  # expect: BN007
            return block(x)
        """,
    "placeholder_named_by_its_name_argument": HEAD + """
        flag = tf.placeholder(tf.bool, [], "is_training")
        h = tf.layers.batch_normalization(x, name="bn1")  # expect: BN007
        """,
}

FINE = {
    "training_passed": HEAD + """
        is_training = tf.placeholder(tf.bool)
        h = tf.layers.batch_normalization(x, training=is_training)
        """,
    "training_self_attribute": HEAD + """
        class Model:
            def __init__(self):
                self.is_training = tf.placeholder(tf.bool)

            def build(self, x):
                return tf.layers.batch_normalization(x, training=self.is_training)
        """,
    "training_through_a_variable": HEAD + """
        is_training = tf.placeholder(tf.bool)
        mode = is_training
        h = tf.layers.batch_normalization(x, training=mode)
        """,
    "training_positional": HEAD + """
        is_training = tf.placeholder(tf.bool)
        bn = tf.layers.BatchNormalization()
        h = bn(x, is_training)
        """,
    "no_placeholder_in_the_file": HEAD + "h = tf.layers.batch_normalization(x)\n",
    "float_placeholder_only": HEAD + """
        keep_prob = tf.placeholder(tf.float32)
        h = tf.layers.batch_normalization(x)
        """,
    "bool_placeholder_not_a_training_flag": HEAD + """
        use_dropout = tf.placeholder(tf.bool)
        h = tf.layers.batch_normalization(x)
        """,
    # A test module: the placeholder of one test function is not visible in another.
    "placeholder_in_another_function": HEAD + """
        def test_names():
            tf.layers.batch_normalization(x)

        def test_update_collection():
            is_training = tf.placeholder(tf.bool, [])
            tf.layers.batch_normalization(x, training=is_training)
        """,
    # contrib/slim batch_norm defaults to is_training=True: that is BN005, not BN007.
    "contrib_omitted_is_bn005": HEAD + """
        is_training = tf.placeholder(tf.bool)
        h = tf.contrib.layers.batch_norm(x, updates_collections=None)  # expect: BN005
        """,
    "partial_gets_its_mode_later": HEAD + """
        import functools
        is_training = tf.placeholder(tf.bool)
        bn = functools.partial(tf.layers.batch_normalization, momentum=0.9)
        """,
    "kwargs_may_carry_it": HEAD + """
        is_training = tf.placeholder(tf.bool)
        def bn(x, **kwargs):
            return tf.layers.batch_normalization(x, **kwargs)
        """,
}


@pytest.mark.parametrize("source", BN007.values(), ids=BN007.keys())
def test_bn007_layer_without_training_beside_a_training_placeholder(source):
    check(source)


@pytest.mark.parametrize("source", FINE.values(), ids=FINE.keys())
def test_no_bn007_when_the_flag_is_passed_or_absent(source):
    check(source)


def test_bn007_names_the_placeholder_and_the_fix():
    (finding,) = check(HEAD + "is_training = tf.placeholder(tf.bool)\n"
                       "h = tf.layers.batch_normalization(x)  # expect: BN007\n")
    assert (finding.line, finding.col) == (3, 5)
    assert "defaults to False" in finding.message and "is_training (line 2)" in finding.message
    assert finding.message.endswith("; pass training=is_training")
