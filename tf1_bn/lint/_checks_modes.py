"""The checks of the training mode. BN004/BN005 (`mode_arguments`): a literal training=True, or contrib/slim
batch_norm without is_training (it defaults to True). BN007 and BN009: the training flag exists but does not
reach the layer, or reaches it as True at evaluation.

* **BN007** — `tf.layers.batch_normalization(x)` / `tf.layers.BatchNormalization()(x)` without ``training=``
  in a file that declares a bool training placeholder (dmzou/RSRAE#2). TF 1.x's default is
  ``training=False``: that layer always normalises with its moving statistics and, with a Python False, builds
  no update op, so they stay 0/1 — the placeholder switches every other layer but not this one. Only the
  `tf.layers` family is reported: contrib/slim `batch_norm` without ``is_training`` defaults to True, which
  is BN005 whether or not the file has a placeholder; a ``partial`` or a layer object called elsewhere may get
  its mode later and is not reported.
* **BN009** — `sess.run(fetches, feed_dict={..., <training flag>: True})` (or `.eval`/`op.run`) whose fetches
  hold no train-like fetch (see `_runs`) and that is evaluation by one of: the fed data are test/validation
  data (a word "test", "valid"/"validation", "val", "eval", "dev", "holdout" in a fed value's name); the run
  is in a function named for evaluation (a word "eval"/"evaluate", "valid"/"validate", "predict", "infer");
  or the fetches are named for evaluation (accuracy, prediction, logits, probabilities, softmax, argmax,
  output, score, metric, precision, recall, auc, top-k, ...) and the fed data are not training data (no word
  "train" or "batch" in a fed value: the accuracy of the batch being trained on, in training mode, is a
  legitimate diagnostic). Not reported: runs inside a pytest `test_*` function (tests check the training
  mode on purpose), runs already reported as BN008 (export path).
"""

from __future__ import annotations

import ast
from typing import Iterator

from tf1_bn.lint._flags import Flags, words
from tf1_bn.lint._flow import FileModel
from tf1_bn.lint._names import key, last_name, references, subtree
from tf1_bn.lint._runs import Runs
from tf1_bn.lint._sites import Site, SiteFinder

Raw = tuple[ast.AST, str, str]

_EVAL_FETCHES = {"acc", "accuracy", "accuracies", "correct", "pred", "preds", "prediction", "predictions",
                 "predict", "predicted", "eval", "evaluation", "infer", "inference", "logit", "logits", "prob",
                 "probs", "probability", "probabilities", "softmax", "argmax", "output", "outputs", "score",
                 "scores", "metric", "metrics", "precision", "recall", "auc", "top", "confusion", "iou", "error"}
_EVAL_DATA = {"test", "testing", "valid", "validation", "val", "eval", "evaluation", "dev", "holdout"}
_TRAIN_DATA = {"train", "training", "batch"}
_EVAL_FUNCTIONS = {"eval", "evaluate", "evaluation", "valid", "validate", "validation", "predict",
                   "prediction", "infer", "inference"}


def _class_of(model: FileModel, node: ast.AST) -> ast.AST | None:
    return next((p for p, _ in model.ancestors(node) if isinstance(p, ast.ClassDef)), None)


def _visible(model: FileModel, placeholder: ast.AST, label: str | None, site: ast.AST) -> bool:
    """Whether the layer at `site` can see the placeholder: declared at module level, in the layer's
    function or one around it, or as a `self.` attribute of the layer's class."""
    scope = model.scope(placeholder)
    if scope is None or any(parent is scope for parent, _ in model.ancestors(site)):
        return True
    return bool(label and label.startswith("self.")) and _class_of(model, placeholder) is _class_of(model, site)


def omitted_training(sites: list[Site], flags: Flags, model: FileModel) -> Iterator[Raw]:
    """BN007 (see the module docstring)."""
    for site in sites:
        if site.family != "layers" or site.mode is not None:
            continue
        seen = next(((p, label) for p, label, _ in flags.placeholders if _visible(model, p, label, site.node)), None)
        if seen is None:
            continue
        placeholder, label = seen
        yield site.node, "BN007", (
            f"{site.label} without training=, which defaults to False: this layer always uses its moving "
            f"statistics and never updates them (they stay 0/1), whatever the bool placeholder "
            f"{label or 'declared'} (line {placeholder.lineno}) says; pass training={label or '<the placeholder>'}")


def _value_words(feed_values: list[ast.AST]) -> set[str]:
    found: set[str] = set()
    for value in feed_values:
        for ref in references(value):
            found.update(words(ref))
        for node in subtree(value):
            if isinstance(node, ast.Call) and last_name(node.func):
                found.update(words(last_name(node.func)))
    return found


def _fetch_words(fetches: ast.AST) -> set[str]:
    found: set[str] = set()
    for ref in references(fetches):
        found.update(words(ref.split(".")[-1]))
    for node in subtree(fetches):
        if isinstance(node, ast.Call) and last_name(node.func):
            found.update(words(last_name(node.func)))
    return found


def evaluation_reason(runs: Runs, call: ast.Call, fetches: ast.AST, fed_values: list[ast.AST]) -> str | None:
    """Why this run is an evaluation, or None when nothing says so (see the module docstring)."""
    data = _value_words(fed_values)
    if data & _EVAL_DATA:
        return "on test/validation data"
    function = next(runs.enclosing_names(call), None)
    if function is not None and set(words(function)) & _EVAL_FUNCTIONS:
        return f"in {function}()"
    if _fetch_words(fetches) & _EVAL_FETCHES and not data & _TRAIN_DATA:
        return "fetching an evaluation result"
    return None


def evaluation_feeds(runs: Runs, flags: Flags, reported: set[ast.AST]) -> Iterator[Raw]:
    """BN009 (see the module docstring); `reported` holds runs already reported as BN008."""
    for call, fetches, feed in runs.runs:
        if call in reported or fetches is None or any(n.startswith("test") for n in runs.enclosing_names(call)):
            continue
        fed = flags.fed_true(feed)
        if not fed or runs.train_like(fetches):
            continue
        others = [v for k, v in flags.entries(feed) if not flags.is_flag(k)]
        reason = evaluation_reason(runs, call, fetches, others)
        if reason is None:
            continue
        flag, value = fed[0]
        where = value if isinstance(feed, ast.Dict) else call
        flag_name = key(flag) or (flag.value if isinstance(flag, ast.Constant) else "the training flag")
        yield where, "BN009", (
            f"{flag_name} fed True {reason}, with no train op fetched: batch norm normalises with this batch's "
            f"statistics instead of the moving ones, so the result is not what inference gives; feed "
            f"{flag_name}: False when evaluating")


def mode_arguments(sites: list[Site], finder: SiteFinder) -> Iterator[Raw]:
    """BN004: a literal training=True / is_training=True. BN005: contrib/slim batch_norm without
    is_training (it defaults to True)."""
    separate_graphs = any(s.literal_mode() is False for s in sites)
    for site in sites:
        if site.literal_mode() is True and not separate_graphs:
            yield site.mode, "BN004", (
                f"{site.mode_name}=True written literally: {site.label} uses batch statistics at inference "
                f"too; pass a bool placeholder ({site.mode_name}=is_training)")
        elif site.family == "contrib" and site.mode is None and not finder.mode_is_set_elsewhere(site):
            yield site.node, "BN005", (
                f"{site.label} without is_training, which defaults to True: batch statistics at inference "
                f"too; pass is_training=<bool placeholder>")
