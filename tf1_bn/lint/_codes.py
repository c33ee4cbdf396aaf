"""The lint codes: one table, read by the checks' messages, `--help`, the SARIF rules and the README rows.

Adding a code is one row here plus the check that yields it (`_checks*.py`); nothing else lists codes.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Rule:
    """One lint code: `summary` is the one-line name (`--help`, `--statistics`), `catches` what it reports
    and `fix` the one-line repair (both README columns and the SARIF rule's description and help)."""

    code: str
    summary: str
    catches: str
    fix: str


RULES: tuple[Rule, ...] = (
    Rule("BN001", "train op built without the batch-norm update ops",
         "`minimize()`/`apply_gradients()` not under `control_dependencies(<UPDATE_OPS>)` in a file that builds "
         "a batch-norm layer",
         "build the train op inside `with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):`,"
         " or `tf.group(train_op, update_ops)`"),
    Rule("BN002", "update ops attached to the loss (or another tensor), not to the train op",
         "update ops attached to the loss (`loss = tf.identity(loss)` in the block), `minimize(loss)` outside: "
         "the gradients never evaluate that identity",
         "put `minimize()` itself in the block"),
    Rule("BN003", "UPDATE_OPS read before the batch-norm layers are built",
         "`get_collection(UPDATE_OPS)` before a batch-norm layer of the same function is built: the list is "
         "empty or incomplete",
         "read it after building the network"),
    Rule("BN004", "training=True / is_training=True written literally",
         "`training=True` / `is_training=True` written literally: batch statistics at inference too",
         "a bool placeholder"),
    Rule("BN005", "contrib/slim batch_norm without is_training (defaults to True)",
         "contrib/slim `batch_norm` without `is_training` (it defaults to True; not reported when the file uses "
         "`arg_scope`)",
         "`is_training=<placeholder>`"),
    Rule("BN006", "Saver/Checkpoint given only trainable variables: moving statistics not saved",
         "`tf.train.Saver(var_list=...)` / `tf.train.Checkpoint(...)` given only trainable variables "
         "(`tf.trainable_variables()`, `slim.get_trainable_variables()`, a list built from them) in a file that "
         "builds batch norm: the moving mean/variance are not trainable, so no checkpoint holds them",
         "omit var_list, or pass `tf.global_variables()`"),
    Rule("BN007", "tf.layers batch norm without training= in a file with a bool training placeholder",
         "`tf.layers.batch_normalization` / `BatchNormalization()(x)` without `training=` (default False: never "
         "batch statistics, never an update) in a file that declares a bool training placeholder",
         "pass `training=<the placeholder>`"),
    Rule("BN008", "graph exported or frozen with the batch-norm training branch",
         "an export (`simple_save`, `add_meta_graph_and_variables`, `freeze_graph`, "
         "`convert_variables_to_constants`, `write_graph`, ...) of a graph whose batch norm is built with a "
         "literal `training=True`; a training flag defaulting to True (`placeholder_with_default(True)`) in a "
         "file that exports; `True` fed or mapped to the training flag in a function that exports and never "
         "trains",
         "export a graph built with `training=False` (or a flag defaulting to False)"),
    Rule("BN009", "evaluation run with the training flag fed True",
         "`sess.run(<accuracy/prediction/...>, feed_dict={..., is_training: True})` (or `.eval(...)`) fetching no "
         "train op, on test/validation data or in an evaluation function: batch statistics at evaluation",
         "feed `is_training: False` when evaluating"),
)

CODES: dict[str, str] = {rule.code: rule.summary for rule in RULES}
FIXES: dict[str, str] = {rule.code: rule.fix for rule in RULES}
