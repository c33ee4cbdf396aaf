"""tf1_bn.lint resolves import aliases: every spelling of a batch-norm layer is found (a bare minimize is
BN001), every spelling of the UPDATE_OPS read protects the train op, and renaming the alias (or moving the
code down) changes nothing but the line numbers."""

from __future__ import annotations

import keyword
import re
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lint_snippets import HEAD, check
from test_lint_bn001 import BN001
from test_lint_bn002 import BN002
from test_lint_bn003 import BN003
from test_lint_correct import CORRECT
from test_lint_bn006 import BN006
from test_lint_bn007 import BN007
from test_lint_bn008 import BN008
from test_lint_bn009 import BN009
from test_lint_mode import MODE
from tf1_bn.lint import lint_source

# (imports, the batch-norm call) — the same layer under the names real TF1 code gives it.
LAYERS = {
    "tf": ("import tensorflow as tf", "tf.layers.batch_normalization(x, training=t)"),
    "tf_class": ("import tensorflow as tf", "tf.layers.BatchNormalization(momentum=0.9)(x, training=t)"),
    "tf_compat_v1_attribute": ("import tensorflow as tf", "tf.compat.v1.layers.batch_normalization(x, training=t)"),
    "tf_compat_v1_class": ("import tensorflow as tf", "tf.compat.v1.layers.BatchNormalization()(x, training=t)"),
    "compat_v1_as_tf": ("import tensorflow.compat.v1 as tf", "tf.layers.batch_normalization(x, training=t)"),
    "from_compat_import_v1": ("from tensorflow.compat import v1 as tf", "tf.layers.batch_normalization(x, training=t)"),
    "tf1_bn_v1_facade": ("import tf1_bn.v1 as tf", "tf.layers.batch_normalization(x, training=t)"),
    "plain_import": ("import tensorflow", "tensorflow.layers.batch_normalization(x, training=t)"),
    "from_layers_import": ("from tensorflow.layers import batch_normalization",
                           "batch_normalization(x, training=t)"),
    "from_compat_layers_import_class": ("from tensorflow.compat.v1.layers import BatchNormalization as BN",
                                        "BN(axis=1)(x, training=t)"),
    "tf1_bn_layers": ("import tf1_bn.layers as layers", "layers.batch_normalization(x, training=t)"),
    "from_tf1_bn_import_layers": ("from tf1_bn import layers", "layers.batch_norm(x, training=t)"),
    "tf1_bn_function_alias": ("from tf1_bn.layers import batch_normalization as bn", "bn(x, training=t)"),
    "assigned_alias": ("import tensorflow as tf\nbn = tf.layers.batch_normalization", "bn(x, training=t)"),
    "layer_object": ("import tensorflow as tf\nlayer = tf.layers.BatchNormalization()", "layer.apply(x, training=t)"),
    "contrib_layers": ("import tensorflow as tf", "tf.contrib.layers.batch_norm(x, is_training=t)"),
    "from_contrib_import_slim": ("from tensorflow.contrib import slim", "slim.batch_norm(x, is_training=t)"),
    "contrib_slim_as_slim": ("import tensorflow.contrib.slim as slim", "slim.batch_norm(x, is_training=t)"),
    "slim_assigned": ("import tensorflow as tf\nslim = tf.contrib.slim", "slim.batch_norm(x, is_training=t)"),
    "tf_slim": ("import tf_slim as slim", "slim.batch_norm(x, is_training=t)"),
    "tf_slim_layers": ("from tf_slim.layers import batch_norm", "batch_norm(x, is_training=t)"),
    "contrib_old_import_path": ("from tensorflow.contrib.layers.python.layers import batch_norm",
                                "batch_norm(x, is_training=t)"),
    "tf_python_layers": ("from tensorflow.python.layers import normalization",
                         "normalization.batch_normalization(x, training=t)"),
    "from_contrib_layers": ("from tensorflow.contrib.layers import batch_norm as bn", "bn(x, 0.99, is_training=t)"),
    "normalizer_fn_slim": ("import tensorflow.contrib.slim as slim",
                           "slim.fully_connected(x, 64, normalizer_fn=slim.batch_norm, normalizer_params=p)\n"
                           "p = {'is_training': t}"),
    "normalizer_fn_contrib": ("import tensorflow as tf",
                              "tf.contrib.layers.conv2d(x, 32, 3, normalizer_fn=tf.contrib.layers.batch_norm, "
                              "normalizer_params={'is_training': t, 'decay': 0.9})"),
    "normalizer_fn_in_arg_scope": ("import tensorflow as tf\nslim = tf.contrib.slim",
                                   "slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm, "
                                   "normalizer_params={'is_training': t})"),
    "snippet_without_imports": ("", "tf.layers.batch_normalization(x, training=t)"),
}


