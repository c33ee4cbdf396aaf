"""`tf1-bn migrate CHECKPOINT`: a TF1 checkpoint (prefix + .meta) to a `.keras` file, with a report and a check.

    result = migrate_checkpoint("model.ckpt", ["x"], ["logits"], training="is_training",
                                out="model.keras", report="report.txt", check=4)

1. the meta graph is imported into a new graph with TF1 control flow (`tf1_bn.compat.behaviour`, put
   back afterwards) and the variables restored from the prefix;
2. BN moving statistics the checkpoint lacks (a `Saver(var_list=tf.trainable_variables())`) stop the
   migration unless `allow_missing_statistics`, which keeps their initial values and says so;
3. `convert`, then `check` random batches (or the arrays of `check_data`, an .npz keyed by input
   name) through both, inference and (with a training placeholder) training mode;
4. the model is written atomically (temporary name, rename) and the report lists every TF1 variable →
   Keras weight, every layer with its converted arguments, the notes and the check.
Bad input (no .meta, unknown names, variables that do not fit, an unsupported op) is one ValueError
naming it, before anything is written.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Sequence

import numpy as np
import tensorflow as tf

from tf1_bn._files import atomic_path, atomic_write
from tf1_bn.migrate import graph_parity
from tf1_bn.migrate.checkpoint_files import checked_prefix, first_line, import_meta
from tf1_bn.migrate.converter import convert
from tf1_bn.migrate.steps import weight_source


@dataclasses.dataclass
class MigrationResult:
    """What `migrate_checkpoint` did: the model, the check's largest differences, the report text."""

    model: Any
    report: str
    differences: dict[str, float]
    passed: bool


def _restore(prefix: str, sess: tf.compat.v1.Session, allow_missing: bool) -> list[str]:
    """Import and restore; returns the variables left at their initial values (missing from the checkpoint)."""
    saver = import_meta(prefix)
    try:
        if saver is not None:
            saver.restore(sess, prefix)
    except (tf.errors.OpError, ValueError) as error:
        raise ValueError(f"CHECKPOINT {prefix!r}: its variables do not fit the graph ({first_line(error)})") from None
    missing = [name.decode() if isinstance(name, bytes) else name
               for name in sess.run(tf.compat.v1.report_uninitialized_variables())]
    if missing and not allow_missing:
        raise ValueError(f"CHECKPOINT {prefix!r} lacks {len(missing)} variable(s) the graph uses "
                         f"({', '.join(missing[:4])}{', …' if len(missing) > 4 else ''}); a Saver with "
                         "var_list=tf.trainable_variables() leaves out the BN moving statistics. Pass "
                         "--allow-missing-statistics to migrate with their initial values anyway")
    if missing:
        by_name = {v.op.name: v for v in tf.compat.v1.global_variables()}
        sess.run([by_name[name].initializer for name in missing if name in by_name])
    return missing


def _check_arrays(model: Any, check: int, check_data: str | None, names: Sequence[str]) -> list[dict]:
    record = graph_parity.record_of(model)
    if check_data is not None:
        expected = "expected an .npz file of arrays keyed by input name"
        try:
            loaded = np.load(check_data, allow_pickle=False)
        except (OSError, ValueError, EOFError) as error:  # missing, unreadable, or not NumPy's format
            raise ValueError(f"`check_data` {check_data!r}: {expected} ({type(error).__name__}: {error})") from None
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise ValueError(f"`check_data` {check_data!r}: {expected} (it is a single .npy array)")
        with loaded as data:
            absent = [n for n in names if n not in data.files]
            if absent:
                raise ValueError(f"`check_data` {check_data!r}: no array named {', '.join(map(repr, absent))} "
                                 f"(it holds {', '.join(map(repr, data.files)) or 'none'}); key the arrays by "
                                 "input name")
            batch = {t.name: data[n] for t, n in zip(record.inputs, names)}
        for tensor, name in zip(record.inputs, names):
            if not tensor.shape.is_compatible_with(batch[tensor.name].shape):
                raise ValueError(f"`check_data` {check_data!r}: array {name!r} has shape "
                                 f"{batch[tensor.name].shape}; the input {tensor.name} takes {tuple(tensor.shape.as_list())}")
        return [batch]
    rng = np.random.default_rng(0)
    batches = []
    for _ in range(check):
        feed = {}
        for tensor in record.inputs:
            shape = [8 if d is None else d for d in tensor.shape.as_list()]
            feed[tensor.name] = rng.normal(size=shape).astype(tensor.dtype.as_numpy_dtype)
        batches.append(feed)
    return batches


def _report(prefix: str, steps: list, missing: list[str], differences: dict[str, float]) -> str:
    lines = [f"tf1-bn migrate report for {prefix}", "", "Layers (Keras layer: class(converted arguments) <- TF1 op):"]
    lines += [f"  {step.describe()}" for _, step in steps]
    lines += ["", "TF1 variable -> Keras weight:"]
    for _, step in steps:
        for name, weight in zip(step.weight_names, step.weights):
            lines.append(f"  {weight_source(weight)} -> {step.keras_name}/{name}")
    notes = [f"  {step.keras_name}: {note}" for _, step in steps for note in step.notes]
    notes += [f"  {name}: not in the checkpoint, kept its initial value (--allow-missing-statistics)" for name in missing]
    lines += ["", "Notes:"] + (notes or ["  none"])
    if differences:
        lines += ["", "Check (largest |Keras − TF1| per mode):"]
        lines += [f"  {mode}: {value:.3g}" for mode, value in differences.items()]
    return "\n".join(lines) + "\n"


def _save(model: Any, out: str) -> None:
    """model.save to a temporary `.keras` name beside `out`, then rename; nothing left on failure."""
    with atomic_path(out, suffix=".keras") as temporary:
        model.save(temporary)


def migrate_checkpoint(prefix: str, inputs: Sequence[str], outputs: Sequence[str], training: str | None = None, *,
                       out: str, report: str | None = None, check: int = 0, check_data: str | None = None,
                       allow_missing_statistics: bool = False, atol: float = 1e-5,
                       fused_variance: str = "keras") -> MigrationResult:
    """See the module docstring; returns the result, writes `out` (and `report`) when the check passes."""
    from tf1_bn.compat import behaviour

    checked_prefix(prefix)
    if not os.path.isfile(prefix + ".meta"):
        raise ValueError(f"CHECKPOINT {prefix!r}: no {prefix}.meta beside it (the graph is needed, not only the weights)")
    switched = behaviour.switch_to_tf1()
    try:
        graph = tf.Graph()
        with graph.as_default(), tf.compat.v1.Session(graph=graph) as sess:
            missing = _restore(prefix, sess, allow_missing_statistics)
            steps: list = []
            model = convert(sess, list(inputs), list(outputs), training, steps=steps, fused_variance=fused_variance)
            differences: dict[str, float] = {}
            modes = [False, True] if training is not None else [False]
            for feed in _check_arrays(model, check, check_data, list(inputs)):
                for mode in modes:
                    key = "training" if mode else "inference"
                    # atol=inf: measure, never raise; the tolerance is applied to `differences` below
                    gap = graph_parity.outputs_parity(sess, model, feed, training=mode, atol=np.inf).max_abs()
                    differences[key] = max(differences.get(key, 0.0), gap)
    finally:
        behaviour.switch_back(switched)
    text = _report(prefix, steps, missing, differences)
    passed = all(value <= atol for value in differences.values())
    if passed:
        _save(model, out)
    if report is not None:
        with atomic_write(report) as handle:
            handle.write(text)
    return MigrationResult(model, text, differences, passed)
