"""`tf1-bn lint`: find the TF1 batch-norm bugs in source files and notebooks, without running them.

TF1's batch-norm layers do not update their moving mean/variance by themselves: the update ops go to
`tf.GraphKeys.UPDATE_OPS`, and the docs' recipe is to build the train op under
``with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):`` — after the layers are built,
since the collection is read when that line runs. Forget it and inference uses the initial statistics 0/1
(tensorflow/tensorflow#11965 and many more). This module reads the file with `ast` only: it never imports
TensorFlow nor runs the file.

Codes (`path:line:col: CODE message`, col counted from 1; `path:cell 7:line 3:col 5: ...` in a notebook):

* **BN001** — a train op (`.minimize(...)`, `.apply_gradients(...)`) that does not run the update ops, in a
  file that builds a batch-norm layer putting update ops in UPDATE_OPS. Fine: building it inside
  ``control_dependencies(<UPDATE_OPS read>)`` (also in a function only called from such a block, or via
  gradients computed inside one), or combining afterwards: ``tf.group(train_op, update_ops)``,
  ``tf.group(*update_ops, train_op)``, ``sess.run([train_op, update_ops])``, ``sess.run(update_ops)``. Layers
  with ``updates_collections=None`` (contrib/slim: update in place) or a literal ``training=False`` add no
  update ops; `slim.learning.create_train_op`/`tf.contrib.training.create_train_op` add them themselves.
  Also fine: seed 002's ``if use_bn: <protected minimize> else: <plain minimize>``, and, in a file of
  independent examples where the top-level function with batch norm builds its own train op, the train ops
  of top-level functions/classes that neither build batch norm nor call a function that does.
* **BN002** — update ops attached to something else than the train op, e.g.
  ``with control_dependencies(update_ops): loss = tf.identity(loss)`` then ``minimize(loss)`` outside: the
  gradients never evaluate the identity, so running the train op alone skips the updates.
* **BN003** — UPDATE_OPS read before a batch-norm layer of the same function (or module) is built: the list
  is empty or incomplete.
* **BN004** — ``training=True`` / ``is_training=True`` written literally in the batch-norm call: batch
  statistics at inference too. Not reported when the file also builds batch norm with a literal False
  (separate training and inference graphs).
* **BN005** — contrib/slim ``batch_norm`` without ``is_training``, which defaults to True (our decision: a
  separate code, so it can be ignored alone; not reported when the file uses ``arg_scope``, which usually
  sets it, nor when ``**kwargs`` or unreadable ``normalizer_params`` may carry it).
* **BN006** — a ``tf.train.Saver``/``tf.train.Checkpoint`` given only trainable variables in a file that builds
  batch norm: the moving statistics never reach the checkpoint (`_checks_saving`).
* **BN007** — `tf.layers` batch norm without ``training=`` (default False) in a file that declares a bool
  training placeholder (`_checks_modes`).
* **BN008** — a graph exported or frozen with the training branch (`_checks_export`).
* **BN009** — an evaluation run with the training flag fed True (`_checks_modes`).

The codes, their one-line fixes and README rows are one table, `tf1_bn.lint._codes.RULES`.

A ``# noqa`` or ``# noqa: BN001,BN004`` comment on the reported line silences it. Notebooks are linted by
their code cells (`tf1_bn.lint.notebooks`); `tf1-bn lint` also reads `[tool.tf1-bn.lint]` from
`pyproject.toml` (`tf1_bn.lint.config`) and writes text, JSON, SARIF or GitHub annotations
(`tf1_bn.lint.formats`).

Knowingly missed (the lint prefers silence to a false alarm):

* train ops and layers in different files, and anything reached through imports of your own modules;
* update ops passed through function arguments are recognised by name only (any name containing
  "update" counts as update ops inside ``control_dependencies``/``tf.group``);
* values are tracked by name over the whole file, regardless of statement order (except BN002/BN003);
* calls are followed to functions of the same file only: `f()` to the visible function named `f`,
  ``self.f()``/``cls.f()`` to any method named `f`; `obj.method()` is not followed;
* a mode set through a function default (``def bn(x, training=True)``) is not a literal in the call: no BN004;
* `tf.keras.layers.BatchNormalization` (a different contract: its updates are taken from `layer.updates` /
  `model.updates`) and hand-written `tf.nn.moments` + EMA batch norm (seed 003: the EMA update is tied to
  the forward pass through `tf.cond`) are not batch-norm layers here;
* ``training`` omitted in `tf.layers.batch_normalization` (default False) is reported (BN007) only in a file
  that declares a bool training placeholder;
* Python 2 source (``print x``) is a syntax error, and a file nested too deeply for the parser (a
  100,000-term expression) is not analysable: both exit 2.

Snippets without imports may use ``tf`` and ``slim``: unless the file binds those names itself they mean
`tensorflow` and `tensorflow.contrib.slim`.
"""

from __future__ import annotations

from tf1_bn.lint._codes import CODES, RULES, Rule
from tf1_bn.lint.config import Config, Selection
from tf1_bn.lint.files import lint_file, python_files, read_source
from tf1_bn.lint.findings import Finding, LintError, lint_source
from tf1_bn.lint.notebooks import lint_notebook
from tf1_bn.lint.runner import Report, lint_files, lint_paths

__all__ = ["CODES", "RULES", "Config", "Finding", "LintError", "Report", "Rule", "Selection", "lint_file",
           "lint_files", "lint_notebook", "lint_paths", "lint_source", "python_files", "read_source"]