@pytest.mark.parametrize("imports, layer", LAYERS.values(), ids=LAYERS.keys())
def test_every_spelling_of_the_layer_is_found(imports, layer):
    check(f"{imports}\nh = {layer}\ntrain_op = optimizer.minimize(loss)  # expect: BN001\n")


@pytest.mark.parametrize("imports, layer", LAYERS.values(), ids=LAYERS.keys())
def test_every_spelling_of_the_layer_is_fixed_by_the_recipe(imports, layer):
    check(f"{imports}\nh = {layer}\nwith tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):\n"
          f"    train_op = optimizer.minimize(loss)\n")


READS = {
    "compat_v1": ("import tensorflow as tf", "tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)"),
    "compat_v1_as_tf": ("import tensorflow.compat.v1 as tf", "tf.get_collection(tf.GraphKeys.UPDATE_OPS)"),
    "string_key": ("import tensorflow as tf", 'tf.get_collection("update_ops")'),
    "keyword_key": ("import tensorflow as tf", "tf.get_collection(key=tf.GraphKeys.UPDATE_OPS)"),
    "collection_ref": ("import tensorflow as tf", "tf.get_collection_ref(tf.GraphKeys.UPDATE_OPS)"),
    "graph_method": ("import tensorflow as tf", "tf.get_default_graph().get_collection(tf.GraphKeys.UPDATE_OPS)"),
    "from_import": ("import tensorflow as tf\nfrom tensorflow.compat.v1 import GraphKeys, get_collection",
                    "get_collection(GraphKeys.UPDATE_OPS)"),
    "ops_module": ("import tensorflow as tf\nfrom tensorflow.python.framework import ops",
                   "ops.get_collection(ops.GraphKeys.UPDATE_OPS)"),
    "concatenated": ("import tensorflow as tf", "tf.get_collection(tf.GraphKeys.UPDATE_OPS) + [ema_op]"),
    "graph_control_dependencies": ("import tensorflow as tf", "tf.get_collection(tf.GraphKeys.UPDATE_OPS)"),
}


@pytest.mark.parametrize("imports, read", READS.values(), ids=READS.keys())
def test_every_spelling_of_the_update_ops_read_protects(imports, read):
    graph_method = read == READS["graph_control_dependencies"][1]
    context = "graph.control_dependencies" if graph_method else "tf.control_dependencies"
    check(f"{imports}\nh = tf.layers.batch_normalization(x, training=t)\nupdate_ops = {read}\n"
          f"with {context}(update_ops):\n    train_op = optimizer.minimize(loss)\n")


def test_a_local_name_tf_is_not_tensorflow():
    check("tf = load_transform()\nh = tf.layers.batch_normalization(x, training=True)\ntrain_op = opt.minimize(loss)\n")


def test_keras_layers_are_not_tf1_layers():
    check("import tensorflow as tf\nh = tf.keras.layers.BatchNormalization()(x, training=True)\n"
          "train_op = opt.minimize(loss)\n")


# Metamorphic checks over the whole snippet collection of the test_lint_* files: renaming the TensorFlow
# alias, or pushing the code down by blank lines, must give the same findings (shifted by those lines).
SNIPPETS = [HEAD + textwrap.dedent(s[len(HEAD):])
            for table in (CORRECT, BN001, BN002, BN003, MODE, BN006, BN007, BN008, BN009)
            for s in table.values()]


def _codes(source: str, shift: int = 0) -> list[tuple[int, int, str]]:
    return [(f.line - shift, f.col, f.code) for f in lint_source(source)]


@settings(max_examples=30, deadline=None)
@given(snippet=st.sampled_from(SNIPPETS), alias=st.from_regex(r"[a-z][a-z0-9_]{0,5}", fullmatch=True))
def test_renaming_the_tensorflow_alias_changes_nothing(snippet, alias):
    if keyword.iskeyword(alias) or re.search(rf"\b{alias}\b", snippet):
        return  # the name is taken in this snippet
    renamed = re.sub(r"\btf\b", alias, snippet)
    # Columns move where the alias length differs, so compare lines and codes.
    assert [(line, code) for line, _, code in _codes(renamed)] == [(line, code) for line, _, code in _codes(snippet)]


@settings(max_examples=30, deadline=None)
@given(snippet=st.sampled_from(SNIPPETS), blank=st.integers(min_value=1, max_value=40))
def test_findings_move_with_the_code(snippet, blank):
    assert _codes("\n" * blank + snippet, shift=blank) == _codes(snippet)
